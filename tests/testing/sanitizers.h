#pragma once

// Which sanitizer a test binary is built with: gcc defines
// __SANITIZE_ADDRESS__/__SANITIZE_THREAD__, clang 14 only answers
// __has_feature. Tests that need the real allocator (or hook the
// sanitizer's) check these.

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHAGYM_TEST_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define SHAGYM_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SHAGYM_TEST_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define SHAGYM_TEST_TSAN 1
#endif

#include <cstddef>

namespace shagym::testing {

// How many inputs a long equivalence test draws: all of them in a plain
// build, a fifth under a sanitizer (which runs such tests 10-20x slower and
// needs the code paths, not the volume, to find memory and thread errors).
inline size_t SanitizerScaled(size_t n) {
#if defined(SHAGYM_TEST_ASAN) || defined(SHAGYM_TEST_TSAN)
  return n / 5 > 0 ? n / 5 : 1;
#else
  return n;
#endif
}

}  // namespace shagym::testing
