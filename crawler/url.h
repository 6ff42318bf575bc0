#pragma once

// Canonical URLs: the one spelling of a URL under which the crawler queues,
// dedupes and stores it. Built on libcurl's URL API (CURLU), so what is
// canonical here is exactly what the fetcher will request.
//
//   CanonicalUrl("HTTP://Example.COM:80/a/./b/../c?utm_source=x&id=1#top")
//     -> "http://example.com/a/c?id=1"
//   ResolveUrl("https://x.kz/a/b", "../c") -> "https://x.kz/c"
//
// Rules: http and https only; scheme and host lower-case; IDN hosts in
// punycode; default ports dropped; dot segments removed; an empty path
// becomes "/"; percent-encoding normalised (unreserved characters decoded,
// other escapes upper-case hex, bytes that may not appear raw escaped);
// fragment and an empty '?' dropped; tracking parameters (utm_*, fbclid,
// gclid, yclid, _openstat) removed; the order of the other parameters kept.
// Thread-safe (pure functions).

#include <string>
#include <string_view>

#include "common/status.h"

namespace shagym::crawler {

// Returns the canonical form of an absolute URL, or InvalidArgument with a
// short reason ("no scheme", "unsupported scheme 'ftp'", "bad host name").
StatusOr<std::string> CanonicalUrl(std::string_view url);

// Resolves `ref` (absolute or relative, as found in an href) against the
// absolute `base` (the page URL or its <base href>) and canonicalises it.
StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view ref);

// Parts of a canonical URL.
struct UrlParts {
  std::string scheme;          // "http" or "https"
  std::string host;            // lower-case, punycode; IPv6 in brackets
  int port = 0;                // always set (default port filled in)
  std::string path_and_query;  // "/a/b?x=1"
};

// Splits a canonical URL (as returned above). InvalidArgument otherwise.
StatusOr<UrlParts> SplitUrl(std::string_view canonical_url);

// The politeness and robots.txt key of a URL: "scheme://host:port" with the
// port always spelled out. Empty for an invalid URL.
std::string HostKey(std::string_view canonical_url);

// Normalises percent-encoding of a path or query the way CanonicalUrl does
// (also used to compare robots.txt patterns with paths, RFC 9309 2.2.2).
// `keep` lists extra characters that stay raw (robots.txt's '*' and '$').
std::string NormalizePercentEncoding(std::string_view s,
                                     std::string_view keep = "");

// True for query parameter names that only track visitors.
bool IsTrackingParameter(std::string_view name);

}  // namespace shagym::crawler
