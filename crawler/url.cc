#include "crawler/url.h"

#include <curl/curl.h>
#include <unicode/uidna.h>

#include <cctype>
#include <memory>

namespace shagym::crawler {

namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

// Gets one part; `found` is false when the part is absent.
std::string GetPart(CURLU* h, CURLUPart part, unsigned flags, bool* found) {
  char* raw = nullptr;
  CURLUcode rc = curl_url_get(h, part, &raw, flags);
  std::unique_ptr<char, CurlFree> owned(raw);
  *found = rc == CURLUE_OK && raw != nullptr;
  return *found ? std::string(raw) : std::string();
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 characters that may appear raw in a path or query.
bool IsAllowedRaw(unsigned char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
    case '/':
    case '?':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendEscaped(std::string* out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 15]);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Removes leading/trailing C0 controls and spaces and every tab and newline
// inside, as browsers do with hrefs (WHATWG URL "basic URL parser").
std::string CleanInput(std::string_view in) {
  size_t b = 0, e = in.size();
  while (b < e && static_cast<unsigned char>(in[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(in[e - 1]) <= 0x20) --e;
  std::string out;
  out.reserve(e - b);
  for (size_t i = b; i < e; ++i) {
    if (in[i] == '\t' || in[i] == '\n' || in[i] == '\r') continue;
    out.push_back(in[i]);
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// A host name as DNS and the frontier keys see it: LDH labels (plus '_',
// which real sites use), or an IPv6 literal in brackets. Anything else
// (e.g. '%' that survived IDNA) would not round-trip.
bool IsPlainHost(std::string_view h) {
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
    for (char c : h.substr(1, h.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return false;
    }
    return true;
  }
  for (char c : h) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' &&
        c != '_')
      return false;
  }
  return true;
}

// IDN to punycode with ICU's UTS #46 (non-transitional, as browsers do).
StatusOr<std::string> HostToAscii(const std::string& host) {
  if (IsAscii(host)) {
    if (!IsPlainHost(host)) return InvalidArgument("bad host name");
    return Lower(host);
  }
  static const UIDNA* idna = [] {
    UErrorCode err = U_ZERO_ERROR;
    UIDNA* u = uidna_openUTS46(
        UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE,
        &err);
    return U_SUCCESS(err) ? u : nullptr;
  }();
  if (idna == nullptr) return InvalidArgument("IDN support unavailable");
  std::string out(host.size() * 4 + 64, '\0');
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode err = U_ZERO_ERROR;
  int32_t n = uidna_nameToASCII_UTF8(
      idna, host.data(), static_cast<int32_t>(host.size()), out.data(),
      static_cast<int32_t>(out.size()), &info, &err);
  if (U_FAILURE(err) || info.errors != 0 || n <= 0) {
    return InvalidArgument("bad international host name");
  }
  out.resize(static_cast<size_t>(n));
  if (!IsPlainHost(out)) return InvalidArgument("bad international host name");
  return Lower(out);
}

std::string NormalizeQuery(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view piece = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    std::string norm = NormalizePercentEncoding(piece);
    std::string_view name = std::string_view(norm).substr(0, norm.find('='));
    if (IsTrackingParameter(Lower(name))) continue;
    if (!out.empty()) out.push_back('&');
    out += norm;
  }
  return out;
}

// RFC 3986 5.2.4 on an absolute path. curl removes dot segments when it
// parses, but decoding "%2e" afterwards can make new ones ("/a/%2e%2e/b"):
// they go too (RFC 3986 6.2.2.3 normalises segments after decoding), so that
// a canonical URL is canonical again.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto complete = [&](size_t n) {  // in[0..n) followed by '/' or the end
    return in.size() == n || in[n] == '/';
  };
  while (!in.empty()) {
    if (in.substr(0, 2) == "/." && complete(2)) {
      in.remove_prefix(2);
      if (in.empty()) out.push_back('/');
    } else if (in.substr(0, 3) == "/.." && complete(3)) {
      in.remove_prefix(3);
      size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      if (in.empty()) out.push_back('/');
    } else {
      size_t next = in.find('/', 1);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out.empty() ? "/" : out;
}

// Longer URLs, given or produced (percent-encoding can triple a raw one),
// are refused, so that a canonical URL is always canonical again.
constexpr size_t kMaxUrlBytes = 8192;

StatusOr<std::string> Canonicalize(CURLU* h) {
  bool found = false;
  std::string scheme = Lower(GetPart(h, CURLUPART_SCHEME, 0, &found));
  if (!found) return InvalidArgument("no scheme");
  if (scheme != "http" && scheme != "https") {
    return InvalidArgument("unsupported scheme '" + scheme + "'");
  }
  std::string host = GetPart(h, CURLUPART_HOST, 0, &found);
  if (!found || host.empty()) return InvalidArgument("no host");
  StatusOr<std::string> ascii = HostToAscii(host);
  if (!ascii.ok()) return ascii.status();
  std::string port = GetPart(h, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT, &found);
  std::string user = GetPart(h, CURLUPART_USER, 0, &found);
  std::string password = GetPart(h, CURLUPART_PASSWORD, 0, &found);
  std::string path = GetPart(h, CURLUPART_PATH, 0, &found);
  std::string query = GetPart(h, CURLUPART_QUERY, 0, &found);

  std::string out = scheme + "://";
  if (!user.empty()) {
    out += NormalizePercentEncoding(user);
    if (!password.empty()) out += ":" + NormalizePercentEncoding(password);
    out += "@";
  }
  out += *ascii;
  if (!port.empty()) out += ":" + port;
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  out += RemoveDotSegments(NormalizePercentEncoding(path));
  std::string q = NormalizeQuery(query);
  if (!q.empty()) out += "?" + q;
  if (out.size() > kMaxUrlBytes) return InvalidArgument("URL too long");
  return out;
}

std::string_view CurlUrlError(CURLUcode rc) {
  switch (rc) {
    case CURLUE_NO_SCHEME:
      return "no scheme";
    case CURLUE_BAD_PORT_NUMBER:
      return "bad port number";
    case CURLUE_UNSUPPORTED_SCHEME:
      return "unsupported scheme";
    case CURLUE_NO_HOST:
      return "no host";
    case CURLUE_BAD_HOSTNAME:
      return "bad host name";
    case CURLUE_BAD_IPV6:
      return "bad IPv6 address";
    case CURLUE_LACKS_IDN:
      return "international host names not supported";
    default:
      return curl_url_strerror(rc);
  }
}

// The scheme of `url` when it starts with one (RFC 3986 3.1), lower-case;
// "" otherwise.
std::string SchemeOf(std::string_view url) {
  if (url.empty() ||
      !((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z'))) {
    return "";
  }
  for (size_t i = 1; i < url.size(); ++i) {
    char c = url[i];
    if (c == ':') return Lower(url.substr(0, i));
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return "";
  }
  return "";
}

Status CheckScheme(std::string_view url) {
  std::string scheme = SchemeOf(url);
  if (!scheme.empty() && scheme != "http" && scheme != "https") {
    return InvalidArgument("unsupported scheme '" + scheme + "'");
  }
  return Status::Ok();
}

constexpr unsigned kSetFlags = CURLU_ALLOW_SPACE | CURLU_NON_SUPPORT_SCHEME;

}  // namespace

std::string NormalizePercentEncoding(std::string_view s,
                                     std::string_view keep) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        unsigned char decoded = static_cast<unsigned char>(hi * 16 + lo);
        if (IsUnreserved(decoded)) {
          out.push_back(static_cast<char>(decoded));
        } else {
          AppendEscaped(&out, decoded);
        }
        i += 2;
      } else {
        out += "%25";
      }
      continue;
    }
    if (IsAllowedRaw(c) || keep.find(static_cast<char>(c)) != keep.npos) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendEscaped(&out, c);
    }
  }
  return out;
}

bool IsTrackingParameter(std::string_view name) {
  return name.substr(0, 4) == "utm_" || name == "fbclid" || name == "gclid" ||
         name == "yclid" || name == "_openstat";
}

StatusOr<std::string> CanonicalUrl(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return InvalidArgument("URL too long");
  std::string clean = CleanInput(url);
  if (clean.empty()) return InvalidArgument("empty URL");
  SHAGYM_RETURN_IF_ERROR(CheckScheme(clean));
  CurlUrl h(curl_url());
  if (!h) return Internal("out of memory");
  CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, clean.c_str(), kSetFlags);
  if (rc != CURLUE_OK) {
    size_t colon = clean.find(':');
    if (colon == std::string::npos || clean.find('/') < colon) {
      return InvalidArgument("no scheme");
    }
    return InvalidArgument(std::string(CurlUrlError(rc)));
  }
  return Canonicalize(h.get());
}

StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view ref) {
  if (base.size() > kMaxUrlBytes || ref.size() > kMaxUrlBytes) {
    return InvalidArgument("URL too long");
  }
  std::string clean_base = CleanInput(base);
  std::string clean_ref = CleanInput(ref);
  SHAGYM_RETURN_IF_ERROR(CheckScheme(clean_ref));
  CurlUrl h(curl_url());
  if (!h) return Internal("out of memory");
  CURLUcode rc =
      curl_url_set(h.get(), CURLUPART_URL, clean_base.c_str(), kSetFlags);
  if (rc != CURLUE_OK) {
    return InvalidArgument("bad base URL: " + std::string(CurlUrlError(rc)));
  }
  // curl 7.88 mis-resolves a fragment-only reference; it is the base itself.
  if (clean_ref.empty() || clean_ref[0] == '#') return Canonicalize(h.get());
  // With a URL already set, curl resolves a relative one against it
  // (RFC 3986 section 5).
  rc = curl_url_set(h.get(), CURLUPART_URL, clean_ref.c_str(), kSetFlags);
  if (rc != CURLUE_OK) return InvalidArgument(std::string(CurlUrlError(rc)));
  return Canonicalize(h.get());
}

StatusOr<UrlParts> SplitUrl(std::string_view url) {
  UrlParts parts;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return InvalidArgument("no scheme");
  parts.scheme = std::string(url.substr(0, sep));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return InvalidArgument("unsupported scheme '" + parts.scheme + "'");
  }
  size_t auth_begin = sep + 3;
  size_t path_begin = url.find_first_of("/?", auth_begin);
  if (path_begin == std::string_view::npos) path_begin = url.size();
  std::string_view authority = url.substr(auth_begin, path_begin - auth_begin);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  parts.port = parts.scheme == "https" ? 443 : 80;
  if (colon != std::string_view::npos &&
      (bracket == std::string_view::npos || colon > bracket)) {
    int port = 0;
    for (char c : authority.substr(colon + 1)) {
      if (c < '0' || c > '9' || port > 65535) {
        return InvalidArgument("bad port number");
      }
      port = port * 10 + (c - '0');
    }
    if (port <= 0 || port > 65535) return InvalidArgument("bad port number");
    parts.port = port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return InvalidArgument("no host");
  parts.host = std::string(authority);
  parts.path_and_query = std::string(url.substr(path_begin));
  if (parts.path_and_query.empty() || parts.path_and_query[0] != '/') {
    parts.path_and_query.insert(parts.path_and_query.begin(), '/');
  }
  return parts;
}

std::string HostKey(std::string_view canonical_url) {
  StatusOr<UrlParts> parts = SplitUrl(canonical_url);
  if (!parts.ok()) return "";
  return parts->scheme + "://" + parts->host + ":" +
         std::to_string(parts->port);
}

}  // namespace shagym::crawler
