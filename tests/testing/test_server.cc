#include "tests/testing/test_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace shagym::testing {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

struct TestServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::chrono::steady_clock::time_point epoch =
      std::chrono::steady_clock::now();

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  // Guarded by mu.
  std::map<std::string, Handler> routes;
  std::map<std::string, std::pair<std::vector<CannedResponse>, size_t>>
      sequences;
  Handler fallback;
  std::vector<ServedRequest> log;
  size_t first_visible = 0;  // ClearLog() hides what came before
  int in_flight = 0;
  int max_in_flight = 0;
  bool stopping = false;
  bool released = false;

  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - epoch)
        .count();
  }

  // Waits up to `d` unless the server is stopping or stalls are released.
  // Returns false when the caller should give up.
  bool Pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return stopping; });
    return !stopping;
  }
  void WaitForRelease() {
    std::unique_lock lock(mu);
    // Bounded by the server's lifetime: the destructor sets `stopping`.
    cv.wait(lock, [&] { return stopping || released; });
  }

  // Idempotent: a streamed response is finished just before its last chunk
  // is written (a client that has the whole body may already send its next
  // request, which must not count as overlapping) and again by its releaser.
  void Finish(size_t index, int status) {
    std::lock_guard lock(mu);
    if (log[index].end_ms >= 0) return;
    log[index].end_ms = NowMs();
    log[index].status = status;
    --in_flight;
    cv.notify_all();
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    ServedRequest r;
    r.method = req.method;
    r.path = req.path;
    r.target = req.target.empty() ? req.path : req.target;
    for (const auto& [k, v] : req.headers) r.headers[Lower(k)] = v;
    size_t index;
    CannedResponse out;
    {
      std::unique_lock lock(mu);
      r.start_ms = NowMs();
      index = log.size();
      log.push_back(r);
      ++in_flight;
      max_in_flight = std::max(max_in_flight, in_flight);
      cv.notify_all();
      Handler handler;
      auto seq = sequences.find(r.target);
      if (seq == sequences.end()) seq = sequences.find(r.path);
      if (seq != sequences.end()) {
        auto& [responses, next] = seq->second;
        out = responses[std::min(next, responses.size() - 1)];
        ++next;
      } else {
        auto it = routes.find(r.target);
        if (it == routes.end()) it = routes.find(r.path);
        if (it != routes.end()) {
          handler = it->second;
        } else {
          handler = fallback;
        }
        lock.unlock();
        if (handler) {
          out = handler(r);
        } else {
          out.status = 404;
          out.content_type = "text/plain";
          out.body = "not found";
        }
      }
    }
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    int status = out.status;
    bool streamed = out.chunk_bytes > 0 || out.stall_after_bytes >= 0;
    if (!streamed) {
      res.set_content(out.body, out.content_type);
      Finish(index, status);
      return;
    }
    auto body = std::make_shared<std::string>(std::move(out.body));
    size_t chunk = out.chunk_bytes > 0 ? out.chunk_bytes : body->size();
    auto interval = out.chunk_interval;
    int64_t stall_at = out.stall_after_bytes;
    res.set_content_provider(
        body->size(), out.content_type,
        [this, body, chunk, interval, stall_at, index, status](
            size_t offset, size_t length, httplib::DataSink& sink) {
          size_t n = std::min(chunk, length);
          if (stall_at >= 0 && offset + n > static_cast<size_t>(stall_at)) {
            n = static_cast<size_t>(stall_at) > offset
                    ? static_cast<size_t>(stall_at) - offset
                    : 0;
            if (n > 0 && !sink.write(body->data() + offset, n)) return false;
            WaitForRelease();
            return false;  // drop the connection without the rest
          }
          if (offset > 0 && interval.count() > 0 && !Pause(interval)) {
            return false;
          }
          if (offset + n == body->size()) Finish(index, status);
          return sink.write(body->data() + offset, n);
        },
        [this, index, status](bool) { Finish(index, status); });
  }
};

TestServer::TestServer(int threads) : impl_(std::make_unique<Impl>()) {
  Impl* impl = impl_.get();
  impl->server.new_task_queue = [threads] {
    // httplib takes ownership of the queue it is handed.
    return std::make_unique<httplib::ThreadPool>(threads).release();
  };
  impl->server.set_keep_alive_timeout(2);
  impl->server.set_read_timeout(5);
  impl->server.set_write_timeout(5);
  impl->server.set_payload_max_length(1 << 20);
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->Handle(req, res);
  };
  impl->server.Get(".*", handler);
  impl->server.Post(".*", handler);
  port_ = impl->server.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    ADD_FAILURE() << "TestServer: cannot bind 127.0.0.1";
    return;
  }
  impl->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  // The socket already listens (connections wait in its backlog); wait for
  // the accept loop so that stop() in the destructor cannot race with it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl->server.is_running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  if (!impl->server.is_running()) ADD_FAILURE() << "TestServer: not running";
}

TestServer::~TestServer() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string TestServer::host_port() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string TestServer::Url(std::string_view path_and_query) const {
  return "http://" + host_port() + std::string(path_and_query);
}

void TestServer::Set(const std::string& route, CannedResponse response) {
  Set(route, Handler([response](const ServedRequest&) { return response; }));
}

void TestServer::Set(const std::string& route, Handler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->sequences.erase(route);
  impl_->routes[route] = std::move(handler);
}

void TestServer::SetSequence(const std::string& route,
                             std::vector<CannedResponse> responses) {
  if (responses.empty()) return;
  std::lock_guard lock(impl_->mu);
  impl_->routes.erase(route);
  impl_->sequences[route] = {std::move(responses), 0};
}

void TestServer::SetFallback(Handler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->fallback = std::move(handler);
}

void TestServer::SetPage(const std::string& route, std::string body,
                         std::string content_type) {
  CannedResponse r;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  Set(route, std::move(r));
}

void TestServer::SetRobots(std::string text) {
  SetPage("/robots.txt", std::move(text), "text/plain");
}

void TestServer::SetRedirect(const std::string& route, std::string location,
                             int status) {
  CannedResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.headers.push_back({"Location", std::move(location)});
  Set(route, std::move(r));
}

void TestServer::SetConditional(const std::string& route, std::string body,
                                std::string etag, std::string last_modified) {
  Set(route, Handler([body, etag, last_modified](const ServedRequest& req) {
        CannedResponse r;
        r.headers = {{"ETag", etag}, {"Last-Modified", last_modified}};
        std::string inm = req.header("if-none-match");
        std::string ims = req.header("if-modified-since");
        if ((!inm.empty() && inm == etag) ||
            (inm.empty() && !ims.empty() && ims == last_modified)) {
          r.status = 304;
          return r;
        }
        r.body = body;
        return r;
      }));
}

std::vector<ServedRequest> TestServer::Requests() const {
  std::lock_guard lock(impl_->mu);
  return std::vector<ServedRequest>(impl_->log.begin() + impl_->first_visible,
                                    impl_->log.end());
}

int TestServer::CountRequests(const std::string& route) const {
  std::lock_guard lock(impl_->mu);
  bool full = route.find('?') != std::string::npos;
  return static_cast<int>(
      std::count_if(impl_->log.begin() + impl_->first_visible, impl_->log.end(),
                    [&](const ServedRequest& r) {
                      return (full ? r.target : r.path) == route;
                    }));
}

int TestServer::total_requests() const {
  std::lock_guard lock(impl_->mu);
  return static_cast<int>(impl_->log.size() - impl_->first_visible);
}

int TestServer::max_in_flight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_in_flight;
}

bool TestServer::WaitForRequests(size_t n,
                                 std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] {
    return impl_->log.size() - impl_->first_visible >= n;
  });
}

bool TestServer::WaitForIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout,
                            [&] { return impl_->in_flight == 0; });
}

void TestServer::ClearLog() {
  std::lock_guard lock(impl_->mu);
  impl_->first_visible = impl_->log.size();
  impl_->max_in_flight = impl_->in_flight;
}

void TestServer::ReleaseStalled() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->released = true;
  }
  impl_->cv.notify_all();
}

std::string TestServer::Gzip(std::string_view data) {
  z_stream zs{};
  // 16 + MAX_WBITS: gzip wrapper instead of zlib's.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace shagym::testing
