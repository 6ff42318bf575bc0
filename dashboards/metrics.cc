#include "dashboards/metrics.h"

#include <cmath>
#include <cstdio>

namespace shagym::dashboards {

namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.6g", v);
  }
  return buf;
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendMetricHeader(std::string* out, std::string_view name,
                        std::string_view type, std::string_view help) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(
    std::string* out, std::string_view name,
    const std::vector<std::pair<std::string, std::string>>& labels,
    double value) {
  out->append(name);
  if (!labels.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out->push_back(',');
      out->append(labels[i].first)
          .append("=\"")
          .append(EscapeLabelValue(labels[i].second))
          .append("\"");
    }
    out->push_back('}');
  }
  out->push_back(' ');
  out->append(FormatValue(value));
  out->push_back('\n');
}

void HttpMetrics::Record(std::string_view route, std::string_view method,
                         int status, int64_t micros) {
  const double s = static_cast<double>(micros) / 1e6;
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = series_[{std::string(route), std::string(method)}];
  ++series.by_status[status];
  ++series.count;
  series.sum_s += s;
  for (size_t i = 0; i < kBucketsS.size(); ++i) {
    if (s <= kBucketsS[i]) ++series.buckets[i];
  }
}

int64_t HttpMetrics::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& [k, s] : series_) n += s.count;
  return n;
}

void HttpMetrics::Render(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  AppendMetricHeader(out, "shagym_http_requests_total", "counter",
                     "HTTP requests served, by route, method and status.");
  for (const auto& [key, s] : series_) {
    for (const auto& [status, n] : s.by_status) {
      AppendSample(out, "shagym_http_requests_total",
                   {{"route", key.first},
                    {"method", key.second},
                    {"status", std::to_string(status)}},
                   static_cast<double>(n));
    }
  }
  AppendMetricHeader(out, "shagym_http_request_duration_seconds", "histogram",
                     "Time to handle an HTTP request.");
  for (const auto& [key, s] : series_) {
    for (size_t i = 0; i < kBucketsS.size(); ++i) {
      AppendSample(out, "shagym_http_request_duration_seconds_bucket",
                   {{"route", key.first},
                    {"method", key.second},
                    {"le", FormatValue(kBucketsS[i])}},
                   static_cast<double>(s.buckets[i]));
    }
    AppendSample(out, "shagym_http_request_duration_seconds_bucket",
                 {{"route", key.first}, {"method", key.second}, {"le", "+Inf"}},
                 static_cast<double>(s.count));
    AppendSample(out, "shagym_http_request_duration_seconds_sum",
                 {{"route", key.first}, {"method", key.second}}, s.sum_s);
    AppendSample(out, "shagym_http_request_duration_seconds_count",
                 {{"route", key.first}, {"method", key.second}},
                 static_cast<double>(s.count));
  }
}

}  // namespace shagym::dashboards
