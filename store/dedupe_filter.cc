#include "store/dedupe_filter.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace shagym::store {

namespace {

// The word and the two bits of `prefix`: one 64-bit hash, finalised
// (splitmix64) so that every bit of it depends on every byte.
struct Probe {
  size_t word;
  uint64_t bits;
};

Probe ProbeOf(std::string_view prefix, size_t mask) {
  uint64_t h = std::hash<std::string_view>()(prefix);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return Probe{
      static_cast<size_t>(h) & mask,
      (uint64_t{1} << ((h >> 52) & 63)) | (uint64_t{1} << ((h >> 58) & 63))};
}

}  // namespace

DedupeBandFilter::DedupeBandFilter(size_t bytes) {
  const size_t words = std::bit_floor(std::max<size_t>(bytes / 8, 1));
  words_ = std::make_unique<std::atomic<uint64_t>[]>(words);
  for (size_t i = 0; i < words; ++i) {
    words_[i].store(0, std::memory_order_relaxed);
  }
  mask_ = words - 1;
}

void DedupeBandFilter::Insert(std::string_view prefix) {
  const Probe p = ProbeOf(prefix, mask_);
  // Released so that a look-up which reads the bits (acquire) after this
  // insert also sees what the inserting thread wrote before it.
  words_[p.word].fetch_or(p.bits, std::memory_order_release);
}

bool DedupeBandFilter::MayContain(std::string_view prefix) const {
  const Probe p = ProbeOf(prefix, mask_);
  return (words_[p.word].load(std::memory_order_acquire) & p.bits) == p.bits;
}

}  // namespace shagym::store
