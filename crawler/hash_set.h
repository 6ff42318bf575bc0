#pragma once

// A set of 64-bit hashes in one flat array (open addressing, linear
// probing, deletion by shifting back): 8 bytes a slot and at most 3/4 of
// the slots used, so 11-21 bytes per key where a node-based
// std::unordered_set<uint64_t> takes ~40. The frontier keeps its seen and
// pending URL hashes in it (millions of URLs on a long crawl). Not
// thread-safe.
//
//   HashSet64 seen;
//   if (seen.insert(UrlHash(url))) { /* first time */ }

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shagym::crawler {

class HashSet64 {
 public:
  bool contains(uint64_t key) const {
    if (key == kFree) return has_free_key_;
    if (slots_.empty()) return false;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (slots_[i] == key) return true;
      if (slots_[i] == kFree) return false;
    }
  }

  // True when `key` was not in the set.
  bool insert(uint64_t key) {
    if (key == kFree) {
      const bool added = !has_free_key_;
      has_free_key_ = true;
      return added;
    }
    if ((used_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Home(key);
    for (; slots_[i] != kFree; i = (i + 1) & mask_) {
      if (slots_[i] == key) return false;
    }
    slots_[i] = key;
    ++used_;
    return true;
  }

  // True when `key` was in the set.
  bool erase(uint64_t key) {
    if (key == kFree) {
      const bool had = has_free_key_;
      has_free_key_ = false;
      return had;
    }
    if (slots_.empty()) return false;
    size_t hole = Home(key);
    for (; slots_[hole] != key; hole = (hole + 1) & mask_) {
      if (slots_[hole] == kFree) return false;
    }
    // Keys after the hole in its probe run move back into it unless their
    // home lies (cyclically) after the hole, so that every key stays
    // reachable from its home without a gap.
    for (size_t j = (hole + 1) & mask_; slots_[j] != kFree;
         j = (j + 1) & mask_) {
      const size_t home = Home(slots_[j]);
      const bool stays =
          hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole] = kFree;
    --used_;
    return true;
  }

  size_t size() const { return used_ + (has_free_key_ ? 1 : 0); }
  // Bytes held by the table.
  size_t bytes() const { return slots_.capacity() * sizeof(uint64_t); }

 private:
  static constexpr uint64_t kFree = 0;  // marks a free slot; kept apart

  size_t Home(uint64_t key) const {
    // Fibonacci hashing: the high bits of the product, so that keys that
    // differ only in their high bits still spread.
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ull) >> shift_);
  }

  void Grow() {
    std::vector<uint64_t> old;
    old.swap(slots_);
    const size_t n = old.empty() ? 64 : old.size() * 2;
    slots_.assign(n, kFree);
    mask_ = n - 1;
    shift_ = 64 - __builtin_ctzll(n);
    used_ = 0;
    for (uint64_t key : old) {
      if (key == kFree) continue;
      size_t i = Home(key);
      while (slots_[i] != kFree) i = (i + 1) & mask_;
      slots_[i] = key;
      ++used_;
    }
  }

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t used_ = 0;  // keys in slots_
  bool has_free_key_ = false;
};

}  // namespace shagym::crawler
