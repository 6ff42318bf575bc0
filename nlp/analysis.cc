#include "nlp/analysis.h"

namespace shagym::nlp {

AnalyzedText Analyze(const Normalizer& normalizer, std::string_view original) {
  AnalyzedText a;
  a.normalized = normalizer.Normalize(original, &a.tokens);
  return a;
}

}  // namespace shagym::nlp
