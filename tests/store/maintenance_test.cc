// Spikes, retention, backup/restore and schema versions on a real store.

#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "tests/store/store_test_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace {

using testutil::FixedClock;
using testutil::MakePost;
using testutil::T;

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    StoreOptions o;
    o.data_dir = dir_.path() + "/data";
    o.retention_days = retention_days_;
    auto s = Store::Open(o, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  // `n` posts of (category, region) from `source` on `day`.
  void Posts(int64_t day, int n, const std::string& category,
             const std::string& region, const std::string& source,
             const std::string& school = "") {
    std::vector<Post> batch;
    for (int i = 0; i < n; ++i) {
      Post p = MakePost(source + "-" + std::to_string(day) + "-" + category +
                            region + std::to_string(i),
                        day * 86400 + 3600 + i, {category}, region, source);
      p.text = "буллинг в школе";
      p.labels.matches[0].end = 14;  // "буллинг"
      p.labels.school_number = school;
      batch.push_back(p);
    }
    ASSERT_TRUE(store_->IngestBatch(batch).ok());
  }
  void ExpectConsistent() {
    auto c = store_->Check();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    std::string problems;
    for (const auto& p : c->problems) problems += p + "\n";
    EXPECT_TRUE(c->ok()) << problems;
  }

  testing::TempDir dir_;
  FixedClock clock_;
  int retention_days_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_F(MaintenanceTest, SpikeIsFlaggedWithItsTermsSourcesAndSchools) {
  const int64_t d0 = T("2024-04-01") / 86400;
  for (int64_t d = d0; d < d0 + 28; ++d) {
    Posts(d, 2, "bullying", "jambyl", "tg_a");
    Posts(d, 3, "food", "almaty", "tg_b");
  }
  const int64_t spike_day = d0 + 28;
  Posts(spike_day, 2, "bullying", "jambyl", "tg_a");
  Posts(spike_day, 12, "bullying", "jambyl", "tg_c", "12");
  Posts(spike_day, 3, "food", "almaty", "tg_b");
  SpikeQuery q;
  q.from = (d0 + 20) * 86400;
  q.to = (spike_day + 1) * 86400;
  auto s = store_->Spikes(q);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 1u);
  const Spike& spike = (*s)[0];
  EXPECT_EQ(spike.date, "2024-04-29");
  EXPECT_EQ(spike.category, "bullying");
  EXPECT_EQ(spike.region, "jambyl");
  EXPECT_EQ(spike.incidents, 14);
  EXPECT_NEAR(spike.expected, 2.0, 0.5);
  EXPECT_LT(spike.p_value, 1e-4);
  ASSERT_FALSE(spike.terms.empty());
  EXPECT_EQ(spike.terms[0], (std::pair<std::string, int64_t>("буллинг", 14)));
  ASSERT_EQ(spike.sources.size(), 2u);
  EXPECT_EQ(spike.sources[0], (std::pair<std::string, int64_t>("tg_c", 12)));
  ASSERT_EQ(spike.schools.size(), 1u);
  EXPECT_EQ(spike.schools[0], (std::pair<std::string, int64_t>("12", 12)));
  // Below the minimum count nothing is flagged.
  q.min_count = 20;
  s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST_F(MaintenanceTest, SourceOutageLowersTheExpectation) {
  const int64_t d0 = T("2024-04-01") / 86400;
  for (int64_t d = d0; d < d0 + 28; ++d) {
    Posts(d, 4, "food", "almaty", "tg_a");
    Posts(d, 4, "food", "almaty", "tg_b");
  }
  const int64_t day = d0 + 28;
  Posts(day, 14, "food", "almaty", "tg_a");
  SpikeQuery q;
  q.from = day * 86400;
  q.to = (day + 1) * 86400;
  auto s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty()) << "14 against a baseline of 8 is no spike";
  // tg_b failed that day: only half of the usual coverage.
  for (int i = 0; i < 3; ++i) {
    FetchOutcome bad;
    bad.source = "tg_b";
    bad.at = day * 86400 + 100 * i;
    bad.http_status = 503;
    ASSERT_TRUE(store_->RecordFetch(bad).ok());
  }
  s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_NEAR((*s)[0].coverage, 0.5, 0.01);
  EXPECT_NEAR((*s)[0].expected, 4.0, 0.5);
  EXPECT_FALSE(store_->Spikes(SpikeQuery()).ok());  // empty range
}

TEST_F(MaintenanceTest, RetentionRemovesOldPostsAndKeepsCounters) {
  retention_days_ = 30;
  Open();
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  Post old_post = MakePost("old", now - 40 * 86400, {"food"}, "almaty");
  Post new_post = MakePost("new", now - 10 * 86400, {"food"}, "almaty");
  ASSERT_TRUE(store_->Ingest(old_post).ok());
  ASSERT_TRUE(store_->Ingest(new_post).ok());
  ASSERT_TRUE(store_->SetReview("old", "confirmed", "ann", "").ok());
  auto r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->posts_removed, 1);
  EXPECT_EQ(r->cutoff, now - 30 * 86400);
  EXPECT_FALSE(store_->GetPost("old")->has_value());
  EXPECT_TRUE(store_->GetPost("new")->has_value());
  EXPECT_TRUE(store_->ReviewHistory("old")->empty());
  EXPECT_EQ(store_->CountPosts(PostQuery()).value(), 1);
  TrendQuery q;
  q.from = now - 60 * 86400;
  q.to = now;
  EXPECT_EQ(store_->Trends(q)->totals[0].volume, 2);  // counters stay
  auto rules = store_->RuleStatistics();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].hits, 1);
  EXPECT_EQ((*rules)[0].confirmed, 0);
  ExpectConsistent();
  EXPECT_EQ(store_->ApplyRetention()->posts_removed, 0);
}

TEST_F(MaintenanceTest, BackupRestoresTheStoreAsItWas) {
  ASSERT_TRUE(
      store_->Ingest(MakePost("a", T("2024-05-13"), {"food"}, "almaty")).ok());
  testing::TempDir out;
  const std::string backup = out.path() + "/b1";
  ASSERT_TRUE(store_->Backup(backup).ok());
  EXPECT_EQ(store_->Backup(backup).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      store_->Ingest(MakePost("b", T("2024-05-14"), {"food"}, "almaty")).ok());
  // Restoring over an open store is refused.
  EXPECT_FALSE(Store::Restore(backup, dir_.path() + "/data").ok());
  store_.reset();
  Status st = Store::Restore(backup, dir_.path() + "/data");
  ASSERT_TRUE(st.ok()) << st.ToString();
  Open();
  EXPECT_TRUE(store_->GetPost("a")->has_value());
  EXPECT_FALSE(store_->GetPost("b")->has_value());
  ExpectConsistent();
  bool aside = false;
  for (const auto& e :
       std::filesystem::directory_iterator(dir_.path() + "/data")) {
    if (e.path().filename().string().rfind("db.before-restore-", 0) == 0) {
      aside = true;
    }
  }
  EXPECT_TRUE(aside);
  st = Store::Restore(out.path() + "/nothing", dir_.path() + "/data");
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("nothing"), std::string::npos);
}

TEST_F(MaintenanceTest, NewerSchemaIsRefusedWithAClearError) {
  Db* db = store_->db();
  ASSERT_TRUE(db->raw()
                  ->Put(rocksdb::WriteOptions(), db->cf(Cf::kMeta),
                        "schema_version", "99")
                  .ok());
  store_.reset();
  StoreOptions o;
  o.data_dir = dir_.path() + "/data";
  auto s = Store::Open(o, &clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("schema version 99"), std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace shagym::store
