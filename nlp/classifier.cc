#include "nlp/classifier.h"

#include <algorithm>
#include <set>

#include "nlp/langid.h"

namespace shagym::nlp {

Classifier::Classifier(const Normalizer* normalizer)
    : normalizer_(normalizer) {}

Labels Classifier::Classify(const RuleSet& rules, std::string_view text,
                            const ClassifyHints& hints) const {
  return Classify(rules, Analyze(*normalizer_, text), hints);
}

Labels Classifier::Classify(const RuleSet& rules, const NormalizedText& nt,
                            const ClassifyHints& hints) const {
  return Classify(rules, nt, Tokenize(nt.text), hints);
}

Labels Classifier::Classify(const RuleSet& rules, const AnalyzedText& analyzed,
                            const ClassifyHints& hints) const {
  return Classify(rules, analyzed.normalized, analyzed.tokens, hints);
}

Labels Classifier::Classify(const RuleSet& rules, const NormalizedText& nt,
                            const std::vector<Token>& tokens,
                            const ClassifyHints& hints) const {
  Labels labels;
  labels.rules_version = rules.version();
  labels.lang = hints.lang.empty()
                    ? std::string(LanguageCode(DetectLanguage(nt.text, tokens)))
                    : hints.lang;
  // Region and school number come from the entities (config::RuleEngine
  // runs them on the same analysis); here only the source's region.
  labels.region = hints.region;

  std::set<std::string> categories;
  int severity = 0;
  for (const RuleHit& hit : rules.Match(nt.text, tokens)) {
    const RuleInfo& info = rules.rule(hit.rule);
    categories.insert(info.category);
    severity = std::max(severity, SeverityRank(info.severity));
    for (const auto& [b, e] : hit.spans) {
      auto [ob, oe] = nt.ToOriginal(b, e);
      labels.matches.push_back(Match{info.id, info.category,
                                     static_cast<int64_t>(ob),
                                     static_cast<int64_t>(oe)});
    }
  }
  labels.categories.assign(categories.begin(), categories.end());
  static const char* kSeverity[] = {"none", "low", "medium", "high"};
  labels.severity = labels.categories.empty() ? "none" : kSeverity[severity];
  std::sort(labels.matches.begin(), labels.matches.end(),
            [](const Match& x, const Match& y) {
              if (x.start != y.start) return x.start < y.start;
              if (x.end != y.end) return x.end < y.end;
              return x.rule < y.rule;
            });
  if (!labels.categories.empty()) {
    labels.institution =
        labels.categories == std::vector<std::string>{"camps_leisure"}
            ? "camp"
            : "school";
  }
  return labels;
}

}  // namespace shagym::nlp
