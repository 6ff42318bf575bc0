// Dates as strangers write them (crawler/dates.h): never a crash, and an
// answer that does not depend on anything but the text and the fetch time.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawler/dates.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1715594400;  // 2024-05-13T10:00:00Z
  auto a = shagym::crawler::ParseWebDate(s, kNow);
  auto b = shagym::crawler::ParseWebDate(s, kNow);
  if (a != b) __builtin_trap();
  (void)shagym::crawler::ParseWebDate(s, 0);
  (void)shagym::crawler::ParseWebDate(s, 4102444800);  // 2100-01-01
  return 0;
}
