#pragma once

// Word tokens of normalised text, with byte positions, for proximity rules
// ("within 5 words of"). A token is a maximal run of letters, combining marks
// and digits (as ICU's word BreakIterator yields for letters and numbers);
// punctuation, spaces and symbols separate tokens. Stateless, thread-safe.
//
//   for (const nlp::Token& t : nlp::Tokenize(normalized.text)) ...

#include <cstdint>
#include <string_view>
#include <vector>

#include "nlp/letters.h"

namespace shagym::nlp {

struct Token {
  uint32_t begin = 0;    // byte offset in the normalised text
  uint32_t end = 0;      // one past the last byte
  bool numeric = false;  // only digits
  // Every code point is in the Cyrillic block U+0400..U+04FF (two bytes of
  // UTF-8 each), so the token has (end - begin) / 2 of them.
  bool cyrillic = false;
  // The CyrillicGroups() of its code points in U+0400..U+04FF, or-ed:
  // language id reads them instead of decoding the token again.
  uint8_t letter_groups = 0;
};

// Tokens in text order. Never fails: invalid UTF-8 separates tokens.
std::vector<Token> Tokenize(std::string_view normalized);

// Index of the token containing or following byte `offset` (tokens.size()
// when none follows). REQUIRES: `tokens` from Tokenize(), sorted.
size_t TokenIndexAt(const std::vector<Token>& tokens, size_t offset);

}  // namespace shagym::nlp
