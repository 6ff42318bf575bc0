// Date, duration and size parsers take text from configs and web pages.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/time_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto t = shagym::ParseIso8601(s)) {
    // Round trip: whatever parses formats and parses back to the same instant.
    auto back = shagym::ParseIso8601(shagym::FormatIso8601Utc(*t));
    if (!back || *back != *t) __builtin_trap();
  }
  (void)shagym::ParseDurationMs(s);
  (void)shagym::ParseSizeBytes(s);
  return 0;
}
