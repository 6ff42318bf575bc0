// Spikes, retention, backup/restore and schema versions on a real store.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "tests/store/store_test_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace maintenance_test {

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

TEST_F(MaintenanceTest, WeeklyRhythmIsNotASpikeButAJumpIs) {
  // Six weeks where Mondays always bring four times the complaints of the
  // other days (the school week starts), starting on a Monday.
  const int64_t d0 = T("2024-04-01") / 86400;  // a Monday
  for (int64_t d = d0; d < d0 + 42; ++d) {
    const bool monday = (d - d0) % 7 == 0;
    Posts(d, monday ? 12 : 3, "bullying", "jambyl", "tg_a");
  }
  const int64_t monday = d0 + 42, tuesday = d0 + 43, wednesday = d0 + 44;
  Posts(monday, 13, "bullying", "jambyl", "tg_a");     // an ordinary Monday
  Posts(tuesday, 3, "bullying", "jambyl", "tg_a");     // an ordinary Tuesday
  Posts(wednesday, 13, "bullying", "jambyl", "tg_a");  // a real jump
  SpikeQuery q;
  q.from = monday * 86400;
  q.to = (wednesday + 1) * 86400;
  auto s = store_->Spikes(q);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].date, FormatDateUtc(wednesday * 86400));
  EXPECT_EQ((*s)[0].incidents, 13);
  // The same 13 on the Monday is what Mondays look like: not flagged even
  // when tested alone.
  q.to = (monday + 1) * 86400;
  s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty()) << (*s)[0].date << " expected " << (*s)[0].expected;
}

TEST_F(MaintenanceTest, WeeklyRhythmIsPerCategory) {
  // School complaints come on school days, camp complaints at weekends. A
  // camp Saturday is ordinary; a camp Wednesday like it is a jump. One
  // weekly rhythm for everything (dominated by the school categories) gets
  // both wrong.
  const int64_t d0 = T("2024-04-01") / 86400;  // a Monday
  auto weekend = [&](int64_t d) { return (d - d0) % 7 >= 5; };
  const int64_t wednesday = d0 + 37, saturday = d0 + 40;
  for (int64_t d = d0; d < d0 + 42; ++d) {
    for (const char* region : {"jambyl", "astana", "karaganda"}) {
      Posts(d, weekend(d) ? 1 : 10, "bullying", region, "tg_a");
    }
    int camps = weekend(d) ? 12 : 1;
    if (d == wednesday) camps = 12;
    Posts(d, camps, "camps_leisure", "almaty", "tg_a");
  }
  SpikeQuery q;
  q.from = (d0 + 35) * 86400;
  q.to = (d0 + 42) * 86400;
  auto s = store_->Spikes(q);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::string got;
  for (const Spike& x : *s) {
    got += x.date + " " + x.category + " " + x.region + " " +
           std::to_string(x.incidents) + " vs " + std::to_string(x.expected) +
           "\n";
  }
  ASSERT_EQ(s->size(), 1u) << got;
  EXPECT_EQ((*s)[0].date, FormatDateUtc(wednesday * 86400));
  EXPECT_EQ((*s)[0].category, "camps_leisure");
  EXPECT_EQ((*s)[0].incidents, 12);
  EXPECT_LT((*s)[0].expected, 3.0);
  // The Saturday was tested and expected to be busy.
  q.from = saturday * 86400;
  q.to = (saturday + 1) * 86400;
  q.min_count = 1;
  q.max_p_value = 1.01;  // report every tested day
  s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  bool seen = false;
  for (const Spike& x : *s) {
    if (x.category != "camps_leisure") continue;
    seen = true;
    EXPECT_GT(x.expected, 8.0);
    EXPECT_GT(x.p_value, 0.05);
  }
  EXPECT_TRUE(seen);
}

TEST_F(MaintenanceTest, OutageDaysNeitherCreateNorHideSpikes) {
  // Two sources, four complaints a day each, for four weeks; tg_b is down
  // for the last five days of them (it yields nothing).
  const int64_t d0 = T("2024-04-01") / 86400;
  const int64_t outage = d0 + 23, after = d0 + 28;
  for (int64_t d = d0; d < after; ++d) {
    Posts(d, 4, "food", "almaty", "tg_a");
    if (d < outage) {
      Posts(d, 4, "food", "almaty", "tg_b");
      continue;
    }
    for (int i = 0; i < 4; ++i) {
      FetchOutcome bad;
      bad.source = "tg_b";
      bad.at = d * 86400 + 600 * i;
      bad.error = "connection refused";
      ASSERT_TRUE(store_->RecordFetch(bad).ok());
    }
  }
  // Back to normal: the first day after the outage is an ordinary day and
  // must not stand out against the outage days' low counts.
  Posts(after, 4, "food", "almaty", "tg_a");
  Posts(after, 5, "food", "almaty", "tg_b");
  SpikeQuery q;
  q.from = outage * 86400;
  q.to = (after + 1) * 86400;
  auto s = store_->Spikes(q);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->empty()) << (*s)[0].date << ": " << (*s)[0].incidents
                          << " against " << (*s)[0].expected;
  // During the outage a real jump on the healthy source still shows.
  Posts(outage + 2, 12, "food", "almaty", "tg_a");
  s = store_->Spikes(q);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].date, FormatDateUtc((outage + 2) * 86400));
  EXPECT_NEAR((*s)[0].coverage, 0.5, 0.05);
  EXPECT_EQ((*s)[0].incidents, 12);  // the first four were there already
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

TEST_F(MaintenanceTest, RetentionDropsUnreferencedEvidenceAndDedupeEntries) {
  retention_days_ = 30;
  Open();
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  EvidenceStore evidence(store_->db());
  DedupeIndex dedupe(store_->db());
  // Page 1 holds only an old post; page 2 an old and a recent one.
  const std::string page1 =
      evidence.Put("https://t.me/s/a?before=10", now - 41 * 86400, "<p>old</p>")
          .value();
  const std::string page2 =
      evidence.Put("https://t.me/s/a", now - 9 * 86400, "<p>old, new</p>")
          .value();
  Post old1 = MakePost("old1", now - 41 * 86400, {"food"}, "almaty");
  old1.evidence_id = page1;
  old1.content_hash = "h-old";
  old1.simhash = 0x1111222233334444ULL;
  Post old2 = MakePost("old2", now - 40 * 86400, {"food"}, "almaty");
  old2.evidence_id = page2;
  old2.content_hash = "h-old2";
  old2.simhash = 0x5555666677778888ULL;
  Post recent = MakePost("new", now - 9 * 86400, {"food"}, "almaty");
  recent.evidence_id = page2;
  recent.content_hash = "h-new";
  recent.simhash = 0x9999aaaabbbbccccULL;
  // A recent exact repost of old2: its content-hash entry names old2.
  Post repost = MakePost("repost", now - 8 * 86400, {"food"}, "almaty");
  repost.content_hash = "h-old2";
  repost.simhash = old2.simhash;
  repost.duplicate_of = "old2";
  for (const Post* p : {&old1, &old2, &recent, &repost}) {
    ASSERT_TRUE(store_->Ingest(*p).ok());
    const std::string original =
        p->duplicate_of.empty() ? p->id : p->duplicate_of;
    ASSERT_TRUE(
        dedupe
            .Add(p->id, original, p->content_hash, p->simhash, p->published_at)
            .ok());
  }
  ASSERT_EQ(dedupe.Find("x", "h-old", 0).value()->original_id, "old1");

  auto r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->posts_removed, 2);
  EXPECT_EQ(r->pages_removed, 1);
  EXPECT_FALSE(evidence.Get(page1).value().has_value());
  EXPECT_TRUE(evidence.Get(page2).value().has_value());  // "new" needs it
  // The old posts left the dedupe index (their hashes and fingerprints), the
  // content hash whose original expired too; the recent entries stay.
  EXPECT_FALSE(dedupe.Find("x", "h-old", 0).value().has_value());
  EXPECT_FALSE(dedupe.Find("x", "", old1.simhash).value().has_value());
  EXPECT_FALSE(dedupe.Find("x", "h-old2", 0).value().has_value());
  ASSERT_TRUE(dedupe.Find("x", "h-new", 0).value().has_value());
  EXPECT_EQ(dedupe.Find("x", "", recent.simhash).value()->original_id, "new");
  // The surviving repost still leads to its story.
  EXPECT_EQ(dedupe.Find("x", "", repost.simhash).value()->original_id, "old2");
  size_t left = 0;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->raw()->NewIterator(
      rocksdb::ReadOptions(), store_->db()->cf(Cf::kIncidents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string k = it->key().ToString();
    EXPECT_EQ(k.find("old1"), std::string::npos) << k;
    ++left;
  }
  EXPECT_GT(left, 0u);
  ExpectConsistent();

  // Later the recent post expires as well: page 2 goes with it.
  clock_.now_ms = (now + 30 * 86400) * 1000;
  r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->posts_removed, 2);
  EXPECT_EQ(r->pages_removed, 1);
  EXPECT_FALSE(evidence.Get(page2).value().has_value());
  it.reset(store_->db()->raw()->NewIterator(rocksdb::ReadOptions(),
                                            store_->db()->cf(Cf::kIncidents)));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid()) << "left in the index: " << it->key().ToString();
  ExpectConsistent();
}

// Retention finds a page unreferenced and deletes it while a crawl stores
// the same page again and ingests a post that refers to it. The crawl runs
// on a second thread right inside retention's window between looking at the
// page's references and writing the delete (the hook); without the per-page
// lock it completes there and its post points at a deleted page.
TEST_F(MaintenanceTest, RetentionNeverDeletesAPageAConcurrentIngestRefersTo) {
  retention_days_ = 30;
  Open();
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  EvidenceStore evidence(store_->db());
  const std::string body = "<p>the same page, fetched twice</p>";
  const std::string page =
      evidence.Put("https://t.me/s/a", now - 40 * 86400, body).value();
  Post old = MakePost("old", now - 40 * 86400, {"food"}, "almaty");
  old.evidence_id = page;
  ASSERT_TRUE(store_->Ingest(old).ok());

  std::mutex mu;
  std::condition_variable cv;
  bool crawled = false;  // Guarded by mu
  Status crawl_status;   // Guarded by mu
  std::thread crawler;
  int windows = 0;
  internal::SetRetentionHookForTesting(store_.get(), [&] {
    if (++windows > 1) return;
    crawler = std::thread([&] {
      Status st;
      auto id = evidence.Put("https://t.me/s/a", now, body);
      if (!id.ok()) {
        st = id.status();
      } else {
        Post fresh = MakePost("fresh", now - 3600, {"food"}, "almaty");
        fresh.evidence_id = *id;
        st = store_->Ingest(fresh).status();
      }
      std::lock_guard<std::mutex> l(mu);
      crawl_status = st;
      crawled = true;
      cv.notify_all();
    });
    // Every chance for the crawl to finish inside the window; with the lock
    // it cannot, and the wait ends at its deadline.
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::milliseconds(300), [&] { return crawled; });
  });
  auto r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(crawler.joinable());
  crawler.join();
  internal::SetRetentionHookForTesting(store_.get(), nullptr);
  EXPECT_EQ(windows, 1);
  ASSERT_TRUE(crawl_status.ok()) << crawl_status.ToString();
  EXPECT_EQ(r->posts_removed, 1);
  auto fresh = store_->GetPost("fresh").value();
  ASSERT_TRUE(fresh.has_value());
  ASSERT_EQ(fresh->evidence_id, page);
  auto got = evidence.Get(page);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->has_value()) << "the fresh post refers to a deleted page";
  ExpectConsistent();
}

// A page stored again after the cut-off outlives its expired posts (the
// posts of that fetch are on their way); a post naming a page that is gone
// is kept without evidence instead of pointing at nothing.
TEST_F(MaintenanceTest, RetentionKeepsPagesSeenAgainAndIngestDropsDeadPages) {
  retention_days_ = 30;
  Open();
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  EvidenceStore evidence(store_->db());
  const std::string kept_page =
      evidence.Put("u1", now - 40 * 86400, "<p>seen again</p>").value();
  const std::string gone_page =
      evidence.Put("u2", now - 40 * 86400, "<p>not seen again</p>").value();
  Post a = MakePost("a", now - 40 * 86400, {"food"}, "almaty");
  a.evidence_id = kept_page;
  Post b = MakePost("b", now - 40 * 86400, {"food"}, "almaty");
  b.evidence_id = gone_page;
  ASSERT_TRUE(store_->Ingest(a).ok());
  ASSERT_TRUE(store_->Ingest(b).ok());
  ASSERT_EQ(evidence.Put("u1", now - 86400, "<p>seen again</p>").value(),
            kept_page);
  EXPECT_EQ(evidence.LastSeen(kept_page).value(), now - 86400);
  auto r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->posts_removed, 2);
  EXPECT_EQ(r->pages_removed, 1);
  EXPECT_TRUE(evidence.Get(kept_page).value().has_value());
  EXPECT_FALSE(evidence.Get(gone_page).value().has_value());
  EXPECT_FALSE(evidence.LastSeen(gone_page).value().has_value());
  Post late = MakePost("late", now - 3600, {"food"}, "almaty");
  late.evidence_id = gone_page;
  ASSERT_TRUE(store_->Ingest(late).ok());
  EXPECT_EQ(store_->GetPost("late").value()->evidence_id, "");
  ExpectConsistent();
}

// Pages kept for an ingest that then failed have no post referring to them:
// the sweep (run by every retention pass, whatever retention_days) removes
// them once last stored more than a day ago, and leaves referenced pages
// and young ones (an ingest may be on its way) alone. A second run removes
// nothing more.
TEST_F(MaintenanceTest, UnreferencedEvidencePagesAreSweptAfterAGracePeriod) {
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  EvidenceStore evidence(store_->db());
  const int64_t day = 86400;
  const std::string referenced =
      evidence.Put("u/ref", now - 40 * day, "<p>a post is on it</p>").value();
  const std::string orphan =
      evidence.Put("u/orphan", now - 40 * day, "<p>ingest failed</p>").value();
  const std::string just_past =
      evidence.Put("u/past", now - day - 1, "<p>a day and a second</p>")
          .value();
  const std::string young =
      evidence.Put("u/young", now - 3600, "<p>posts on their way</p>").value();
  const std::string seen_again =
      evidence.Put("u/again", now - 40 * day, "<p>fetched again</p>").value();
  ASSERT_EQ(evidence.Put("u/again", now - 600, "<p>fetched again</p>").value(),
            seen_again);
  // The post that keeps `referenced` is as old as the page: retention_days
  // is 0, so it stays, and so does its page.
  Post a = MakePost("a", now - 40 * day, {"food"}, "almaty");
  a.evidence_id = referenced;
  ASSERT_TRUE(store_->Ingest(a).ok());

  auto r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->posts_removed, 0);
  EXPECT_EQ(r->unreferenced_pages_removed, 2);
  auto there = [&](const std::string& id) {
    auto c = evidence.Contains(id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() && *c;
  };
  EXPECT_FALSE(there(orphan));
  EXPECT_FALSE(there(just_past));
  EXPECT_FALSE(evidence.LastSeen(orphan).value().has_value());
  EXPECT_TRUE(there(referenced));
  EXPECT_TRUE(there(young));
  EXPECT_TRUE(there(seen_again));
  auto page = evidence.Get(referenced);
  ASSERT_TRUE(page.ok() && page->has_value());
  EXPECT_EQ((*page)->bytes, "<p>a post is on it</p>");
  EXPECT_EQ(store_->GetPost("a").value()->evidence_id, referenced);

  // Again: nothing more goes.
  r = store_->ApplyRetention();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unreferenced_pages_removed, 0);
  EXPECT_TRUE(there(referenced));
  EXPECT_TRUE(there(young));
  EXPECT_TRUE(there(seen_again));

  // Two days later the young pages are old and still unreferenced.
  clock_.now_ms = (now + 2 * day) * 1000;
  auto n = store_->DropUnreferencedEvidence(Store::kEvidenceGraceSeconds);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(there(young));
  EXPECT_FALSE(there(seen_again));
  EXPECT_FALSE(evidence.LastSeen(seen_again).value().has_value());
  EXPECT_TRUE(there(referenced));
  n = store_->DropUnreferencedEvidence(Store::kEvidenceGraceSeconds);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  // Only the referenced page and its reference are left in the family.
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->raw()->NewIterator(
      rocksdb::ReadOptions(), store_->db()->cf(Cf::kEvidence)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(it->key().ToString());
  }
  EXPECT_EQ(keys,
            (std::vector<std::string>{referenced, referenced + '\0' + "a"}));
  ExpectConsistent();
}

// The sweep found a page old and unreferenced; before it deletes it, a
// retried ingest stores a post referring to it (the hook runs there; the
// page is not stored again, so only its new reference can save it). The
// look again under the page's lock sees the reference: the page stays and
// the post keeps its evidence.
TEST_F(MaintenanceTest, SweepKeepsAPageAnIngestReferredToMeanwhile) {
  const int64_t now = T("2024-06-30T12:00:00Z");
  clock_.now_ms = now * 1000;
  EvidenceStore evidence(store_->db());
  const std::string page =
      evidence.Put("u", now - 10 * 86400, "<p>its ingest failed once</p>")
          .value();
  const std::string other =
      evidence.Put("u2", now - 10 * 86400, "<p>really orphaned</p>").value();
  int calls = 0;
  Status crawl;
  internal::SetEvidenceSweepHookForTesting(store_.get(), [&] {
    if (++calls > 1) return;
    Post p = MakePost("late", now - 10 * 86400, {"food"}, "almaty");
    p.evidence_id = page;
    crawl = store_->Ingest(p).status();
  });
  auto n = store_->DropUnreferencedEvidence(Store::kEvidenceGraceSeconds);
  internal::SetEvidenceSweepHookForTesting(store_.get(), nullptr);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(calls, 1);
  ASSERT_TRUE(crawl.ok()) << crawl.ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(evidence.Contains(other).value());
  EXPECT_TRUE(evidence.Contains(page).value())
      << "the sweep deleted a page a post now refers to";
  EXPECT_EQ(store_->GetPost("late").value()->evidence_id, page);
  ExpectConsistent();
}

TEST_F(MaintenanceTest, ReingestKeepsTheFirstEvidencePage) {
  EvidenceStore evidence(store_->db());
  const std::string first = evidence.Put("u1", 100, "first page").value();
  const std::string later = evidence.Put("u2", 200, "later page").value();
  Post p = MakePost("a", T("2024-05-13"), {"food"}, "almaty");
  p.evidence_id = first;
  ASSERT_TRUE(store_->Ingest(p).ok());
  p.evidence_id = later;
  p.text = "edited at the source";
  ASSERT_TRUE(store_->Ingest(p).ok());
  auto got = store_->GetPost("a").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->evidence_id, first);
  EXPECT_EQ(got->text, "edited at the source");
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

}  // namespace maintenance_test
}  // namespace shagym::store
