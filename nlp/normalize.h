#pragma once

// Text normalisation for matching (SPEC "Text"): NFKC + case folding, ё→е,
// homoglyph folding, elongation squashing, Kazakh Latin → Cyrillic; URLs,
// mentions and emoji kept out of matching. Every byte of the normalised text
// maps back to a byte range of the original UTF-8, so highlights land on the
// original words.
//
//   auto n = nlp::Normalizer::Create();
//   nlp::NormalizedText t = (*n)->Normalize("Ужааас в школе №12");
//   auto [b, e] = t.ToOriginal(match_begin, match_end);

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

struct NormalizedText {
  std::string text;  // normalised UTF-8
  // For each byte i of `text`: [orig_begin[i], orig_end[i]) is the byte range
  // of the original code point(s) that produced it. Both have text.size()
  // entries.
  std::vector<uint32_t> orig_begin;
  std::vector<uint32_t> orig_end;
  // Sorted byte offsets in `text` of the words whose first letter is a
  // capital in the original ("Семей" vs "семей"), for entity extraction.
  std::vector<uint32_t> capitalized;

  // True when the word starting at normalised byte `offset` was capitalised.
  bool IsCapitalized(size_t offset) const;

  // Maps the normalised byte range [begin, end) to the smallest original byte
  // range covering it. REQUIRES: begin < end <= text.size().
  std::pair<size_t, size_t> ToOriginal(size_t begin, size_t end) const;
};

// Thread-safe after Create(); share one instance.
class Normalizer {
 public:
  static StatusOr<std::unique_ptr<Normalizer>> Create();
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Never fails: invalid UTF-8 is replaced by U+FFFD in the output.
  NormalizedText Normalize(std::string_view original) const;
  // Same, and sets `*tokens` to Tokenize() of the result's text, cut while
  // the text is written instead of decoding it again.
  NormalizedText Normalize(std::string_view original,
                           std::vector<Token>* tokens) const;
  // Same, written into `*out`: its buffers are reused, so that a loop over
  // many posts allocates nothing per post once they are large enough (they
  // keep the size of the longest post so far).
  void Normalize(std::string_view original, NormalizedText* out,
                 std::vector<Token>* tokens) const;

 private:
  Normalizer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shagym::nlp
