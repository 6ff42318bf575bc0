#pragma once

// Strict typed access to yaml-cpp nodes, for config/ only. Every failure
// throws ConfigError carrying "FILE:LINE:COL: what is wrong"; the public
// loaders catch it and return a Status. Internal header: config/ and its tests.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::config {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& line) : std::runtime_error(line) {}
};

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The closest of `candidates` to `word`, or "" when none is close enough.
std::string Suggest(std::string_view word,
                    const std::vector<std::string_view>& candidates);

// Makes a message fit one line: control characters escaped, long text cut.
std::string OneLine(std::string_view what);

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // "FILE:LINE:COL" of a node (1-based).
  std::string Where(const YAML::Node& node) const;
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& what) const;
  [[noreturn]] void FailAt(const YAML::Mark& mark,
                           const std::string& what) const;

  // Parses a whole document. Syntax errors throw with their position.
  YAML::Node Parse(const std::string& text) const;

  // Checks that `node` is a map whose keys are all in `allowed`, with no key
  // twice. `context` names the map in messages ("crawl", "source 'x'").
  void CheckMap(const YAML::Node& node, std::string_view context,
                const std::vector<std::string_view>& allowed) const;
  // Fails with "missing required key" when `map` lacks `key`.
  void Require(const YAML::Node& map, std::string_view key,
               std::string_view context) const;

  std::string String(const YAML::Node& node, std::string_view what) const;
  int64_t Int(const YAML::Node& node, std::string_view what, int64_t min,
              int64_t max) const;
  double Double(const YAML::Node& node, std::string_view what) const;
  bool Bool(const YAML::Node& node, std::string_view what) const;
  // Accepts "15m", "2h", "900s", "1d" or a bare number of `bare_unit_ms`.
  int64_t DurationMs(const YAML::Node& node, std::string_view what,
                     int64_t bare_unit_ms) const;
  // Accepts "5MB", "512KiB" or a bare number of bytes.
  int64_t SizeBytes(const YAML::Node& node, std::string_view what) const;
  // A scalar or a sequence of scalars.
  std::vector<std::string> StringList(const YAML::Node& node,
                                      std::string_view what) const;

 private:
  std::string file_;
};

}  // namespace shagym::config
