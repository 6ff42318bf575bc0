#pragma once

// Exact and near-duplicate lookup for ingest: which stored post a new text
// repeats. Keys live in Cf::kIncidents under the prefix "x" (the store's own
// incident keys use "p" and "m"):
//   "xh" content_hash                         -> original post id
//   "xs" band(1) BE16(16 bits of simhash) id  -> BE64 simhash, BE64 time,
//                                                original post id
// SimHash matching uses 4 bands of 16 bits: two fingerprints within Hamming
// distance 3 agree on at least one band, so a lookup reads 4 short ranges.
// Thread-safe for concurrent readers; callers serialise Find + Add when two
// writers may race on the same text. Borrows the Db.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace shagym::store {

struct DuplicateMatch {
  std::string original_id;  // the earliest post of the story
  int distance = 0;         // Hamming distance of the SimHashes; 0 = exact
};

class DedupeIndex {
 public:
  // REQUIRES: 0 <= max_distance <= 3 (the banding guarantees no more).
  explicit DedupeIndex(Db* db, int max_distance = 3);

  // The original of a stored post whose content hash equals
  // `content_hash`, else of the nearest SimHash within max_distance (ties:
  // the earliest). Entries of `self` (the post being ingested, when it was
  // seen before) are ignored. nullopt when nothing matches.
  StatusOr<std::optional<DuplicateMatch>> Find(const std::string& self,
                                               const std::string& content_hash,
                                               uint64_t simhash) const;

  // Records post `id` (whose original is `original_id`, itself when it is
  // the first of its story). An existing content hash keeps its first post.
  // simhash 0 = none; content_hash "" = none.
  Status Add(const std::string& id, const std::string& original_id,
             const std::string& content_hash, uint64_t simhash, int64_t time);

 private:
  Db* db_;  // not owned
  int max_distance_;
};

}  // namespace shagym::store
