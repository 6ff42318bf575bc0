#pragma once

// Back-test of a rule change on stored posts (SPEC "rules backtest"): every
// stored post in a time window is classified with the running rules and
// with a candidate rule set, and the differences are counted: posts the
// candidate adds (no complaint before, one after), drops (the reverse) or
// moves to other categories, per category, and the posts each rule hits
// before and after. Shared by `shagym rules backtest` and the dashboard's
// POST /api/rules/backtest.
//
//   BacktestOptions o;
//   o.from = now - 90 * 86400;
//   auto report = config::Backtest(store, engine, engine.rules().get(),
//                                  *candidate, o);

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/rule_engine.h"
#include "nlp/rules/rule_set.h"
#include "store/store.h"

namespace shagym::config {

struct BacktestOptions {
  // Post time window [from, to) in Unix seconds; to == 0: no upper bound.
  int64_t from = 0;
  int64_t to = 0;
  // At most this many posts, the newest of the window. 0 = all. Default: 0.
  int64_t max_posts = 0;
  // Example posts kept per kind (added, dropped, changed), the newest.
  // Default: 20.
  size_t max_examples = 20;
  // Called every so often with the posts classified so far. Optional.
  std::function<void(int64_t)> progress;
};

// One post whose categories differ.
struct BacktestPost {
  std::string id;
  int64_t time = 0;                 // post time (published_at, else fetched_at)
  std::string text;                 // as stored (callers mask it for display)
  std::vector<std::string> before;  // categories, sorted
  std::vector<std::string> after;
};

struct BacktestCategory {
  std::string category;
  int64_t before = 0;   // posts in it with the running rules
  int64_t after = 0;    // with the candidate
  int64_t added = 0;    // posts that gain it
  int64_t dropped = 0;  // posts that lose it
};

struct BacktestRule {
  std::string rule;
  std::string category;
  int64_t before = 0;      // posts it hits with the running rules
  int64_t after = 0;       // with the candidate
  bool in_before = false;  // the rule exists in the running set
  bool in_after = false;   // in the candidate
};

struct BacktestReport {
  std::string version_before;  // rule set versions ("stored" when the
  std::string version_after;   // stored labels were the baseline)
  int64_t posts_scanned = 0;
  int64_t complaints_before = 0;
  int64_t complaints_after = 0;
  int64_t added = 0;    // no category before, some after
  int64_t dropped = 0;  // some before, none after
  int64_t changed = 0;  // complaints both times, other categories
  std::vector<BacktestCategory> categories;  // every category, id order
  std::vector<BacktestRule> rules;        // every rule of either set, id order
  std::vector<BacktestPost> added_posts;  // newest first, at most
  std::vector<BacktestPost> dropped_posts;  // max_examples each
  std::vector<BacktestPost> changed_posts;
};

// Classifies the posts of `store` in the window with `before` and `after`
// (one normalisation per post, both through `engine`'s classifier). A null
// `before` takes the posts' stored labels as the baseline instead (what a
// `reclassify` with `after` would change). Errors: the store's.
StatusOr<BacktestReport> Backtest(store::Store* store, const RuleEngine& engine,
                                  const nlp::RuleSet* before,
                                  const nlp::RuleSet& after,
                                  const BacktestOptions& options);

}  // namespace shagym::config
