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
namespace {

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

}  // namespace
}  // namespace shagym::store
