// The crawl engine against real loopback servers: robots, politeness,
// retries, Retry-After, redirects, private-address refusal, recrawl with
// conditional GET, limits and resume. The adapter here is a small real
// SourceAdapter (href scan, "POST:" lines) so the engine is tested on its
// own; the product's adapters have their own tests.

#include "crawler/crawl.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "crawler/url.h"
#include "store/db.h"
#include "tests/crawler/crawl_test_util.h"
#include "tests/crawler/link_adapter.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace crawl_test {

using shagym::testing::CannedResponse;
using shagym::testing::ServedRequest;
using shagym::testing::TestServer;

// Collects what the engine hands over. Thread-safe.
class CollectingSink : public PageSink {
 public:
  Status Consume(const SourceAdapter&, const FetchedPage& page,
                 const ExtractResult& result) override {
    std::lock_guard lock(mu_);
    pages_.push_back(page);
    posts_ += static_cast<int>(result.posts.size());
    return Status::Ok();
  }
  std::vector<std::string> Urls() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& p : pages_) out.push_back(p.url);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<FetchedPage> Pages() {
    std::lock_guard lock(mu_);
    return pages_;
  }
  int posts() {
    std::lock_guard lock(mu_);
    return posts_;
  }

 private:
  std::mutex mu_;
  std::vector<FetchedPage> pages_;
  int posts_ = 0;
};

class CrawlTest : public ::testing::Test {
 protected:
  CrawlTest() {
    options_.crawl.user_agent = "shagym-test/1.0 (+http://example.invalid)";
    options_.crawl.allow_private_addresses = true;
    options_.crawl.per_host_delay_ms = 0;
    options_.crawl.per_host_connections = 4;
    options_.crawl.max_connections = 16;
    options_.crawl.timeout_s = 10;
    options_.crawl.retries = 3;
    options_.until_idle = true;
    options_.retry_base_ms = 20;
    options_.workers = 2;
    options_.logger = &quiet_;
    source_.id = "site";
    source_.max_depth = 10;
  }

  // Runs one crawl of `source_` over `store`. Bounded by the engine's own
  // until-idle exit; the test's ctest timeout is the backstop.
  CrawlStats Crawl(FrontierStore* store, store::Db* db = nullptr,
                   const std::string& follow = "") {
    LinkAdapter adapter(source_, follow);
    Crawler crawler(options_, {&adapter}, store, db, &sink_);
    Status s = crawler.Run();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return crawler.stats();
  }
  CrawlStats Crawl() {
    auto store = NewMemoryFrontierStore();
    return Crawl(store.get());
  }

  QuietLogger quiet_;
  CrawlerOptions options_;
  SourceConfig source_;
  CollectingSink sink_;
};

std::map<std::string, int> CountByPath(const TestServer& server) {
  std::map<std::string, int> out;
  for (const auto& r : server.Requests()) ++out[r.target];
  return out;
}

TEST_F(CrawlTest, FollowsLinksFetchingEachPageOnce) {
  TestServer server;
  server.SetRobots("User-agent: *\nDisallow:\n");
  server.SetPage("/",
                 "<a href=\"/a\">a</a> <a href=\"b#frag\">b</a>\nPOST: one\n");
  server.SetPage("/a",
                 "<a href=\"/\">home</a> <a href=\"/b?utm_source=x\">b</a>");
  server.SetPage("/b", "<a href=\"/a\">a</a>\nPOST: two\nPOST: three\n");
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(sink_.Urls(),
            (std::vector<std::string>{server.Url("/"), server.Url("/a"),
                                      server.Url("/b")}));
  EXPECT_EQ(sink_.posts(), 3);
  EXPECT_EQ(stats.total.fetched, 3);
  EXPECT_EQ(stats.total.posts, 3);
  EXPECT_EQ(stats.robots_fetches, 1);
  auto counts = CountByPath(server);
  EXPECT_EQ(counts["/robots.txt"], 1);
  EXPECT_EQ(counts["/"], 1);
  EXPECT_EQ(counts["/a"], 1);
  EXPECT_EQ(counts["/b"], 1);
  EXPECT_EQ(server.total_requests(), 4);
  // robots.txt comes first, with the configured User-Agent.
  auto log = server.Requests();
  EXPECT_EQ(log[0].path, "/robots.txt");
  EXPECT_EQ(log[0].header("user-agent"), options_.crawl.user_agent);
}

TEST_F(CrawlTest, RobotsDisallowedPagesAreNeverFetched) {
  TestServer server;
  server.SetRobots(
      "User-agent: *\nDisallow: /\n\nUser-agent: shagym-test\n"
      "Disallow: /private\nAllow: /private/open\n");
  server.SetPage("/",
                 "<a href=\"/private/x\">x</a> <a href=\"/private/open\">o</a>"
                 " <a href=\"/public\">p</a>");
  server.SetPage("/public", "ok");
  server.SetPage("/private/open", "ok");
  server.SetPage("/private/x", "secret");
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.CountRequests("/private/x"), 0);
  EXPECT_EQ(server.CountRequests("/private/open"), 1);
  EXPECT_EQ(server.CountRequests("/public"), 1);
  EXPECT_EQ(stats.total.disallowed, 1);
}

TEST_F(CrawlTest, Rfc9309_RobotsServerErrorDisallowsAllAndNotFoundAllowsAll) {
  TestServer broken;
  CannedResponse err;
  err.status = 503;
  broken.Set("/robots.txt", err);
  broken.SetPage("/", "never");
  TestServer missing;  // 404 for robots.txt
  missing.SetPage("/", "fine");
  source_.seeds = {broken.Url("/"), missing.Url("/")};
  options_.crawl.retries = 0;  // give up on the first robots failure
  CrawlStats stats = Crawl();
  EXPECT_EQ(broken.CountRequests("/"), 0);
  EXPECT_EQ(broken.CountRequests("/robots.txt"), 1);
  EXPECT_EQ(missing.CountRequests("/"), 1);
  EXPECT_EQ(stats.total.disallowed, 1);
}

TEST_F(CrawlTest, PolitenessDelayBetweenRequestStarts) {
  TestServer server;
  std::string links;
  for (int i = 0; i < 5; ++i) {
    links += "<a href=\"/p" + std::to_string(i) + "\">x</a>";
    server.SetPage("/p" + std::to_string(i), "leaf");
  }
  server.SetPage("/", links);
  server.SetRobots("User-agent: *\nAllow: /\n");
  options_.crawl.per_host_delay_ms = 150;
  options_.crawl.per_host_connections = 4;
  source_.seeds = {server.Url("/")};
  Crawl();
  auto log = server.Requests();
  ASSERT_EQ(log.size(), 7u);
  // The server sees arrivals, timed when a server thread gets to each
  // request; on a loaded machine one late arrival shortens the next gap by
  // as much as it lengthened its own. The whole span cannot be shortened
  // that way: six gaps take at least six delays, less the first arrival's
  // lateness (a new connection; under ASan on a loaded machine it has been
  // 26 ms), allowed up to half a delay. Without the delay the span is a few
  // milliseconds; with a delay 20% short it is 720 ms, below the bound. No
  // single gap may fall to half the delay either.
  for (size_t i = 1; i < log.size(); ++i) {
    EXPECT_GE(log[i].start_ms - log[i - 1].start_ms, 75)
        << log[i - 1].target << " -> " << log[i].target;
  }
  EXPECT_GE(log.back().start_ms - log.front().start_ms,
            static_cast<int64_t>(log.size() - 1) * 150 - 75);
}

TEST_F(CrawlTest, PolitenessConnectionsPerHost) {
  TestServer server;
  std::string links;
  for (int i = 0; i < 12; ++i) {
    links += "<a href=\"/slow" + std::to_string(i) + "\">x</a>";
    CannedResponse slow;
    slow.body = std::string(400, 'x');
    slow.chunk_bytes = 100;
    slow.chunk_interval = std::chrono::milliseconds(30);
    server.Set("/slow" + std::to_string(i), slow);
  }
  server.SetPage("/", links);
  server.SetRobots("");
  options_.crawl.per_host_connections = 2;
  options_.crawl.max_connections = 16;
  source_.seeds = {server.Url("/")};
  Crawl();
  EXPECT_EQ(server.total_requests(), 14);
  EXPECT_LE(server.max_in_flight(), 2);
  EXPECT_EQ(server.max_in_flight(), 2);  // and it does use both
}

TEST_F(CrawlTest, CrawlDelayRaisesTheDelay) {
  TestServer server;
  server.SetRobots("User-agent: shagym-test\nCrawl-delay: 0.3\n");
  server.SetPage("/", "<a href=\"/a\">a</a><a href=\"/b\">b</a>");
  server.SetPage("/a", "a");
  server.SetPage("/b", "b");
  options_.crawl.per_host_delay_ms = 10;
  source_.seeds = {server.Url("/")};
  Crawl();
  auto log = server.Requests();
  ASSERT_EQ(log.size(), 4u);
  // The delay applies from the robots.txt answer on.
  for (size_t i = 2; i < log.size(); ++i) {
    EXPECT_GE(log[i].start_ms - log[i - 1].start_ms, 275);
  }
}

TEST_F(CrawlTest, RetryAfterPushesBackTheWholeHost) {
  TestServer server;
  server.SetRobots("");
  CannedResponse busy;
  busy.status = 429;
  busy.headers = {{"Retry-After", "1"}};
  CannedResponse ok;
  ok.body = "fine";
  server.SetSequence("/busy", {busy, ok});
  std::string links = "<a href=\"/busy\">b</a>";
  for (int i = 0; i < 4; ++i) {
    links += "<a href=\"/o" + std::to_string(i) + "\">o</a>";
    CannedResponse slow;  // keeps the others queued while /busy answers
    slow.body = "other";
    server.Set("/o" + std::to_string(i), slow);
  }
  server.SetPage("/", links);
  options_.crawl.per_host_connections = 1;
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  auto log = server.Requests();
  auto it = std::find_if(log.begin(), log.end(), [](const ServedRequest& r) {
    return r.path == "/busy" && r.status == 429;
  });
  ASSERT_NE(it, log.end());
  int64_t pushed_at = it->start_ms;
  int after = 0;
  for (auto j = it + 1; j != log.end(); ++j, ++after) {
    EXPECT_GE(j->start_ms - pushed_at, 990) << j->target;
  }
  EXPECT_GT(after, 0);
  EXPECT_EQ(server.CountRequests("/busy"), 2);
  EXPECT_EQ(stats.total.fetched, 6);
  EXPECT_EQ(stats.retries, 1);
}

// Sets a stop flag when the engine logs `event` (a point in the crawl the
// test wants to interrupt at, without timing).
class StopOnEvent : public Logger {
 public:
  StopOnEvent(std::string event, std::atomic<bool>* stop)
      : event_(std::move(event)), stop_(stop) {}
  void Log(LogLevel, std::string_view event, const LogFields&) override {
    if (event == event_) stop_->store(true);
  }
  LogLevel min_level() const override { return LogLevel::kDebug; }

 private:
  std::string event_;
  std::atomic<bool>* stop_;
};

// A restart does not forget a Retry-After: nothing reaches the host before
// the time it asked for, neither the page that got the 429 nor the others.
TEST_F(CrawlTest, RetryAfterPushbackSurvivesARestart) {
  TestServer server;
  server.SetRobots("");
  CannedResponse busy;
  busy.status = 503;
  busy.headers = {{"Retry-After", "2"}};
  CannedResponse ok;
  ok.body = "POST: back\n";
  server.SetSequence("/busy", {busy, ok});
  std::string links = "<a href=\"/busy\">b</a>";
  for (int i = 0; i < 3; ++i) {
    links += "<a href=\"/o" + std::to_string(i) + "\">o</a>";
    server.SetPage("/o" + std::to_string(i), "POST: other\n");
  }
  server.SetPage("/", links);
  options_.crawl.per_host_connections = 1;
  source_.seeds = {server.Url("/")};
  shagym::testing::TempDir dir;
  {
    // First run: stopped right after the 503 was handled.
    auto db = store::Db::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok());
    auto store = NewRocksFrontierStore(db->get());
    std::atomic<bool> stop{false};
    StopOnEvent stopper("retry", &stop);
    options_.stop = &stop;
    options_.logger = &stopper;
    CrawlStats first = Crawl(store.get(), db->get());
    EXPECT_EQ(first.retries, 1);
    EXPECT_EQ(server.CountRequests("/busy"), 1);
  }
  auto log = server.Requests();
  auto it = std::find_if(log.begin(), log.end(), [](const ServedRequest& r) {
    return r.path == "/busy" && r.status == 503;
  });
  ASSERT_NE(it, log.end());
  const int64_t pushed_at = it->start_ms;
  const size_t before_restart = log.size();
  ASSERT_LT(server.CountRequests("/o0") + server.CountRequests("/o1") +
                server.CountRequests("/o2"),
            3);

  // Restart on the same store: everything waits for the Retry-After.
  options_.stop = nullptr;
  options_.logger = &quiet_;
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto store = NewRocksFrontierStore(db->get());
  CrawlStats second = Crawl(store.get(), db->get());
  log = server.Requests();
  ASSERT_GT(log.size(), before_restart);
  for (size_t i = before_restart; i < log.size(); ++i) {
    EXPECT_GE(log[i].start_ms - pushed_at, 1990) << log[i].target;
  }
  for (const auto& [path, n] : CountByPath(server)) {
    EXPECT_EQ(n, path == "/busy" ? 2 : 1) << path;
  }
  EXPECT_EQ(sink_.posts(), 4);
}

TEST_F(CrawlTest, RetriesServerErrorsWithBackoffThenGivesUp) {
  TestServer server;
  server.SetRobots("");
  CannedResponse e500;
  e500.status = 500;
  CannedResponse ok;
  ok.body = "recovered";
  server.SetSequence("/flaky", {e500, e500, ok});
  server.Set("/dead", e500);
  server.SetPage("/", "<a href=\"/flaky\">f</a><a href=\"/dead\">d</a>");
  options_.crawl.retries = 3;
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.CountRequests("/flaky"), 3);
  EXPECT_EQ(server.CountRequests("/dead"), 4);  // 1 + 3 retries
  EXPECT_EQ(stats.total.fetched, 2);
  EXPECT_EQ(stats.total.http_errors, 1);
  EXPECT_EQ(stats.total.errors["http_500"], 1);
  // Back-off grows: gaps between /dead attempts do not shrink.
  std::vector<int64_t> times;
  for (const auto& r : server.Requests()) {
    if (r.path == "/dead") times.push_back(r.start_ms);
  }
  ASSERT_EQ(times.size(), 4u);
  EXPECT_GE(times[3] - times[2], 55);  // 20 ms * 2^2, -25% jitter = 60+
}

TEST_F(CrawlTest, RetriesNetworkErrors) {
  TestServer server;
  server.SetRobots("");
  CannedResponse stall;
  stall.body = std::string(1000, 's');
  stall.stall_after_bytes = 10;
  CannedResponse ok;
  ok.body = "POST: finally\n";
  server.SetSequence("/s", {stall, ok});
  source_.seeds = {server.Url("/s")};
  options_.stall_timeout_ms = 1000;
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.CountRequests("/s"), 2);
  EXPECT_EQ(stats.total.fetched, 1);
  EXPECT_EQ(sink_.posts(), 1);
  server.ReleaseStalled();
}

TEST_F(CrawlTest, RedirectChainLoopAndLimit) {
  TestServer server;
  server.SetRobots("");
  server.SetRedirect("/r1", "/r2", 301);
  server.SetRedirect("/r2", server.Url("/r3"), 302);
  server.SetPage("/r3", "POST: end of chain\n");
  server.SetRedirect("/l1", "/l2");
  server.SetRedirect("/l2", "/l1");
  for (int i = 0; i < 8; ++i) {
    server.SetRedirect("/c" + std::to_string(i), "/c" + std::to_string(i + 1));
  }
  server.SetPage("/c8", "too far");
  options_.crawl.max_redirects = 3;
  source_.seeds = {server.Url("/r1"), server.Url("/l1"), server.Url("/c0")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.CountRequests("/r3"), 1);
  EXPECT_EQ(sink_.Urls(), std::vector<std::string>{server.Url("/r3")});
  EXPECT_EQ(server.CountRequests("/l1"), 1);  // the loop ends at the seen set
  EXPECT_EQ(server.CountRequests("/l2"), 1);
  EXPECT_EQ(server.CountRequests("/c3"), 1);  // three hops followed
  EXPECT_EQ(server.CountRequests("/c4"), 0);
  EXPECT_EQ(stats.total.errors["too_many_redirects"], 1);
}

TEST_F(CrawlTest, RedirectTargetCheckedAgainstItsOwnRobots) {
  TestServer a, b;
  a.SetRobots("");
  a.SetRedirect("/go", b.Url("/secret"));
  a.SetRedirect("/go2", b.Url("/open"));
  b.SetRobots("User-agent: *\nDisallow: /secret\n");
  b.SetPage("/secret", "no");
  b.SetPage("/open", "yes");
  source_.seeds = {a.Url("/go"), a.Url("/go2")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(b.CountRequests("/robots.txt"), 1);
  EXPECT_EQ(b.CountRequests("/secret"), 0);
  EXPECT_EQ(b.CountRequests("/open"), 1);
  EXPECT_EQ(stats.total.disallowed, 1);
}

TEST_F(CrawlTest, RedirectToPrivateAddressRefused) {
  TestServer outside, inside;
  outside.SetRedirect("/go", inside.Url("/admin"));
  inside.SetPage("/admin", "internal");
  options_.crawl.allow_private_addresses = false;
  options_.crawl.respect_robots = false;
  options_.crawl.retries = 0;
  // Only `outside` is reachable, as if it were a public host.
  options_.allowed_private_endpoints = {outside.host_port()};
  source_.seeds = {outside.Url("/go")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(outside.CountRequests("/go"), 1);
  EXPECT_EQ(inside.total_requests(), 0);
  EXPECT_EQ(stats.total.errors["private_address"], 1);
}

TEST_F(CrawlTest, OversizedPageIsCountedNotFatal) {
  TestServer server;
  server.SetRobots("");
  server.SetPage("/", "<a href=\"/big\">b</a><a href=\"/ok\">o</a>");
  server.SetPage("/big", std::string(300000, 'x'));
  server.SetPage("/ok", "fine");
  options_.crawl.max_page_bytes = 100000;
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.total.errors["too_large"], 1);
  EXPECT_EQ(server.CountRequests("/big"), 1);  // not retried
  EXPECT_EQ(stats.total.fetched, 2);
}

TEST_F(CrawlTest, RecrawlUsesConditionalGetAndUntilIdleIgnoresLaterRecrawls) {
  TestServer server;
  server.SetRobots("");
  server.SetConditional("/feed", "POST: news\n", "\"v1\"",
                        "Wed, 21 Oct 2015 07:28:00 GMT");
  source_.seeds = {server.Url("/feed")};
  source_.recrawl_ms = 15 * 60 * 1000;
  shagym::testing::TempDir dir;
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto store = NewRocksFrontierStore(db->get());
  // First run: fetched once; the recrawl 15 minutes later does not keep
  // --until-idle running.
  CrawlStats first = Crawl(store.get(), db->get());
  EXPECT_EQ(first.total.fetched, 1);
  EXPECT_EQ(server.CountRequests("/feed"), 1);
  // An hour later the recrawl is due: a conditional GET, answered 304.
  OffsetClock later(3600 * 1000);
  options_.clock = &later;
  CrawlStats second = Crawl(store.get(), db->get());
  EXPECT_EQ(second.total.not_modified, 1);
  ASSERT_EQ(server.CountRequests("/feed"), 2);
  auto log = server.Requests();
  EXPECT_EQ(log.back().header("if-none-match"), "\"v1\"");
  EXPECT_EQ(log.back().status, 304);
  // robots.txt came from the store's cache, not the network, both times.
  EXPECT_EQ(server.CountRequests("/robots.txt"), 1);
}

TEST_F(CrawlTest, MaxPagesThenResumeFetchesEverythingOnce) {
  TestServer server;
  server.SetRobots("");
  std::string links;
  for (int i = 0; i < 20; ++i) {
    links += "<a href=\"/p" + std::to_string(i) + "\">x</a>";
    server.SetPage("/p" + std::to_string(i),
                   "POST: page " + std::to_string(i) + "\n");
  }
  server.SetPage("/", links);
  source_.seeds = {server.Url("/")};
  shagym::testing::TempDir dir;
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  auto store = NewRocksFrontierStore(db->get());
  options_.max_pages = 5;
  CrawlStats first = Crawl(store.get(), db->get());
  EXPECT_EQ(first.pages(), 5);
  options_.max_pages = 0;
  CrawlStats second = Crawl(store.get(), db->get());
  EXPECT_EQ(second.pages(), 16);
  for (const auto& [path, n] : CountByPath(server)) {
    EXPECT_EQ(n, 1) << path;
  }
  EXPECT_EQ(server.total_requests(), 22);
  EXPECT_EQ(sink_.posts(), 20);
}

// Per-host and per-source limits count every URL ever queued, also across
// restarts: a resumed crawl does not get a fresh allowance.
TEST_F(CrawlTest, PerHostAndSourceLimitsHoldAcrossRestarts) {
  TestServer server;
  server.SetRobots("");
  server.SetFallback([](const ServedRequest& r) {
    // Page n links to n+1 and n+2: an endless chain.
    int n = std::atoi(r.path.c_str() + 2);
    CannedResponse resp;
    resp.body = "POST: page " + std::to_string(n) + "\n<a href=\"/p" +
                std::to_string(n + 1) + "\">a</a><a href=\"/p" +
                std::to_string(n + 2) + "\">b</a>";
    return resp;
  });
  source_.seeds = {server.Url("/p0")};
  source_.max_depth = 1000;
  shagym::testing::TempDir dir;
  {
    auto db = store::Db::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok());
    auto store = NewRocksFrontierStore(db->get());
    options_.crawl.max_pages_per_host = 12;
    options_.max_pages = 4;
    CrawlStats first = Crawl(store.get(), db->get());
    EXPECT_EQ(first.pages(), 4);
  }
  {
    // A new process: the frontier is read back from the store.
    auto db = store::Db::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok());
    auto store = NewRocksFrontierStore(db->get());
    options_.max_pages = 0;
    CrawlStats second = Crawl(store.get(), db->get());
    EXPECT_EQ(second.pages(), 8);
  }
  EXPECT_EQ(server.CountRequests("/robots.txt") + 12, server.total_requests());
  for (const auto& [path, n] : CountByPath(server)) EXPECT_EQ(n, 1) << path;

  // The source's own max_pages, on another store: same rule.
  TestServer server2;
  server2.SetRobots("");
  server2.SetFallback([](const ServedRequest& r) {
    int n = std::atoi(r.path.c_str() + 2);
    CannedResponse resp;
    resp.body = "<a href=\"/p" + std::to_string(n + 1) + "\">a</a>";
    return resp;
  });
  source_.seeds = {server2.Url("/p0")};
  source_.max_pages = 7;
  options_.crawl.max_pages_per_host = 1000;
  shagym::testing::TempDir dir2;
  for (int run = 0; run < 3; ++run) {
    auto db = store::Db::Open(dir2.path() + "/db");
    ASSERT_TRUE(db.ok());
    auto store = NewRocksFrontierStore(db->get());
    options_.max_pages = run < 2 ? 3 : 0;
    Crawl(store.get(), db->get());
  }
  EXPECT_EQ(server2.total_requests() - server2.CountRequests("/robots.txt"), 7);
}

// Counts posts new to a "store" of known texts, like the ingest sink.
class NewPostsSink : public PageSink {
 public:
  explicit NewPostsSink(std::set<std::string> known)
      : known_(std::move(known)) {}
  Status Consume(const SourceAdapter& a, const FetchedPage& p,
                 const ExtractResult& r) override {
    int n;
    return ConsumeAndCount(a, p, r, &n);
  }
  Status ConsumeAndCount(const SourceAdapter&, const FetchedPage&,
                         const ExtractResult& r, int* new_posts) override {
    std::lock_guard lock(mu_);
    *new_posts = 0;
    for (const auto& p : r.posts) *new_posts += known_.insert(p.text).second;
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::set<std::string> known_;
};

// Issue 4: a Telegram channel is paged back with ?before= until max_pages or
// a page whose posts were all seen before.
TEST_F(CrawlTest, TelegramPagingStopsAtAPageWithNoNewPosts) {
  TestServer server;
  server.SetRobots("");
  // /s/c shows posts 100 and 99; ?before=N shows N-1, N-2 and links further.
  server.SetFallback([](const ServedRequest& r) {
    int top = 101;
    size_t q = r.target.find("before=");
    if (q != std::string::npos) top = std::atoi(r.target.c_str() + q + 7);
    CannedResponse resp;
    resp.body = "POST: m" + std::to_string(top - 1) + "\nPOST: m" +
                std::to_string(top - 2) + "\n";
    if (top - 2 > 1) {
      resp.body +=
          "<a rel=\"next\" href=\"/s/c?before=" + std::to_string(top - 2) +
          "\">older</a>";
    }
    return resp;
  });
  source_.seeds = {server.Url("/s/c")};
  source_.type = SourceType::kTelegram;
  source_.max_depth = 1000;
  // Posts down to m94 are new; m93 and m92 (page 4) were stored earlier.
  std::set<std::string> known = {"m93", "m92", "m91", "m90"};
  for (int round = 0; round < 2; ++round) {
    NewPostsSink sink(known);
    LinkAdapter adapter(source_);
    auto store = NewMemoryFrontierStore();
    Crawler crawler(options_, {&adapter}, store.get(), nullptr, &sink);
    ASSERT_TRUE(crawler.Run().ok());
    if (round == 0) {
      // /s/c, before=99, before=97, before=95 (m94 new, m93 known),
      // before=93 (nothing new): stop.
      EXPECT_EQ(crawler.stats().pages(), 5);
      EXPECT_EQ(crawler.stats().paging_stopped, 1);
      EXPECT_EQ(server.CountRequests("/s/c?before=91"), 0);
    } else {
      // The same pages as an html source: pagination is followed to the end.
      EXPECT_EQ(crawler.stats().pages(), 50);
      EXPECT_EQ(crawler.stats().paging_stopped, 0);
    }
    source_.type = SourceType::kHtml;
  }
}

TEST_F(CrawlTest, StopFlagEndsTheCrawl) {
  TestServer server;
  server.SetRobots("");
  server.SetFallback([&](const ServedRequest& r) {
    // An endless site: every page links to two new ones.
    CannedResponse resp;
    resp.body =
        "<a href=\"" + r.path + "1\">a</a><a href=\"" + r.path + "2\">b</a>";
    return resp;
  });
  source_.seeds = {server.Url("/x")};
  source_.max_depth = 100;
  std::atomic<bool> stop{false};
  options_.stop = &stop;
  options_.until_idle = false;
  options_.on_progress = [&](const CrawlStats& s) {
    if (s.pages() >= 10) stop = true;
  };
  options_.progress_interval_ms = 0;
  CrawlStats stats = Crawl();
  EXPECT_GE(stats.pages(), 10);
  EXPECT_LT(stats.pages(), 200);
}

}  // namespace crawl_test
}  // namespace shagym::crawler
