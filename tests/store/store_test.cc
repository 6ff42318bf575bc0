#include "store/store.h"

#include <gtest/gtest.h>

#include "common/time_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace store_test {

class FixedClock : public Clock {
 public:
  int64_t NowMs() const override { return now_ms; }
  int64_t now_ms = 0;
};

int64_t T(const char* iso) { return ParseIso8601(iso).value(); }

Post MakePost(const std::string& id, const char* time,
              std::vector<std::string> categories, const std::string& region,
              const std::string& source = "tg_a") {
  Post p;
  p.id = id;
  p.source = source;
  p.url = "https://t.me/s/a/" + id;
  p.published_at = T(time);
  p.fetched_at = p.published_at + 60;
  p.author = "u1";
  p.text = "text of " + id;
  p.labels.lang = "ru";
  p.labels.categories = std::move(categories);
  p.labels.severity = p.labels.categories.empty() ? "none" : "medium";
  p.labels.region = region;
  p.labels.rules_version = "v1";
  if (!p.labels.categories.empty()) {
    p.labels.matches.push_back(
        {"ru." + p.labels.categories[0] + ".1", p.labels.categories[0], 0, 4});
  }
  return p;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    StoreOptions o;
    o.data_dir = dir_.path();
    o.retention_days = retention_days_;
    auto s = Store::Open(o, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void Ingest(const Post& p) {
    auto r = store_->Ingest(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  void ExpectConsistent() {
    auto c = store_->Check();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    std::string problems;
    for (const auto& p : c->problems) problems += p + "\n";
    EXPECT_TRUE(c->ok()) << problems;
  }
  TrendTable Trends(TrendQuery q) {
    auto t = store_->Trends(q);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : TrendTable();
  }

  testing::TempDir dir_;
  FixedClock clock_;
  int retention_days_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, IngestedPostReadsBackWithIncident) {
  Post p = MakePost("a1", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl");
  auto r = store_->Ingest(p);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->inserted);
  EXPECT_EQ(r->incident_id, "a1");
  auto got = store_->GetPost("a1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  Post want = p;
  want.incident_id = "a1";
  EXPECT_EQ(**got, want);
  auto none = store_->GetPost("zz");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(store_->Ingest(Post()).ok());
}

TEST_F(StoreTest, ReingestingTheSamePostCountsOnce) {
  Post p = MakePost("a1", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl");
  Ingest(p);
  Ingest(p);
  auto r = store_->Ingest(p);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->inserted);
  EXPECT_FALSE(r->changed);
  // The same id twice in one batch also counts once.
  Post q = MakePost("b1", "2024-05-13T11:00:00Z", {"food"}, "jambyl");
  std::vector<Post> batch = {q, q};
  ASSERT_TRUE(store_->IngestBatch(batch).ok());
  TrendQuery tq;
  tq.from = T("2024-05-13");
  tq.to = T("2024-05-14");
  TrendTable t = Trends(tq);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].volume, 2);
  EXPECT_EQ(t.rows[0].incidents, 2);
  ExpectConsistent();
}

TEST_F(StoreTest, ReingestWithNewLabelsMovesCountersByTheDifference) {
  Post p = MakePost("a1", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl");
  Ingest(p);
  ASSERT_TRUE(store_->SetReview("a1", "confirmed", "ann", "").ok());
  p.labels.categories = {"violence"};
  p.labels.region = "almaty";
  Ingest(p);
  auto got = store_->GetPost("a1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->review, "confirmed");  // kept
  TrendQuery tq;
  tq.from = T("2024-05-13");
  tq.to = T("2024-05-14");
  tq.category = "bullying";
  EXPECT_EQ(Trends(tq).rows[0].volume, 0);
  tq.category = "violence";
  tq.region = "almaty";
  EXPECT_EQ(Trends(tq).rows[0].volume, 1);
  ExpectConsistent();
}

TEST_F(StoreTest, DuplicatesJoinTheIncidentAndCountAsVolumeOnly) {
  Ingest(MakePost("a1", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl"));
  Post d =
      MakePost("b1", "2024-05-13T12:00:00Z", {"bullying"}, "jambyl", "tg_b");
  d.duplicate_of = "a1";
  auto r = store_->Ingest(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->incident_id, "a1");
  Post d2 =
      MakePost("c1", "2024-05-14T12:00:00Z", {"bullying"}, "jambyl", "tg_c");
  d2.duplicate_of = "b1";  // a copy of a copy: still the first incident
  r = store_->Ingest(d2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->incident_id, "a1");
  auto inc = store_->GetIncident("a1");
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->size, 3);
  EXPECT_EQ((*inc)->first_post, "a1");
  EXPECT_EQ((*inc)->first_source, "tg_a");
  EXPECT_EQ((*inc)->first_seen, T("2024-05-13T10:00:00Z"));
  EXPECT_EQ((*inc)->sources,
            (std::vector<std::string>{"tg_a", "tg_b", "tg_c"}));
  TrendQuery tq;
  tq.from = T("2024-05-13");
  tq.to = T("2024-05-15");
  TrendTable t = Trends(tq);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].volume, 2);
  EXPECT_EQ(t.rows[0].incidents, 1);
  EXPECT_EQ(t.rows[1].volume, 1);
  EXPECT_EQ(t.rows[1].incidents, 0);
  ASSERT_EQ(t.totals.size(), 1u);
  EXPECT_EQ(t.totals[0].volume, 3);
  EXPECT_EQ(t.totals[0].incidents, 1);
}

TEST_F(StoreTest, AnEarlierPublishedRepostIngestedLateBecomesTheFirst) {
  // Crawled newest first: the channel that published first is read last.
  Ingest(MakePost("a1", "2024-05-13T12:00:00Z", {"bullying"}, "jambyl"));
  Post b =
      MakePost("b1", "2024-05-14T09:00:00Z", {"bullying"}, "jambyl", "tg_b");
  b.duplicate_of = "a1";
  Ingest(b);
  Post e =
      MakePost("e0", "2024-05-12T10:00:00Z", {"bullying"}, "jambyl", "tg_e");
  e.duplicate_of = "a1";  // what the dedupe index names: the first ingested
  auto r = store_->Ingest(e);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->incident_id, "a1");  // the incident keeps its id
  auto e0 = store_->GetPost("e0").value();
  auto a1 = store_->GetPost("a1").value();
  auto b1 = store_->GetPost("b1").value();
  ASSERT_TRUE(e0 && a1 && b1);
  EXPECT_EQ(e0->duplicate_of, "");
  EXPECT_EQ(a1->duplicate_of, "e0");
  EXPECT_EQ(b1->duplicate_of, "e0");
  auto inc = store_->GetIncident("a1");
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->size, 3);
  EXPECT_EQ((*inc)->first_post, "e0");
  EXPECT_EQ((*inc)->first_source, "tg_e");
  EXPECT_EQ((*inc)->first_seen, T("2024-05-12T10:00:00Z"));
  EXPECT_EQ((*inc)->sources,
            (std::vector<std::string>{"tg_e", "tg_a", "tg_b"}));
  // The one unique incident now counts on the day it was first published.
  TrendQuery tq;
  tq.from = T("2024-05-12");
  tq.to = T("2024-05-15");
  TrendTable t = Trends(tq);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].incidents, 1);
  EXPECT_EQ(t.rows[1].incidents, 0);
  EXPECT_EQ(t.rows[2].incidents, 0);
  EXPECT_EQ(t.totals[0].volume, 3);
  EXPECT_EQ(t.totals[0].incidents, 1);
  ExpectConsistent();
  // Crawled again, nothing moves: e0 with the same hint, a1 without one
  // (its own index entries name itself).
  r = store_->Ingest(e);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  r = store_->Ingest(
      MakePost("a1", "2024-05-13T12:00:00Z", {"bullying"}, "jambyl"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(store_->GetPost("a1").value()->duplicate_of, "e0");
  // A later repost naming any member links to the first.
  Post c =
      MakePost("c1", "2024-05-20T09:00:00Z", {"bullying"}, "jambyl", "tg_c");
  c.duplicate_of = "b1";
  ASSERT_TRUE(store_->Ingest(c).ok());
  EXPECT_EQ(store_->GetPost("c1").value()->duplicate_of, "e0");
  EXPECT_EQ(Trends(tq).totals[0].incidents, 1);
  ExpectConsistent();
}

TEST_F(StoreTest, RelinkInsideOneBatch) {
  // One page with a repost listed before the post it repeats.
  Post later = MakePost("p2", "2024-05-13T12:00:00Z", {"food"}, "almaty");
  Post first = MakePost("p1", "2024-05-13T08:00:00Z", {"food"}, "almaty");
  first.duplicate_of = "p2";
  std::vector<Post> batch = {later, first};
  auto r = store_->IngestBatch(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store_->GetPost("p1").value()->duplicate_of, "");
  EXPECT_EQ(store_->GetPost("p2").value()->duplicate_of, "p1");
  auto inc = store_->GetIncident((*r)[0].incident_id);
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->first_post, "p1");
  EXPECT_EQ((*inc)->size, 2);
  ExpectConsistent();
}

TEST_F(StoreTest, RepostsStoredBeforeTheirOriginalStillLeaveTheEarliestFirst) {
  // Two crawl workers: the pages of two reposts are stored before the page
  // of the post the dedupe index named as their original, and one repost
  // was published before it.
  Post early =
      MakePost("r1", "2024-05-13T08:00:00Z", {"food"}, "almaty", "tg_r");
  early.duplicate_of = "o1";
  Post late =
      MakePost("r2", "2024-05-13T15:00:00Z", {"food"}, "almaty", "tg_s");
  late.duplicate_of = "o1";
  Ingest(early);
  Ingest(late);
  Ingest(MakePost("o1", "2024-05-13T12:00:00Z", {"food"}, "almaty"));
  auto r1 = store_->GetPost("r1").value();
  auto r2 = store_->GetPost("r2").value();
  auto o1 = store_->GetPost("o1").value();
  ASSERT_TRUE(r1 && r2 && o1);
  EXPECT_EQ(r1->duplicate_of, "");
  EXPECT_EQ(o1->duplicate_of, "r1");
  EXPECT_EQ(r2->duplicate_of, "r1");
  auto inc = store_->GetIncident(o1->incident_id);
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->first_post, "r1");
  EXPECT_EQ((*inc)->members, (std::vector<std::string>{"r1", "o1", "r2"}));
  EXPECT_EQ((*inc)->first_seen, T("2024-05-13T08:00:00Z"));
  TrendQuery tq;
  tq.from = T("2024-05-13");
  tq.to = T("2024-05-14");
  TrendTable t = Trends(tq);
  EXPECT_EQ(t.totals[0].incidents, 1);
  EXPECT_EQ(t.totals[0].volume, 3);
  ExpectConsistent();
  // An original whose reposts were all later stays first.
  Post later_copy =
      MakePost("q2", "2024-05-13T18:00:00Z", {"food"}, "almaty", "tg_s");
  later_copy.duplicate_of = "q1";
  Ingest(later_copy);
  Ingest(MakePost("q1", "2024-05-13T09:00:00Z", {"food"}, "almaty"));
  EXPECT_EQ(store_->GetPost("q1").value()->duplicate_of, "");
  EXPECT_EQ(store_->GetPost("q2").value()->duplicate_of, "q1");
  inc = store_->GetIncident("q1");
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->members, (std::vector<std::string>{"q1", "q2"}));
  ExpectConsistent();
}

TEST_F(StoreTest, IncidentLeadsWithItsOriginalWhenTimesTie) {
  // Same second: the original is the one stored first, whatever the ids.
  Ingest(MakePost("z9", "2024-05-13T12:00:00Z", {"food"}, "almaty"));
  Post copy =
      MakePost("a0", "2024-05-13T12:00:00Z", {"food"}, "almaty", "tg_b");
  copy.duplicate_of = "z9";
  Ingest(copy);
  auto inc = store_->GetIncident("z9");
  ASSERT_TRUE(inc.ok() && inc->has_value());
  EXPECT_EQ((*inc)->first_post, "z9");
  EXPECT_EQ((*inc)->members, (std::vector<std::string>{"z9", "a0"}));
  EXPECT_EQ(store_->GetPost("z9").value()->duplicate_of, "");
}

TEST_F(StoreTest, QueryPostsFiltersAndPagesNewestFirst) {
  for (int i = 0; i < 25; ++i) {
    char time[32];
    std::snprintf(time, sizeof time, "2024-05-%02dT10:00:00Z", i + 1);
    Post p = MakePost("p" + std::to_string(i), time,
                      i % 2 ? std::vector<std::string>{"bullying"}
                            : std::vector<std::string>{"food"},
                      i % 5 == 0 ? "almaty" : "jambyl");
    if (i == 7) p.labels.school_number = "12";
    if (i == 9) p.duplicate_of = "p7";
    Ingest(p);
  }
  PostQuery q;
  q.category = "bullying";
  q.limit = 5;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = store_->QueryPosts(q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Post& p : r->posts) seen.push_back(p.id);
    if (r->next_cursor.empty()) break;
    q.cursor = r->next_cursor;
  }
  ASSERT_EQ(seen.size(), 12u);  // odd i
  EXPECT_EQ(seen.front(), "p23");
  EXPECT_EQ(seen.back(), "p1");

  PostQuery f;
  f.from = T("2024-05-05");
  f.to = T("2024-05-16");  // p4 .. p14
  f.region = "almaty";
  auto r = store_->QueryPosts(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->posts.size(), 2u);  // p10, p5
  EXPECT_EQ(r->posts[0].id, "p10");
  EXPECT_EQ(r->posts[1].id, "p5");
  EXPECT_TRUE(r->next_cursor.empty());

  PostQuery s;
  s.school = "12";
  r = store_->QueryPosts(s);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->posts[0].id, "p7");

  PostQuery o;
  o.originals_only = true;
  EXPECT_EQ(store_->CountPosts(o).value(), 24);
  ASSERT_TRUE(store_->SetReview("p3", "escalated", "ann", "call").ok());
  PostQuery rv;
  rv.review = "escalated";
  r = store_->QueryPosts(rv);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->posts[0].review, "escalated");

  PostQuery bad;
  bad.cursor = "zz";
  EXPECT_FALSE(store_->QueryPosts(bad).ok());
}

TEST_F(StoreTest, ForEachPostStreamsOldestFirstAndStopsOnError) {
  for (int i = 0; i < 600; ++i) {
    Post p = MakePost("p" + std::to_string(i), "2024-05-01T00:00:00Z", {"food"},
                      "jambyl");
    p.published_at += i;
    Ingest(p);
  }
  int64_t n = 0, last = 0;
  Status st = store_->ForEachPost(PostQuery(), [&](const Post& p) {
    EXPECT_GE(p.published_at, last);
    last = p.published_at;
    ++n;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(n, 600);
  n = 0;
  st = store_->ForEachPost(PostQuery(), [&](const Post&) {
    return ++n == 300 ? Internal("enough") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "enough");
  EXPECT_EQ(n, 300);
}

TEST_F(StoreTest, TrendsRollUpByWeekAndMonthWithChanges) {
  // 2 posts in April, 4 in May (week of May 13: 3).
  Ingest(MakePost("a", "2024-04-10T10:00:00Z", {"bullying"}, "jambyl"));
  Ingest(MakePost("b", "2024-04-20T10:00:00Z", {"bullying"}, "jambyl"));
  Ingest(MakePost("c", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl"));
  Ingest(MakePost("d", "2024-05-14T10:00:00Z", {"bullying", "violence"},
                  "jambyl"));
  Ingest(MakePost("e", "2024-05-19T23:59:59Z", {"food"}, "almaty"));
  Ingest(MakePost("f", "2024-05-20T00:00:00Z", {}, "almaty"));  // no complaint
  Ingest(MakePost("g", "2024-05-31T10:00:00Z", {"food"}, "astana"));
  TrendQuery q;
  q.from = T("2024-04-01");
  q.to = T("2024-06-01");
  q.bucket = Bucket::kMonth;
  TrendTable t = Trends(q);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].bucket, "2024-04");
  EXPECT_EQ(t.rows[0].volume, 2);
  EXPECT_EQ(t.rows[1].bucket, "2024-05");
  EXPECT_EQ(t.rows[1].volume, 4);  // "d" once although in two categories
  ASSERT_TRUE(t.rows[1].volume_change_pct.has_value());
  EXPECT_DOUBLE_EQ(*t.rows[1].volume_change_pct, 100.0);
  EXPECT_EQ(FormatChange(t.rows[1].volume_change_pct), "+100.0%");
  EXPECT_FALSE(t.rows[0].volume_change_pct.has_value());

  q.from = T("2024-05-13");
  q.to = T("2024-05-27");
  q.bucket = Bucket::kWeek;
  t = Trends(q);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].bucket, "2024-W20");
  EXPECT_EQ(t.rows[0].volume, 3);
  EXPECT_EQ(t.rows[1].bucket, "2024-W21");
  EXPECT_EQ(t.rows[1].volume, 0);
  EXPECT_EQ(FormatChange(t.rows[1].volume_change_pct), "-100.0%");

  q.from = T("2024-04-01");
  q.to = T("2024-06-01");
  q.bucket = Bucket::kMonth;
  q.by_category = true;
  t = Trends(q);
  std::map<std::string, int64_t> may;
  for (const auto& r : t.rows) {
    if (r.bucket == "2024-05") may[r.category] = r.volume;
  }
  EXPECT_EQ(may, (std::map<std::string, int64_t>{
                     {"bullying", 2}, {"food", 2}, {"violence", 1}}));
  q.by_category = false;
  q.by_region = true;
  t = Trends(q);
  std::map<std::string, int64_t> regions;
  for (const auto& x : t.totals) regions[x.region] = x.volume;
  EXPECT_EQ(regions, (std::map<std::string, int64_t>{
                         {"almaty", 1}, {"astana", 1}, {"jambyl", 4}}));
  // lang/source filters read the hourly counters.
  q.by_region = false;
  q.source = "tg_a";
  q.lang = "ru";
  EXPECT_EQ(Trends(q).totals[0].volume, 6);
  q.lang = "kk";
  EXPECT_EQ(Trends(q).totals[0].volume, 0);
  q.to = q.from;
  EXPECT_FALSE(store_->Trends(q).ok());
}

TEST_F(StoreTest, TotalsCompareWithThePreviousPeriod) {
  Ingest(MakePost("a", "2024-05-02T10:00:00Z", {"bullying"}, "jambyl"));
  Ingest(MakePost("b", "2024-05-03T10:00:00Z", {"bullying"}, "jambyl"));
  Ingest(MakePost("c", "2024-05-04T10:00:00Z", {"bullying"}, "jambyl"));
  TrendQuery q;
  q.from = T("2024-05-03");
  q.to = T("2024-05-05");
  TrendTable t = Trends(q);
  ASSERT_EQ(t.totals.size(), 1u);
  EXPECT_EQ(t.totals[0].volume, 2);
  EXPECT_EQ(t.totals[0].previous_volume, 1);
  EXPECT_EQ(FormatChange(t.totals[0].volume_change_pct), "+100.0%");
}

TEST_F(StoreTest, RelabelMovesCountersAndKeepsThemConsistent) {
  Ingest(MakePost("a", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl"));
  Labels l;
  l.lang = "kk";
  l.categories = {"food"};
  l.severity = "low";
  l.region = "almaty";
  l.rules_version = "v2";
  l.matches = {{"kk.food.1", "food", 0, 3}};
  ASSERT_TRUE(store_->Relabel("a", l).ok());
  EXPECT_EQ(store_->Relabel("missing", l).code(), StatusCode::kNotFound);
  auto p = store_->GetPost("a");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->labels, l);
  TrendQuery q;
  q.from = T("2024-05-13");
  q.to = T("2024-05-14");
  q.category = "food";
  q.region = "almaty";
  EXPECT_EQ(Trends(q).rows[0].volume, 1);
  q.category = "bullying";
  q.region = "";
  EXPECT_EQ(Trends(q).rows[0].volume, 0);
  ExpectConsistent();

  auto rep = store_->Reclassify(PostQuery(), [](const Post& post) {
    Labels x = post.labels;
    x.categories.clear();
    x.matches.clear();
    x.severity = "none";
    return StatusOr<Labels>(x);
  });
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->posts, 1);
  EXPECT_EQ(rep->changed, 1);
  q.category = "";
  EXPECT_EQ(Trends(q).rows[0].volume, 0);
  ExpectConsistent();
}

TEST_F(StoreTest, ReviewsKeepHistoryAndRulePrecision) {
  Post a = MakePost("a", "2024-05-13T10:00:00Z", {"bullying"}, "jambyl");
  Post b = MakePost("b", "2024-05-13T11:00:00Z", {"bullying"}, "jambyl");
  Post c = MakePost("c", "2024-05-13T12:00:00Z", {"bullying"}, "jambyl");
  for (const Post& p : {a, b, c}) Ingest(p);
  clock_.now_ms = 1000;
  ASSERT_TRUE(store_->SetReview("a", "confirmed", "ann", "seen").ok());
  clock_.now_ms = 2000;
  ASSERT_TRUE(store_->SetReview("b", "confirmed", "ann", "").ok());
  ASSERT_TRUE(store_->SetReview("c", "false_positive", "bob", "").ok());
  clock_.now_ms = 3000;
  ASSERT_TRUE(store_->SetReview("a", "resolved", "bob", "done").ok());
  EXPECT_EQ(store_->SetReview("a", "bogus", "bob", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetReview("zz", "new", "bob", "").code(),
            StatusCode::kNotFound);
  auto h = store_->ReviewHistory("a");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].user, "ann");
  EXPECT_EQ((*h)[0].from, "new");
  EXPECT_EQ((*h)[0].to, "confirmed");
  EXPECT_EQ((*h)[0].note, "seen");
  EXPECT_EQ((*h)[0].at_ms, 1000);
  EXPECT_EQ((*h)[1].to, "resolved");
  auto rules = store_->RuleStatistics();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].rule, "ru.bullying.1");
  EXPECT_EQ((*rules)[0].hits, 3);
  EXPECT_EQ((*rules)[0].confirmed, 1);  // a moved on to resolved
  EXPECT_EQ((*rules)[0].false_positive, 1);
  EXPECT_DOUBLE_EQ((*rules)[0].precision.value(), 0.5);
  ExpectConsistent();
}

TEST_F(StoreTest, SourceHealthRecordsRates) {
  clock_.now_ms = T("2024-05-13T12:00:00Z") * 1000;
  FetchOutcome ok;
  ok.source = "tg_a";
  ok.ok = true;
  ASSERT_TRUE(store_->RecordFetch(ok).ok());
  FetchOutcome nm = ok;
  nm.not_modified = true;
  nm.http_status = 304;
  ASSERT_TRUE(store_->RecordFetch(nm).ok());
  FetchOutcome bad;
  bad.source = "tg_a";
  bad.http_status = 503;
  ASSERT_TRUE(store_->RecordFetch(bad).ok());
  ASSERT_TRUE(store_->RecordFetch(bad).ok());
  auto h = store_->GetSourceHealth("tg_a");
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_EQ((*h)->fetches_7d, 4);
  EXPECT_DOUBLE_EQ((*h)->error_rate_7d, 0.5);
  EXPECT_DOUBLE_EQ((*h)->not_modified_rate_7d, 0.25);
  EXPECT_EQ((*h)->consecutive_failures, 2);
  EXPECT_EQ((*h)->last_error, "HTTP 503");
  EXPECT_EQ((*h)->last_success, T("2024-05-13T12:00:00Z"));
  ASSERT_TRUE(store_->SetSourceDisabled("tg_a", true, "5 failures").ok());
  auto all = store_->SourcesHealth();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].disabled);
  EXPECT_EQ((*all)[0].disabled_reason, "5 failures");
  auto none = store_->GetSourceHealth("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// RecordFetches is RecordFetch of each outcome in order, in one write:
// health and 7-day rates come out the same for every source it names.
TEST_F(StoreTest, SourceHealthFromOneBatchEqualsOneByOne) {
  clock_.now_ms = T("2024-05-13T12:00:00Z") * 1000;
  std::vector<FetchOutcome> outcomes;
  for (int i = 0; i < 9; ++i) {
    FetchOutcome o;
    o.source = i % 3 == 0 ? "tg_b" : "tg_a";
    o.at = T("2024-05-12T23:59:58Z") + i;  // across a day boundary
    o.ok = i % 4 != 3;
    o.not_modified = i == 4;
    o.http_status = o.ok ? (o.not_modified ? 304 : 200) : 500 + i;
    outcomes.push_back(o);
  }
  FetchOutcome last_error;  // tg_a ends failing twice in a row
  last_error.source = "tg_a";
  last_error.at = T("2024-05-13T00:00:10Z");
  last_error.error = "timeout";
  outcomes.push_back(last_error);
  outcomes.push_back(last_error);
  for (const FetchOutcome& o : outcomes) {
    FetchOutcome one = o;
    one.source += "_one";
    ASSERT_TRUE(store_->RecordFetch(one).ok());
  }
  ASSERT_TRUE(store_->RecordFetches(outcomes).ok());
  ASSERT_TRUE(store_->RecordFetches({}).ok());
  for (const std::string source : {"tg_a", "tg_b"}) {
    SCOPED_TRACE(source);
    auto batched = store_->GetSourceHealth(source);
    auto single = store_->GetSourceHealth(source + "_one");
    ASSERT_TRUE(batched.ok() && batched->has_value());
    ASSERT_TRUE(single.ok() && single->has_value());
    const SourceHealth& b = **batched;
    const SourceHealth& s = **single;
    EXPECT_EQ(b.last_attempt, s.last_attempt);
    EXPECT_EQ(b.last_success, s.last_success);
    EXPECT_EQ(b.last_error_at, s.last_error_at);
    EXPECT_EQ(b.last_error, s.last_error);
    EXPECT_EQ(b.consecutive_failures, s.consecutive_failures);
    EXPECT_EQ(b.fetches_7d, s.fetches_7d);
    EXPECT_DOUBLE_EQ(b.error_rate_7d, s.error_rate_7d);
    EXPECT_DOUBLE_EQ(b.not_modified_rate_7d, s.not_modified_rate_7d);
  }
  auto a = store_->GetSourceHealth("tg_a");
  EXPECT_EQ((*a)->fetches_7d, 8);
  EXPECT_EQ((*a)->consecutive_failures, 2);
  EXPECT_EQ((*a)->last_error, "timeout");
  FetchOutcome anonymous;
  EXPECT_FALSE(store_->RecordFetches({&anonymous, 1}).ok());
}

}  // namespace store_test
}  // namespace shagym::store
