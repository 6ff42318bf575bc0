#pragma once

// Internal to dashboards/: the layer between cpp-httplib and the API
// handlers. Every route is registered with the least role it needs; the
// router authenticates (bearer token or session cookie), checks the role and
// the CSRF token of state changes, times the request for /metrics, and only
// then calls the handler. Thread-safe once routes are registered.

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/logger.h"
#include "dashboards/auth.h"
#include "dashboards/metrics.h"

namespace shagym::dashboards {

inline constexpr std::string_view kSessionCookie = "shagym_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
// The server moves the client's Accept-Encoding here before routing, so that
// cpp-httplib never compresses on its own (its brotli runs at quality 11:
// seconds for the chart library) and compression is ours to choose.
inline constexpr const char* kAcceptEncodingHeader = "X-Shagym-Accept-Encoding";

// What a handler sees: the request, the response to fill, and who asks
// (nullptr on open routes).
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  const Identity* who;
};
using ApiHandler = std::function<void(Call&)>;

class Router {
 public:
  // All pointers are borrowed and must outlive the router.
  Router(httplib::Server* http, Auth* auth, HttpMetrics* metrics,
         Logger* logger);

  // `pattern` is a cpp-httplib regex; `route` the label used in metrics
  // and logs. `min_role` empty = open to everyone (health, login).
  void Get(const std::string& pattern, std::string route,
           std::optional<Role> min_role, ApiHandler handler);
  void Post(const std::string& pattern, std::string route,
            std::optional<Role> min_role, ApiHandler handler);
  void Put(const std::string& pattern, std::string route,
           std::optional<Role> min_role, ApiHandler handler);

  // Session id from the Cookie header, or "".
  static std::string SessionCookie(const httplib::Request& req);

 private:
  httplib::Server::Handler Wrap(std::string method, std::string route,
                                std::optional<Role> min_role,
                                ApiHandler handler);

  httplib::Server* http_;
  Auth* auth_;
  HttpMetrics* metrics_;
  Logger* logger_;
};

// True when the request (its Accept-Encoding, moved as above) takes gzip.
bool AcceptsGzip(const httplib::Request& req);
// `data` as a gzip member at zlib `level` (1-9); "" on a zlib failure.
std::string Gzip(std::string_view data, int level);
// Compresses res.body in place (Content-Encoding: gzip, Vary) when the client
// takes gzip, the body is at least 1 KiB and not already encoded.
void GzipIfAccepted(const httplib::Request& req, httplib::Response& res,
                    int level);

void SendJson(httplib::Response& res, int status, const nlohmann::json& j);
void SendError(httplib::Response& res, int status, std::string_view message);

// Parses a JSON object body. On failure sends 400 and returns nullopt.
std::optional<nlohmann::json> ParseJsonBody(Call& call);
// Field readers that never throw: the default when absent or mistyped.
std::string JsonString(const nlohmann::json& j, const char* key,
                       const std::string& fallback = "");

}  // namespace shagym::dashboards
