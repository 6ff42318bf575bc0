// Page bytes in any charset, declared or not, become valid UTF-8.

#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "crawler/charset.h"

namespace {
bool ValidUtf8(const std::string& s) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (const char* ct :
       {"", "text/html; charset=windows-1251", "text/html; charset=utf-8",
        "text/xml; charset=koi8-r"}) {
    auto d = shagym::crawler::DecodeToUtf8(in, ct);
    if (!ValidUtf8(d.utf8)) __builtin_trap();
  }
  return 0;
}
