#include "store/evidence.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "store/dedupe_index.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace evidence_test {

class EvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(EvidenceTest, ContentAddressedAndCompressed) {
  EvidenceStore ev(db_.get());
  std::string page = "<html>";
  for (int i = 0; i < 2000; ++i) page += "<p>Мектептегі оқиға туралы</p>";
  auto id = ev.Put("https://t.me/s/x", 1715594400, page);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, EvidenceStore::IdOf(page));
  EXPECT_EQ(id->size(), 64u);
  // Stored again from elsewhere: same id, first URL and time kept.
  auto again = ev.Put("https://mirror/x", 1815594400, page);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id);
  auto got = ev.Get(*id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->bytes, page);
  EXPECT_EQ((*got)->url, "https://t.me/s/x");
  EXPECT_EQ((*got)->fetched_at, 1715594400);
  EXPECT_LT((*got)->stored_bytes, static_cast<int64_t>(page.size()) / 10);
  auto missing = ev.Get(EvidenceStore::IdOf("nope"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(EvidenceTest, SurvivesReopenAndDetectsCorruption) {
  std::string id;
  {
    EvidenceStore ev(db_.get());
    id = ev.Put("u", 1, "bytes").value();
  }
  db_.reset();
  db_ = Db::Open(dir_.path() + "/db").value();
  EvidenceStore ev(db_.get());
  EXPECT_EQ(ev.Get(id).value()->bytes, "bytes");
  ASSERT_TRUE(db_->raw()
                  ->Put(rocksdb::WriteOptions(), db_->cf(Cf::kEvidence), id,
                        "e1garbage")
                  .ok());
  auto bad = ev.Get(id);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find(id), std::string::npos);
}

// Pages stored before evidence moved to zstd ("e1": a zlib stream) still
// read back, and a zstd record that does not inflate is corruption.
TEST_F(EvidenceTest, ReadsZlibRecordsOfOlderStores) {
  const std::string page = "<p>Мектептегі оқиға туралы</p><p>Школа №12</p>";
  const std::string url = "https://old.example/p";
  std::string record = "e1";
  auto be = [&record](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      record.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
  };
  be(1700000000, 8);
  be(url.size(), 4);
  record += url;
  be(page.size(), 8);
  uLongf n = compressBound(static_cast<uLong>(page.size()));
  std::string z(n, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &n,
                      reinterpret_cast<const Bytef*>(page.data()),
                      static_cast<uLong>(page.size()), Z_BEST_SPEED),
            Z_OK);
  record.append(z.data(), n);
  const std::string id = EvidenceStore::IdOf(page);
  ASSERT_TRUE(
      db_->raw()
          ->Put(rocksdb::WriteOptions(), db_->cf(Cf::kEvidence), id, record)
          .ok());
  EvidenceStore ev(db_.get());
  auto got = ev.Get(id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->bytes, page);
  EXPECT_EQ((*got)->url, url);
  EXPECT_EQ((*got)->fetched_at, 1700000000);
  EXPECT_EQ(ev.LastSeen(id).value(), std::optional<int64_t>(1700000000));
  // Stored again: the old record stays, its id is returned.
  EXPECT_EQ(ev.Put("https://new.example/p", 1800000000, page).value(), id);
  EXPECT_EQ(ev.Get(id).value()->url, url);

  ASSERT_TRUE(db_->raw()
                  ->Put(rocksdb::WriteOptions(), db_->cf(Cf::kEvidence), id,
                        record.replace(0, 2, "e2"))
                  .ok());
  auto bad = ev.Get(id);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
}

// One compression context serves a thread's pages one after another (large,
// small, incompressible, one byte, from two threads): every record holds
// the same frame a fresh context makes, and reads back.
TEST_F(EvidenceTest, ReusedCompressionContextWritesTheSameFrames) {
  std::vector<std::string> pages;
  std::string big = "<html>";
  for (int i = 0; i < 3000; ++i)
    big += "<p>Мектеп " + std::to_string(i) + "</p>";
  pages.push_back(big);
  pages.push_back("<p>Школа №12</p>");
  std::mt19937 rng(7);
  std::string noise(20000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  pages.push_back(noise);
  pages.push_back("x");
  pages.push_back(big.substr(0, 5000));
  EvidenceStore ev(db_.get());
  auto put_all = [&](int offset) {
    for (size_t i = 0; i < pages.size(); ++i) {
      const std::string page = pages[i] + std::to_string(offset);
      ASSERT_TRUE(
          ev.Put("https://e.example/" + std::to_string(i), 1, page).ok());
    }
  };
  put_all(0);
  std::thread other([&] { put_all(1); });
  other.join();
  for (int offset : {0, 1}) {
    for (size_t i = 0; i < pages.size(); ++i) {
      const std::string page = pages[i] + std::to_string(offset);
      const std::string id = EvidenceStore::IdOf(page);
      auto got = ev.Get(id);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ((*got)->bytes, page);
      std::string record;
      ASSERT_TRUE(
          db_->raw()
              ->Get(rocksdb::ReadOptions(), db_->cf(Cf::kEvidence), id, &record)
              .ok());
      std::string frame(ZSTD_compressBound(page.size()), '\0');
      frame.resize(ZSTD_compress(frame.data(), frame.size(), page.data(),
                                 page.size(), 1));
      const std::string url = "https://e.example/" + std::to_string(i);
      EXPECT_EQ(record.substr(2 + 8 + 4 + url.size() + 8), frame) << i;
    }
  }
}

TEST_F(EvidenceTest, DedupeIndexFindsExactAndNear) {
  DedupeIndex index(db_.get(), 3);
  const uint64_t a = 0x0123456789abcdefULL;
  ASSERT_TRUE(index.Add("A", "A", "hashA", a, 100).ok());
  // Exact content hash.
  auto exact = index.Find("B", "hashA", 0);
  ASSERT_TRUE(exact.ok());
  ASSERT_TRUE(exact->has_value());
  EXPECT_EQ((*exact)->original_id, "A");
  EXPECT_EQ((*exact)->distance, 0);
  // Three bits off in different bands: still found.
  const uint64_t near = a ^ (1ULL << 1) ^ (1ULL << 20) ^ (1ULL << 40);
  auto found = index.Find("B", "other", near);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->original_id, "A");
  EXPECT_EQ((*found)->distance, 3);
  // Four bits off: not a near-duplicate.
  auto far = index.Find("B", "other", near ^ (1ULL << 60));
  ASSERT_TRUE(far.ok());
  EXPECT_FALSE(far->has_value());
  // A post never matches itself.
  auto self = index.Find("A", "hashA", a);
  ASSERT_TRUE(self.ok());
  EXPECT_FALSE(self->has_value());
  // A repost of a repost points at the first original.
  ASSERT_TRUE(index.Add("B", "A", "hashB", near, 200).ok());
  auto chain = index.Find("C", "hashB", 0);
  ASSERT_TRUE(chain.ok() && chain->has_value());
  EXPECT_EQ((*chain)->original_id, "A");
}

}  // namespace evidence_test
}  // namespace shagym::store
