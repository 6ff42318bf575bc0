// The dedupe index's in-memory band filter (store/dedupe_filter.h): it must
// never answer "absent" for a band prefix that the store holds, or Find
// would miss a duplicate that seeking every band finds. Checked on the
// filter alone, then through DedupeIndex against every band key actually
// stored, before and after the store is closed and opened again.

#include "store/dedupe_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/dedupe_index.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace dedupe_filter_test {

std::string RandomPrefix(std::mt19937_64& rng) {
  std::string p = (rng() & 1) ? "xs" : "xb";
  p.push_back(static_cast<char>(rng() % 16));
  const size_t n = p[1] == 's' ? 2 : 8;
  for (size_t i = 0; i < n; ++i) p.push_back(static_cast<char>(rng()));
  return p;
}

TEST(DedupeBandFilterTest, InsertedPrefixesAreAlwaysFoundOthersMostlyNot) {
  std::mt19937_64 rng(42);
  std::vector<std::string> inserted;
  for (int i = 0; i < 100000; ++i) inserted.push_back(RandomPrefix(rng));
  DedupeBandFilter tiny(64);  // saturated: everything may be there
  DedupeBandFilter large(1 << 20);
  EXPECT_EQ(tiny.bytes(), 64u);
  EXPECT_EQ(large.bytes(), size_t{1} << 20);
  for (const std::string& p : inserted) {
    tiny.Insert(p);
    large.Insert(p);
  }
  for (const std::string& p : inserted) {
    ASSERT_TRUE(tiny.MayContain(p)) << p;
    ASSERT_TRUE(large.MayContain(p)) << p;
  }
  // 100,000 prefixes in 8 Mbit: about 0.06% false positives with two bits
  // per prefix; a weak hash or one bit per prefix gives far more.
  int false_positives = 0;
  std::mt19937_64 other(7);
  for (int i = 0; i < 100000; ++i) {
    const std::string p = RandomPrefix(other) + "!";  // never inserted
    false_positives += large.MayContain(p) ? 1 : 0;
  }
  EXPECT_LT(false_positives, 300);
  EXPECT_FALSE(DedupeBandFilter(3).MayContain("xs"));  // empty filter
}

std::vector<uint32_t> Signature(std::mt19937_64& rng) {
  std::vector<uint32_t> m(kDedupeMinHashSize);
  for (uint32_t& v : m) v = static_cast<uint32_t>(rng());
  return m;
}

// Every band prefix stored in `db` is held by its filter.
void ExpectFilterHoldsEveryBand(Db* db) {
  DedupeBandFilter* filter = db->dedupe_filter(
      [db](DedupeBandFilter* f) { return FillDedupeBandFilter(db, f); });
  ASSERT_NE(filter, nullptr);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(ro, db->cf(Cf::kIncidents)));
  int bands = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    const size_t n = DedupeBandPrefixLength(key);
    if (n == 0) continue;
    ++bands;
    ASSERT_TRUE(filter->MayContain(key.substr(0, n))) << key;
  }
  ASSERT_TRUE(it->status().ok());
  EXPECT_GT(bands, 0);
}

struct Stored {
  std::string id;
  uint64_t simhash;
  std::vector<uint32_t> minhash;
};

TEST(DedupeBandFilterTest, HoldsEveryStoredBandAndFindsDuplicatesAfterReopen) {
  testing::TempDir dir;
  DbOptions options;
  options.memory_bytes = kMinStoreMemory;  // the smallest filter: 1 MB
  std::mt19937_64 rng(1);
  std::vector<Stored> posts;
  auto add_posts = [&](Db* db, int from, int to) {
    DedupeIndex index(db);
    for (int i = from; i < to; ++i) {
      Stored s{"post" + std::to_string(i), rng() | 1, Signature(rng)};
      ASSERT_TRUE(index
                      .Add(s.id, s.id, "hash" + std::to_string(i), s.simhash,
                           1700000000 + i, s.minhash)
                      .ok());
      posts.push_back(std::move(s));
    }
  };
  // Finds each stored post from a near copy: its SimHash with 2 bits
  // flipped, and (SimHash far off) a signature sharing one band.
  auto expect_found = [&](Db* db) {
    DedupeIndex index(db);
    for (size_t i = 0; i < posts.size(); i += 37) {
      const Stored& s = posts[i];
      auto near = index.Find("q", "", s.simhash ^ 0x0000100000000001ULL);
      ASSERT_TRUE(near.ok()) << near.status().message();
      ASSERT_TRUE(near->has_value()) << s.id;
      EXPECT_EQ((*near)->original_id, s.id);
      EXPECT_EQ((*near)->distance, 2);
      std::vector<uint32_t> similar = s.minhash;
      for (size_t k = 0; k < similar.size(); ++k) {
        if (k % 5 == 4) similar[k] ^= 0x5a5a5a5a;  // 26 of 32 minima kept
      }
      auto by_minhash = index.Find("q", "", ~s.simhash, similar);
      ASSERT_TRUE(by_minhash.ok());
      ASSERT_TRUE(by_minhash->has_value()) << s.id;
      EXPECT_EQ((*by_minhash)->original_id, s.id);
    }
    // Unrelated fingerprints: nothing, and (the filter rejecting their
    // bands) no match invented.
    for (int i = 0; i < 50; ++i) {
      auto none = index.Find("q", "", 0, Signature(rng));
      ASSERT_TRUE(none.ok());
      EXPECT_FALSE(none->has_value());
    }
  };
  {
    auto db = Db::Open(dir.File("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().message();
    add_posts(db->get(), 0, 400);
    ExpectFilterHoldsEveryBand(db->get());
    expect_found(db->get());
  }
  {
    // Reopened: the filter is filled from the store (table files and the
    // write-ahead log), then learns what is added.
    auto db = Db::Open(dir.File("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().message();
    expect_found(db->get());
    ExpectFilterHoldsEveryBand(db->get());
    add_posts(db->get(), 400, 600);
    ASSERT_TRUE((*db)->Flush().ok());
    ExpectFilterHoldsEveryBand(db->get());
    expect_found(db->get());
    // Already filled: the function passed is not called again.
    DedupeBandFilter* filter = (*db)->dedupe_filter(
        [](DedupeBandFilter*) { return Internal("filled twice"); });
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(filter->bytes(), size_t{1} << 20);
  }
  {
    auto db = Db::Open(dir.File("db"), options);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ExpectFilterHoldsEveryBand(db->get());  // filled by this first call
    expect_found(db->get());
  }
}

}  // namespace dedupe_filter_test
}  // namespace shagym::store
