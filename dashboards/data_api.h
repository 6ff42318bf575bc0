#pragma once

// The data side of the HTTP API (posts, trends, spikes, reviews, export,
// sources, rules) as seen by the server: it registers its routes on the
// router and adds its figures to /metrics. Implementations must be
// thread-safe: handlers run on every worker at once.

#include <string>

namespace shagym::dashboards {

class Auth;
class Router;

class DataApi {
 public:
  virtual ~DataApi() = default;
  // Called once, before the server accepts connections. `router` and `auth`
  // outlive the DataApi's use of them.
  virtual void Register(Router* router, Auth* auth) = 0;
  // Appends Prometheus text families (store, crawl, classify figures).
  virtual void AppendMetrics(std::string* out) = 0;
};

}  // namespace shagym::dashboards
