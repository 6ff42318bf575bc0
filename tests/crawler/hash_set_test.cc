#include "crawler/hash_set.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>
#include <vector>

namespace shagym::crawler {
namespace hash_set_test {

TEST(HashSet64Test, InsertContainsEraseIncludingZero) {
  HashSet64 s;
  EXPECT_FALSE(s.contains(0));
  EXPECT_FALSE(s.erase(7));
  EXPECT_TRUE(s.insert(0));
  EXPECT_FALSE(s.insert(0));
  EXPECT_TRUE(s.insert(7));
  EXPECT_TRUE(s.insert(~uint64_t{0}));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.contains(0));
  EXPECT_TRUE(s.contains(7));
  EXPECT_TRUE(s.contains(~uint64_t{0}));
  EXPECT_FALSE(s.contains(8));
  EXPECT_TRUE(s.erase(0));
  EXPECT_FALSE(s.contains(0));
  EXPECT_FALSE(s.erase(0));
  EXPECT_TRUE(s.erase(7));
  EXPECT_EQ(s.size(), 1u);
}

// Random inserts and erases against std::unordered_set, with keys drawn
// from a small pool (many repeats, erases of present and absent keys) and
// keys that differ only in their low bits or only in their high bits
// (long probe runs that erase has to close up).
TEST(HashSet64Test, AgreesWithUnorderedSet) {
  for (int pool_kind = 0; pool_kind < 3; ++pool_kind) {
    std::mt19937_64 rng(11 + pool_kind);
    std::vector<uint64_t> pool;
    for (uint64_t i = 0; i < 3000; ++i) {
      pool.push_back(pool_kind == 0 ? rng() : pool_kind == 1 ? i : i << 52);
    }
    HashSet64 s;
    std::unordered_set<uint64_t> ref;
    for (int step = 0; step < 200000; ++step) {
      const uint64_t key = pool[rng() % pool.size()];
      switch (rng() % 3) {
        case 0:
        case 1:
          ASSERT_EQ(s.insert(key), ref.insert(key).second) << step;
          break;
        default:
          ASSERT_EQ(s.erase(key), ref.erase(key) > 0) << step;
      }
      ASSERT_EQ(s.size(), ref.size());
      if (step % 5000 == 0) {
        for (uint64_t k : pool) {
          ASSERT_EQ(s.contains(k), ref.count(k) > 0) << step << " " << k;
        }
      }
    }
    for (uint64_t k : pool) ASSERT_EQ(s.contains(k), ref.count(k) > 0);
  }
}

// A million URL hashes in at most 21 bytes each (a node-based set takes
// about 40).
TEST(HashSet64Test, MillionKeysInAFlatTable) {
  HashSet64 s;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000000; ++i) s.insert(rng());
  EXPECT_EQ(s.size(), 1000000u);
  EXPECT_LE(s.bytes(), 1000000u * 22);
}

}  // namespace hash_set_test
}  // namespace shagym::crawler
