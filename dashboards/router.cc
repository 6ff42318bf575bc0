#include "dashboards/router.h"

#include <zlib.h>

#include <chrono>

namespace shagym::dashboards {

namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// Level for API answers: JSON shrinks 8-10x already at level 4, which costs
// a fraction of a millisecond on a page of posts.
constexpr int kApiGzipLevel = 4;
constexpr size_t kMinGzipBytes = 1024;

}  // namespace

bool AcceptsGzip(const httplib::Request& req) {
  const std::string header = req.get_header_value(kAcceptEncodingHeader);
  std::string_view v = header;
  auto trim = [](std::string_view x) {
    while (!x.empty() && x.front() == ' ') x.remove_prefix(1);
    while (!x.empty() && x.back() == ' ') x.remove_suffix(1);
    return x;
  };
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view()
                                        : v.substr(comma + 1);
    size_t semi = item.find(';');
    if (trim(item.substr(0, semi)) != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    // "gzip;q=0" (or q=0.0...) refuses it.
    std::string_view param = trim(item.substr(semi + 1));
    if (!param.starts_with("q=")) return true;
    param.remove_prefix(2);
    return param.find_first_not_of("0.") != std::string_view::npos;
  }
  return false;
}

std::string Gzip(std::string_view data, int level) {
  z_stream zs = {};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return "";
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return "";
  out.resize(n);
  return out;
}

void GzipIfAccepted(const httplib::Request& req, httplib::Response& res,
                    int level) {
  if (res.body.size() < kMinGzipBytes || res.has_header("Content-Encoding")) {
    return;
  }
  res.set_header("Vary", "Accept-Encoding");
  if (!AcceptsGzip(req)) return;
  std::string z = Gzip(res.body, level);
  if (z.empty()) return;
  res.body = std::move(z);
  res.set_header("Content-Encoding", "gzip");
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& j) {
  res.status = status;
  // Invalid UTF-8 in stored text must not abort the reply: replace it.
  res.set_content(
      j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, int status, std::string_view message) {
  SendJson(res, status, {{"error", std::string(message)}});
}

std::optional<nlohmann::json> ParseJsonBody(Call& call) {
  nlohmann::json j = nlohmann::json::parse(call.req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    SendError(call.res, 400, "request body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::string JsonString(const nlohmann::json& j, const char* key,
                       const std::string& fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

Router::Router(httplib::Server* http, Auth* auth, HttpMetrics* metrics,
               Logger* logger)
    : http_(http), auth_(auth), metrics_(metrics), logger_(logger) {}

std::string Router::SessionCookie(const httplib::Request& req) {
  // Cookie: a=b; shagym_session=...; c=d
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t k = 0; k < n; ++k) {
    const std::string value = req.get_header_value("Cookie", k);
    std::string_view header = value;
    while (!header.empty()) {
      size_t semi = header.find(';');
      std::string_view pair = header.substr(0, semi);
      header = semi == std::string_view::npos ? std::string_view()
                                              : header.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (pair.substr(0, eq) == kSessionCookie) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return "";
}

httplib::Server::Handler Router::Wrap(std::string method, std::string route,
                                      std::optional<Role> min_role,
                                      ApiHandler handler) {
  return [this, method = std::move(method), route = std::move(route), min_role,
          handler = std::move(handler)](const httplib::Request& req,
                                        httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    res.set_header("Cache-Control", "no-store");
    std::optional<Identity> who;
    bool allowed = true;
    if (min_role) {
      std::string auth_header = req.get_header_value("Authorization");
      StatusOr<Identity> id = PermissionDenied("login required");
      if (StartsWithIgnoreCase(auth_header, "Bearer ")) {
        id = auth_->FromToken(auth_header.substr(7));
      } else {
        std::string cookie = SessionCookie(req);
        if (!cookie.empty()) id = auth_->FromSession(cookie);
      }
      if (!id.ok()) {
        allowed = false;
        res.set_header("WWW-Authenticate", "Bearer");
        SendError(res, 401, "login required");
      } else if (static_cast<int>(id->role) < static_cast<int>(*min_role)) {
        allowed = false;
        SendError(res, 403,
                  "this needs the " + std::string(RoleName(*min_role)) +
                      " role; you are " + std::string(RoleName(id->role)));
      } else if (method != "GET" && !id->via_token &&
                 !ConstantTimeEquals(req.get_header_value(kCsrfHeader.data()),
                                     id->csrf_token)) {
        // A browser session proves nothing on its own (the cookie rides on
        // every request); a state change must also carry the CSRF token that
        // only our own pages can read.
        allowed = false;
        SendError(res, 403, "missing or wrong CSRF token");
      } else {
        who = std::move(id).value();
      }
    }
    if (allowed) {
      Call call{req, res, who ? &*who : nullptr};
      handler(call);
    }
    GzipIfAccepted(req, res, kApiGzipLevel);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    metrics_->Record(route, method, res.status, micros);
    if (res.status >= 500) {
      Log(logger_, LogLevel::kWarn, "http_error",
          {{"method", method}, {"path", req.path}, {"status", res.status}});
    }
  };
}

void Router::Get(const std::string& pattern, std::string route,
                 std::optional<Role> min_role, ApiHandler handler) {
  http_->Get(pattern,
             Wrap("GET", std::move(route), min_role, std::move(handler)));
}

void Router::Post(const std::string& pattern, std::string route,
                  std::optional<Role> min_role, ApiHandler handler) {
  http_->Post(pattern,
              Wrap("POST", std::move(route), min_role, std::move(handler)));
}

void Router::Put(const std::string& pattern, std::string route,
                 std::optional<Role> min_role, ApiHandler handler) {
  http_->Put(pattern,
             Wrap("PUT", std::move(route), min_role, std::move(handler)));
}

}  // namespace shagym::dashboards
