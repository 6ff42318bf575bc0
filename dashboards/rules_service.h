#pragma once

// What the rules endpoints need from the rule engine: list and validate rule
// files, save one (validated as part of the whole set, then swapped in),
// classify a text, and back-test a changed file against stored posts.
// app/ wires the real engine (config/ rule loading + nlp classifier) in.
// Implementations must be thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "common/post.h"
#include "common/status.h"

namespace shagym::dashboards {

struct RuleFile {
  std::string name;  // file name inside the rules directory, e.g. "kk.yaml"
  std::string text;  // its YAML
};

// One validation problem; `line`/`column` are 1-based, 0 when unknown.
struct RuleError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;  // the whole "FILE:LINE:COL: what" line
};

struct BacktestChange {
  std::string post_id;
  std::string text;                 // masked text of the post
  std::vector<std::string> before;  // categories with the current rules
  std::vector<std::string> after;   // with the changed file
};

// Per category: posts in it before and after, posts that gain or lose it.
struct BacktestCategoryCount {
  std::string category;
  int64_t before = 0;
  int64_t after = 0;
  int64_t added = 0;
  int64_t dropped = 0;
};

// Per rule: stored posts it hits before and after.
struct BacktestRuleCount {
  std::string rule;
  std::string category;
  int64_t before = 0;
  int64_t after = 0;
};

struct BacktestResult {
  int64_t posts_scanned = 0;
  int64_t added = 0;    // posts that become complaints (no category before)
  int64_t dropped = 0;  // posts that are no complaint any more
  int64_t changed = 0;  // complaints both times, with other categories
  std::vector<BacktestChange> examples;           // the newest few of each kind
  std::vector<BacktestCategoryCount> categories;  // those with any post
  std::vector<BacktestRuleCount> rules;           // every rule of either set
};

class RulesService {
 public:
  virtual ~RulesService() = default;
  virtual StatusOr<std::vector<RuleFile>> ListFiles() = 0;
  // Problems of the rule set with `file` replaced by `text` (empty = valid),
  // including failing `match:`/`no_match:` examples.
  virtual std::vector<RuleError> Validate(const std::string& file,
                                          const std::string& text) = 0;
  // Validates, writes the file and swaps the running rule set.
  // InvalidArgument (with the first error) when invalid; nothing changes.
  virtual Status Save(const std::string& file, const std::string& text) = 0;
  // Labels (categories, severity, region, matches) of `text` with the
  // running rules; match offsets are bytes of `text`.
  virtual StatusOr<Labels> Test(const std::string& text) = 0;
  // Classifies stored posts of the last `days` days (at most `max_posts`)
  // with the running rules and with `file` replaced by `text`, and reports
  // the difference. InvalidArgument when `text` does not validate.
  virtual StatusOr<BacktestResult> Backtest(const std::string& file,
                                            const std::string& text,
                                            int64_t days,
                                            int64_t max_posts) = 0;
};

}  // namespace shagym::dashboards
