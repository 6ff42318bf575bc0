#pragma once

// The one RocksDB instance of a shagym data directory, with its column
// families. Thread-safe (RocksDB's DB is); one Db is shared by every thread
// of the process. Higher-level stores (posts, trends, frontier, users, ...)
// borrow it.
//
//   auto db = store::Db::Open("/var/lib/shagym/db");
//   (*db)->raw()->Put(rocksdb::WriteOptions(), (*db)->cf(store::Cf::kMeta), k,
//   v);

#include <rocksdb/db.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store_options.h"  // kDefaultStoreMemory, kMinStoreMemory

namespace shagym::store {

class DedupeBandFilter;

// Column families. Append only: the names are part of the on-disk format.
enum class Cf {
  kDefault = 0,
  kMeta,       // schema version, counters of the store itself
  kPosts,      // post id -> its time (a pointer into the time index)
  kTimeIndex,  // big-endian post time + post id -> summary + post record
  kLabels,     // post id -> labels (per rule-set version)
  kTrends,  // (category, region, lang, source, hour) -> int64 counters (merge)
  kIncidents,  // incident id -> members; post -> incident
  kFrontier,   // crawl frontier entries
  kSeen,       // canonical URL hash -> fetch state (etag, last-modified, ...)
  kRobots,     // host -> cached robots.txt
  kEvidence,   // content hash -> compressed page bytes
  kReviews,    // post id -> review status and history
  kUsers,      // user name -> account; token hash -> user
  kSessions,   // session id -> user and expiry
  kSources,    // source id -> health counters
  kAudit,      // time + seq -> admin action
  kCount,
};

std::string_view CfName(Cf cf);

// Merge operands of Cf::kTrends are little-endian int64 vectors added
// element-wise, or "slotted" operands: this tag, a slot byte s, then k int64s
// that add to elements [s*k, s*k+k). See Int64AddOperator in db.cc.
inline constexpr uint8_t kSlottedCounterTag = 0xA5;

struct DbOptions {
  // Create the directory and column families when missing. Default: true.
  bool create_if_missing = true;
  // Open without write access (e.g. `shagym db check` beside a running crawl
  // is not supported; this is for tools that must not change anything).
  // Default: false.
  bool read_only = false;
  // RocksDB environment (file system, threads); must outlive the Db. Tests
  // pass a fault-injecting one. Default: nullptr = rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
  // What RocksDB may hold in memory: block cache, index and filter blocks
  // and memtables together (db.cc, MakeMemoryBudget). 0 = the default,
  // kDefaultStoreMemory; values under kMinStoreMemory are raised to it.
  int64_t memory_bytes = 0;
};

class Db {
 public:
  // Opens (creating when allowed) the store in `dir`. Errors name the dir.
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& dir,
                                            const DbOptions& options = {});
  ~Db();  // out of line: DedupeBandFilter is incomplete here
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* raw() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf cf) const {
    return handles_[static_cast<size_t>(cf)];
  }
  const std::string& dir() const { return dir_; }

  // Flushes memtables and syncs the WAL, e.g. before a clean exit.
  Status Flush();

  // Serialises, per evidence page, the steps that must not interleave:
  // storing or re-confirming a page (EvidenceStore::Put), an ingest adding a
  // post's reference to it, and retention deleting it once unreferenced.
  // Locks the stripes of `ids` in stripe order, so callers never deadlock;
  // a caller that also holds Store's per-post locks takes those first.
  std::vector<std::unique_lock<std::mutex>> LockEvidence(
      const std::vector<std::string>& ids);

  // The dedupe index's in-memory filter of band prefixes (dedupe_filter.h),
  // one per open store whatever the number of DedupeIndex objects on it.
  // The first call creates it, sized from the memory budget, and fills it
  // with `fill` (the index's scan of its band keys); every call returns it.
  // nullptr when `fill` failed: the index then seeks every band.
  DedupeBandFilter* dedupe_filter(
      const std::function<Status(DedupeBandFilter*)>& fill);

 private:
  static constexpr size_t kEvidenceStripes = 64;
  std::array<std::mutex, kEvidenceStripes> evidence_stripes_;
  Db() = default;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  size_t dedupe_filter_bytes_ = 0;
  std::once_flag dedupe_filter_once_;
  std::unique_ptr<DedupeBandFilter> dedupe_filter_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<size_t>(Cf::kCount)>
      handles_{};
};

// Converts a rocksdb::Status, adding context ("put post x").
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace shagym::store
