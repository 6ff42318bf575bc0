#pragma once

// Evidence (SPEC "Beyond counting posts"): the raw bytes of every fetched
// page that yielded posts, kept compressed and content-addressed in
// Cf::kEvidence, so a post can be shown as it was first seen even after it
// is deleted at the source. Posts point at it through Post::evidence_id.
// Thread-safe (RocksDB is); borrows the Db, which must outlive it.
//
//   store::EvidenceStore evidence(store->db());
//   auto id = evidence.Put(page.final_url, page.fetched_at, page.body);
//   post.evidence_id = *id;
//   auto page = evidence.Get(post.evidence_id);

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/db.h"

namespace shagym::store {

struct EvidencePage {
  std::string id;            // content address: hex SHA-256 of `bytes`
  std::string url;           // where it was first fetched
  int64_t fetched_at = 0;    // when (Unix seconds UTC)
  std::string bytes;         // the page as fetched (UTF-8 converted body)
  int64_t stored_bytes = 0;  // compressed size on disk
};

class EvidenceStore {
 public:
  explicit EvidenceStore(Db* db) : db_(db) {}

  // Keeps `bytes` (zstd-compressed) under their SHA-256 and returns that id.
  // The same bytes stored again keep their first URL and time, and move
  // LastSeen() to `fetched_at` (0: now). Serialised with retention per page
  // (Db::LockEvidence), so a page is never deleted between this call saying
  // it is stored and the ingest of the posts that refer to it.
  StatusOr<std::string> Put(std::string_view url, int64_t fetched_at,
                            std::string_view bytes);
  // The page stored under `id`; nullopt when absent. Corruption when the
  // record does not decode or its bytes do not hash to `id`.
  StatusOr<std::optional<EvidencePage>> Get(const std::string& id) const;
  // True when `id` is stored.
  StatusOr<bool> Contains(const std::string& id) const;
  // The latest time the page was stored or stored again (Put of the same
  // bytes), in Unix seconds; nullopt when absent. Retention keeps a page
  // seen after its cut-off even while no post refers to it yet: the posts
  // of a page are stored just after the page.
  StatusOr<std::optional<int64_t>> LastSeen(const std::string& id) const;
  // The Cf::kEvidence key holding LastSeen() of a page stored again.
  static std::string SeenKey(const std::string& id);

  // Hex SHA-256 of `bytes`: the id Put() would return.
  static std::string IdOf(std::string_view bytes);

 private:
  Db* db_;  // not owned
};

}  // namespace shagym::store
