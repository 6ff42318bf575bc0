#pragma once

// Letter classes shared by the text modules.

#include <unicode/umachine.h>

namespace shagym::nlp {

// The nine letters of the Kazakh Cyrillic alphabet that Russian lacks:
// ә ғ қ ң ө ұ ү һ і (lower case; the text is case-folded first).
inline bool IsKazakhLetter(UChar32 c) {
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

}  // namespace shagym::nlp
