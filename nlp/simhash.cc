#include "nlp/simhash.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace shagym::nlp {

namespace {

// Bytes that separate words: ASCII other than letters and digits. Bytes of
// multi-byte UTF-8 sequences count as letters, so Cyrillic words stay whole
// (normalised text has its punctuation in ASCII or spaces).
bool IsWordByte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i])))
      ++i;
    size_t j = i;
    while (j < text.size() && IsWordByte(static_cast<unsigned char>(text[j])))
      ++j;
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

// FNV-1a, then a 64-bit finaliser (splitmix64) to spread the bits: stable
// across platforms and runs, unlike std::hash.
uint64_t Hash(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t Mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

int CountWords(std::string_view text) {
  return static_cast<int>(Words(text).size());
}

uint64_t SimHash(std::string_view text, int shingle) {
  std::vector<std::string_view> words = Words(text);
  if (words.empty()) return 0;
  if (shingle < 1) shingle = 1;
  const size_t k = std::min<size_t>(static_cast<size_t>(shingle), words.size());
  int counts[64] = {};
  for (size_t i = 0; i + k <= words.size(); ++i) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t j = 0; j < k; ++j) {
      h = Hash(words[i + j], h);
      h = Hash(" ", h);
    }
    h = Mix(h);
    for (int b = 0; b < 64; ++b) counts[b] += (h >> b) & 1 ? 1 : -1;
  }
  uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    if (counts[b] > 0) out |= uint64_t{1} << b;
  }
  return out == 0 ? 1 : out;  // 0 means "no fingerprint"
}

MinHash MinHashOf(std::string_view text) {
  MinHash out;
  out.fill(0);
  std::vector<std::string_view> words = Words(text);
  if (words.empty()) return out;
  out.fill(UINT32_MAX);
  const size_t k = std::min<size_t>(2, words.size());
  for (size_t i = 0; i + k <= words.size(); ++i) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t j = 0; j < k; ++j) {
      h = Hash(words[i + j], h);
      h = Hash(" ", h);
    }
    // kMinHashSize hash functions from one: mix with a per-slot seed.
    for (int s = 0; s < kMinHashSize; ++s) {
      const uint32_t v = static_cast<uint32_t>(
          Mix(h ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(s + 1))) >>
          32);
      if (v < out[static_cast<size_t>(s)]) out[static_cast<size_t>(s)] = v;
    }
  }
  return out;
}

bool IsEmpty(const MinHash& m) {
  for (uint32_t v : m) {
    if (v != 0) return false;
  }
  return true;
}

double MinHashSimilarity(const MinHash& a, const MinHash& b) {
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace shagym::nlp
