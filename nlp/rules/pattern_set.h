#pragma once

// Which of many RE2 patterns occur in a text: the multi-pattern pass of the
// rule matcher. Internal to nlp/rules.
//
// The patterns are sorted and cut into RE2::Sets of at most
// `max_patterns_per_set` each (a set whose program does not fit its memory
// budget is halved until it does). The defaults keep 10,000 rules' patterns
// in one set: each set is one more scan of every text, so the pass costs
// about the same for 100 and for 40,000 patterns that rarely match, and
// the budget only bounds what RE2 may allocate (program, then DFA states
// built as texts need them), it is not allocated up front. A set whose lazy DFA
// fails on a text (RE2::Set::Match reports kOutOfMemory) never loses matches:
// its patterns are then run one by one as single RE2s, which fall back to the
// NFA.
//
//   PatternSet ps;
//   ps.Add("[^a-z]foo[^a-z]", &error);
//   ps.Compile(&error);
//   std::vector<int> hits;
//   ps.Match(" some foo text ", &hits);  // {0}

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::nlp {

class PatternSet {
 public:
  struct Options {
    int64_t max_mem = int64_t{128} << 20;  // RE2 budget of each set
    size_t max_patterns_per_set = 65536;
  };
  PatternSet();
  explicit PatternSet(const Options& options);
  ~PatternSet();
  PatternSet(const PatternSet&) = delete;
  PatternSet& operator=(const PatternSet&) = delete;

  // Parses `pattern`; returns its index, or -1 with `error` set.
  int Add(const std::string& pattern, std::string* error);
  // Builds the sets. False with `error` when a single pattern cannot be
  // compiled within the budget.
  bool Compile(std::string* error);

  // Sets `ids` to the sorted indices of the patterns that match somewhere in
  // `text` (unanchored).
  void Match(std::string_view text, std::vector<int>* ids) const;

  size_t size() const;
  // Number of RE2::Sets built.
  size_t set_count() const;
  // Times a set's DFA failed on a text and its patterns were run one by one.
  int64_t fallbacks() const;

  // Testing, process-wide. Sets constructed without options while an
  // override is in place use `*options` (nullptr: back to Options()).
  static void SetDefaultOptionsForTesting(const Options* options);
  // While on, Match reports every pattern as present: the matcher then
  // runs all its per-term checks, the reference a pass must agree with.
  static void SetMatchAllForTesting(bool on);
  static bool MatchAllForTesting();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shagym::nlp
