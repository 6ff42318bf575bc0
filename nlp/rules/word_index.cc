#include "nlp/rules/word_index.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace shagym::nlp {

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
constexpr int kFilterBits = 18;  // 32 KiB of filter per table

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// One FNV-1a step over the character at p[i] of p[0, n): one byte, or two
// (what runs are made of; a form that is no run hashes consistently all
// the same). Returns the index past it.
inline size_t HashStep(const char* p, size_t i, size_t n, uint64_t* h) {
  const auto b = static_cast<unsigned char>(p[i]);
  if (b < 0x80 || i + 1 == n) {
    *h = (*h ^ b) * kFnvPrime;
    return i + 1;
  }
  *h = (*h ^ (uint64_t{b} << 8 | static_cast<unsigned char>(p[i + 1]))) *
       kFnvPrime;
  return i + 2;
}

// FNV-1a over the characters of p[0, n).
uint64_t Hash(const char* p, size_t n) {
  uint64_t h = kFnvOffset;
  for (size_t i = 0; i < n;) i = HashStep(p, i, n, &h);
  return h;
}

// ASCII word characters: 0-9 and a-z.
constexpr bool AsciiWord(unsigned char b) {
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z');
}

}  // namespace

WordIndex::WordIndex() = default;
WordIndex::~WordIndex() = default;
WordIndex::WordIndex(WordIndex&&) noexcept = default;
WordIndex& WordIndex::operator=(WordIndex&&) noexcept = default;

void WordIndex::Add(const std::vector<std::string>& forms, bool prefix,
                    uint32_t id) {
  Table& t = prefix ? prefix_ : whole_;
  for (const std::string& f : forms) {
    if (f.empty()) continue;
    t.pending.emplace_back(f, id);
    if (prefix) {
      if (prefix_lengths_.size() <= f.size()) {
        prefix_lengths_.resize(f.size() + 1, 0);
      }
      prefix_lengths_[f.size()] = 1;
      if (f.size() < 64) prefix_short_ |= uint64_t{1} << f.size();
    }
  }
}

void WordIndex::Build() {
  whole_.Build();
  prefix_.Build();
}

size_t WordIndex::form_count() const { return whole_.forms + prefix_.forms; }

void WordIndex::Table::Build() {
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  size_t distinct = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    distinct += i == 0 || pending[i].first != pending[i - 1].first;
  }
  forms = distinct;
  size_t n = 16;
  while (n < distinct * 2) n *= 2;
  slots.assign(n, Slot{});
  filter.assign((size_t{1} << kFilterBits) / 64, 0);
  keys.clear();
  ids.clear();
  for (size_t i = 0; i < pending.size();) {
    size_t j = i;
    while (j < pending.size() && pending[j].first == pending[i].first) ++j;
    const std::string& key = pending[i].first;
    const uint64_t h = Hash(key.data(), key.size());
    Slot s;
    s.hash = h;
    s.key = static_cast<uint32_t>(keys.size());
    s.key_len = static_cast<uint32_t>(key.size());
    s.first = static_cast<uint32_t>(ids.size());
    s.count = static_cast<uint32_t>(j - i);
    keys += key;
    for (size_t k = i; k < j; ++k) ids.push_back(pending[k].second);
    size_t at = Mix(h) & (slots.size() - 1);
    while (slots[at].key_len != 0) at = (at + 1) & (slots.size() - 1);
    slots[at] = s;
    const uint64_t bit = h >> (64 - kFilterBits);
    filter[bit / 64] |= uint64_t{1} << (bit % 64);
    i = j;
  }
  pending.clear();
  pending.shrink_to_fit();
}

inline void WordIndex::Table::Probe(uint64_t h, const char* key, size_t len,
                                    std::vector<uint32_t>* out) const {
  const uint64_t bit = h >> (64 - kFilterBits);
  if ((filter[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return;
  const size_t mask = slots.size() - 1;
  for (size_t at = Mix(h) & mask;; at = (at + 1) & mask) {
    const Slot& s = slots[at];
    if (s.key_len == 0) return;
    if (s.hash == h && s.key_len == len &&
        std::memcmp(keys.data() + s.key, key, len) == 0) {
      out->insert(out->end(), ids.begin() + s.first,
                  ids.begin() + s.first + s.count);
      return;
    }
  }
}

namespace {

// What a byte starts: 0 an ASCII non-word character, 1 an ASCII word
// character, 2/3/4 a sequence of that many bytes, 5 nothing valid.
struct ByteClasses {
  unsigned char lead[256];
  // Two-byte code points (U+0080..U+07FF) that are word characters.
  uint64_t word2[2048 / 64];
  constexpr ByteClasses() : lead(), word2() {
    for (int b = 0; b < 256; ++b) {
      if (b < 0x80) {
        lead[b] = AsciiWord(static_cast<unsigned char>(b)) ? 1 : 0;
      } else if (b >= 0xC2 && b <= 0xDF) {
        lead[b] = 2;
      } else if (b >= 0xE0 && b <= 0xEF) {
        lead[b] = 3;
      } else if (b >= 0xF0 && b <= 0xF4) {
        lead[b] = 4;
      } else {
        lead[b] = 5;
      }
    }
    for (char32_t c = 0x80; c < 0x800; ++c) {
      if (IsWordChar(c)) word2[c / 64] |= uint64_t{1} << (c % 64);
    }
  }
  static constexpr bool IsWordChar(char32_t c) {
    return (c >= 0x430 && c <= 0x44F) || c == 0x451 || c == 0x4D9 ||
           c == 0x493 || c == 0x49B || c == 0x4A3 || c == 0x4E9 || c == 0x4B1 ||
           c == 0x4AF || c == 0x4BB || c == 0x456;
  }
};
constexpr ByteClasses kBytes;

}  // namespace

bool IsRuleWordChar(char32_t c) {
  if (c < 0x80) return AsciiWord(static_cast<unsigned char>(c));
  return ByteClasses::IsWordChar(c);
}

namespace {

// CharMap: a character's hash; its top bits are the bit of the character
// alone, and with the previous character's hash those of the pair.
constexpr int kMapBits = 12;
inline uint64_t CharHash(uint32_t c) {
  return (uint64_t{c} + 1) * 0x9E3779B97F4A7C15ull;
}
inline uint32_t OneBit(uint64_t h) {
  return static_cast<uint32_t>(h >> (64 - kMapBits));
}
// The top bits of the pair's hash take middle bits of the first
// character's hash (a shift right would leave them zero, and the bit of a
// pair would be the bit of its second character alone).
inline uint32_t PairBit(uint64_t first, uint64_t second) {
  const uint64_t mixed = (first << 21 | first >> 43) ^ second;
  return static_cast<uint32_t>(mixed >> (64 - kMapBits));
}

// A character RE2's prefilter may have lowercased (literal_filter.h).
bool ChangesCase(UChar32 c) {
  return u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_LOWERCASED) ||
         u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_CASEFOLDED);
}

// What SegmentText needs of a two-byte code point (U+0080..U+07FF), one
// byte each: one load instead of a bit test per question.
enum : uint8_t {
  kFlagWord = 1,    // a word character (IsRuleWordChar)
  kFlagCase = 2,    // ChangesCase
  kFlagRefuse = 4,  // ј: in a Kazakh look-alike form, but no word character
  kFlagLetter = 8,  // u_isalpha: no CharMap bit of its own (see note())
};
struct TwoByteFlags {
  uint8_t of[2048] = {};
  TwoByteFlags() {
    for (UChar32 c = 0x80; c < 0x800; ++c) {
      uint8_t f = 0;
      if (ByteClasses::IsWordChar(static_cast<char32_t>(c))) f |= kFlagWord;
      if (ChangesCase(c)) f |= kFlagCase;
      if (c == 0x458) f |= kFlagRefuse;
      if (u_isalpha(c)) f |= kFlagLetter;
      of[c] = f;
    }
  }
};

const TwoByteFlags& TwoByte() {
  static const TwoByteFlags table;
  return table;
}

// Segment() without anything else to do per word character and per run.
struct NoHooks {
  void Start() {}
  void Word(size_t, size_t, uint64_t) {}
  void End(size_t, size_t, uint32_t, uint64_t) {}
};

// Segment(), and `map` when kMap; `hooks.Start()` where a run starts,
// `hooks.Word(start, length, hash)` after each word character of the run
// starting at `start` (`length` bytes of it so far, whose FNV-1a hash of
// characters is `hash` when kHash), and `hooks.End(start, end,
// index, hash)` for each run. The state of the pass is kept in locals
// (the map's bits too, copied out at the end) so that no store through a
// pointer makes the compiler reload it.
template <bool kMap, bool kHash, typename Hooks>
bool SegmentText(std::string_view text, std::vector<WordIndex::Run>* runs,
                 WordIndex::CharMap* map, Hooks& hooks) {
  using Run = WordIndex::Run;
  runs->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  if (n > std::numeric_limits<uint32_t>::max()) return false;
  const uint8_t* flags2 = TwoByte().of;
  uint64_t bits[64] = {};
  static_assert(sizeof(bits) == sizeof(map->bits));
  uint64_t prev = 0;
  uint64_t h = kFnvOffset;
  bool changes_case = false;
  // The bit of each pair of neighbouring characters, and the bit of the
  // character alone unless it is a letter: the literal filter drops every
  // clause with a one-letter atom (literal_filter.cc), so no atom of one
  // letter is ever looked up. (A bit set needlessly only lets more texts
  // through; one missing would rule a match out.)
  auto note = [&](uint32_t c, bool letter) __attribute__((always_inline)) {
    if constexpr (kMap) {
      const uint64_t h = CharHash(c);
      if (!letter) {
        const uint32_t one = OneBit(h);
        bits[one / 64] |= uint64_t{1} << (one % 64);
      }
      const uint32_t pair = PairBit(prev, h);
      bits[pair / 64] |= uint64_t{1} << (pair % 64);
      prev = h;
    }
  };
  size_t i = 0;
  size_t start = 0;
  bool in_word = false;
  // A run starts or ends before p[i].
  auto edge = [&](bool word) __attribute__((always_inline)) {
    if (word) {
      start = i;
      h = kFnvOffset;
      hooks.Start();
    } else {
      hooks.End(start, i, static_cast<uint32_t>(runs->size()), h);
      runs->push_back(
          Run{static_cast<uint32_t>(start), static_cast<uint32_t>(i)});
    }
    in_word = word;
  };
  while (i < n) {
    const unsigned char b = p[i];
    if (b >= 0xC2 && b <= 0xDF) {  // two bytes (Cyrillic): the common case
      if (i + 1 >= n || (p[i + 1] & 0xC0) != 0x80) return false;
      const uint32_t c = (uint32_t{b} & 0x1F) << 6 | (p[i + 1] & 0x3Fu);
      const uint8_t f = flags2[c];
      if ((f & kFlagRefuse) != 0) return false;
      if constexpr (kMap) {
        changes_case |= (f & kFlagCase) != 0;
        note(c, (f & kFlagLetter) != 0);
      }
      const bool word = (f & kFlagWord) != 0;
      if (word != in_word) edge(word);
      if (kHash && word) {
        h = (h ^ (uint64_t{b} << 8 | p[i + 1])) * kFnvPrime;
        hooks.Word(start, i + 2 - start, h);
      }
      i += 2;
      if (!word) continue;
      // The rest of a run of two-byte word characters that are letters
      // and do not change case (all of kWordChars), without the tests a
      // run's edge needs (no word character is refused) nor those of the
      // map; any other character goes through the loop above.
      while (i + 1 < n) {
        const unsigned char b0 = p[i], b1 = p[i + 1];
        if (b0 < 0xC2 || b0 > 0xDF || (b1 & 0xC0) != 0x80) break;
        const uint32_t c2 = (uint32_t{b0} & 0x1F) << 6 | (b1 & 0x3Fu);
        const uint8_t f2 = flags2[c2];
        if ((f2 & (kFlagWord | kFlagCase | kFlagLetter)) !=
            (kFlagWord | kFlagLetter)) {
          break;
        }
        if constexpr (kMap) note(c2, /*letter=*/true);
        if (kHash) {
          h = (h ^ (uint64_t{b0} << 8 | b1)) * kFnvPrime;
          hooks.Word(start, i + 2 - start, h);
        }
        i += 2;
      }
      continue;
    }
    if (b < 0x80) {
      const bool word = kBytes.lead[b] != 0;
      if constexpr (kMap) {
        changes_case |= b >= 'A' && b <= 'Z';
        note(b, (b | 0x20) >= 'a' && (b | 0x20) <= 'z');
      }
      if (word != in_word) edge(word);
      if (kHash && word) {
        h = (h ^ b) * kFnvPrime;
        hooks.Word(start, i + 1 - start, h);
      }
      ++i;
      continue;
    }
    // Three and four bytes: never word characters.
    size_t len;
    switch (kBytes.lead[b]) {
      case 3: {
        if (i + 2 >= n) return false;
        const unsigned char c1 = p[i + 1], c2 = p[i + 2];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return false;
        if (b == 0xE0 && c1 < 0xA0) return false;   // overlong
        if (b == 0xED && c1 >= 0xA0) return false;  // surrogate
        len = 3;
        if constexpr (kMap) {
          const uint32_t c =
              (b & 0x0Fu) << 12 | (c1 & 0x3Fu) << 6 | (c2 & 0x3Fu);
          changes_case |= ChangesCase(static_cast<UChar32>(c));
          note(c, false);
        }
        break;
      }
      case 4: {
        if (i + 3 >= n) return false;
        const unsigned char c1 = p[i + 1], c2 = p[i + 2], c3 = p[i + 3];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80) {
          return false;
        }
        if (b == 0xF0 && c1 < 0x90) return false;   // overlong
        if (b == 0xF4 && c1 >= 0x90) return false;  // beyond U+10FFFF
        len = 4;
        if constexpr (kMap) {
          const uint32_t c = (b & 0x07u) << 18 | (c1 & 0x3Fu) << 12 |
                             (c2 & 0x3Fu) << 6 | (c3 & 0x3Fu);
          changes_case |= ChangesCase(static_cast<UChar32>(c));
          note(c, false);
        }
        break;
      }
      default:
        return false;
    }
    if (in_word) edge(false);
    i += len;
  }
  if (in_word) {
    hooks.End(start, n, static_cast<uint32_t>(runs->size()), h);
    runs->push_back(
        Run{static_cast<uint32_t>(start), static_cast<uint32_t>(n)});
  }
  if constexpr (kMap) {
    std::memcpy(map->bits.data(), bits, sizeof(bits));
    map->changes_case = changes_case;
  }
  return true;
}

}  // namespace

bool WordIndex::Segment(std::string_view text, std::vector<Run>* runs) {
  NoHooks none;
  return SegmentText<false, false>(text, runs, nullptr, none);
}

bool WordIndex::Segment(std::string_view text, std::vector<Run>* runs,
                        CharMap* map) {
  NoHooks none;
  return SegmentText<true, false>(text, runs, map, none);
}

bool WordIndex::SegmentAndLookup(std::string_view text, std::vector<Run>* runs,
                                 CharMap* map, std::vector<Hit>* hits,
                                 std::vector<uint32_t>* ids) const {
  // Lookup() of each run as its characters go by: the hash of every
  // prefix, probed where a prefix form has that length, and of the whole
  // run at its end.
  struct Hooks {
    const WordIndex& index;
    const char* text;
    std::vector<Hit>* hits;
    std::vector<uint32_t>* ids;
    const uint64_t prefix_short;
    [[gnu::always_inline]] void Start() { ids->clear(); }
    [[gnu::always_inline]] void Word(size_t start, size_t at, uint64_t h) {
      if (at < 64 ? ((prefix_short >> at) & 1) != 0
                  : at < index.prefix_lengths_.size() &&
                        index.prefix_lengths_[at] != 0) {
        index.prefix_.Probe(h, text + start, at, ids);
      }
    }
    [[gnu::always_inline]] void End(size_t start, size_t end, uint32_t run,
                                    uint64_t h) {
      index.whole_.Probe(h, text + start, end - start, ids);
      if (ids->size() > 1) {
        std::sort(ids->begin(), ids->end());
        ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
      }
      for (uint32_t id : *ids) hits->push_back(Hit{run, id});
    }
  } hooks{*this, text.data(), hits, ids, prefix_short_};
  hits->clear();
  ids->clear();
  return map == nullptr ? SegmentText<false, true>(text, runs, nullptr, hooks)
                        : SegmentText<true, true>(text, runs, map, hooks);
}

std::vector<uint16_t> WordIndex::GramBits(std::string_view s) {
  std::vector<uint64_t> hashes;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    hashes.push_back(CharHash(c < 0 ? 0xFFFD : static_cast<uint32_t>(c)));
  }
  std::vector<uint16_t> out;
  if (hashes.size() == 1)
    out.push_back(static_cast<uint16_t>(OneBit(hashes[0])));
  for (size_t i = 0; i + 1 < hashes.size(); ++i) {
    out.push_back(static_cast<uint16_t>(PairBit(hashes[i], hashes[i + 1])));
  }
  return out;
}

void WordIndex::Lookup(std::string_view text, const Run& run,
                       std::vector<uint32_t>* ids) const {
  const char* p = text.data() + run.begin;
  const size_t n = run.end - run.begin;
  // One pass over the run: the hash of every prefix on the way, probed
  // where a prefix form has that length, and of the whole run at the end.
  // Runs hold word characters only: one or two bytes each.
  const size_t longest = prefix_lengths_.size();
  uint64_t h = kFnvOffset;
  size_t i = 0;
  while (i < n) {
    i = HashStep(p, i, n, &h);
    if (i < longest && prefix_lengths_[i] != 0) prefix_.Probe(h, p, i, ids);
  }
  whole_.Probe(h, p, n, ids);
}

}  // namespace shagym::nlp
