// Byte-for-byte stability of what leaves the store: export files (CSV and
// JSON Lines, every filter), post pages and single posts of a fixed,
// deliberately awkward data set. The digests were first taken from the store
// before its post records moved into the time index (schema 3), which left
// them unchanged; they were taken again when reposts stored before their
// original started to relink to the story's earliest post (duplicate_of of
// those reposts changed, as intended). Any other change to the bytes users
// and scripts receive shows up here.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "store/codec.h"
#include "store/evidence.h"
#include "store/export.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "tests/store/store_test_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace export_golden_test {

using testutil::ExportToString;
using testutil::FixedClock;
using testutil::MakePost;
using testutil::MaskDigits;
using testutil::T;

const char* const kCats[] = {"bullying", "food", "violence", "exams"};
const char* const kRegions[] = {"jambyl", "almaty", "astana", ""};
const char* const kTexts[] = {"Звоните 87011234567, \"срочно\",\nшкола №12",
                              "plain text",
                              "comma, and \"quotes\" and\r\nCRLF",
                              "Мектепте балаларды ұрады, 12-мектеп",
                              "<script>alert(1)</script> e-mail a@b.kz",
                              ""};

// 300 posts over 40 days in a shuffled ingest order, with ties in time,
// reposts, re-ingests that move a post in time or change its labels, and
// reviews.
std::vector<Post> Fixture() {
  std::mt19937 rng(7);
  std::vector<Post> posts;
  const int64_t t0 = T("2024-05-01T00:00:00Z");
  for (int i = 0; i < 300; ++i) {
    std::vector<std::string> cats;
    if (rng() % 3 != 0) cats.push_back(kCats[rng() % 4]);
    if (rng() % 5 == 0) cats.push_back(kCats[rng() % 4]);
    std::sort(cats.begin(), cats.end());
    cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
    // Every third post shares its second with another one.
    // One draw per statement: the order in which a compiler evaluates
    // operands and arguments is unspecified, and the data must not depend on
    // it.
    const int64_t hour = static_cast<int64_t>(rng() % (40 * 24));
    const int64_t second = i % 3 == 0 ? 0 : static_cast<int64_t>(rng() % 3600);
    const int64_t t = t0 + hour * 3600 + second;
    const std::string source = "src_" + std::to_string(rng() % 3);
    const char* const region = kRegions[rng() % 4];
    Post p = MakePost("p" + std::to_string(i), t, cats, region, source);
    p.text = std::string(kTexts[rng() % 6]) + " #" + std::to_string(i);
    p.labels.lang = rng() % 2 ? "ru" : "kk";
    if (!cats.empty()) p.labels.school_number = std::to_string(rng() % 20);
    if (rng() % 4 == 0) p.published_at = 0;  // filed under fetched_at
    if (i > 10 && rng() % 5 == 0) {
      p.duplicate_of = "p" + std::to_string(rng() % i);
    }
    posts.push_back(std::move(p));
  }
  std::shuffle(posts.begin(), posts.end(), rng);
  return posts;
}

std::string Digest(const std::string& s) { return EvidenceStore::IdOf(s); }

class ExportGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.now_ms = T("2024-06-15T00:00:00Z") * 1000;
    StoreOptions o;
    o.data_dir = dir_.path();
    auto s = Store::Open(o, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    std::vector<Post> posts = Fixture();
    for (size_t i = 0; i < posts.size(); i += 7) {
      std::span<const Post> batch(posts.data() + i,
                                  std::min<size_t>(7, posts.size() - i));
      auto r = store_->IngestBatch(batch);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    // Re-ingests: moved in time, relabelled, and one unchanged.
    for (int i = 0; i < 300; i += 17) {
      auto p = store_->GetPost("p" + std::to_string(i));
      ASSERT_TRUE(p.ok() && p->has_value());
      Post q = **p;
      q.duplicate_of.clear();
      q.incident_id.clear();
      if (i % 2 == 0) q.published_at += 86400 * 3;
      if (i % 3 == 0) q.labels.categories = {"violence"};
      ASSERT_TRUE(store_->Ingest(q).ok());
    }
    const char* const statuses[] = {"confirmed", "false_positive", "escalated",
                                    "resolved"};
    for (int i = 0; i < 300; i += 11) {
      clock_.now_ms += 1000;
      ASSERT_TRUE(store_
                      ->SetReview("p" + std::to_string(i), statuses[i % 4],
                                  "ann", "note")
                      .ok());
    }
  }

  std::string Export(const PostQuery& q, ExportOptions o) {
    std::string out;
    auto r = ExportToString(*store_, q, o, &out);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return out;
  }

  FixedClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ExportGoldenTest, ExportsAreByteIdentical) {
  ExportOptions csv;
  csv.format = ExportFormat::kCsv;
  csv.bom = true;
  csv.mask = MaskDigits;
  ExportOptions jsonl;
  jsonl.mask = MaskDigits;
  ExportOptions raw_csv = csv;
  raw_csv.mask_personal_data = false;
  raw_csv.bom = false;
  PostQuery all;
  PostQuery may;
  may.from = T("2024-05-10T00:00:00Z");
  may.to = T("2024-05-25T00:00:00Z");
  PostQuery food = may;
  food.category = "food";
  PostQuery any;
  any.category = "*";
  any.originals_only = true;
  PostQuery region;
  region.region = "almaty";
  region.lang = "kk";
  PostQuery source;
  source.source = "src_1";
  source.review = "new";
  PostQuery reviewed;
  reviewed.review = "confirmed";
  struct Case {
    const char* name;
    PostQuery q;
    ExportOptions o;
    const char* digest;
  } cases[] = {
      {"csv all", all, csv,
       "3198cbee8ffb5639dc2a442e212335ce0a757c7bd09c3ea1e818717c129db652"},
      {"raw csv all", all, raw_csv,
       "634ed675b35a433276a452c845f05436832f515f69530f755477046197c56dba"},
      {"jsonl all", all, jsonl,
       "ac7623e953148f3af2593c782b568206335564362f042e864794f9fa15d3aa21"},
      {"csv range", may, csv,
       "cf923e005af3a93eee5cc45fc40e03683832d966faec2209f35864bd7d0cebaf"},
      {"jsonl food", food, jsonl,
       "eebd17b06e563ea14db588f99b981433606304e742bb5c593839d167f7ce708e"},
      {"jsonl any originals", any, jsonl,
       "ae47b5c5b8354e25d17f33514ad930d438646fbdd66efa273ab0b5ad9cbeaf92"},
      {"csv region lang", region, csv,
       "d9bc5f8dc90214ecd6455e7a2150b84466d3b8a50b66559b957e9434169c10b7"},
      {"jsonl source review", source, jsonl,
       "778348d8de99f7f67891eca809a96e1553a50343f1d62d801114b42d611c3b32"},
      {"jsonl confirmed", reviewed, jsonl,
       "a82c0ab6c4175a5282cfe2a8f9f209cdf77840bf4f54465982551b0debaa7cb4"},
  };
  for (const Case& c : cases) {
    std::string out = Export(c.q, c.o);
    EXPECT_GT(out.size(), 200u) << c.name;
    EXPECT_EQ(Digest(out), c.digest) << c.name;
  }
}

TEST_F(ExportGoldenTest, PagesAndPostsAreIdentical) {
  // Every page of a filtered and an unfiltered listing, cursors included.
  for (const char* category : {"", "bullying"}) {
    PostQuery q;
    q.category = category;
    q.limit = 13;
    std::string listing;
    for (int page = 0; page < 100; ++page) {
      auto r = store_->QueryPosts(q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const Post& p : r->posts) listing += PostToJsonLine(p) + "\n";
      listing += "cursor " + r->next_cursor + "\n";
      if (r->next_cursor.empty()) break;
      q.cursor = r->next_cursor;
    }
    EXPECT_EQ(
        Digest(listing),
        category[0]
            ? "271e24dc81b5bfeb0a9daa92ddfd815e8ab15b308435f2e17418b6b69d015e31"
            : "10f2a25756e7337a5dd010c16fdd65f858020713f86364cdbdbeaa21b2dffcd"
              "2")
        << "category '" << category << "'";
  }
  std::string all;
  for (int i = 0; i < 300; ++i) {
    auto p = store_->GetPost("p" + std::to_string(i));
    ASSERT_TRUE(p.ok() && p->has_value());
    all += PostToJsonLine(**p) + "\n";
  }
  EXPECT_EQ(Digest(all),
            "3061a530f3d41934b36baa3e80948be6510a9b77bd8509354381d3611a7df7b8");
  auto n = store_->CountPosts(PostQuery());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 300);
}

// A store written by schema 2 (post records keyed by id, summaries in the
// time index) is migrated on open and reads exactly the same.
TEST_F(ExportGoldenTest, Schema2StoreIsMigratedAndReadsTheSame) {
  testing::TempDir old_dir;
  {
    auto db = Db::Open(old_dir.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    rocksdb::DB* raw = (*db)->raw();
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < static_cast<size_t>(Cf::kCount); ++i) {
      const Cf cf = static_cast<Cf>(i);
      std::unique_ptr<rocksdb::Iterator> it(store_->db()->raw()->NewIterator(
          rocksdb::ReadOptions(), store_->db()->cf(cf)));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (cf == Cf::kPosts) continue;
        if (cf == Cf::kTimeIndex) {
          std::string_view summary, record;
          ASSERT_TRUE(codec::SplitIndexValue(it->value().ToStringView(),
                                             &summary, &record));
          Post p;
          ASSERT_TRUE(codec::DecodePost(record, &p));
          batch.Put((*db)->cf(Cf::kPosts), p.id, record);
          batch.Put((*db)->cf(cf), it->key(), summary);
        } else if (cf == Cf::kMeta &&
                   it->key().ToStringView() == "schema_version") {
          batch.Put((*db)->cf(cf), it->key(), "2");
        } else {
          batch.Put((*db)->cf(cf), it->key(), it->value());
        }
      }
    }
    ASSERT_TRUE(raw->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  auto want = Export(
      PostQuery(), ExportOptions{ExportFormat::kJsonl, false, false, nullptr});
  StoreOptions o;
  o.data_dir = old_dir.path();
  store_.reset();
  auto migrated = Store::Open(o, &clock_);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  store_ = std::move(migrated).value();
  EXPECT_EQ(Export(PostQuery(),
                   ExportOptions{ExportFormat::kJsonl, false, false, nullptr}),
            want);
  auto check = store_->Check();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok()) << (check->problems.empty() ? ""
                                                       : check->problems[0]);
  EXPECT_EQ(check->posts, 300);
  auto p = store_->GetPost("p17");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->id, "p17");
  std::string version;
  ASSERT_TRUE(store_->db()
                  ->raw()
                  ->Get(rocksdb::ReadOptions(), store_->db()->cf(Cf::kMeta),
                        "schema_version", &version)
                  .ok());
  EXPECT_EQ(version, std::to_string(Store::kSchemaVersion));
}

}  // namespace export_golden_test
}  // namespace shagym::store
