#pragma once

// A loopback HTTP server for crawler tests (cpp-httplib's test style): bound
// to 127.0.0.1 on a free port, ready when the constructor returns, stopped and
// joined by the destructor. It serves canned responses (pages, robots.txt,
// redirects, 429/503 with Retry-After, slow or stalled bodies, gzip, oversized
// pages, conditional GET) and records every request with its arrival time, so
// tests can check politeness from the server's point of view.
//
//   TestServer server;
//   server.SetRobots("User-agent: *\nDisallow: /private\n");
//   server.SetPage("/a", "<a href=/b>b</a>");
//   ... crawl server.Url("/a") ...
//   EXPECT_EQ(server.CountRequests("/a"), 1);
//
// Thread-safe: handlers run on the server's own threads; every public method
// may be called from the test thread at any time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shagym::testing {

// One request as the server saw it.
struct ServedRequest {
  std::string method;
  std::string path;    // without the query
  std::string target;  // path plus "?query" when there was one
  // Request headers with lower-case names ("user-agent", "if-none-match").
  std::map<std::string, std::string> headers;
  // Milliseconds on a steady clock since the server started: when the
  // handler began (arrival) and when the response was finished or aborted.
  int64_t start_ms = 0;
  int64_t end_ms = -1;
  int status = 0;  // status that was answered

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// What to answer.
struct CannedResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // Extra headers ("Retry-After", "ETag", "Location", "Content-Encoding"...).
  std::vector<std::pair<std::string, std::string>> headers;
  // Trickle the body: `chunk_bytes` every `chunk_interval` (0 = all at once).
  size_t chunk_bytes = 0;
  std::chrono::milliseconds chunk_interval{0};
  // Send this many body bytes, then hang until the server stops (stalled
  // body; -1 = never stall). The declared Content-Length stays the full body.
  int64_t stall_after_bytes = -1;
};

using Handler = std::function<CannedResponse(const ServedRequest&)>;

class TestServer {
 public:
  // Starts listening on 127.0.0.1:0 with `threads` worker threads (each
  // connection holds one while it is open). Aborts the test on failure.
  explicit TestServer(int threads = 32);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.1:PORT".
  std::string host_port() const;
  // "http://127.0.0.1:PORT" + path_and_query (which starts with '/').
  std::string Url(std::string_view path_and_query) const;

  // Routes match the full target ("/p?x=1") first, then the path ("/p").
  void Set(const std::string& route, CannedResponse response);
  void Set(const std::string& route, Handler handler);
  // Answers the n-th request of `route` with responses[n]; the last one
  // repeats (e.g. {503 with Retry-After, 200}).
  void SetSequence(const std::string& route,
                   std::vector<CannedResponse> responses);
  // For every route that is not set; default: 404.
  void SetFallback(Handler handler);

  void SetPage(const std::string& route, std::string body,
               std::string content_type = "text/html; charset=utf-8");
  void SetRobots(std::string text);
  void SetRedirect(const std::string& route, std::string location,
                   int status = 302);
  // 200 with ETag and Last-Modified; 304 when the request's If-None-Match or
  // If-Modified-Since matches.
  void SetConditional(const std::string& route, std::string body,
                      std::string etag, std::string last_modified);

  // Everything served so far, in arrival order.
  std::vector<ServedRequest> Requests() const;
  // Requests whose path (or full target, if `route` has a '?') is `route`.
  int CountRequests(const std::string& route) const;
  int total_requests() const;
  // Most requests that were being answered at the same time.
  int max_in_flight() const;
  // Waits until at least `n` requests have arrived. False on timeout.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;
  // Waits until no request is being served (a streamed body is finished only
  // after its last byte left, which can be after the client saw it). False
  // on timeout.
  bool WaitForIdle(std::chrono::milliseconds timeout) const;
  void ClearLog();

  // Lets stalled bodies go (they end the connection without the rest).
  void ReleaseStalled();

  // gzip-compresses `data` (for Content-Encoding: gzip responses).
  static std::string Gzip(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace shagym::testing
