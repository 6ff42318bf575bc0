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

// A read-mostly table of keys of up to 24 bytes held in the slots
// themselves: a look-up hashes three loads of the key and compares them with
// one slot's, with no pointer to follow and no memcmp. A 64 Kibit map of the
// hashes answers most misses before the slots are touched. Not thread-safe
// while inserting; concurrent Find() on a built table is safe.
template <typename V>
class InlineKeyTable {
 public:
  static constexpr size_t kMaxKey = 24;

  // Adds `key` with `value`, or replaces its value.
  // REQUIRES: key.size() <= kMaxKey.
  void Insert(std::string_view key, V value) {
    const Key k = Load(key.data(), key.size());
    if (const V* v = Find(k)) {
      values_[static_cast<size_t>(v - values_.data())] = std::move(value);
      return;
    }
    values_.push_back(std::move(value));
    if (values_.size() * 2 > slots_.size()) Rehash();
    Place(k, static_cast<uint32_t>(values_.size() - 1));
  }

  // The value of `key`, or null (always null for keys over kMaxKey bytes).
  const V* Find(std::string_view key) const {
    if (key.size() > kMaxKey || slots_.empty()) return nullptr;
    return Find(Load(key.data(), key.size()));
  }

  size_t size() const { return values_.size(); }

 private:
  // The key's bytes as three words: for a given length they determine the
  // key (overlapping loads cover every byte).
  struct Key {
    uint64_t a = 0, b = 0, c = 0;
    uint32_t len = 0;
  };
  struct Slot {
    Key key;
    uint32_t index = kEmpty;
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr int kFilterBits = 16;

  static uint64_t Load8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  static uint32_t Load4(const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }
  static Key Load(const char* p, size_t n) {
    Key k;
    k.len = static_cast<uint32_t>(n);
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    if (n >= 16) {
      k.a = Load8(p);
      k.b = Load8(p + 8);
      k.c = Load8(p + n - 8);
    } else if (n >= 8) {
      k.a = Load8(p);
      k.b = Load8(p + n - 8);
    } else if (n >= 4) {
      k.a = Load4(p) | (uint64_t{Load4(p + n - 4)} << 32);
    } else if (n > 0) {
      k.a = u[0] | (uint64_t{u[n >> 1]} << 8) | (uint64_t{u[n - 1]} << 16);
    }
    return k;
  }
  static uint64_t Hash(const Key& k) {
    uint64_t h = (k.a ^ (uint64_t{k.len} << 56)) * 0x9E3779B97F4A7C15ull;
    h ^= k.b * 0xff51afd7ed558ccdull;
    h ^= k.c * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
  }
  static bool Same(const Key& x, const Key& y) {
    return x.a == y.a && x.b == y.b && x.c == y.c && x.len == y.len;
  }
  bool Maybe(uint64_t h) const {
    const uint32_t b = static_cast<uint32_t>(h >> (64 - kFilterBits));
    return (filter_[b >> 6] >> (b & 63)) & 1;
  }
  const V* Find(const Key& k) const {
    const uint64_t h = Hash(k);
    if (!Maybe(h)) return nullptr;
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index == kEmpty) return nullptr;
      if (Same(s.key, k)) return &values_[s.index];
    }
  }
  void Place(const Key& k, uint32_t index) {
    const uint64_t h = Hash(k);
    const uint32_t b = static_cast<uint32_t>(h >> (64 - kFilterBits));
    filter_[b >> 6] |= uint64_t{1} << (b & 63);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i].index == kEmpty) {
        slots_[i] = Slot{k, index};
        return;
      }
    }
  }
  void Rehash() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.index != kEmpty) Place(s.key, s.index);
    }
  }

  std::vector<V> values_;
  std::vector<Slot> slots_;
  std::array<uint64_t, (size_t{1} << kFilterBits) / 64> filter_{};
};

}  // namespace shagym::nlp
