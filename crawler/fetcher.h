#pragma once

// One libcurl multi event loop: many transfers in flight over reused
// connections (HTTP/1.1 and HTTP/2), compressed bodies decoded, size and time
// limits enforced while downloading, the private-address guard on every
// connection. Politeness is not decided here (see Frontier): Start() begins
// a transfer at once.
//
// Not thread-safe: owned and driven by one thread (the fetch loop), except
// Wakeup(), which any thread may call.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace shagym::crawler {

struct FetcherOptions {
  std::string user_agent = "shagym/0.1";
  // Transfers in flight at most (also the connection cache size).
  // Default: 64.
  int max_connections = 64;
  // Connections to one host at most. Default: 2.
  int per_host_connections = 2;
  // Whole transfer. Default: 30 s.
  int64_t timeout_ms = 30000;
  // Default: 10 s.
  int64_t connect_timeout_ms = 10000;
  // Abort when no byte arrives for this long (stalled bodies).
  // Default: 15000 ms.
  int64_t stall_timeout_ms = 15000;
  // Decoded body bytes at most; larger transfers abort. Default: 5 MiB.
  int64_t max_page_bytes = 5 * 1024 * 1024;
  bool allow_private_addresses = false;  // Default: false.
  // Private "ip:port" endpoints allowed all the same. Default: none.
  std::vector<std::string> allowed_private_endpoints;
  std::string ca_file;  // Default: "" (system CAs).
  // Resolve host names with DNS-over-HTTPS at this URL instead of the system
  // resolver (libcurl's CURLOPT_DOH_URL). A transfer fails rather than fall
  // back to the system resolver when libcurl cannot use it. Default: "".
  std::string doh_url;
};

struct FetchRequest {
  uint64_t id = 0;  // caller's handle, returned in the result
  std::string url;
  // Conditional GET validators from an earlier fetch (empty = none).
  std::string if_none_match;
  std::string if_modified_since;
  // Let libcurl follow redirects (only for robots.txt, RFC 9309 2.3.1.2:
  // at most 5). Pages handle redirects themselves so each hop passes
  // robots.txt and politeness.
  int follow_redirects = 0;
};

enum class FetchError {
  kNone,
  kDns,
  kConnect,
  kPrivateAddress,
  kTimeout,
  kTooLarge,
  kTls,
  kTooManyRedirects,
  kNetwork,
};
const char* FetchErrorName(FetchError e);

struct FetchResult {
  uint64_t id = 0;
  std::string url;
  // kNone: an HTTP answer arrived (any status). Otherwise no usable answer.
  FetchError error = FetchError::kNone;
  std::string error_detail;  // "GET url: timeout after 30000 ms"
  int http_status = 0;
  // Headers of the last response.
  std::string content_type;  // raw header value, e.g. "text/html; charset=x"
  std::string etag;
  std::string last_modified;
  std::string retry_after;
  std::string location;
  std::string link_header;
  std::string body;       // decoded (gzip/deflate/br), not charset-converted
  std::string final_url;  // differs when libcurl followed redirects
  std::string primary_ip;
  int64_t wire_bytes = 0;  // bytes as transferred (compressed)
  int64_t elapsed_ms = 0;
};

class Fetcher {
 public:
  // Errors: Internal when libcurl cannot be set up.
  static StatusOr<std::unique_ptr<Fetcher>> Create(
      const FetcherOptions& options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Called (on the driving thread) right before a request is sent on its
  // connection, with the request id: politeness counts from here.
  void set_on_send(std::function<void(uint64_t id)> on_send);

  // Begins the transfer now.
  void Start(FetchRequest request);
  // Drives the transfers, waiting up to `max_wait` for network activity (or
  // Wakeup()), and returns the transfers that finished.
  std::vector<FetchResult> Poll(std::chrono::milliseconds max_wait);
  size_t in_flight() const;
  // Makes a Poll() that is waiting return early. Thread-safe.
  void Wakeup();

 private:
  struct Impl;
  struct Token {
    explicit Token() = default;
  };

 public:
  Fetcher(Token, std::unique_ptr<Impl> impl);  // use Create()

 private:
  std::unique_ptr<Impl> impl_;
};

// Seconds to wait from a Retry-After value (delta-seconds or an HTTP-date,
// RFC 9110 10.2.3), relative to `now_s`. -1 when absent or unparseable.
int64_t ParseRetryAfterSeconds(const std::string& value, int64_t now_s);

}  // namespace shagym::crawler
