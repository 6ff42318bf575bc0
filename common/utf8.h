// UTF-8 encoding of single code points, for the decoders of escapes and
// entities (JSON, XML/HTML) and for the normaliser's output.

#ifndef SHAGYM_COMMON_UTF8_H_
#define SHAGYM_COMMON_UTF8_H_

#include <cstdint>
#include <string>

namespace shagym {

// Appends the UTF-8 form of `cp` to `out`. A value that is not a Unicode
// scalar value (a surrogate half, or above U+10FFFF) is written as U+FFFD.
inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
    return;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  char buf[4];
  size_t n;
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    n = 4;
  }
  buf[n - 1] = static_cast<char>(0x80 | (cp & 0x3F));
  out->append(buf, n);
}

}  // namespace shagym

#endif  // SHAGYM_COMMON_UTF8_H_
