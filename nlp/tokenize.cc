#include "nlp/tokenize.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "nlp/letters.h"

namespace shagym::nlp {
namespace {

// Letters, combining marks and digits belong to words, as in ICU's word
// break rules for ALetter/Numeric runs. ASCII and Cyrillic take a fast path.
bool IsWordChar(UChar32 c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  }
  if (c >= 0x0400 && c <= 0x04FF) return c < 0x0482 || c > 0x0482;
  if (c < 0) return false;
  return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

// Combining marks; in the Cyrillic block only U+0483..U+0489 (titlo and
// the like), without asking ICU.
bool IsMark(UChar32 c) {
  if (c >= 0x0400 && c <= 0x04FF) return c >= 0x0483 && c <= 0x0489;
  return (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

}  // namespace

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  bool in_word = false;
  Token cur;
  tokens.reserve(text.size() / 6 + 1);
  while (i < n) {
    if (in_word) {
      // Inside a word a run of Cyrillic (two bytes, lead 0xD0..0xD3; all
      // word characters but U+0482, none a digit) continues it.
      int32_t j = i;
      uint8_t groups = 0;
      while (j + 1 < n && s[j] >= 0xD0 && s[j] <= 0xD3 &&
             (s[j + 1] & 0xC0) == 0x80 && !(s[j] == 0xD2 && s[j + 1] == 0x82)) {
        groups |= kCyrillicGroups.of[((s[j] & 0x03) << 6) | (s[j + 1] & 0x3F)];
        j += 2;
      }
      if (j > i) {
        cur.letter_groups |= groups;
        cur.numeric = false;
        cur.end = static_cast<uint32_t>(j);
        i = j;
        continue;
      }
    }
    int32_t start = i;
    UChar32 c;
    // ASCII and two-byte sequences (up to Cyrillic) inline.
    const uint8_t b0 = s[i];
    if (b0 < 0x80) {
      c = b0;
      ++i;
    } else if (b0 >= 0xC2 && b0 < 0xE0 && i + 1 < n &&
               (s[i + 1] & 0xC0) == 0x80) {
      c = ((b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
      i += 2;
    } else {
      U8_NEXT(s, i, n, c);
    }
    // A combining mark continues a word but never starts one ("☝️" + word).
    if (IsWordChar(c) && (in_word || c < 0x0300 || !IsMark(c))) {
      if (!in_word) {
        cur = Token{static_cast<uint32_t>(start), 0, true, true, 0};
        in_word = true;
      }
      if (c >= 0x0400 && c <= 0x04FF) {
        cur.letter_groups |= kCyrillicGroups.of[c - 0x0400];
      } else {
        cur.cyrillic = false;
      }
      if (cur.numeric && !(c >= '0' && c <= '9') &&
          (c < 0x80 || (c >= 0x0400 && c <= 0x04FF) || !u_isdigit(c))) {
        cur.numeric = false;
      }
      cur.end = static_cast<uint32_t>(i);
    } else if (in_word) {
      tokens.push_back(cur);
      in_word = false;
    }
  }
  if (in_word) tokens.push_back(cur);
  return tokens;
}

size_t TokenIndexAt(const std::vector<Token>& tokens, size_t offset) {
  auto it =
      std::lower_bound(tokens.begin(), tokens.end(), offset,
                       [](const Token& t, size_t off) { return t.end <= off; });
  return static_cast<size_t>(it - tokens.begin());
}

}  // namespace shagym::nlp
