#include "nlp/classifier.h"

#include <algorithm>
#include <set>

#include "nlp/langid.h"

namespace shagym::nlp {

Classifier::Classifier(const Normalizer* normalizer)
    : normalizer_(normalizer) {}

Labels Classifier::Classify(const RuleSet& rules, std::string_view text,
                            const ClassifyHints& hints) const {
  return Classify(rules, normalizer_->Normalize(text), hints);
}

Labels Classifier::Classify(const RuleSet& rules, const NormalizedText& nt,
                            const ClassifyHints& hints) const {
  Labels labels;
  labels.rules_version = rules.version();
  labels.lang = hints.lang.empty()
                    ? std::string(LanguageCode(DetectLanguage(nt)))
                    : hints.lang;
  // SEAM(entities): region and school number come from nlp/entities.h when
  // it lands; until then only the source's region is known.
  labels.region = hints.region;

  std::set<std::string> categories;
  int severity = 0;
  for (const RuleHit& hit : rules.Match(nt.text)) {
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
            [](const Match& a, const Match& b) {
              if (a.start != b.start) return a.start < b.start;
              if (a.end != b.end) return a.end < b.end;
              return a.rule < b.rule;
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
