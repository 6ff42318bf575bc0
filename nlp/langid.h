#pragma once

// Language identification for posts (SPEC "Text"): Kazakh, Russian, both, or
// something else. Works on the normalised text (so Kazakh typed in Latin
// script, which the Normalizer folds to Cyrillic, counts as Kazakh) and on
// posts as short as a few words. Stateless and thread-safe.
//
//   nlp::AnalyzedText t = nlp::Analyze(*normalizer, post.text);
//   post.lang = std::string(nlp::LanguageCode(nlp::DetectLanguage(t)));

#include <string_view>
#include <vector>

#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

enum class Language { kOther, kKazakh, kRussian, kMixed };

// "kk", "ru", "mixed" or "other" (the SPEC's `lang` values).
std::string_view LanguageCode(Language lang);

// Evidence gathered by DetectLanguage, for tests and debugging.
struct LanguageScores {
  double kazakh = 0;   // weighted evidence for Kazakh
  double russian = 0;  // weighted evidence for Russian
  int cyrillic_words = 0;
  int latin_words = 0;  // words left in Latin script (English, code, ...)
};

// The language of a whole post. `other` when there is no Kazakh or Russian
// evidence (English, Turkmen, emoji only, empty); `mixed` when both languages
// carry a substantial share of the words.
Language DetectLanguage(const NormalizedText& text);
// Same on an analysed post, reusing its tokens (the pipeline's form).
Language DetectLanguage(const AnalyzedText& text,
                        LanguageScores* scores = nullptr);
// Same with the tokens of `normalized` given. REQUIRES: tokens ==
// Tokenize(normalized).
Language DetectLanguage(std::string_view normalized,
                        const std::vector<Token>& tokens,
                        LanguageScores* scores = nullptr);
// Same on an already normalised UTF-8 string.
Language DetectLanguage(std::string_view normalized,
                        LanguageScores* scores = nullptr);

}  // namespace shagym::nlp
