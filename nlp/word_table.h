#pragma once

// Internal to nlp/: a read-mostly hash table of short strings (words,
// suffixes, name prefixes) looked up by std::string_view without allocating.
// Open addressing over a power-of-two array; each slot keeps the full hash
// so that a miss rarely touches the key bytes. Not thread-safe while
// inserting; concurrent Find() on a built table is safe.

#include <array>
#include <bit>
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
  // The last 0-7 bytes without a variable-length copy: two overlapping
  // 4-byte loads, or three single bytes (every byte is read; the length is
  // already in h).
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const size_t r = s.size() - i;
  uint64_t w = 0;
  if (r >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + r - 4, 4);
    w = a | (uint64_t{b} << 32);
  } else if (r > 0) {
    w = p[0] | (uint64_t{p[r >> 1]} << 8) | (uint64_t{p[r - 1]} << 16);
  }
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 32);
}

// The first n <= 8 bytes at `p`, in memory order, the rest zero; reads 8
// bytes whatever n. REQUIRES: 8 bytes readable at `p`.
inline uint64_t LoadPadded8(const char* p, size_t n) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if (n >= 8) return w;
  if constexpr (std::endian::native == std::endian::little) {
    return w & ((uint64_t{1} << (8 * n)) - 1);
  } else {
    return n == 0 ? 0 : w & (~uint64_t{0} << (8 * (8 - n)));
  }
}

// The same value for a string of n <= 8 bytes, reading only those.
inline uint64_t LoadShort8(const char* p, size_t n) {
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return w;
}

// A set of short strings that answers "maybe" or "surely not": one bit per
// key hash in a 64 Kibit map (8 KiB, cache resident). Skips the table look-up
// of a word that cannot be there without ever skipping one that can.
class KeyFilter {
 public:
  void Add(std::string_view key) {
    const uint32_t b = Bit(key);
    bits_[b >> 6] |= uint64_t{1} << (b & 63);
  }
  bool MayContain(std::string_view key) const {
    return Test(key.size() <= 8
                    ? Short(Load(key.data(), key.size()), key.size())
                    : Long(key));
  }
  // Same, reading 8 bytes at `key` whatever `n`: no copy of a short key.
  // REQUIRES: 8 bytes readable at `key` (padding after the string).
  bool MayContainPadded(const char* key, size_t n) const {
    if (n > 8) return Test(Long(std::string_view(key, n)));
    return Test(Short(LoadPadded8(key, n), n));
  }

 private:
  static constexpr int kBits = 16;
  static uint64_t Load(const char* p, size_t n) { return LoadShort8(p, n); }
  // One multiply: the top bits of the product depend on every bit of w.
  static uint32_t Short(uint64_t w, size_t n) {
    const uint64_t h = (w ^ (uint64_t{n} << 59)) * 0x9E3779B97F4A7C15ull;
    return static_cast<uint32_t>(h >> (64 - kBits));
  }
  static uint32_t Long(std::string_view s) {
    return static_cast<uint32_t>(HashWord(s) >> (64 - kBits));
  }
  static uint32_t Bit(std::string_view s) {
    return s.size() <= 8 ? Short(Load(s.data(), s.size()), s.size()) : Long(s);
  }
  bool Test(uint32_t b) const { return (bits_[b >> 6] >> (b & 63)) & 1; }
  std::array<uint64_t, (size_t{1} << kBits) / 64> bits_{};
};

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
