#include "nlp/classifier.h"

#include <algorithm>
#include <cstdint>

#include "nlp/langid.h"

namespace shagym::nlp {

Classifier::Classifier(const Normalizer* normalizer)
    : normalizer_(normalizer) {}

namespace {

// Index of `category` in CategoryIds() (13 of them); their count for
// kSeverityCategory, the only other one the rule compiler accepts.
int CategoryIndex(const std::string& category) {
  const std::vector<std::string>& ids = CategoryIds();
  return static_cast<int>(std::find(ids.begin(), ids.end(), category) -
                          ids.begin());
}

// The indices of CategoryIds() in the order of their sorted ids.
const std::vector<int>& SortedCategoryIndices() {
  static const auto* order = [] {
    const std::vector<std::string>& ids = CategoryIds();
    auto* v = new std::vector<int>(ids.size());
    for (size_t i = 0; i < v->size(); ++i) (*v)[i] = static_cast<int>(i);
    std::sort(v->begin(), v->end(),
              [&](int a, int b) { return ids[a] < ids[b]; });
    return v;
  }();
  return *order;
}

}  // namespace

Labels Classifier::Classify(const RuleSet& rules, std::string_view text,
                            const ClassifyHints& hints) const {
  return Classify(rules, Analyze(*normalizer_, text), hints);
}

Labels Classifier::Classify(const RuleSet& rules, const NormalizedText& nt,
                            const ClassifyHints& hints) const {
  Labels labels;
  Classify(rules, nt, Tokenize(nt.text), hints, &labels);
  return labels;
}

Labels Classifier::Classify(const RuleSet& rules, const AnalyzedText& analyzed,
                            const ClassifyHints& hints) const {
  Labels labels;
  Classify(rules, analyzed.normalized, analyzed.tokens, hints, &labels);
  return labels;
}

void Classifier::Classify(const RuleSet& rules, const AnalyzedText& analyzed,
                          const ClassifyHints& hints, Labels* labels) const {
  Classify(rules, analyzed.normalized, analyzed.tokens, hints, labels);
}

void Classifier::Classify(const RuleSet& rules, const NormalizedText& nt,
                          const std::vector<Token>& tokens,
                          const ClassifyHints& hints, Labels* out) const {
  Labels& labels = *out;
  // Assignments, not a fresh Labels: the strings and vectors keep their
  // buffers from post to post.
  labels.rules_version = rules.version();
  if (hints.lang.empty()) {
    labels.lang = LanguageCode(DetectLanguage(nt.text, tokens));
  } else {
    labels.lang = hints.lang;
  }
  // Region and school number come from the entities (config::RuleEngine
  // runs them on the same analysis); here only the source's region.
  labels.region = hints.region;
  labels.school_number.clear();
  labels.institution.clear();
  labels.categories.clear();
  labels.matches.clear();

  // The categories of the rules that fired, one bit per index into
  // CategoryIds(), written in the order of the sorted ids.
  uint32_t categories = 0;
  int severity = 0;
  for (const RuleHit& hit : rules.Match(nt.text, tokens)) {
    const RuleInfo& info = rules.rule(hit.rule);
    // A severity rule (kSeverityCategory) adds no category: its severity
    // counts only when another rule makes the post a complaint.
    const int c = CategoryIndex(info.category);
    if (c < static_cast<int>(CategoryIds().size())) {
      categories |= uint32_t{1} << c;
    }
    severity = std::max(severity, SeverityRank(info.severity));
    for (const auto& [b, e] : hit.spans) {
      auto [ob, oe] = nt.ToOriginal(b, e);
      labels.matches.push_back(Match{info.id, info.category,
                                     static_cast<int64_t>(ob),
                                     static_cast<int64_t>(oe)});
    }
  }
  const std::vector<std::string>& ids = CategoryIds();
  if (categories != 0) {
    for (int c : SortedCategoryIndices()) {
      if (categories & (uint32_t{1} << c)) labels.categories.push_back(ids[c]);
    }
  }
  static const char* kSeverity[] = {"none", "low", "medium", "high"};
  labels.severity = labels.categories.empty() ? "none" : kSeverity[severity];
  // Only severity rules fired: not a complaint, nothing to show.
  if (labels.categories.empty()) labels.matches.clear();
  std::sort(labels.matches.begin(), labels.matches.end(),
            [](const Match& x, const Match& y) {
              if (x.start != y.start) return x.start < y.start;
              if (x.end != y.end) return x.end < y.end;
              return x.rule < y.rule;
            });
  if (!labels.categories.empty()) {
    labels.institution =
        labels.categories.size() == 1 && labels.categories[0] == "camps_leisure"
            ? "camp"
            : "school";
  }
}

}  // namespace shagym::nlp
