#pragma once

// SimHash fingerprints for near-duplicate texts (Charikar 2002): 64 bits
// over hashed word shingles, so texts that share most of their 3-word runs
// land a few bits apart. Pure functions, thread-safe.
//
//   uint64_t a = nlp::SimHash(normalised_a), b = nlp::SimHash(normalised_b);
//   bool near = nlp::HammingDistance(a, b) <= 3;

#include <array>
#include <cstdint>
#include <string_view>

namespace shagym::nlp {

// Words are runs of letters and digits (any script; other bytes separate
// them); shingles are `shingle` consecutive words (fewer when the text is
// shorter). Returns 0 for a text without words. Feed it normalised text so
// that case and spelling variants agree.
uint64_t SimHash(std::string_view text, int shingle = 3);

// Number of words SimHash() sees in `text`.
int CountWords(std::string_view text);

inline int HammingDistance(uint64_t a, uint64_t b) {
  return __builtin_popcountll(a ^ b);
}

// MinHash signature of the set of word bigrams (single words for a one-word
// text): kMinHashSize independent minima, so that the share of equal
// entries of two signatures estimates the Jaccard similarity of the two
// bigram sets. Unlike SimHash's few-bit distance, that similarity degrades
// gracefully: a forward with a comment as long again as the news item is
// still at 0.5, a repost with one word in six changed at about 0.5-0.6.
inline constexpr int kMinHashSize = 32;
using MinHash = std::array<uint32_t, kMinHashSize>;

// All zeros for a text without words.
MinHash MinHashOf(std::string_view text);
bool IsEmpty(const MinHash& m);
// Share of equal entries, in [0, 1].
double MinHashSimilarity(const MinHash& a, const MinHash& b);

}  // namespace shagym::nlp
