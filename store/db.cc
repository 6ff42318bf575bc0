#include "store/db.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/utilities/stackable_db.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <mutex>
#include <vector>

#include "store/dedupe_filter.h"
#include "store/dedupe_index.h"

namespace shagym::store {

namespace {

constexpr std::string_view kCfNames[] = {
    "default",   "meta",     "posts",   "time_index", "labels",   "trends",
    "incidents", "frontier", "seen",    "robots",     "evidence", "reviews",
    "users",     "sessions", "sources", "audit"};
static_assert(std::size(kCfNames) == static_cast<size_t>(Cf::kCount));

// Element-wise add of little-endian int64 vectors (a plain 8-byte counter is
// a vector of one): trend counters are merge operands so that counting is a
// write, not a read-modify-write, and one key can carry several counts
// (volume and incidents, or one pair per day of a month) side by side.
// Vectors of different lengths add as if the shorter were padded with zeros.
//
// An operand may also be "slotted" (kSlottedCounterTag, slot, k int64s): the k
// values land at elements [slot*k, slot*k+k) of the vector. That keeps the
// operand of a per-month key with 31 day slots small (18 bytes instead of
// up to 496) while reads of a month see one dense vector. Results are always
// plain vectors, so partial merges stay valid operands.
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    std::vector<int64_t> sum;
    if (existing) AddTo(*existing, &sum);
    AddTo(value, &sum);
    new_value->assign(8 * sum.size(), '\0');
    for (size_t k = 0; k < sum.size(); ++k) {
      uint64_t v = static_cast<uint64_t>(sum[k]);
      for (int i = 0; i < 8; ++i) {
        (*new_value)[8 * k + i] = static_cast<char>(v >> (8 * i));
      }
    }
    return true;
  }
  const char* Name() const override { return "shagym.Int64Add"; }

 private:
  static int64_t Load(const char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return static_cast<int64_t>(v);
  }
  // A malformed (e.g. truncated) operand counts as zero.
  static void AddTo(const rocksdb::Slice& s, std::vector<int64_t>* sum) {
    size_t offset = 0, n = 0;
    const char* p = s.data();
    if (s.size() % 8 == 0) {
      n = s.size() / 8;
    } else if (s.size() % 8 == 2 &&
               static_cast<uint8_t>(s[0]) == kSlottedCounterTag) {
      n = (s.size() - 2) / 8;
      offset = static_cast<uint8_t>(s[1]) * n;
      p += 2;
    } else {
      return;
    }
    if (sum->size() < offset + n) sum->resize(offset + n, 0);
    for (size_t k = 0; k < n; ++k) (*sum)[offset + k] += Load(p + 8 * k);
  }
};

// The memory budget of one open store (DbOptions::memory_bytes, the
// `store_memory` setting): one LRU block cache for every column family, so
// that memory follows the data that is read (posts, counters, dedupe
// fingerprints) instead of sixteen fixed slices, and the memtables of all
// families charged to that same cache through a WriteBufferManager. Their
// sum is what the store holds, whatever the number of pages written:
// - memtables: at most half the budget; past 7/8 of it the largest is
//   flushed, and when flushes fall behind (a slow disk, a busy machine)
//   writers stall until one ends instead of piling up immutable memtables;
// - blocks, index and filter partitions: the rest, evicted LRU.
// A single family's memtable is also capped (kMaxMemtable, or a quarter of
// the budget when smaller), so that no family sits on a huge skip list that
// every look-up and insert walks (the dedupe fingerprints of a long crawl).
// - the dedupe index's band filter (dedupe_filter.h): a sixteenth of the
//   budget, rounded down to a power of two (8 MB of the default 128 MB),
//   taken from the cache's share, allocated only when the index is used.
// Outside the budget: iterators pinning blocks while they live, table
// readers' small fixed parts (max_open_files) and compaction buffers.
struct MemoryBudget {
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
  size_t memtable_bytes = 0;
  size_t dedupe_filter_bytes = 0;
};

constexpr int64_t kMaxMemtable = 64 << 20;

MemoryBudget MakeMemoryBudget(int64_t memory_bytes) {
  if (memory_bytes <= 0) memory_bytes = kDefaultStoreMemory;
  memory_bytes = std::max<int64_t>(memory_bytes, kMinStoreMemory);
  MemoryBudget b;
  b.dedupe_filter_bytes =
      std::bit_floor(static_cast<size_t>(memory_bytes / 16));
  b.cache = rocksdb::NewLRUCache(static_cast<size_t>(memory_bytes) -
                                 b.dedupe_filter_bytes);
  b.write_buffers = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(memory_bytes / 2), b.cache, /*allow_stall=*/true);
  b.memtable_bytes =
      static_cast<size_t>(std::min<int64_t>(kMaxMemtable, memory_bytes / 4));
  return b;
}

// The dedupe index's band prefixes in Cf::kIncidents (store/dedupe_index.h).
// A lookup seeks 20 such prefixes, nearly all absent; prefix Bloom filters
// (in every table file and in the memtables) answer "absent" without walking
// a skip list or reading an index and data block per file. Other keys of the
// family (content hashes, signatures, incidents) are outside the domain:
// their Gets use the whole-key filter and their scans are plain total-order
// scans. The name is recorded in every table file: change it whenever the
// prefixes change.
class DedupeBandPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "shagym.DedupeBandPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(),
                          DedupeBandPrefixLength(key.ToStringView()));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return DedupeBandPrefixLength(key.ToStringView()) > 0;
  }
};

// Option choices, per column family:
// - Compression: LZ4 on the upper levels (cheap to write and read: posts are
//   read back by the dashboard and export), ZSTD on the bottommost level,
//   where most bytes settle and are rarely rewritten. Evidence is stored
//   already compressed, so RocksDB leaves it alone.
// - Bloom filters (10 bits/key, whole keys): point look-ups of absent keys
//   are the hot path of ingest (is this post id new?), of the crawler (seen
//   URLs, robots cache) and of sessions. Range scans (time index, counters)
//   do not use them; they cost ~1.25 bytes per key.
// - No prefix extractors: the scans that matter cross prefixes (a time range
//   over the time index, a run of months over many counter groups) and the
//   prefixes are variable-length ids, so prefix blooms would not be
//   consulted; whole-key blooms serve the point look-ups instead.
// - Trend counters: merge operands (Int64AddOperator) so that counting never
//   reads; compaction folds them. Memtables of the small families are kept
//   small so that idle families do not pin memory.
// - The memtables of posts, incidents and evidence carry a Bloom filter of
//   their whole keys (2% of the memtable, charged to it): ingest asks them
//   for keys that are nearly always absent (is this post, this evidence
//   page, this content hash, this fingerprint set known?), and without the
//   filter each such Get walks the memtable's skip list, a cache miss per
//   level (bench/crawl: 7% of the crawl's CPU in MemTable::Get before the
//   filter). Not on the other families: the filter takes an arena block of
//   every memtable as soon as it exists, written to or not, and that block
//   counts against the memory budget.
rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const MemoryBudget& budget) {
  rocksdb::ColumnFamilyOptions o;
  o.write_buffer_size = budget.memtable_bytes;
  if (cf == Cf::kPosts || cf == Cf::kIncidents || cf == Cf::kEvidence) {
    o.memtable_prefix_bloom_size_ratio = 0.02;
    o.memtable_whole_key_filtering = true;
  }
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  t.block_size = 16 * 1024;
  t.block_cache = budget.cache;
  // Filter and index blocks compete in the cache like data, so memory stays
  // bounded however large the store grows. They are partitioned (a top level
  // pinned in the cache, 4 KB partitions below it): once the store outgrows
  // the cache, a point look-up reads back one small partition instead of the
  // whole filter of a 64 MB file, which a long crawl otherwise spends most
  // of its time re-reading and checksumming.
  t.cache_index_and_filter_blocks = true;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  t.partition_filters = true;
  t.metadata_block_size = 4096;
  t.pin_top_level_index_and_filter = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  switch (cf) {
    case Cf::kTrends:
      o.merge_operator = std::make_shared<Int64AddOperator>();
      // A busy counter (a month of "any complaint" in a big region) would
      // otherwise pile up thousands of operands in the memtable, and every
      // trend query reading it would add them all up again; past 64 the
      // write folds them into one value.
      o.max_successive_merges = 64;
      break;
    case Cf::kIncidents:
      o.prefix_extractor = std::make_shared<DedupeBandPrefix>();
      // The memtable's Bloom filter (above) also holds the band prefixes.
      break;
    case Cf::kEvidence:
      o.compression = rocksdb::kNoCompression;
      o.bottommost_compression = rocksdb::kNoCompression;
      break;
    case Cf::kDefault:
    case Cf::kMeta:
    case Cf::kRobots:
    case Cf::kUsers:
    case Cf::kSessions:
    case Cf::kSources:
    case Cf::kAudit:
      o.write_buffer_size = std::min<size_t>(4 << 20, budget.memtable_bytes);
      break;
    default:
      break;
  }
  return o;
}

#if defined(__SANITIZE_THREAD__)
#define SHAGYM_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHAGYM_THREAD_SANITIZER 1
#endif
#endif

#ifdef SHAGYM_THREAD_SANITIZER
// Built with ThreadSanitizer only. The system RocksDB is not instrumented:
// concurrent writers form a group whose leader writes the followers' batches
// and WAL records, handed over with atomics TSan cannot see, so it reports
// every such hand-over as a race on shagym's batches. Writes taken one at a
// time under a mutex TSan does see keep each writer its own leader, and the
// reports left are about shagym's code.
class OneWriterAtATimeDb : public rocksdb::StackableDB {
 public:
  explicit OneWriterAtATimeDb(rocksdb::DB* db) : rocksdb::StackableDB(db) {}

  using rocksdb::StackableDB::Delete;
  using rocksdb::StackableDB::DeleteRange;
  using rocksdb::StackableDB::Merge;
  using rocksdb::StackableDB::Put;
  using rocksdb::StackableDB::SingleDelete;

  rocksdb::Status Put(const rocksdb::WriteOptions& o,
                      rocksdb::ColumnFamilyHandle* cf,
                      const rocksdb::Slice& key,
                      const rocksdb::Slice& value) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::Put(o, cf, key, value);
  }
  rocksdb::Status Merge(const rocksdb::WriteOptions& o,
                        rocksdb::ColumnFamilyHandle* cf,
                        const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::Merge(o, cf, key, value);
  }
  rocksdb::Status Delete(const rocksdb::WriteOptions& o,
                         rocksdb::ColumnFamilyHandle* cf,
                         const rocksdb::Slice& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::Delete(o, cf, key);
  }
  rocksdb::Status SingleDelete(const rocksdb::WriteOptions& o,
                               rocksdb::ColumnFamilyHandle* cf,
                               const rocksdb::Slice& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::SingleDelete(o, cf, key);
  }
  rocksdb::Status DeleteRange(const rocksdb::WriteOptions& o,
                              rocksdb::ColumnFamilyHandle* cf,
                              const rocksdb::Slice& begin,
                              const rocksdb::Slice& end) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::DeleteRange(o, cf, begin, end);
  }
  rocksdb::Status Write(const rocksdb::WriteOptions& o,
                        rocksdb::WriteBatch* batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    return rocksdb::StackableDB::Write(o, batch);
  }

 private:
  std::mutex mu_;
};
#endif

}  // namespace

std::string_view CfName(Cf cf) { return kCfNames[static_cast<size_t>(cf)]; }

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string m = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(m);
  if (s.IsCorruption()) return Corruption(m);
  if (s.IsIOError()) return IOError(m);
  if (s.IsInvalidArgument()) return InvalidArgument(m);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Unavailable(m);
  return Internal(m);
}

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& dir,
                                       const DbOptions& options) {
  std::error_code ec;
  if (options.create_if_missing) std::filesystem::create_directories(dir, ec);
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = options.create_if_missing;
  dbo.create_missing_column_families = options.create_if_missing;
  if (options.env != nullptr) dbo.env = options.env;
  dbo.IncreaseParallelism(2);
  dbo.max_open_files = 512;
  dbo.keep_log_file_num = 3;
  // All memtables together are bounded by the budget's write buffer
  // manager (see MakeMemoryBudget), whatever the number of families.
  const MemoryBudget budget = MakeMemoryBudget(options.memory_bytes);
  dbo.write_buffer_manager = budget.write_buffers;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (size_t i = 0; i < static_cast<size_t>(Cf::kCount); ++i) {
    cfs.emplace_back(std::string(kCfNames[i]),
                     CfOptions(static_cast<Cf>(i), budget));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(dbo, dir, cfs, &handles, &raw)
          : rocksdb::DB::Open(dbo, dir, cfs, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "open store " + dir);
  std::unique_ptr<Db> db(new Db());
  db->dir_ = dir;
  db->db_.reset(raw);
  db->dedupe_filter_bytes_ = budget.dedupe_filter_bytes;
#ifdef SHAGYM_THREAD_SANITIZER
  if (!options.read_only) {
    db->db_ = std::make_unique<OneWriterAtATimeDb>(db->db_.release());
  }
#endif
  for (size_t i = 0; i < handles.size(); ++i) db->handles_[i] = handles[i];
  return db;
}

Db::~Db() {
  if (!db_) return;
  for (auto* h : handles_) {
    if (h) db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

std::vector<std::unique_lock<std::mutex>> Db::LockEvidence(
    const std::vector<std::string>& ids) {
  std::vector<size_t> idx;
  for (const std::string& id : ids) {
    idx.push_back(std::hash<std::string>()(id) % kEvidenceStripes);
  }
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (size_t i : idx) locks.emplace_back(evidence_stripes_[i]);
  return locks;
}

DedupeBandFilter* Db::dedupe_filter(
    const std::function<Status(DedupeBandFilter*)>& fill) {
  std::call_once(dedupe_filter_once_, [&] {
    auto filter = std::make_unique<DedupeBandFilter>(dedupe_filter_bytes_);
    if (fill(filter.get()).ok()) dedupe_filter_ = std::move(filter);
  });
  return dedupe_filter_.get();
}

Status Db::Flush() {
  rocksdb::FlushOptions fo;
  std::vector<rocksdb::ColumnFamilyHandle*> hs(handles_.begin(),
                                               handles_.end());
  Status st = FromRocks(db_->Flush(fo, hs), "flush " + dir_);
  if (!st.ok()) return st;
  return FromRocks(db_->SyncWAL(), "sync WAL " + dir_);
}

}  // namespace shagym::store
