// The dedupe index's band keys and the prefix extractor of their family
// (store/db.cc): the extractor's prefix must be exactly what Find seeks,
// or the prefix Bloom filters would answer "absent" for a present band.

#include "store/dedupe_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/db.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace dedupe_index_test {

TEST(DedupeIndexTest, BandPrefixesEndWhereThePostIdStarts) {
  testing::TempDir dir;
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  DedupeIndex index(db->get());
  std::vector<uint32_t> minhash(kDedupeMinHashSize);
  for (size_t i = 0; i < minhash.size(); ++i) {
    minhash[i] = static_cast<uint32_t>(0x01020304u * (i + 1));
  }
  const std::string id = "post-id";
  ASSERT_TRUE(
      index.Add(id, id, "hash", 0x1234567890abcdefULL, 1700000000, minhash)
          .ok());
  // Every band key is prefix + id; other keys are outside the domain.
  int sim = 0, min = 0, other = 0;
  std::unique_ptr<rocksdb::Iterator> it((*db)->raw()->NewIterator(
      rocksdb::ReadOptions(), (*db)->cf(Cf::kIncidents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    const size_t n = DedupeBandPrefixLength(key);
    if (key.rfind("xs", 0) == 0 || key.rfind("xb", 0) == 0) {
      ASSERT_GT(n, 0u) << key;
      EXPECT_EQ(key.substr(n), id) << key;
      (key[1] == 's' ? sim : min)++;
    } else {
      EXPECT_EQ(n, 0u) << key;
      ++other;
    }
  }
  EXPECT_EQ(sim, 4);
  EXPECT_EQ(min, static_cast<int>(kDedupeMinHashSize / 2));
  EXPECT_GT(other, 0);
  EXPECT_EQ(DedupeBandPrefixLength("xs"), 0u);  // shorter than a prefix
}

// Many MinHash candidates (read with one MultiGet): the most similar wins,
// ties go to the earliest, the post itself and candidates under the
// threshold never match.
TEST(DedupeIndexTest, MostSimilarOfManyMinHashCandidatesWins) {
  testing::TempDir dir;
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  DedupeIndex index(db->get(), 3, 0.4);
  std::vector<uint32_t> query(kDedupeMinHashSize);
  for (size_t i = 0; i < query.size(); ++i) {
    query[i] = static_cast<uint32_t>(1000 + i);
  }
  // Post i agrees with the query on the last band (so it is a candidate)
  // and on its first `same[i]` minima.
  const std::vector<int> same = {4, 20, 9, 26, 11, 26, 3, 17, 0, 22,
                                 8, 15, 1, 19, 6,  13, 2, 24, 5, 10};
  for (size_t i = 0; i < same.size(); ++i) {
    std::vector<uint32_t> m(kDedupeMinHashSize);
    for (size_t k = 0; k < m.size(); ++k) {
      const bool agree = static_cast<int>(k) < same[i] || k + 2 >= m.size();
      m[k] = agree ? query[k] : static_cast<uint32_t>(50000 + 100 * i + k);
    }
    const std::string id = "p" + std::to_string(100 + i);
    // Post 5 (26 agreeing, like post 3) is older than post 3.
    const int64_t time = i == 5 ? 1600000000 : 1700000000 + i;
    ASSERT_TRUE(index.Add(id, id, "", 0, time, m).ok());
  }
  // The post itself, identical to the query, is ignored.
  ASSERT_TRUE(index.Add("self", "self", "", 0, 1500000000, query).ok());
  auto found = index.Find("self", "", 0, query);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->original_id, "p105");
  EXPECT_DOUBLE_EQ((*found)->similarity, 28.0 / 32);
  // Under the threshold: nothing.
  DedupeIndex strict(db->get(), 3, 0.9);
  auto none = strict.Find("self", "", 0, query);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

std::vector<std::string> IncidentKeys(Db* db) {
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kIncidents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(it->key().ToString());
  }
  return keys;
}

// Forgets a post as retention does (no other post keeps its keys alive).
void ForgetPost(DedupeIndex& index, Db* db, const std::string& id) {
  Post post;
  post.id = id;
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(index
                  .Forget(
                      post, [](const std::string&) { return false; }, &batch)
                  .ok());
  ASSERT_TRUE(db->raw()->Write(rocksdb::WriteOptions(), &batch).ok());
}

std::vector<uint32_t> Signature(uint32_t seed) {
  std::vector<uint32_t> m(kDedupeMinHashSize);
  for (size_t i = 0; i < m.size(); ++i) {
    m[i] = static_cast<uint32_t>(seed * 7919u + i);
  }
  return m;
}

// Recording an id again with new fingerprints (an edited post) leaves only
// the new ones; forgetting it leaves nothing. The reverse entry names the
// SimHash and the signature rather than every key.
TEST(DedupeIndexTest, EditedPostReplacesItsFingerprintsAndForgetRemovesAll) {
  testing::TempDir dir;
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  DedupeIndex index(db->get());
  const uint64_t first = 0x1111222233334444ULL, second = 0x5555666677778888ULL;
  ASSERT_TRUE(index.Add("e", "e", "", first, 1700000000, Signature(1)).ok());
  const size_t one_post = IncidentKeys(db->get()).size();
  EXPECT_EQ(one_post, 4 + 1 + kDedupeMinHashSize / 2 + 1);
  std::string reverse;
  ASSERT_TRUE((*db)
                  ->raw()
                  ->Get(rocksdb::ReadOptions(), (*db)->cf(Cf::kIncidents),
                        "xpe", &reverse)
                  .ok());
  EXPECT_EQ(reverse.size(), 10u);
  ASSERT_TRUE(index.Add("e", "e", "", second, 1700000001, Signature(2)).ok());
  EXPECT_EQ(IncidentKeys(db->get()).size(), one_post);
  EXPECT_FALSE(index.Find("x", "", first, Signature(1)).value().has_value());
  EXPECT_EQ(index.Find("x", "", second).value()->original_id, "e");
  EXPECT_EQ(index.Find("x", "", 0, Signature(2)).value()->original_id, "e");
  // SimHash only: the signature record and its bands go as well.
  ASSERT_TRUE(index.Add("e", "e", "", first, 1700000002).ok());
  EXPECT_EQ(IncidentKeys(db->get()).size(), 4u + 1);
  EXPECT_EQ(index.Find("x", "", first).value()->original_id, "e");
  ForgetPost(index, db->get(), "e");
  EXPECT_TRUE(IncidentKeys(db->get()).empty());
}

// Stores written before the compact reverse entry list every key in it:
// Add and Forget still find them all.
TEST(DedupeIndexTest, ReverseEntriesListingEveryKeyAreStillRead) {
  testing::TempDir dir;
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  DedupeIndex index(db->get());
  rocksdb::ColumnFamilyHandle* cf = (*db)->cf(Cf::kIncidents);
  auto rewrite_reverse_as_before = [&](const std::string& id) {
    std::string listing;
    for (const std::string& k : IncidentKeys(db->get())) {
      if (k.rfind("xp", 0) == 0 || k.rfind("xh", 0) == 0) continue;
      listing.push_back(static_cast<char>(k.size() >> 8));
      listing.push_back(static_cast<char>(k.size() & 0xff));
      listing += k;
    }
    ASSERT_TRUE((*db)
                    ->raw()
                    ->Put(rocksdb::WriteOptions(), cf, "xp" + id, listing)
                    .ok());
  };
  const uint64_t first = 0x0123456789abcdefULL, second = 0x0fedcba987654321ULL;
  ASSERT_TRUE(index.Add("o", "o", "", first, 1700000000, Signature(3)).ok());
  const size_t one_post = IncidentKeys(db->get()).size();
  rewrite_reverse_as_before("o");
  ASSERT_TRUE(index.Add("o", "o", "", second, 1700000001, Signature(4)).ok());
  EXPECT_EQ(IncidentKeys(db->get()).size(), one_post);
  EXPECT_FALSE(index.Find("x", "", first, Signature(3)).value().has_value());
  rewrite_reverse_as_before("o");
  ForgetPost(index, db->get(), "o");
  EXPECT_TRUE(IncidentKeys(db->get()).empty());
}

}  // namespace dedupe_index_test
}  // namespace shagym::store
