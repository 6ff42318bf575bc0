#pragma once

// Request counters and latency histograms of the HTTP server, rendered in the
// Prometheus text exposition format (version 0.0.4) together with gauges that
// callers add at scrape time. Thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shagym::dashboards {

class HttpMetrics {
 public:
  // Counts one request of `route` (the registered pattern, e.g.
  // "/api/posts/{id}", so that labels stay few) with its status and duration.
  void Record(std::string_view route, std::string_view method, int status,
              int64_t micros);
  // Appends the http_* families to `out`.
  void Render(std::string* out) const;
  int64_t total() const;

 private:
  static constexpr std::array<double, 10> kBucketsS = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  struct Series {
    std::map<int, int64_t> by_status;
    std::array<int64_t, kBucketsS.size()> buckets{};
    int64_t count = 0;
    double sum_s = 0;
  };
  mutable std::mutex mu_;
  // (route, method) -> series. Guarded by mu_.
  std::map<std::pair<std::string, std::string>, Series> series_;
};

// Helpers to write one family: "# HELP", "# TYPE" and samples.
// `labels` are name/value pairs; values are escaped as the format requires.
void AppendMetricHeader(std::string* out, std::string_view name,
                        std::string_view type, std::string_view help);
void AppendSample(
    std::string* out, std::string_view name,
    const std::vector<std::pair<std::string, std::string>>& labels,
    double value);
std::string EscapeLabelValue(std::string_view v);

}  // namespace shagym::dashboards
