#pragma once

// An in-memory filter of the dedupe index's band prefixes (the "xs" and "xb"
// ranges of store/dedupe_index.h): a blocked Bloom filter, two bits of one
// 64-bit word per prefix. DedupeIndex::Find seeks a band only when the filter
// may hold its prefix, so a look-up whose 20 bands are nearly all absent
// costs 20 hash probes instead of 20 seeks through every memtable and level
// of the store, and that cost does not grow with the store.
// Never a false negative: every prefix written is inserted before its write,
// and the filter is filled from the store before its first use. Prefixes
// deleted (retention, an edited post) stay set: a needless seek, never a
// wrong answer. Fixed size: once it holds many more prefixes than bits / 4,
// more seeks go through (one in five at one prefix per two bits), still with
// the same results. Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace shagym::store {

class DedupeBandFilter {
 public:
  // `bytes`: the filter's size, rounded down to a power of two, at least 8.
  explicit DedupeBandFilter(size_t bytes);

  void Insert(std::string_view prefix);
  bool MayContain(std::string_view prefix) const;

  size_t bytes() const { return 8 * (mask_ + 1); }

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  size_t mask_;  // number of words - 1
};

}  // namespace shagym::store
