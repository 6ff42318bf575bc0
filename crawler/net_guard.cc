#include "crawler/net_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace shagym::crawler {

namespace {

bool InV4(uint32_t a, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) |
         uint32_t(d);
}

// `a` in host byte order.
bool PrivateV4(uint32_t a) {
  return InV4(a, V4(0, 0, 0, 0), 8) ||        // "this network"
         InV4(a, V4(10, 0, 0, 0), 8) ||       // RFC 1918
         InV4(a, V4(100, 64, 0, 0), 10) ||    // CGNAT
         InV4(a, V4(127, 0, 0, 0), 8) ||      // loopback
         InV4(a, V4(169, 254, 0, 0), 16) ||   // link-local
         InV4(a, V4(172, 16, 0, 0), 12) ||    // RFC 1918
         InV4(a, V4(192, 0, 0, 0), 24) ||     // IETF protocol assignments
         InV4(a, V4(192, 0, 2, 0), 24) ||     // TEST-NET-1
         InV4(a, V4(192, 168, 0, 0), 16) ||   // RFC 1918
         InV4(a, V4(198, 18, 0, 0), 15) ||    // benchmarking
         InV4(a, V4(198, 51, 100, 0), 24) ||  // TEST-NET-2
         InV4(a, V4(203, 0, 113, 0), 24) ||   // TEST-NET-3
         InV4(a, V4(224, 0, 0, 0), 4) ||      // multicast
         InV4(a, V4(240, 0, 0, 0), 4);        // reserved, broadcast
}

bool PrivateV6(const unsigned char* b) {
  static const unsigned char kZero[16] = {};
  // :: and ::1
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) {
    return true;
  }
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d
  bool mapped =
      std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
  bool compat = std::memcmp(b, kZero, 12) == 0;
  // NAT64 64:ff9b::/96
  bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
               std::memcmp(b + 4, kZero, 8) == 0;
  if (mapped || compat || nat64) {
    uint32_t a = (uint32_t(b[12]) << 24) | (uint32_t(b[13]) << 16) |
                 (uint32_t(b[14]) << 8) | uint32_t(b[15]);
    return PrivateV4(a);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 ULA
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10
  if (b[0] == 0xff) return true;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return true;  // 2001:db8::/32 documentation
  }
  return false;
}

curl_socket_t OpenSocket(void* clientp, curlsocktype purpose,
                         struct curl_sockaddr* address) {
  auto* guard = static_cast<NetGuard*>(clientp);
  if (purpose == CURLSOCKTYPE_IPCXN && !guard->allow_private &&
      IsPrivateAddress(&address->addr, address->addrlen)) {
    char text[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    std::string endpoint;
    if (address->family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&address->addr);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
      port = ntohs(in->sin_port);
      endpoint = std::string(text) + ":" + std::to_string(port);
    } else if (address->family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
      port = ntohs(in6->sin6_port);
      endpoint = "[" + std::string(text) + "]:" + std::to_string(port);
    }
    bool exempt = false;
    if (guard->allowed_endpoints != nullptr) {
      for (const auto& allowed : *guard->allowed_endpoints) {
        if (allowed == endpoint) exempt = true;
      }
    }
    if (!exempt) {
      guard->refused_address = endpoint.empty() ? text : endpoint;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

}  // namespace

bool IsPrivateAddress(const struct sockaddr* addr, socklen_t len) {
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return PrivateV4(ntohl(in->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return PrivateV6(in6->sin6_addr.s6_addr);
  }
  return true;  // unknown families (unix sockets...) are never public
}

bool IsPrivateAddress(std::string_view ip) {
  std::string s(ip);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') {
    s = s.substr(1, s.size() - 2);
  }
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    return PrivateV4(ntohl(v4.s_addr));
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return PrivateV6(v6.s6_addr);
  return false;
}

void InstallNetGuard(CURL* easy, NetGuard* guard) {
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, guard);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
}

}  // namespace shagym::crawler
