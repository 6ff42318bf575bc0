#include "config/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/time_util.h"

namespace shagym::config {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Suggest(std::string_view word,
                    const std::vector<std::string_view>& candidates) {
  size_t best = std::max<size_t>(2, word.size() / 3) + 1;
  std::string_view choice;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best) {
      best = d;
      choice = c;
    }
  }
  return std::string(choice);
}

std::string YamlReader::Where(const YAML::Node& node) const {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return file_;
  return file_ + ":" + std::to_string(m.line + 1) + ":" +
         std::to_string(m.column + 1);
}

std::string OneLine(std::string_view what) {
  constexpr size_t kMaxBytes = 300;
  std::string out;
  for (char c : what) {
    if (out.size() >= kMaxBytes) {
      // Don't cut inside a UTF-8 sequence.
      while (!out.empty() &&
             (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
        out.pop_back();
      if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0)
        out.pop_back();
      out += "...";
      return out;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void YamlReader::Fail(const YAML::Node& node, const std::string& what) const {
  throw ConfigError(Where(node) + ": " + OneLine(what));
}

void YamlReader::FailAt(const YAML::Mark& m, const std::string& what) const {
  if (m.is_null()) throw ConfigError(file_ + ": " + OneLine(what));
  throw ConfigError(file_ + ":" + std::to_string(m.line + 1) + ":" +
                    std::to_string(m.column + 1) + ": " + OneLine(what));
}

YAML::Node YamlReader::Parse(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    // e.msg is yaml-cpp's bare message; e.what() repeats the position.
    FailAt(e.mark, "YAML syntax error: " + e.msg);
  }
}

void YamlReader::CheckMap(const YAML::Node& node, std::string_view context,
                          const std::vector<std::string_view>& allowed) const {
  if (!node.IsMap()) {
    Fail(node, std::string(context) + " must be a mapping of key: value");
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar())
      Fail(key, "keys in " + std::string(context) + " must be plain names");
    std::string name = key.Scalar();
    if (!seen.insert(name).second) {
      Fail(key, "duplicate key '" + name + "' in " + std::string(context));
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string msg = "unknown key '" + name + "' in " + std::string(context);
      std::string hint = Suggest(name, allowed);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      Fail(key, msg);
    }
  }
}

void YamlReader::Require(const YAML::Node& map, std::string_view key,
                         std::string_view context) const {
  if (!map[std::string(key)]) {
    Fail(map, std::string(context) + " is missing required key '" +
                  std::string(key) + "'");
  }
}

namespace {
std::string Shown(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}
}  // namespace

std::string YamlReader::String(const YAML::Node& node,
                               std::string_view what) const {
  if (!node.IsScalar()) {
    Fail(node, std::string(what) + ": expected a string, got " + Shown(node));
  }
  return node.Scalar();
}

int64_t YamlReader::Int(const YAML::Node& node, std::string_view what,
                        int64_t min, int64_t max) const {
  if (!node.IsScalar()) {
    Fail(node, std::string(what) + ": expected an integer, got " + Shown(node));
  }
  const std::string& s = node.Scalar();
  size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &pos, 10);
  } catch (...) {
    pos = 0;
  }
  if (pos == 0 || pos != s.size()) {
    Fail(node, std::string(what) + ": expected an integer, got '" + s + "'");
  }
  if (v < min || v > max) {
    Fail(node, std::string(what) + ": " + s + " is out of range [" +
                   std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

double YamlReader::Double(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) {
    Fail(node, std::string(what) + ": expected a number, got " + Shown(node));
  }
  const std::string& s = node.Scalar();
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    pos = 0;
  }
  if (pos == 0 || pos != s.size() || !std::isfinite(v)) {
    Fail(node, std::string(what) + ": expected a number, got '" + s + "'");
  }
  return v;
}

bool YamlReader::Bool(const YAML::Node& node, std::string_view what) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  Fail(node,
       std::string(what) + ": expected true or false, got " + Shown(node));
}

int64_t YamlReader::DurationMs(const YAML::Node& node, std::string_view what,
                               int64_t bare_unit_ms) const {
  if (!node.IsScalar()) {
    Fail(node, std::string(what) +
                   ": expected a duration like 30s, 15m, 2h "
                   "or 1d, got " +
                   Shown(node));
  }
  const std::string& s = node.Scalar();
  if (!s.empty() && std::all_of(s.begin(), s.end(),
                                [](char c) { return c >= '0' && c <= '9'; })) {
    return Int(node, what, 0, int64_t{1} << 40) * bare_unit_ms;
  }
  auto ms = ParseDurationMs(s);
  if (!ms) {
    Fail(node, std::string(what) + ": bad duration '" + s +
                   "' (use e.g. 30s, 15m, 2h, 1d)");
  }
  return *ms;
}

int64_t YamlReader::SizeBytes(const YAML::Node& node,
                              std::string_view what) const {
  if (!node.IsScalar()) {
    Fail(node,
         std::string(what) + ": expected a size like 5MB, got " + Shown(node));
  }
  auto bytes = ParseSizeBytes(node.Scalar());
  if (!bytes) {
    Fail(node, std::string(what) + ": bad size '" + node.Scalar() +
                   "' (use e.g. 512KB, 5MB, 1GiB or a number of bytes)");
  }
  return *bytes;
}

std::vector<std::string> YamlReader::StringList(const YAML::Node& node,
                                                std::string_view what) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    Fail(node, std::string(what) + ": expected a list of strings, got " +
                   Shown(node));
  }
  for (const auto& item : node) out.push_back(String(item, what));
  return out;
}

}  // namespace shagym::config
