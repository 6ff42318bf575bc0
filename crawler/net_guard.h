#pragma once

// Private-address guard. The check runs on the address libcurl is about to
// connect to (CURLOPT_OPENSOCKETFUNCTION), not on the host name, so DNS
// answers that point inside the network and redirects to internal hosts are
// refused the same way. Connections that are reused were opened through the
// same check.

#include <curl/curl.h>
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

namespace shagym::crawler {

// True for loopback, RFC 1918 private, link-local, CGNAT (100.64/10),
// unspecified, multicast, broadcast, reserved and documentation ranges, IPv6
// ULA/link-local/multicast, and IPv4-mapped or NAT64 forms of those.
bool IsPrivateAddress(const struct sockaddr* addr, socklen_t len);
// Same for a textual address ("10.0.0.1", "::1"). False for anything that is
// not an IP address.
bool IsPrivateAddress(std::string_view ip);

// Per-transfer state of the guard. Must outlive the transfer.
struct NetGuard {
  bool allow_private = false;
  // Private endpoints allowed all the same, as "ip:port" ("10.0.0.5:3128",
  // "[::1]:8080"): e.g. one internal mirror. Borrowed; may be null.
  const std::vector<std::string>* allowed_endpoints = nullptr;
  // Set when a connection was refused: the address, for the error message.
  std::string refused_address;
};

// Installs the guard on `easy` (and limits it to http/https, also for
// redirects).
void InstallNetGuard(CURL* easy, NetGuard* guard);

}  // namespace shagym::crawler
