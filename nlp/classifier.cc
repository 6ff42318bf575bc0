#include "nlp/classifier.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <set>

namespace shagym::nlp {
namespace {

// SEAM(langid): replaced by nlp/langid.h when it lands. Counts letters:
// Kazakh-specific Cyrillic letters make a text Kazakh.
std::string GuessLang(std::string_view normalized) {
  int cyr = 0, kk = 0, latin = 0;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(normalized.size());
  const auto* p = reinterpret_cast<const uint8_t*>(normalized.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0x0400 && c <= 0x04FF) {
      ++cyr;
      switch (c) {
        case 0x04D9:
        case 0x0493:
        case 0x049B:
        case 0x04A3:
        case 0x04E9:
        case 0x04B1:
        case 0x04AF:
        case 0x04BB:
        case 0x0456:
          ++kk;
          break;
        default:
          break;
      }
    } else if (c < 0x80 && u_isalpha(c)) {
      ++latin;
    }
  }
  if (cyr == 0) return "other";
  if (kk == 0) return "ru";
  return kk * 40 >= cyr ? "kk" : "mixed";
}

}  // namespace

Classifier::Classifier(const Normalizer* normalizer)
    : normalizer_(normalizer) {}

Labels Classifier::Classify(const RuleSet& rules, std::string_view text,
                            const ClassifyHints& hints) const {
  Labels labels;
  labels.rules_version = rules.version();
  NormalizedText nt = normalizer_->Normalize(text);
  labels.lang = hints.lang.empty() ? GuessLang(nt.text) : hints.lang;
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
