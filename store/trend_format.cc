#include "store/trend_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/time_util.h"

namespace shagym::store {

namespace {

using OJson = nlohmann::ordered_json;

OJson PctOrNull(std::optional<double> pct) {
  if (!pct) return nullptr;
  return std::round(*pct * 10) / 10;
}

bool SplitByCategory(const TrendTable& t) {
  return std::any_of(t.rows.begin(), t.rows.end(),
                     [](const TrendRow& r) { return !r.category.empty(); });
}
bool SplitByRegion(const TrendTable& t) {
  return std::any_of(t.rows.begin(), t.rows.end(),
                     [](const TrendRow& r) { return !r.region.empty(); });
}

std::string Csv(std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(f);
  }
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Join(const std::vector<std::pair<std::string, int64_t>>& v) {
  std::string out;
  for (const auto& [k, n] : v) {
    if (!out.empty()) out += "; ";
    out += k + " (" + std::to_string(n) + ")";
  }
  return out;
}

// Renders rows of cells as columns padded to their widest cell (UTF-8 aware
// enough for ids and numbers: counts code points).
std::string Columns(const std::vector<std::vector<std::string>>& rows) {
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> w;
  for (const auto& r : rows) {
    if (w.size() < r.size()) w.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      if (i) line += "  ";
      line += r[i];
      if (i + 1 < r.size()) line.append(w[i] - width(r[i]), ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string TrendTableToText(const TrendTable& t) {
  const bool by_cat = SplitByCategory(t), by_reg = SplitByRegion(t);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {std::string(BucketName(t.bucket))};
  if (by_cat) head.push_back("category");
  if (by_reg) head.push_back("region");
  for (const char* h : {"incidents", "change", "volume", "change"}) {
    head.push_back(h);
  }
  rows.push_back(head);
  for (const TrendRow& r : t.rows) {
    std::vector<std::string> row = {r.bucket};
    if (by_cat) row.push_back(r.category);
    if (by_reg) row.push_back(r.region.empty() ? "-" : r.region);
    row.push_back(std::to_string(r.incidents));
    row.push_back(FormatChange(r.incidents_change_pct));
    row.push_back(std::to_string(r.volume));
    row.push_back(FormatChange(r.volume_change_pct));
    rows.push_back(std::move(row));
  }
  for (const TrendTotal& tot : t.totals) {
    std::vector<std::string> row = {"total"};
    if (by_cat) row.push_back(tot.category);
    if (by_reg) row.push_back(tot.region.empty() ? "-" : tot.region);
    row.push_back(std::to_string(tot.incidents));
    row.push_back(FormatChange(tot.incidents_change_pct));
    row.push_back(std::to_string(tot.volume));
    row.push_back(FormatChange(tot.volume_change_pct));
    rows.push_back(std::move(row));
  }
  return Columns(rows) + "change: against the bucket before; total: against " +
         FormatDateUtc(t.from - (t.to - t.from)) + " .. " +
         FormatDateUtc(t.from - 86400) + "\n";
}

std::string TrendTableToCsv(const TrendTable& t) {
  std::string out =
      "bucket,bucket_start,category,region,incidents,incidents_change_pct,"
      "volume,volume_change_pct\r\n";
  auto pct = [](std::optional<double> p) {
    if (!p) return std::string();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *p);
    return std::string(buf);
  };
  for (const TrendRow& r : t.rows) {
    out += Csv(r.bucket) + "," + FormatDateUtc(r.bucket_start) + "," +
           Csv(r.category) + "," + Csv(r.region) + "," +
           std::to_string(r.incidents) + "," + pct(r.incidents_change_pct) +
           "," + std::to_string(r.volume) + "," + pct(r.volume_change_pct) +
           "\r\n";
  }
  return out;
}

nlohmann::ordered_json TrendTableToJson(const TrendTable& t) {
  OJson rows = OJson::array();
  for (const TrendRow& r : t.rows) {
    rows.push_back(
        OJson{{"bucket", r.bucket},
              {"bucket_start", FormatDateUtc(r.bucket_start)},
              {"category", r.category},
              {"region", r.region},
              {"incidents", r.incidents},
              {"incidents_change_pct", PctOrNull(r.incidents_change_pct)},
              {"volume", r.volume},
              {"volume_change_pct", PctOrNull(r.volume_change_pct)}});
  }
  OJson totals = OJson::array();
  for (const TrendTotal& x : t.totals) {
    totals.push_back(
        OJson{{"category", x.category},
              {"region", x.region},
              {"incidents", x.incidents},
              {"volume", x.volume},
              {"previous_incidents", x.previous_incidents},
              {"previous_volume", x.previous_volume},
              {"incidents_change_pct", PctOrNull(x.incidents_change_pct)},
              {"volume_change_pct", PctOrNull(x.volume_change_pct)}});
  }
  return OJson{{"bucket", std::string(BucketName(t.bucket))},
               {"from", FormatDateUtc(t.from)},
               {"to", FormatDateUtc(t.to - 86400)},
               {"rows", std::move(rows)},
               {"totals", std::move(totals)}};
}

std::string SpikesToText(const std::vector<Spike>& spikes) {
  if (spikes.empty()) return "no spikes\n";
  std::vector<std::vector<std::string>> rows = {
      {"date", "category", "region", "incidents", "expected", "coverage", "p",
       "terms", "sources", "schools"}};
  for (const Spike& s : spikes) {
    char exp[32], cov[32], p[32];
    std::snprintf(exp, sizeof exp, "%.1f", s.expected);
    std::snprintf(cov, sizeof cov, "%.0f%%", 100 * s.coverage);
    std::snprintf(p, sizeof p, "%.1e", s.p_value);
    rows.push_back({s.date, s.category, s.region.empty() ? "-" : s.region,
                    std::to_string(s.incidents), exp, cov, p, Join(s.terms),
                    Join(s.sources), Join(s.schools)});
  }
  return Columns(rows);
}

std::string SpikesToCsv(const std::vector<Spike>& spikes) {
  std::string out =
      "date,category,region,incidents,volume,expected,coverage,p_value,terms,"
      "sources,schools\r\n";
  for (const Spike& s : spikes) {
    char nums[96];
    std::snprintf(nums, sizeof nums, "%.3f,%.3f,%.3g", s.expected, s.coverage,
                  s.p_value);
    out += s.date + "," + Csv(s.category) + "," + Csv(s.region) + "," +
           std::to_string(s.incidents) + "," + std::to_string(s.volume) + "," +
           nums + "," + Csv(Join(s.terms)) + "," + Csv(Join(s.sources)) + "," +
           Csv(Join(s.schools)) + "\r\n";
  }
  return out;
}

nlohmann::ordered_json SpikesToJson(const std::vector<Spike>& spikes) {
  auto pairs = [](const std::vector<std::pair<std::string, int64_t>>& v) {
    OJson a = OJson::array();
    for (const auto& [k, n] : v) a.push_back(OJson{{"key", k}, {"count", n}});
    return a;
  };
  OJson out = OJson::array();
  for (const Spike& s : spikes) {
    out.push_back(
        OJson{{"date", s.date},
              {"category", s.category},
              {"region", s.region.empty() ? OJson(nullptr) : OJson(s.region)},
              {"incidents", s.incidents},
              {"volume", s.volume},
              {"expected", std::round(s.expected * 100) / 100},
              {"coverage", std::round(s.coverage * 1000) / 1000},
              {"p_value", s.p_value},
              {"terms", pairs(s.terms)},
              {"sources", pairs(s.sources)},
              {"schools", pairs(s.schools)}});
  }
  return out;
}

}  // namespace shagym::store
