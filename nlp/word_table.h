#pragma once

// Internal to nlp/: a read-mostly hash table of short strings (words,
// suffixes, name prefixes) looked up by std::string_view without allocating.
// Open addressing over a power-of-two array; each slot keeps the full hash
// so that a miss rarely touches the key bytes. Not thread-safe while
// inserting; concurrent Find() on a built table is safe.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shagym::nlp {

// A fast non-cryptographic hash of a few bytes (8 at a time).
inline uint64_t HashWord(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xff51afd7ed558ccdull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t w = 0;
  if (i < s.size()) std::memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 32);
}

template <typename V>
class WordTable {
 public:
  // Adds `key` or replaces its value; returns the stored value.
  V& Insert(std::string_view key, V value) {
    if (V* v = FindMutable(key)) {
      *v = std::move(value);
      return *v;
    }
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = HashWord(key);
    entries_.emplace_back(std::string(key), std::move(value));
    Place(h, static_cast<uint32_t>(entries_.size() - 1));
    return entries_.back().second;
  }

  // The value of `key`, or null.
  const V* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const uint64_t h = HashWord(key);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index == kEmpty) return nullptr;
      if (s.hash == h && entries_[s.index].first == key) {
        return &entries_[s.index].second;
      }
    }
  }
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }

  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, V>>& entries() const {
    return entries_;
  }

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    uint64_t hash = 0;
    uint32_t index = kEmpty;
  };

  V* FindMutable(std::string_view key) {
    return const_cast<V*>(static_cast<const WordTable*>(this)->Find(key));
  }
  void Place(uint64_t h, uint32_t index) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i].index == kEmpty) {
        slots_[i] = Slot{h, index};
        return;
      }
    }
  }
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.index != kEmpty) Place(s.hash, s.index);
    }
  }

  std::vector<std::pair<std::string, V>> entries_;
  std::vector<Slot> slots_;
};

}  // namespace shagym::nlp
