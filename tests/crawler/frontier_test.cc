#include "crawler/frontier.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <set>

#include "crawler/url.h"
#include "store/db.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace frontier_test {

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

}  // namespace frontier_test
}  // namespace shagym::crawler

namespace shagym::crawler {
namespace frontier_test {

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

// ---- The in-memory window ------------------------------------------------

// Spill-area rows in the store (the frontier's raw column family).
size_t SpillRows(store::Db* db) {
  std::unique_ptr<rocksdb::Iterator> it(db->raw()->NewIterator(
      rocksdb::ReadOptions(), db->cf(store::Cf::kFrontier)));
  size_t n = 0;
  for (it->Seek("~queue/h/"); it->Valid() && it->key().starts_with("~queue/h/");
       it->Next()) {
    ++n;
  }
  return n;
}

class FrontierWindowTest : public ::testing::TestWithParam<bool> {
 protected:
  static constexpr size_t kWindow = 8;
  FrontierWindowTest() {
    options_.per_host_delay_ms = 0;
    options_.per_host_connections = 100;
    options_.host_window = kWindow;
    if (GetParam()) {
      auto db = store::Db::Open(dir_.path() + "/db");
      EXPECT_TRUE(db.ok()) << db.status().ToString();
      db_ = std::move(db).value();
      store_ = NewRocksFrontierStore(db_.get());
    } else {
      store_ = NewMemoryFrontierStore();
    }
  }
  shagym::testing::TempDir dir_;
  std::unique_ptr<store::Db> db_;
  std::unique_ptr<FrontierStore> store_;
  FrontierOptions options_;
};

TEST_P(FrontierWindowTest, TenWindowsOfUrlsStayBoundedAndComeOutOnceInOrder) {
  Frontier f(options_, store_.get());
  ASSERT_TRUE(f.Load(kNow).ok());
  const std::vector<std::string> hosts = {"http://a.kz", "http://b.kz"};
  const size_t n = 10 * kWindow;
  FrontierBatch batch;
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& h : hosts) {
      ASSERT_EQ(f.Add(Entry(h + "/" + std::to_string(i)), -1, 0, kNow, &batch),
                AddResult::kAdded);
      EXPECT_LE(f.in_memory(h + ":80"), kWindow);
    }
  }
  ASSERT_TRUE(store_->Commit(batch).ok());
  EXPECT_EQ(f.queued(), 2 * n);
  for (const std::string& h : hosts) {
    EXPECT_EQ(f.in_memory(h + ":80"), kWindow);
    EXPECT_EQ(f.spilled(h + ":80"), n - kWindow);
  }
  if (db_) {
    EXPECT_EQ(SpillRows(db_.get()), 2 * (n - kWindow));
  }
  std::map<std::string, std::vector<int>> order;
  for (size_t i = 0; i < 2 * n + 5; ++i) {
    auto e = f.Pop(kNow);
    if (!e) break;
    std::string host = HostKey(e->url);
    order[host].push_back(std::stoi(e->url.substr(e->url.rfind('/') + 1)));
    for (const std::string& h : hosts)
      EXPECT_LE(f.in_memory(h + ":80"), kWindow);
  }
  EXPECT_EQ(f.queued(), 0u);
  std::vector<int> expected(n);
  for (size_t i = 0; i < n; ++i) expected[i] = static_cast<int>(i);
  for (const std::string& h : hosts) EXPECT_EQ(order[h + ":80"], expected);
  if (db_) {
    EXPECT_EQ(SpillRows(db_.get()), 0u);
  }
}

TEST_P(FrontierWindowTest, SeedsAndNextPagesJumpAheadOfSpilledLinks) {
  Frontier f(options_, store_.get());
  ASSERT_TRUE(f.Load(kNow).ok());
  FrontierBatch batch;
  for (size_t i = 0; i < 3 * kWindow; ++i) {
    f.Add(Entry("http://a.kz/l" + std::to_string(i)), -1, 0, kNow, &batch);
  }
  f.Add(Entry("http://a.kz/next", UrlKind::kNextPage), -1, 0, kNow, &batch);
  f.Add(Entry("http://a.kz/seed", UrlKind::kSeed, 0), -1, 0, kNow, &batch);
  EXPECT_LE(f.in_memory("http://a.kz:80"), kWindow);
  std::vector<std::string> order;
  for (size_t i = 0; i < 4 * kWindow; ++i) {
    auto e = f.Pop(kNow);
    if (!e) break;
    order.push_back(e->url.substr(e->url.rfind('/') + 1));
    // A popped entry put back goes first again.
    if (i == 5) {
      f.Unpop(std::move(*e));
      order.pop_back();
    }
  }
  ASSERT_EQ(order.size(), 3 * kWindow + 2);
  EXPECT_EQ(order[0], "seed");
  EXPECT_EQ(order[1], "next");
  for (size_t i = 0; i < 3 * kWindow; ++i) {
    EXPECT_EQ(order[i + 2], "l" + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, FrontierWindowTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Rocks" : "Memory";
                         });

// A crawl killed with most of its queue in the spill area: the next run
// rebuilds the spill area from the queue, so every URL that was not done
// comes out exactly once and the done ones never again.
TEST(FrontierWindowStoreTest, ReopenAfterAKillYieldsEveryUrlExactlyOnce) {
  constexpr size_t kWindow = 8;
  constexpr size_t kUrls = 10 * kWindow;
  shagym::testing::TempDir dir;
  FrontierOptions options;
  options.per_host_delay_ms = 0;
  options.per_host_connections = 100;
  options.host_window = kWindow;
  std::set<std::string> done;
  std::set<std::string> in_flight;
  {
    auto db = store::Db::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto store = NewRocksFrontierStore(db->get());
    Frontier f(options, store.get());
    ASSERT_TRUE(f.Load(kNow).ok());
    FrontierBatch batch;
    for (size_t i = 0; i < kUrls; ++i) {
      f.Add(Entry("http://a.kz/" + std::to_string(i)), -1, 0, kNow, &batch);
    }
    ASSERT_TRUE(store->Commit(batch).ok());
    // 3 windows' worth fetched (two refills), the last 5 still in flight.
    batch = FrontierBatch();
    for (size_t i = 0; i < 3 * kWindow; ++i) {
      auto e = f.Pop(kNow);
      ASSERT_TRUE(e);
      if (i + 5 < 3 * kWindow) {
        batch.Done(e->url);
        done.insert(e->url);
      } else {
        in_flight.insert(e->url);
      }
    }
    ASSERT_TRUE(store->Commit(batch).ok());
    EXPECT_GT(SpillRows(db->get()), 0u);
    // Killed here: nothing else is written.
  }
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto store = NewRocksFrontierStore(db->get());
  Frontier f(options, store.get());
  ASSERT_TRUE(f.Load(kNow).ok());
  EXPECT_EQ(f.queued(), kUrls - done.size());
  EXPECT_LE(f.in_memory("http://a.kz:80"), kWindow);
  EXPECT_EQ(SpillRows(db->get()), f.spilled("http://a.kz:80"));
  std::map<std::string, int> second;
  for (size_t i = 0; i < 2 * kUrls; ++i) {
    auto e = f.Pop(kNow);
    if (!e) break;
    ++second[e->url];
    EXPECT_LE(f.in_memory("http://a.kz:80"), kWindow);
  }
  EXPECT_EQ(second.size(), kUrls - done.size());
  for (size_t i = 0; i < kUrls; ++i) {
    std::string url = "http://a.kz/" + std::to_string(i);
    if (done.count(url)) {
      EXPECT_EQ(second.count(url), 0u) << url << " was done before the kill";
    } else {
      EXPECT_EQ(second[url], 1) << url;
    }
  }
  for (const std::string& url : in_flight) EXPECT_EQ(second[url], 1) << url;
}

}  // namespace frontier_test
}  // namespace shagym::crawler
