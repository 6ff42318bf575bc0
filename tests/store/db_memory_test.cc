// The store's memory budget (DbOptions::memory_bytes): block cache and
// memtables together stay within it however much is written, so a long
// crawl's store does not grow in memory with its pages. Sizes, not timings.

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdint>
#include <string>

#include "store/db.h"
#include "store/dedupe_filter.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace db_memory_test {

uint64_t Property(Db* db, const std::string& name) {
  uint64_t v = 0;
  EXPECT_TRUE(db->raw()->GetAggregatedIntProperty(name, &v)) << name;
  return v;
}

// A block-cache figure (the cache is shared, so any family answers).
uint64_t CacheProperty(Db* db, const std::string& name) {
  uint64_t v = 0;
  EXPECT_TRUE(db->raw()->GetIntProperty(db->cf(Cf::kPosts), name, &v)) << name;
  return v;
}

// The dedupe index's band filter: its size, the rest of the budget being
// the block cache's.
size_t DedupeFilterBytes(Db* db) {
  DedupeBandFilter* filter =
      db->dedupe_filter([](DedupeBandFilter*) { return Status::Ok(); });
  return filter == nullptr ? 0 : filter->bytes();
}

TEST(DbMemoryTest, DefaultBudgetIsTheBlockCacheCapacity) {
  testing::TempDir dir;
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  const uint64_t capacity =
      CacheProperty(db->get(), "rocksdb.block-cache-capacity");
  EXPECT_EQ(DedupeFilterBytes(db->get()), size_t{8} << 20);  // a sixteenth
  EXPECT_EQ(capacity + DedupeFilterBytes(db->get()),
            static_cast<uint64_t>(kDefaultStoreMemory));
}

TEST(DbMemoryTest, TooSmallBudgetIsRaisedToTheMinimum) {
  testing::TempDir dir;
  DbOptions o;
  o.memory_bytes = 1 << 20;
  auto db = Db::Open(dir.File("db"), o);
  ASSERT_TRUE(db.ok()) << db.status().message();
  const uint64_t capacity =
      CacheProperty(db->get(), "rocksdb.block-cache-capacity");
  EXPECT_EQ(DedupeFilterBytes(db->get()), size_t{1} << 20);
  EXPECT_EQ(capacity + DedupeFilterBytes(db->get()),
            static_cast<uint64_t>(kMinStoreMemory));
}

// Writes several times the budget into the families a crawl writes most
// (dedupe fingerprints, posts, evidence) and reads it back: the memtables
// never hold more than half the budget and the cache never more than the
// whole (it also carries the memtables' charge).
TEST(DbMemoryTest, MemtablesAndCacheStayWithinTheBudgetWhateverIsWritten) {
  testing::TempDir dir;
  DbOptions o;
  o.memory_bytes = 16 << 20;
  auto db = Db::Open(dir.File("db"), o);
  ASSERT_TRUE(db.ok()) << db.status().message();
  Db* d = db->get();
  const std::string value(1000, 'v');
  uint64_t max_memtables = 0, max_cache = 0;
  const Cf families[] = {Cf::kIncidents, Cf::kTimeIndex, Cf::kEvidence};
  for (int round = 0; round < 64; ++round) {
    rocksdb::WriteBatch batch;
    for (int k = 0; k < 1000; ++k) {
      const std::string key =
          "k" + std::to_string(round) + "/" + std::to_string(k);
      ASSERT_TRUE(
          batch.Put(d->cf(families[k % 3]), key, value + std::to_string(k))
              .ok());
    }
    ASSERT_TRUE(d->raw()->Write(rocksdb::WriteOptions(), &batch).ok());
    std::string got;
    for (int k = 0; k < 1000; k += 7) {
      ASSERT_TRUE(
          d->raw()
              ->Get(rocksdb::ReadOptions(), d->cf(families[k % 3]),
                    "k" + std::to_string(round / 2) + "/" + std::to_string(k),
                    &got)
              .ok());
    }
    max_memtables =
        std::max(max_memtables, Property(d, "rocksdb.size-all-mem-tables"));
    max_cache =
        std::max(max_cache, CacheProperty(d, "rocksdb.block-cache-usage"));
  }
  // 64 MB written; the memtables of all families together stay under half
  // the budget plus one memtable being flushed (a quarter) and the arena
  // block RocksDB allocates ahead.
  EXPECT_LT(max_memtables, static_cast<uint64_t>(o.memory_bytes));
  EXPECT_GT(max_memtables, 0u);
  RecordProperty("max_memtables", std::to_string(max_memtables));
  RecordProperty("max_cache", std::to_string(max_cache));
  // The cache is not strict: blocks pinned by a live read (and the pinned
  // L0 index and filter blocks) may take it a little over its capacity.
  EXPECT_LE(max_cache, static_cast<uint64_t>(o.memory_bytes) * 5 / 4);
}

}  // namespace db_memory_test
}  // namespace shagym::store
