#pragma once

// Text → Labels (common/post.h): normalise and tokenise once
// (nlp/analysis.h), identify the language, run the rules. Thread-safe; the
// rule set is passed per call so that a hot reload never changes rules in
// the middle of a post.
//
//   nlp::Classifier classifier(normalizer.get());
//   nlp::AnalyzedText a = nlp::Analyze(*normalizer, post.text);
//   Labels l = classifier.Classify(*rules, a, {.region = "jambyl"});
//   nlp::Entities e = extractor->Extract(a);  // same analysis

#include <string>
#include <string_view>
#include <vector>

#include "common/post.h"
#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "nlp/rules/rule_set.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

// What a source knows better than the text (SPEC "Sources": a source's
// forced `region` and `lang`). Empty fields are ignored.
struct ClassifyHints {
  std::string lang;
  std::string region;
};

class Classifier {
 public:
  // `normalizer` is borrowed and must outlive the classifier.
  explicit Classifier(const Normalizer* normalizer);

  // Categories sorted, severity the highest of the rules that fired ("none"
  // without categories), matches in bytes of the original `text`, sorted.
  Labels Classify(const RuleSet& rules, std::string_view text,
                  const ClassifyHints& hints = {}) const;
  // Same on a text normalised already (by the same kind of Normalizer), so
  // that one normalisation serves several rule sets or the entities too.
  Labels Classify(const RuleSet& rules, const NormalizedText& normalized,
                  const ClassifyHints& hints = {}) const;
  // Same on an analysed post: language id and the rule checks reuse its
  // tokens. The pipeline's form: one analysis per post for everything.
  Labels Classify(const RuleSet& rules, const AnalyzedText& analyzed,
                  const ClassifyHints& hints = {}) const;
  // Same, into `*labels` (every field set), reusing its buffers: a loop
  // over many posts allocates nothing once they have grown.
  void Classify(const RuleSet& rules, const AnalyzedText& analyzed,
                const ClassifyHints& hints, Labels* labels) const;

 private:
  void Classify(const RuleSet& rules, const NormalizedText& normalized,
                const std::vector<Token>& tokens, const ClassifyHints& hints,
                Labels* labels) const;

  const Normalizer* normalizer_;
};

}  // namespace shagym::nlp
