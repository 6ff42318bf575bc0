#include "dashboards/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "dashboards/data_api.h"
#include "dashboards/metrics.h"
#include "dashboards/router.h"

namespace shagym::dashboards {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxHeaders = 64;

// Length of the kernel's queue of connections waiting for accept(). The
// cpp-httplib library as packaged listens with its default backlog of 5
// (CPPHTTPLIB_LISTEN_BACKLOG is compiled into libcpp-httplib.so, so defining
// it here would change nothing); 64 clients reconnecting overflowed it and
// each dropped SYN cost its client a 1 s retransmit. The kernel caps it at
// net.core.somaxconn.
constexpr int kListenBacklog = 1024;

// Calls listen() again on the bound socket `fd` with kListenBacklog (Linux
// updates the backlog of a listening socket in place). Checks first that
// `fd` is still the listening socket on `port`.
bool WidenListenBacklog(int fd, int port) {
  if (fd < 0) return false;
  int accepting = 0;
  socklen_t len = sizeof(accepting);
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 ||
      accepting != 1) {
    return false;
  }
  sockaddr_storage addr{};
  len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return false;
  }
  int bound = -1;
  if (addr.ss_family == AF_INET) {
    bound = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return bound == port && ::listen(fd, kListenBacklog) == 0;
}

// cpp-httplib's own pool queues without limit; this one makes the accept
// loop wait when `max_queued` connections are already waiting, so a flood
// backs up into the kernel's listen queue instead of into memory.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(size_t workers, size_t max_queued) : max_queued_(max_queued) {
    for (size_t i = 0; i < workers; ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  ~BoundedPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock,
                   [&] { return jobs_.size() < max_queued_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    waiting_.store(jobs_.size(), std::memory_order_relaxed);
    not_empty_.notify_one();
  }

  // Connections accepted but not yet picked up by a worker.
  size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_ && threads_.empty()) return;
      shutdown_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        not_empty_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        waiting_.store(jobs_.size(), std::memory_order_relaxed);
        not_full_.notify_one();
      }
      fn();
    }
  }

  const size_t max_queued_;
  std::atomic<size_t> waiting_{0};
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::function<void()>> jobs_;  // Guarded by mu_.
  bool shutdown_ = false;                   // Guarded by mu_.
  std::vector<std::thread> threads_;
};

struct StaticFile {
  std::string path;
  std::string mime;
};

// A static file as served: its bytes, gzipped once (level 9) and an ETag,
// kept until the file's size or mtime changes.
struct CachedFile {
  fs::file_time_type mtime;
  uintmax_t size = 0;
  std::string body;
  std::string gzipped;  // "" when not worth it
  std::string etag;
};

std::string MimeFor(const std::string& ext) {
  static const std::map<std::string, std::string> kMimes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
  };
  auto it = kMimes.find(ext);
  return it == kMimes.end() ? "" : it->second;
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

// Maps a request path to a file of the web UI, or nothing. Only plain names
// with a known extension, below the web directory and outside node_modules,
// are served; the chart library is served from node_modules under a fixed
// name. Exposed for tests through Server's behaviour only.
std::optional<StaticFile> ResolveStatic(const std::string& web_dir,
                                        const std::string& request_path) {
  static const std::map<std::string, std::string> kVendor = {
      {"/vendor/chart.umd.js", "node_modules/chart.js/dist/chart.umd.js"},
  };
  std::string rel;
  if (request_path == "/" || request_path == "/index.html") {
    rel = "index.html";
  } else if (auto it = kVendor.find(request_path); it != kVendor.end()) {
    rel = it->second;
  } else {
    // request_path is already percent-decoded by cpp-httplib, so "%2e%2e"
    // arrives here as "..".
    if (request_path.size() < 2 || request_path.size() > 200 ||
        request_path[0] != '/') {
      return std::nullopt;
    }
    rel = request_path.substr(1);
    for (char c : rel) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                c == '/';
      if (!ok) return std::nullopt;
    }
    if (rel.find("..") != std::string::npos ||
        rel.find("//") != std::string::npos || rel.front() == '.' ||
        rel.rfind("node_modules", 0) == 0) {
      return std::nullopt;
    }
  }
  std::string mime = MimeFor(fs::path(rel).extension().string());
  if (mime.empty()) return std::nullopt;
  std::error_code ec;
  fs::path base = fs::canonical(web_dir, ec);
  if (ec) return std::nullopt;
  fs::path full = fs::canonical(base / rel, ec);
  if (ec || !fs::is_regular_file(full, ec)) return std::nullopt;
  // Symlinks must not lead out of the web directory.
  std::string b = base.string() + "/";
  if (full.string().compare(0, b.size(), b) != 0) return std::nullopt;
  return StaticFile{full.string(), mime};
}

bool ParseListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = listen.substr(0, colon);
  std::string p = listen.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;
  }
  if (h.empty() || p.empty() || p.size() > 5) return false;
  int n = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n > 65535) return false;
  *host = h;
  *port = n;
  return true;
}

std::string DefaultWebDir() {
  return std::string(SHAGYM_SOURCE_DIR) + "/dashboards/web";
}

struct Server::Impl {
  ServerOptions options;
  ServerDeps deps;
  std::string host;
  int port = 0;
  std::string web_dir;
  std::unique_ptr<Auth> auth;
  HttpMetrics metrics;
  httplib::Server http;
  std::unique_ptr<Router> router;
  std::thread thread;
  std::atomic<bool> stopped{false};
  std::atomic<int64_t> started_ms{0};

  // The connection pool while the server listens (cpp-httplib owns it).
  std::atomic<BoundedPool*> pool{nullptr};
  // The last socket cpp-httplib created for binding: the listening one once
  // bind_to_port() succeeded.
  std::atomic<int> listen_fd{-1};
  std::mutex static_mu;
  // Guarded by static_mu.
  std::map<std::string, std::shared_ptr<const CachedFile>> static_cache;

  void RegisterCore();
  std::shared_ptr<const CachedFile> LoadStatic(const std::string& path);
  void ServeStatic(const httplib::Request& req, httplib::Response& res);
  std::string RenderMetrics();
};

void Server::Impl::RegisterCore() {
  const Clock* clock = deps.clock;
  router->Get("/api/health", "/api/health", std::nullopt, [this](Call& c) {
    SendJson(c.res, 200,
             {{"status", "ok"},
              {"version", "0.1.0"},
              {"data", deps.data != nullptr},
              {"uptime_s", (deps.clock->NowMs() - started_ms.load()) / 1000}});
  });

  router->Post("/api/login", "/api/login", std::nullopt, [this](Call& c) {
    // A JSON content type cannot be sent by a cross-site HTML form, so a
    // foreign page cannot log a victim into an account of its choosing.
    if (c.req.get_header_value("Content-Type").rfind("application/json", 0) !=
        0) {
      SendError(c.res, 415, "send the login as application/json");
      return;
    }
    auto body = ParseJsonBody(c);
    if (!body) return;
    StatusOr<Session> s =
        auth->Login(JsonString(*body, "user"), JsonString(*body, "password"),
                    c.req.remote_addr);
    if (!s.ok()) {
      if (s.status().code() == StatusCode::kUnavailable) {
        c.res.set_header("Retry-After",
                         std::to_string(deps.auth.login_window_s));
        SendError(c.res, 429, s.status().message());
      } else if (s.status().code() == StatusCode::kPermissionDenied) {
        SendError(c.res, 401, s.status().message());
      } else {
        SendError(c.res, 500, "login failed");
      }
      Log(deps.logger, LogLevel::kInfo, "login_failed",
          {{"client", c.req.remote_addr}});
      return;
    }
    std::string cookie = std::string(kSessionCookie) + "=" + s->id +
                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(deps.auth.session_ttl_s);
    if (options.secure_cookies) cookie += "; Secure";
    c.res.set_header("Set-Cookie", cookie);
    SendJson(c.res, 200,
             {{"user", s->user},
              {"role", RoleName(s->role)},
              {"csrf", s->csrf_token}});
  });

  router->Post("/api/logout", "/api/logout", Role::kViewer, [this](Call& c) {
    (void)auth->Logout(Router::SessionCookie(c.req));
    std::string cookie = std::string(kSessionCookie) +
                         "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    if (options.secure_cookies) cookie += "; Secure";
    c.res.set_header("Set-Cookie", cookie);
    SendJson(c.res, 200, {{"ok", true}});
  });

  // Who am I, and the CSRF token for a page that was reloaded. Cross-origin
  // pages cannot read this response (no CORS), so the token stays ours.
  router->Get("/api/me", "/api/me", Role::kViewer, [](Call& c) {
    SendJson(c.res, 200,
             {{"user", c.who->user},
              {"role", RoleName(c.who->role)},
              {"csrf", c.who->csrf_token}});
  });

  router->Get("/api/audit", "/api/audit", Role::kAdmin, [this](Call& c) {
    nlohmann::json items = nlohmann::json::array();
    for (const AuditEntry& e : auth->RecentAudit(200)) {
      items.push_back({{"time_ms", e.time_ms},
                       {"user", e.user},
                       {"action", e.action},
                       {"detail", e.detail}});
    }
    SendJson(c.res, 200, {{"items", items}});
  });

  router->Get("/metrics", "/metrics", Role::kViewer, [this](Call& c) {
    c.res.status = 200;
    c.res.set_content(RenderMetrics(), "text/plain; version=0.0.4");
  });
  (void)clock;
}

std::string Server::Impl::RenderMetrics() {
  std::string out;
  metrics.Render(&out);
  AppendMetricHeader(&out, "shagym_login_rate_limited_total", "counter",
                     "Logins refused by the rate limit.");
  AppendSample(&out, "shagym_login_rate_limited_total", {},
               static_cast<double>(auth->rate_limited()));
  AppendMetricHeader(&out, "shagym_store_keys", "gauge",
                     "Estimated number of keys per column family.");
  for (int i = 0; i < static_cast<int>(store::Cf::kCount); ++i) {
    auto cf = static_cast<store::Cf>(i);
    uint64_t n = 0;
    deps.db->raw()->GetIntProperty(deps.db->cf(cf), "rocksdb.estimate-num-keys",
                                   &n);
    AppendSample(&out, "shagym_store_keys",
                 {{"cf", std::string(store::CfName(cf))}},
                 static_cast<double>(n));
  }
  uint64_t sst = 0;
  deps.db->raw()->GetAggregatedIntProperty("rocksdb.total-sst-files-size",
                                           &sst);
  AppendMetricHeader(&out, "shagym_store_sst_bytes", "gauge",
                     "Bytes in RocksDB table files.");
  AppendSample(&out, "shagym_store_sst_bytes", {}, static_cast<double>(sst));
  AppendMetricHeader(&out, "shagym_uptime_seconds", "gauge",
                     "Seconds since the server started.");
  AppendSample(
      &out, "shagym_uptime_seconds", {},
      static_cast<double>(deps.clock->NowMs() - started_ms.load()) / 1000.0);
  if (deps.data) deps.data->AppendMetrics(&out);
  return out;
}

std::shared_ptr<const CachedFile> Server::Impl::LoadStatic(
    const std::string& path) {
  std::error_code ec;
  const auto mtime = fs::last_write_time(path, ec);
  if (ec) return nullptr;
  const auto size = fs::file_size(path, ec);
  if (ec) return nullptr;
  {
    std::lock_guard<std::mutex> lock(static_mu);
    auto it = static_cache.find(path);
    if (it != static_cache.end() && it->second->mtime == mtime &&
        it->second->size == size) {
      return it->second;
    }
  }
  auto f = std::make_shared<CachedFile>();
  f->mtime = mtime;
  f->size = size;
  if (!ReadWholeFile(path, &f->body)) return nullptr;
  if (f->body.size() >= 1024) {
    f->gzipped = Gzip(f->body, 9);
    if (f->gzipped.size() >= f->body.size()) f->gzipped.clear();
  }
  char tag[32];
  std::snprintf(tag, sizeof(tag), "\"%016zx-%zx\"",
                std::hash<std::string>()(f->body), f->body.size());
  f->etag = tag;
  std::lock_guard<std::mutex> lock(static_mu);
  static_cache[path] = f;
  return f;
}

void Server::Impl::ServeStatic(const httplib::Request& req,
                               httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  if (req.path.rfind("/api/", 0) == 0) {
    SendError(res, 404, "no such endpoint");
  } else if (auto f = ResolveStatic(web_dir, req.path)) {
    if (auto file = LoadStatic(f->path)) {
      // Revalidated on every load (no-cache), answered by a 304 when the
      // browser's copy is current.
      res.set_header("Cache-Control", "no-cache");
      res.set_header("ETag", file->etag);
      res.set_header("Vary", "Accept-Encoding");
      if (req.get_header_value("If-None-Match") == file->etag) {
        res.status = 304;
      } else if (!file->gzipped.empty() && AcceptsGzip(req)) {
        res.status = 200;
        res.set_header("Content-Encoding", "gzip");
        res.set_content(file->gzipped, f->mime.c_str());
      } else {
        res.status = 200;
        res.set_content(file->body, f->mime.c_str());
      }
    } else {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
    }
  } else {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
  }
  metrics.Record("static", "GET", res.status,
                 std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count());
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                const ServerDeps& deps_in) {
  if (deps_in.db == nullptr) return InvalidArgument("server needs a store");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->deps = deps_in;
  if (impl->deps.clock == nullptr) impl->deps.clock = SystemClock();
  if (impl->deps.logger == nullptr) impl->deps.logger = DefaultLogger();
  impl->deps.auth.session_ttl_s = options.session_ttl_s;
  if (!ParseListen(options.listen, &impl->host, &impl->port)) {
    return InvalidArgument("server.listen: expected ADDRESS:PORT, got '" +
                           options.listen + "'");
  }
  impl->web_dir = options.web_dir.empty() ? DefaultWebDir() : options.web_dir;
  if (!fs::is_regular_file(fs::path(impl->web_dir) / "index.html")) {
    return NotFound("web UI not found: " + impl->web_dir + "/index.html");
  }
  impl->auth =
      std::make_unique<Auth>(impl->deps.db, impl->deps.clock, impl->deps.auth);
  impl->started_ms = impl->deps.clock->NowMs();

  httplib::Server& http = impl->http;
  const int workers = std::max(1, options.workers);
  Impl* p = impl.get();
  http.new_task_queue = [workers, p] {
    // cpp-httplib takes ownership of the pool.
    auto* pool = new BoundedPool(static_cast<size_t>(workers),
                                 static_cast<size_t>(workers) * 16);
    p->pool.store(pool);
    return pool;
  };
  http.set_socket_options([p](socket_t sock) {
    httplib::default_socket_options(sock);
    p->listen_fd.store(sock);
  });
  http.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1000);
  http.set_tcp_nodelay(true);
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
  });
  const uint64_t max_body = static_cast<uint64_t>(options.max_body_bytes);
  http.set_pre_routing_handler(
      [p, max_body](const httplib::Request& req, httplib::Response& res) {
        // cpp-httplib compresses any text/* answer by itself when the client
        // offers an encoding, preferring brotli at quality 11 (seconds for
        // the chart library, and per chunk of a streamed export). Hide the
        // header from it; the router and the static files compress with
        // gzip at levels we choose. The request object is a non-const local
        // of cpp-httplib's connection loop, handed to us as const.
        auto& mutable_req = const_cast<httplib::Request&>(req);
        std::string accept = req.get_header_value("Accept-Encoding");
        mutable_req.headers.erase("Accept-Encoding");
        mutable_req.headers.erase(kAcceptEncodingHeader);
        if (!accept.empty()) {
          mutable_req.headers.emplace(kAcceptEncodingHeader, accept);
        }
        // A worker serves one connection for as long as the client keeps it
        // alive. When connections are waiting for a worker, end this one
        // after the answer (cpp-httplib then sends "Connection: close"), so
        // that an idle keep-alive connection never makes another client wait
        // for its timeout (a browser opens six).
        BoundedPool* pool = p->pool.load();
        if (pool != nullptr && pool->waiting() > 0) {
          mutable_req.headers.erase("Connection");
          mutable_req.headers.emplace("Connection", "close");
        }
        if (req.headers.size() > static_cast<size_t>(kMaxHeaders)) {
          SendError(res, 431, "too many request headers");
          return httplib::Server::HandlerResponse::Handled;
        }
        // A Content-Length beyond the limit is refused before any of the
        // body is read (otherwise a worker waits for the whole read timeout
        // on a client that announced gigabytes), and the connection closes.
        if (req.has_header("Content-Length")) {
          const std::string len = req.get_header_value("Content-Length");
          if (len.size() > 18 ||
              len.find_first_not_of("0123456789") != std::string::npos ||
              std::stoull("0" + len) > max_body) {
            SendError(res, 413, "request body too large");
            res.set_header("Connection", "close");
            return httplib::Server::HandlerResponse::Handled;
          }
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, 500, "internal error");
      });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      if (res.status == 413) {
        SendError(res, 413, "request body too large");
      } else if (res.status == 400) {
        SendError(res, 400, "bad request");
      }
    }
  });

  impl->router = std::make_unique<Router>(&http, impl->auth.get(),
                                          &impl->metrics, impl->deps.logger);
  impl->RegisterCore();
  if (impl->deps.data) {
    impl->deps.data->Register(impl->router.get(), impl->auth.get());
  }
  http.Get(R"(/.*)", [p](const httplib::Request& req, httplib::Response& res) {
    p->ServeStatic(req, res);
  });

  if (impl->port == 0) {
    int port = http.bind_to_any_port(impl->host);
    if (port <= 0) {
      return Unavailable("cannot listen on " + options.listen);
    }
    impl->port = port;
  } else if (!http.bind_to_port(impl->host, impl->port)) {
    return Unavailable("cannot listen on " + options.listen +
                       " (in use, or not an address of this machine)");
  }
  if (!WidenListenBacklog(impl->listen_fd.load(), impl->port)) {
    Log(impl->deps.logger, LogLevel::kWarn, "listen_backlog_unchanged",
        {{"listen", options.listen}, {"backlog", kListenBacklog}});
  }
  impl->thread = std::thread([p] { p->http.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; wait for it (bounded) so
  // that a Stop() right after Start() cannot hang.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  Log(impl->deps.logger, LogLevel::kInfo, "serve_start",
      {{"listen", impl->host + ":" + std::to_string(impl->port)},
       {"workers", workers},
       {"web_dir", impl->web_dir}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->port; }

std::string Server::address() const {
  if (impl_->host.find(':') != std::string::npos) {
    return "[" + impl_->host + "]:" + std::to_string(impl_->port);
  }
  return impl_->host + ":" + std::to_string(impl_->port);
}

Auth* Server::auth() { return impl_->auth.get(); }

void Server::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  Log(impl_->deps.logger, LogLevel::kInfo, "serve_stop",
      {{"requests", impl_->metrics.total()}});
}

}  // namespace shagym::dashboards
