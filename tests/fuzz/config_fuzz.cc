// The configuration loader must turn any byte string into a Config or one
// clear error line, never a crash.

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = shagym::config::LoadFromString(text, "fuzz.yaml", "/base");
  if (!c.ok() && c.status().message().find('\n') != std::string::npos) {
    __builtin_trap();  // errors are one line
  }
  return 0;
}
