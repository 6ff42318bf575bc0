#pragma once

// A compiled, immutable rule set: the words, prefixes, phrases and stems of
// every rule in one hash index looked up per word of the normalised text,
// the rest (raw RE2, words with other characters) in one RE2::Set scanned
// only when a rule that can still fire needs it; the per-rule checks (all,
// near, not, negation) run only for rules whose terms hit. Thread-safe: share
// it as std::shared_ptr<const RuleSet>; a reload builds a new one and swaps.
//
//   std::vector<std::string> errors;
//   auto set = nlp::RuleSet::Compile(spec, *normalizer, &errors);
//   if (!set.ok()) { for (auto& e : errors) puts(e.c_str()); }
//   for (const nlp::RuleHit& h : (*set)->Match(normalised.text)) ...

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlp/normalize.h"
#include "nlp/rules/rule_spec.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

// Severity order: none < low < medium < high.
int SeverityRank(std::string_view severity);

struct RuleInfo {
  std::string id;
  std::string category;
  std::string severity;
  std::string lang;
  std::string file;
};

// One rule that fired, with the byte spans of the normalised text that made
// it fire (sorted, without duplicates).
struct RuleHit {
  int rule = 0;  // index into RuleSet::rule()
  std::vector<std::pair<size_t, size_t>> spans;
};

class RuleSet {
 public:
  // Compiles `spec`, then runs every file's examples through `normalizer`
  // and the compiled rules. Every problem is appended to `errors` as one
  // line "FILE:LINE:COL: rule 'id': what"; InvalidArgument (with the first
  // line and the count) when there is any.
  static StatusOr<std::shared_ptr<const RuleSet>> Compile(
      const RuleSetSpec& spec, const Normalizer& normalizer,
      std::vector<std::string>* errors);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Rules that fire on the normalised `text`, in rule order.
  std::vector<RuleHit> Match(std::string_view text) const;
  // Same, with the post's tokens already cut (nlp/analysis.h) for the
  // negation and proximity checks. REQUIRES: tokens == Tokenize(text).
  std::vector<RuleHit> Match(std::string_view text,
                             const std::vector<Token>& tokens) const;

  size_t rule_count() const;
  const RuleInfo& rule(int index) const;
  // Number of distinct terms (patterns).
  size_t pattern_count() const;
  // Terms found through the word index (whole words, prefixes, phrases and
  // stem starts); the others go through RE2, and only when a rule that can
  // still fire uses one.
  size_t indexed_count() const;
  // Stable hash of the rule set's content (16 hex digits).
  const std::string& version() const;

  // Testing, process-wide: sets compiled while off leave every term to
  // RE2, as before the word index (the reference it must agree with).
  static void SetWordIndexForTesting(bool on);

 private:
  RuleSet();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shagym::nlp
