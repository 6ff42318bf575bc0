#include "store/db.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace db_test {

TEST(DbTest, OpensWithEveryColumnFamilyAndReopens) {
  testing::TempDir dir;
  {
    auto db = Db::Open(dir.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().message();
    for (size_t i = 0; i < static_cast<size_t>(Cf::kCount); ++i) {
      ASSERT_NE((*db)->cf(static_cast<Cf>(i)), nullptr) << i;
      EXPECT_EQ((*db)->cf(static_cast<Cf>(i))->GetName(),
                std::string(CfName(static_cast<Cf>(i))));
    }
    ASSERT_TRUE(
        (*db)
            ->raw()
            ->Put(rocksdb::WriteOptions(), (*db)->cf(Cf::kMeta), "k", "v")
            .ok());
  }
  auto db = Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  std::string v;
  ASSERT_TRUE((*db)
                  ->raw()
                  ->Get(rocksdb::ReadOptions(), (*db)->cf(Cf::kMeta), "k", &v)
                  .ok());
  EXPECT_EQ(v, "v");
}

TEST(DbTest, TrendCountersAddThroughMerge) {
  testing::TempDir dir;
  auto db = Db::Open(dir.path());
  ASSERT_TRUE(db.ok());
  auto enc = [](int64_t x) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
      s[i] = static_cast<char>(static_cast<uint64_t>(x) >> (8 * i));
    return s;
  };
  for (int64_t d : {5, -2, 10}) {
    ASSERT_TRUE((*db)
                    ->raw()
                    ->Merge(rocksdb::WriteOptions(), (*db)->cf(Cf::kTrends),
                            "c", enc(d))
                    .ok());
  }
  std::string v;
  ASSERT_TRUE((*db)
                  ->raw()
                  ->Get(rocksdb::ReadOptions(), (*db)->cf(Cf::kTrends), "c", &v)
                  .ok());
  EXPECT_EQ(v, enc(13));
}

TEST(DbTest, UnopenableDirIsAnErrorNamingIt) {
  testing::TempDir dir;
  std::string file = dir.Write("not-a-dir", "x");
  auto db = Db::Open(file + "/db");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find(file + "/db"), std::string::npos)
      << db.status().message();
}

}  // namespace db_test
}  // namespace shagym::store

namespace shagym::store {
namespace db_test {

std::string Vec(std::initializer_list<int64_t> xs) {
  std::string s;
  for (int64_t x : xs) {
    for (int i = 0; i < 8; ++i) {
      s.push_back(static_cast<char>(static_cast<uint64_t>(x) >> (8 * i)));
    }
  }
  return s;
}

TEST(DbTest, SlottedOperandsAddIntoTheirSlotOfADenseVector) {
  testing::TempDir dir;
  auto db = Db::Open(dir.path());
  ASSERT_TRUE(db.ok());
  auto merge = [&](const std::string& v) {
    ASSERT_TRUE(
        (*db)
            ->raw()
            ->Merge(rocksdb::WriteOptions(), (*db)->cf(Cf::kTrends), "m", v)
            .ok());
  };
  std::string slot2(1, static_cast<char>(kSlottedCounterTag));
  slot2.push_back(2);
  slot2 += Vec({5, 1});
  merge(slot2);
  merge(Vec({1, 1}));  // plain: slot 0
  merge(slot2);
  merge("junk");  // malformed: ignored
  ASSERT_TRUE((*db)->Flush().ok());
  std::string slot0(1, static_cast<char>(kSlottedCounterTag));
  slot0.push_back(0);
  slot0 += Vec({-1, 0});
  merge(slot0);
  std::string v;
  ASSERT_TRUE((*db)
                  ->raw()
                  ->Get(rocksdb::ReadOptions(), (*db)->cf(Cf::kTrends), "m", &v)
                  .ok());
  EXPECT_EQ(v, Vec({0, 1, 0, 0, 10, 2}));
}

}  // namespace db_test
}  // namespace shagym::store
