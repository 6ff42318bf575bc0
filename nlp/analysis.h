#pragma once

// One post's text analysed once: normalised (with the map back to the
// original) and cut into word tokens. Language id, entity extraction and the
// rule matcher all read the same AnalyzedText, so a post is normalised and
// tokenised exactly once on its way through the pipeline.
//
//   nlp::AnalyzedText a = nlp::Analyze(*normalizer, post.text);
//   nlp::Language lang = nlp::DetectLanguage(a);
//   nlp::Entities e = extractor->Extract(a);
//   auto hits = rules->Match(a.normalized.text, &a.tokens);

#include <string_view>
#include <vector>

#include "nlp/normalize.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

struct AnalyzedText {
  NormalizedText normalized;
  std::vector<Token> tokens;  // Tokenize(normalized.text)
};

// Normalises and tokenises `original`. Never fails.
AnalyzedText Analyze(const Normalizer& normalizer, std::string_view original);

}  // namespace shagym::nlp
