#include "dashboards/demo_site.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace shagym::dashboards {

namespace fs = std::filesystem;

namespace {

// Query parameters that select a page file; anything else is ignored, as a
// real site ignores parameters it does not know.
constexpr const char* kPageParams[] = {"before", "page", "max_id"};

bool IsSafeSegment(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == '@';
    if (!ok) return false;
  }
  return true;
}

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

void ReplaceAll(std::string* s, const std::string& from,
                const std::string& to) {
  for (size_t pos = s->find(from); pos != std::string::npos;
       pos = s->find(from, pos + to.size())) {
    s->replace(pos, from.size(), to);
  }
}

std::string DefaultContentType(const fs::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".xml") return "application/xml; charset=utf-8";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

struct DemoSite::Impl {
  fs::path root;
  std::string base_url;
  int port = 0;
  std::atomic<int64_t> requests{0};
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> loop_done{false};

  ~Impl();

  // Finds the file for a request path and query; empty when none.
  fs::path Resolve(const httplib::Request& req) const {
    std::vector<std::string> segments;
    std::string path = req.path;
    size_t start = 1;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) slash = path.size();
      std::string seg = path.substr(start, slash - start);
      if (!seg.empty()) {
        if (!IsSafeSegment(seg)) return {};
        segments.push_back(seg);
      }
      start = slash + 1;
    }
    fs::path p = root;
    for (const auto& s : segments) p /= s;
    std::error_code ec;
    for (const char* param : kPageParams) {
      if (!req.has_param(param)) continue;
      std::string value = req.get_param_value(param);
      if (!IsSafeSegment(value) || value.find('.') != std::string::npos) {
        return {};
      }
      for (const char* ext : {".html", ".json"}) {
        fs::path f = p / (std::string(param) + "-" + value + ext);
        if (fs::is_regular_file(f, ec)) return f;
      }
      return {};
    }
    if (!segments.empty() && fs::is_regular_file(p, ec)) return p;
    for (const char* index : {"index.html", "index.json", "index.xml"}) {
      if (fs::is_regular_file(p / index, ec)) return p / index;
    }
    return {};
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    requests.fetch_add(1, std::memory_order_relaxed);
    res.set_header("Server", "shagym-demo-site");
    fs::path file = Resolve(req);
    std::string body;
    if (file.empty() || file.extension() == ".headers" ||
        !ReadFile(file, &body)) {
      res.status = 404;
      res.set_content("<html><body><h1>404 Not Found</h1></body></html>\n",
                      "text/html; charset=utf-8");
      return;
    }
    ReplaceAll(&body, kPlaceholderBase, base_url);
    std::string content_type = DefaultContentType(file);
    int status = 200;
    std::string extra;
    if (ReadFile(file.string() + ".headers", &extra)) {
      std::istringstream lines(extra);
      std::string line;
      while (std::getline(lines, line)) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        ReplaceAll(&value, kPlaceholderBase, base_url);
        if (name == "Status") {
          status = std::atoi(value.c_str());
        } else if (name == "Content-Type") {
          content_type = value;
        } else {
          res.set_header(name.c_str(), value);
        }
      }
    }
    res.status = status;
    res.set_content(body, content_type.c_str());
  }
};

DemoSite::DemoSite(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DemoSite::~DemoSite() { impl_.reset(); }

DemoSite::Impl::~Impl() {
  // stop() only acts once the loop runs; repeat it until the loop is over.
  while (thread.joinable() && !loop_done.load()) {
    server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (thread.joinable()) thread.join();
}

StatusOr<std::unique_ptr<DemoSite>> DemoSite::Start(const std::string& site_dir,
                                                    const std::string& host,
                                                    int port) {
  std::error_code ec;
  if (!fs::is_directory(site_dir, ec)) {
    return NotFound(site_dir + ": demo site directory not found");
  }
  auto impl = std::make_unique<Impl>();
  impl->root = fs::absolute(site_dir, ec);
  Impl* raw = impl.get();
  impl->server.Get(".*",
                   [raw](const httplib::Request& req, httplib::Response& res) {
                     raw->Handle(req, res);
                   });
  if (port == 0) {
    impl->port = impl->server.bind_to_any_port(host);
  } else {
    impl->port = impl->server.bind_to_port(host, port) ? port : -1;
  }
  if (impl->port <= 0) {
    return Unavailable("demo site: cannot listen on " + host + ":" +
                       std::to_string(port));
  }
  impl->base_url = "http://" + host + ":" + std::to_string(impl->port);
  // The socket is already listening: connections queue until the loop runs.
  impl->thread = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->loop_done = true;
  });
  // Serve requests only once the loop runs (stop() is a no-op before that in
  // cpp-httplib 0.11; ~Impl copes with it either way).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl->server.is_running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!impl->server.is_running()) {
    return Internal("demo site: server loop did not start within 10s");
  }
  return std::make_unique<DemoSite>(std::move(impl));
}

int DemoSite::port() const { return impl_->port; }
const std::string& DemoSite::base_url() const { return impl_->base_url; }
int64_t DemoSite::requests_served() const {
  return impl_->requests.load(std::memory_order_relaxed);
}

int HttpGetStatus(const std::string& host, int port, const std::string& path) {
  httplib::Client client(host, port);
  client.set_connection_timeout(1);
  client.set_read_timeout(5);
  auto r = client.Get(path.c_str());
  return r ? r->status : -1;
}

}  // namespace shagym::dashboards
