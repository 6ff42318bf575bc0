// URLs come from hrefs on hostile pages. Canonicalisation never crashes and
// is idempotent: the canonical form of a canonical URL is itself.

#include <cstddef>
#include <cstdint>
#include <string>

#include "crawler/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto c = shagym::crawler::CanonicalUrl(in);
  if (c.ok()) {
    auto again = shagym::crawler::CanonicalUrl(*c);
    if (!again.ok() || *again != *c) __builtin_trap();
    (void)shagym::crawler::SplitUrl(*c);
    (void)shagym::crawler::HostKey(*c);
  }
  (void)shagym::crawler::ResolveUrl("https://example.kz/a/b/c?q=1", in);
  return 0;
}
