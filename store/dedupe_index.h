#pragma once

// Exact and near-duplicate lookup for ingest: which stored post a new text
// repeats. Keys live in Cf::kIncidents under the prefix "x" (the store's own
// incident keys use "p" and "m"):
//   "xh" content_hash                         -> original post id
//   "xs" band(1) BE16(16 bits of simhash) id  -> BE64 simhash, BE64 time,
//                                                original post id
//   "xb" band(1) BE64(two MinHash minima) id  -> ""
//   "xm" id                                   -> BE64 time, the MinHash
//                                                signature (BE32 each),
//                                                original post id
//   "xp" id                                   -> 1, BE64 simhash, 1 if
//                                                "xm" id exists else 0:
//                                                what the other keys of
//                                                id derive from, so that
//                                                Forget finds them (older
//                                                stores: every key,
//                                                length-prefixed)
// SimHash matching uses 4 bands of 16 bits: two fingerprints within Hamming
// distance 3 agree on at least one band, so a lookup reads 4 short ranges.
// It catches near-identical texts. MinHash matching (locality-sensitive
// hashing, 16 bands of 2 minima) catches the rest: texts whose word-bigram
// sets have an estimated Jaccard similarity of at least min_similarity
// (a forward with a comment added, a reworded repost); a pair at 0.4 shares
// a band with probability 0.93, at 0.5 with 0.99. Default 0.4: on the real
// sentences of tests/crawler/dedupe_recall_test.cc it links 93-100% of
// rewrites and none of the unrelated items.
// An in-memory filter of the band prefixes present (store/dedupe_filter.h,
// one per open store) lets Find skip the seeks of absent bands; the results
// are those of seeking every band.
// Thread-safe for concurrent readers; callers serialise Find + Add when two
// writers may race on the same text. Borrows the Db.

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/post.h"
#include "common/status.h"
#include "store/db.h"

namespace shagym::store {

// Length of the band prefix ("xs" or "xb" above) that starts `key`; 0 for
// the family's other keys. The prefix extractor of Cf::kIncidents (db.cc),
// so that its prefix Bloom filters cover exactly the ranges Find seeks.
size_t DedupeBandPrefixLength(std::string_view key);

// Length of the MinHash signatures the index takes (nlp::kMinHashSize).
inline constexpr size_t kDedupeMinHashSize = 32;

struct DuplicateMatch {
  std::string original_id;  // the earliest post of the story
  int distance = 0;  // Hamming distance of the SimHashes; 0 = exact or MinHash
  // Estimated Jaccard similarity of the word bigrams (1 for an exact or
  // SimHash match).
  double similarity = 1;
};

class DedupeBandFilter;

// Fills `filter` with the band prefixes present in the store (what
// Db::dedupe_filter calls on first use; exposed for tests).
Status FillDedupeBandFilter(Db* db, DedupeBandFilter* filter);

class DedupeIndex {
 public:
  // REQUIRES: 0 <= max_distance <= 3 (the banding guarantees no more).
  // min_similarity > 1 turns MinHash matching off.
  explicit DedupeIndex(Db* db, int max_distance = 3,
                       double min_similarity = 0.4);

  // The original of a stored post whose content hash equals `content_hash`,
  // else of the nearest SimHash within max_distance, else of the most
  // similar MinHash signature at or above min_similarity (ties: the
  // earliest). Entries of `self` (the post being ingested, when it was seen
  // before) are ignored. nullopt when nothing matches. `minhash` is empty
  // or has kDedupeMinHashSize entries (else InvalidArgument).
  // `content_hash_stored`, when not null, is set to whether the index holds
  // `content_hash` (for Add below; unset when the lookup fails).
  StatusOr<std::optional<DuplicateMatch>> Find(
      const std::string& self, const std::string& content_hash,
      uint64_t simhash, std::span<const uint32_t> minhash = {},
      bool* content_hash_stored = nullptr) const;

  // Records post `id` (whose original is `original_id`, itself when it is
  // the first of its story). An existing content hash keeps its first post.
  // simhash 0 = none; content_hash "" = none; minhash empty = none.
  // Recording an id again replaces its fingerprints.
  // `content_hash_stored`: what Find said of `content_hash`, when nothing
  // was added since (saves reading it again); nullopt = read it.
  Status Add(const std::string& id, const std::string& original_id,
             const std::string& content_hash, uint64_t simhash, int64_t time,
             std::span<const uint32_t> minhash = {},
             std::optional<bool> content_hash_stored = std::nullopt);

  // Adds to `batch` the deletes that take `post` out of the index (retention):
  // its own entries, and the content-hash entry when that names `post` or an
  // original for which `gone` is true. Posts stored before the reverse
  // entries existed are found through post.simhash.
  Status Forget(const Post& post,
                const std::function<bool(const std::string&)>& gone,
                rocksdb::WriteBatch* batch) const;

 private:
  // The keys of `id` named by its reverse entry `reverse` (either form).
  Status KeysOf(const std::string& id, std::string_view reverse,
                std::vector<std::string>* keys) const;

  // The store's band filter (store/dedupe_filter.h), filled on first use;
  // nullptr when that failed.
  DedupeBandFilter* filter() const;

  Db* db_;  // not owned
  int max_distance_;
  double min_similarity_;
};

}  // namespace shagym::store
