#include "crawler/frontier.h"

#include <gtest/gtest.h>

#include <set>

#include "crawler/url.h"
#include "store/db.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace {

constexpr int64_t kNow = 1'780'000'000'000;  // 2026-05-28, Unix ms

FrontierEntry Entry(const std::string& url, UrlKind kind = UrlKind::kLink,
                    int depth = 1) {
  FrontierEntry e;
  e.url = url;
  e.source_id = "src";
  e.kind = kind;
  e.depth = depth;
  return e;
}

class FrontierTest : public ::testing::Test {
 protected:
  FrontierTest() : store_(NewMemoryFrontierStore()) {
    options_.per_host_delay_ms = 1000;
    options_.per_host_connections = 2;
  }
  Frontier Make() { return Frontier(options_, store_.get()); }
  AddResult Add(Frontier& f, FrontierEntry e) {
    return f.Add(std::move(e), -1, 0, kNow, &batch_);
  }
  FrontierOptions options_;
  std::unique_ptr<FrontierStore> store_;
  FrontierBatch batch_;
};

TEST_F(FrontierTest, PopsHostOnlyAfterDelay) {
  Frontier f = Make();
  ASSERT_EQ(Add(f, Entry("http://a.kz/1")), AddResult::kAdded);
  ASSERT_EQ(Add(f, Entry("http://a.kz/2")), AddResult::kAdded);
  auto e = f.Pop(kNow);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->url, "http://a.kz/1");
  f.Started("http://a.kz:80", kNow);
  EXPECT_FALSE(f.Pop(kNow + 999));
  f.Finished("http://a.kz:80");
  EXPECT_FALSE(f.Pop(kNow + 999));  // finishing does not shorten the delay
  EXPECT_EQ(f.NextWakeMs(kNow + 10), kNow + 1000);
  e = f.Pop(kNow + 1000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->url, "http://a.kz/2");
}

TEST_F(FrontierTest, SentMovesTheDelayToTheActualStart) {
  Frontier f = Make();
  Add(f, Entry("http://a.kz/1"));
  Add(f, Entry("http://a.kz/2"));
  ASSERT_TRUE(f.Pop(kNow));
  f.Started("http://a.kz:80", kNow);
  f.Sent("http://a.kz:80", kNow + 300);  // connect took 300 ms
  EXPECT_FALSE(f.Pop(kNow + 1200));
  EXPECT_TRUE(f.Pop(kNow + 1300));
}

TEST_F(FrontierTest, InFlightLimitPerHostAndHostsIndependent) {
  options_.per_host_delay_ms = 0;
  Frontier f = Make();
  for (int i = 0; i < 4; ++i) {
    Add(f, Entry("http://a.kz/" + std::to_string(i)));
  }
  Add(f, Entry("https://b.kz/x"));
  int a = 0, b = 0;
  for (int i = 0; i < 10; ++i) {
    auto e = f.Pop(kNow);
    if (!e) break;
    std::string host = HostKey(e->url);
    f.Started(host, kNow);
    (host == "http://a.kz:80" ? a : b)++;
  }
  EXPECT_EQ(a, 2);  // per_host_connections
  EXPECT_EQ(b, 1);
  f.Finished("http://a.kz:80");
  EXPECT_TRUE(f.Pop(kNow));
}

TEST_F(FrontierTest, SeedsAndNextPagesBeforeLinksBeforeRecrawls) {
  options_.per_host_delay_ms = 0;
  Frontier f = Make();
  Add(f, Entry("http://a.kz/link", UrlKind::kLink));
  Add(f, Entry("http://a.kz/next", UrlKind::kNextPage));
  Add(f, Entry("http://a.kz/seed", UrlKind::kSeed, 0));
  FrontierEntry re = Entry("http://a.kz/re", UrlKind::kRecrawl);
  re.due_ms = kNow;
  f.Reschedule(re, nullptr);
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    auto e = f.Pop(kNow);
    ASSERT_TRUE(e);
    order.push_back(e->url);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"http://a.kz/seed", "http://a.kz/next",
                                      "http://a.kz/link", "http://a.kz/re"}));
}

TEST_F(FrontierTest, SeenUrlsAreNotQueuedTwice) {
  Frontier f = Make();
  EXPECT_EQ(Add(f, Entry("http://a.kz/1")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://a.kz/1")), AddResult::kSeen);
  EXPECT_EQ(f.queued(), 1u);
  EXPECT_TRUE(f.IsSeen("http://a.kz/1"));
  EXPECT_FALSE(f.IsSeen("http://a.kz/2"));
}

TEST_F(FrontierTest, TrapProtection) {
  options_.max_depth = 3;
  options_.max_pages_per_host = 3;
  Frontier f = Make();
  EXPECT_EQ(Add(f, Entry("http://a.kz/deep", UrlKind::kLink, 4)),
            AddResult::kTooDeep);
  EXPECT_EQ(f.Add(Entry("http://a.kz/deep2", UrlKind::kLink, 4), 10, 0, kNow,
                  &batch_),
            AddResult::kAdded);  // the source's own max_depth wins
  EXPECT_EQ(Add(f, Entry("http://b.kz/a/b/a/b/a/b")), AddResult::kTrap);
  EXPECT_NE(f.last_reject_detail().find("repeated path segment"),
            std::string::npos);
  EXPECT_EQ(Add(f, Entry("http://b.kz/x/x/x")), AddResult::kTrap);
  EXPECT_EQ(Add(f, Entry("http://b.kz/calendar/2099/01")), AddResult::kTrap);
  EXPECT_EQ(Add(f, Entry("http://b.kz/cal?month=2150-02")), AddResult::kTrap);
  EXPECT_EQ(Add(f, Entry("http://b.kz/news/2025/05/12/x")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://b.kz/p?id=12345678")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://b.kz/p/2031.html")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://d.kz/t?page=2999")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://d.kz/e?year=2200")), AddResult::kTrap);
  EXPECT_EQ(Add(f, Entry("http://b.kz/" + std::string(3000, 'a'))),
            AddResult::kTooLong);
  EXPECT_EQ(Add(f, Entry("http://a.kz/2")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://a.kz/3")), AddResult::kAdded);
  EXPECT_EQ(Add(f, Entry("http://a.kz/4")), AddResult::kHostFull);
  EXPECT_EQ(f.Add(Entry("http://c.kz/1"), -1, 1, kNow, &batch_),
            AddResult::kSourceFull);  // src already has pages queued
}

TEST_F(FrontierTest, RetryAfterPushesBackWholeHost) {
  options_.per_host_delay_ms = 0;
  Frontier f = Make();
  Add(f, Entry("http://a.kz/1"));
  Add(f, Entry("http://a.kz/2"));
  Add(f, Entry("http://b.kz/1"));
  f.PushBackHost("http://a.kz:80", kNow + 5000);
  auto e = f.Pop(kNow);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->url, "http://b.kz/1");
  EXPECT_FALSE(f.Pop(kNow + 4999));
  EXPECT_TRUE(f.Pop(kNow + 5000));
}

TEST_F(FrontierTest, DueWorkIgnoresLaterRecrawls) {
  Frontier f = Make();
  FrontierEntry re = Entry("http://a.kz/re", UrlKind::kRecrawl);
  re.due_ms = kNow + 60000;
  f.Reschedule(re, nullptr);
  EXPECT_FALSE(f.HasDueWork(kNow, kNow + 1000));
  EXPECT_TRUE(f.HasDueWork(kNow + 60000, kNow + 61000));
  FrontierEntry retry = Entry("http://b.kz/x");
  retry.due_ms = kNow + 500;
  f.Reschedule(retry, nullptr);
  EXPECT_TRUE(f.HasDueWork(kNow, kNow + 1000));  // a retry soon
  EXPECT_FALSE(f.HasDueWork(kNow, kNow + 100));  // beyond the horizon
}

TEST_F(FrontierTest, BlockedHostGivesNothing) {
  options_.per_host_delay_ms = 0;
  Frontier f = Make();
  Add(f, Entry("http://a.kz/1"));
  f.BlockHost("http://a.kz:80", true);
  EXPECT_FALSE(f.Pop(kNow));
  f.BlockHost("http://a.kz:80", false);
  EXPECT_TRUE(f.Pop(kNow));
}

TEST(FrontierStoreTest, RocksStorePersistsQueueSeenAndState) {
  shagym::testing::TempDir dir;
  FrontierOptions options;
  options.per_host_delay_ms = 0;
  {
    auto db = store::Db::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto store = NewRocksFrontierStore(db->get());
    Frontier f(options, store.get());
    ASSERT_TRUE(f.Load().ok());
    FrontierBatch batch;
    for (int i = 0; i < 5; ++i) {
      FrontierEntry e = Entry("http://a.kz/" + std::to_string(i));
      e.attempts = i;
      ASSERT_EQ(f.Add(e, -1, 0, kNow, &batch), AddResult::kAdded);
    }
    UrlState state;
    state.etag = "\"e1\"";
    state.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
    state.fetched_ms = kNow;
    state.http_status = 200;
    batch.State("http://a.kz/0", state);
    batch.Done("http://a.kz/0");
    batch.Done("http://a.kz/1");
    ASSERT_TRUE(store->Commit(batch).ok());
  }
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto store = NewRocksFrontierStore(db->get());
  Frontier f(options, store.get());
  ASSERT_TRUE(f.Load().ok());
  EXPECT_EQ(f.queued(), 3u);
  EXPECT_EQ(f.seen(), 5u);
  EXPECT_TRUE(f.IsSeen("http://a.kz/0"));
  FrontierBatch batch;
  EXPECT_EQ(f.Add(Entry("http://a.kz/1"), -1, 0, kNow, &batch),
            AddResult::kSeen);
  std::set<std::string> urls;
  for (int i = 0; i < 5; ++i) {
    auto e = f.Pop(kNow);
    if (!e) break;
    urls.insert(e->url);
    EXPECT_EQ(e->attempts, e->url.back() - '0');
    EXPECT_EQ(e->source_id, "src");
  }
  EXPECT_EQ(urls, (std::set<std::string>{"http://a.kz/2", "http://a.kz/3",
                                         "http://a.kz/4"}));
  auto state = store->GetState("http://a.kz/0");
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->etag, "\"e1\"");
  EXPECT_EQ((*state)->http_status, 200);
  auto none = store->GetState("http://a.kz/2");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(FrontierStoreTest, UrlHashIsStable) {
  // Part of the on-disk format: must never change.
  EXPECT_EQ(UrlHash("http://a.kz/"), UrlHash("http://a.kz/"));
  EXPECT_NE(UrlHash("http://a.kz/1"), UrlHash("http://a.kz/2"));
}

}  // namespace
}  // namespace shagym::crawler

namespace shagym::crawler {
namespace {

// A changed page (sitemap lastmod) is queued again once: a second change
// report while it waits adds nothing, a later scheduled recrawl is brought
// forward, and once released it may be queued again.
TEST_F(FrontierTest, RefreshQueuesAChangedUrlOnce) {
  Frontier f = Make();
  ASSERT_EQ(Add(f, Entry("http://a.kz/1")), AddResult::kAdded);
  auto e = f.Pop(kNow);
  ASSERT_TRUE(e);
  EXPECT_TRUE(f.IsPending(e->url));
  // Done after its fetch, with a recrawl an hour later.
  FrontierEntry later = *e;
  later.kind = UrlKind::kRecrawl;
  later.due_ms = kNow + 3600 * 1000;
  f.Reschedule(later, &batch_);
  EXPECT_EQ(f.queued(), 1u);
  FrontierEntry changed = Entry("http://a.kz/1", UrlKind::kRecrawl);
  changed.due_ms = kNow + 10;
  changed.sitemap_lastmod = true;
  EXPECT_TRUE(f.Refresh(changed, &batch_));
  EXPECT_TRUE(f.Refresh(changed, &batch_));  // no second copy
  EXPECT_EQ(f.queued(), 1u);
  e = f.Pop(kNow + 10);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->url, "http://a.kz/1");
  EXPECT_TRUE(e->sitemap_lastmod);
  EXPECT_FALSE(f.Pop(kNow + 7200 * 1000));  // the old timer is gone
  EXPECT_EQ(f.queued(), 0u);
  EXPECT_TRUE(f.IsPending("http://a.kz/1"));  // in flight
  EXPECT_TRUE(f.Refresh(changed, &batch_));
  EXPECT_EQ(f.queued(), 0u);
  f.Release("http://a.kz/1");
  EXPECT_FALSE(f.IsPending("http://a.kz/1"));
  changed.due_ms = kNow + 7200 * 1000;
  EXPECT_TRUE(f.Refresh(changed, &batch_));
  EXPECT_EQ(f.queued(), 1u);
}

// The Retry-After pause of a host is kept by the store and applied by the
// next Load().
TEST_F(FrontierTest, HostPauseIsPersisted) {
  {
    Frontier f = Make();
    Add(f, Entry("http://a.kz/1"));
    f.PushBackHost("http://a.kz:80", kNow + 5000, &batch_);
    ASSERT_TRUE(store_->Commit(batch_).ok());
  }
  Frontier f = Make();
  ASSERT_TRUE(f.Load().ok());
  EXPECT_EQ(f.host_next_allowed_ms("http://a.kz:80"), kNow + 5000);
  EXPECT_FALSE(f.Pop(kNow + 4999));
  EXPECT_TRUE(f.Pop(kNow + 5000));
}

}  // namespace
}  // namespace shagym::crawler
