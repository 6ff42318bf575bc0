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
// build, a twentieth under a sanitizer, which needs the code paths, not the
// volume, to find memory and thread errors. The rule matcher's equivalence
// tests run 30-300x slower under ASan than in a plain build: most of their
// time is in RE2::Set::Match and Compile on large sets, whose large
// allocations ASan serves from fresh mappings (about 60% of the time is in
// the kernel: mmap, page faults, munmap).
inline constexpr size_t kSanitizerStride = 20;

inline bool UnderSanitizer() {
#if defined(SHAGYM_TEST_ASAN) || defined(SHAGYM_TEST_TSAN)
  return true;
#else
  return false;
#endif
}

inline size_t SanitizerScaled(size_t n) {
  if (!UnderSanitizer()) return n;
  return n / kSanitizerStride > 0 ? n / kSanitizerStride : 1;
}

// Whether the `i`th of a list of inputs is drawn (every one in a plain
// build, one in kSanitizerStride under a sanitizer, spread over the list).
inline bool SanitizerDraws(size_t i) {
  return !UnderSanitizer() || i % kSanitizerStride == 0;
}

}  // namespace shagym::testing
