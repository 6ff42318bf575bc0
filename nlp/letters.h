#pragma once

// Letter classes shared by the text modules.

#include <unicode/umachine.h>

#include <cstdint>

namespace shagym::nlp {

// The nine letters of the Kazakh Cyrillic alphabet that Russian lacks:
// ә ғ қ ң ө ұ ү һ і (lower case; the text is case-folded first).
constexpr bool IsKazakhLetter(UChar32 c) {
  switch (c) {
    case 0x04D9:  // ә
    case 0x0493:  // ғ
    case 0x049B:  // қ
    case 0x04A3:  // ң
    case 0x04E9:  // ө
    case 0x04B1:  // ұ
    case 0x04AF:  // ү
    case 0x04BB:  // һ
    case 0x0456:  // і
      return true;
    default:
      return false;
  }
}

// Groups of Cyrillic letters that tell Kazakh and Russian apart, as bits.
constexpr uint8_t kKazakhOnlyLetter = 1;   // ә ғ қ ң ө ұ ү һ і
constexpr uint8_t kRussianOnlyLetter = 2;  // щ ъ э ь
constexpr uint8_t kNonNativeLetter = 4;  // в ф ц э: never in native Kazakh

// The groups of U+0400..U+04FF (lower case; other code points have none).
constexpr uint8_t CyrillicGroups(UChar32 c) {
  uint8_t f = 0;
  if (IsKazakhLetter(c)) f |= kKazakhOnlyLetter;
  if (c == 0x0449 || c == 0x044A || c == 0x044D || c == 0x044C) {
    f |= kRussianOnlyLetter;
  }
  if (c == 0x0432 || c == 0x0444 || c == 0x0446 || c == 0x044D) {
    f |= kNonNativeLetter;
  }
  return f;
}

// CyrillicGroups() of U+0400..U+04FF by c - 0x0400.
struct CyrillicGroupTable {
  uint8_t of[256];
  constexpr CyrillicGroupTable() : of() {
    for (int k = 0; k < 256; ++k) of[k] = CyrillicGroups(0x0400 + k);
  }
};
inline constexpr CyrillicGroupTable kCyrillicGroups{};

}  // namespace shagym::nlp
