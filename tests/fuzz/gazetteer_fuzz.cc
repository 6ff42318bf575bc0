// The gazetteer (regions.yaml) is edited by hand: any text loads or gives
// one clear error line.

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/gazetteer_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto g = shagym::config::LoadGazetteerFromString(text, "regions.yaml");
  if (!g.ok() && g.status().message().find('\n') != std::string::npos) {
    __builtin_trap();
  }
  return 0;
}
