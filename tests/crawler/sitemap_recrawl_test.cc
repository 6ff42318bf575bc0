// Sitemap lastmod drives refetching: the real sitemap adapter, the crawl
// engine, the RocksDB frontier and the ingest pipeline with the real store,
// against a loopback site. A page whose sitemap lastmod moves past its last
// fetch is fetched again (once per change, also across a restart); the pages
// whose lastmod did not move are never fetched again.

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/time_util.h"
#include "crawler/adapter.h"
#include "crawler/crawl.h"
#include "crawler/ingest.h"
#include "store/store.h"
#include "tests/crawler/crawl_test_util.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace sitemap_recrawl_test {

using shagym::testing::CannedResponse;
using shagym::testing::ServedRequest;
using shagym::testing::TestServer;

// The ingest pipeline into the real store.
class StoreSink : public PageSink {
 public:
  explicit StoreSink(Ingestor* ingest) : ingest_(ingest) {}
  Status Consume(const SourceAdapter& adapter, const FetchedPage& page,
                 const ExtractResult& result) override {
    StatusOr<IngestStats> s = ingest_->Ingest(adapter.source(), page, result);
    return s.ok() ? Status::Ok() : s.status();
  }

 private:
  Ingestor* ingest_;
};

// A site whose sitemap and pages the test changes between crawls.
class Site {
 public:
  Site() {
    server_.SetRobots("");
    server_.Set("/sitemap.xml", [this](const ServedRequest&) {
      std::lock_guard lock(mu_);
      CannedResponse r;
      r.content_type = "application/xml";
      r.body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
      for (int i = 0; i < kPages; ++i) {
        r.body += "<url><loc>" + server_.Url(Path(i)) + "</loc><lastmod>" +
                  FormatIso8601Utc(lastmod_[i]) + "</lastmod></url>\n";
      }
      r.body += "</urlset>\n";
      return r;
    });
    for (int i = 0; i < kPages; ++i) {
      server_.Set(Path(i), [this, i](const ServedRequest&) {
        std::lock_guard lock(mu_);
        CannedResponse r;
        r.body = "<html><body><div class=\"post\">" + text_[i] +
                 "</div></body></html>";
        return r;
      });
      lastmod_[i] = 1714521600;  // 2024-05-01
      text_[i] = "Пост на странице " + std::to_string(i);
    }
  }

  static constexpr int kPages = 4;
  static std::string Path(int i) { return "/p" + std::to_string(i); }

  void Change(int i, int64_t lastmod, std::string text) {
    std::lock_guard lock(mu_);
    lastmod_[i] = lastmod;
    text_[i] = std::move(text);
  }
  TestServer& server() { return server_; }

 private:
  TestServer server_;
  std::mutex mu_;
  int64_t lastmod_[kPages];
  std::string text_[kPages];
};

class SitemapRecrawlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions so;
    so.data_dir = dir_.path();
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    auto keys = Pseudonymizer::Open(PrivacyOptions{}, dir_.path());
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::make_unique<Pseudonymizer>(std::move(keys).value());
    ingest_ = std::make_unique<Ingestor>(keys_.get(), nullptr, nullptr, nullptr,
                                         ClassifyFn(), StoreHook(store_.get()));
    sink_ = std::make_unique<StoreSink>(ingest_.get());
    frontier_ = NewRocksFrontierStore(store_->db());

    source_.id = "news";
    source_.type = SourceType::kSitemap;
    source_.seeds = {site_.server().Url("/sitemap.xml")};
    source_.recrawl_ms = 15 * 60 * 1000;
    source_.max_depth = 3;
    source_.post.item = ".post";
    auto adapter = MakeAdapter(source_);
    ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
    adapter_ = std::move(adapter).value();

    options_.crawl.user_agent = "shagym-test/1.0";
    options_.crawl.allow_private_addresses = true;
    options_.crawl.per_host_delay_ms = 0;
    options_.crawl.per_host_connections = 4;
    options_.until_idle = true;
    options_.workers = 2;
    options_.logger = &quiet_;
  }

  // One crawl `offset_ms` after now.
  CrawlStats Crawl(int64_t offset_ms, int64_t max_pages = 0) {
    OffsetClock clock(offset_ms);
    CrawlerOptions o = options_;
    o.clock = &clock;
    o.max_pages = max_pages;
    Crawler crawler(o, {adapter_.get()}, frontier_.get(), store_->db(),
                    sink_.get());
    Status s = crawler.Run();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return crawler.stats();
  }

  int Requests(int page) {
    return site_.server().CountRequests(Site::Path(page));
  }
  int64_t Posts() {
    StatusOr<int64_t> n = store_->CountPosts(store::PostQuery{});
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  bool Stored(const std::string& text) {
    bool found = false;
    Status s = store_->ForEachPost(store::PostQuery{}, [&](const Post& p) {
      if (p.text == text) found = true;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return found;
  }

  Site site_;
  shagym::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Pseudonymizer> keys_;
  std::unique_ptr<Ingestor> ingest_;
  std::unique_ptr<StoreSink> sink_;
  std::unique_ptr<FrontierStore> frontier_;
  SourceConfig source_;
  std::unique_ptr<SourceAdapter> adapter_;
  QuietLogger quiet_;
  CrawlerOptions options_;
};

constexpr int64_t kHour = 3600 * 1000;

TEST_F(SitemapRecrawlTest, OnlyThePageWhoseLastmodMovedIsFetchedAgain) {
  CrawlStats first = Crawl(0);
  EXPECT_EQ(first.total.fetched, 1 + Site::kPages);
  for (int i = 0; i < Site::kPages; ++i) EXPECT_EQ(Requests(i), 1) << i;
  EXPECT_EQ(Posts(), Site::kPages);

  // Page 2 changes after it was fetched; the sitemap says so.
  int64_t changed_at = SystemClock()->NowMs() / 1000 + 60;
  site_.Change(2, changed_at, "Новый пост: в школе нет отопления");

  // An hour later the sitemap is due again (recrawl 15 min): only page 2
  // is fetched again, and its new post is stored.
  CrawlStats second = Crawl(kHour);
  EXPECT_EQ(site_.server().CountRequests("/sitemap.xml"), 2);
  EXPECT_EQ(second.lastmod_refetches, 1);
  for (int i = 0; i < Site::kPages; ++i) {
    EXPECT_EQ(Requests(i), i == 2 ? 2 : 1) << i;
  }
  EXPECT_TRUE(Stored("Новый пост: в школе нет отопления"));
  EXPECT_EQ(Posts(), Site::kPages + 1);

  // Later still: the sitemap is read again with the same lastmod; nothing
  // is fetched again (once per change).
  CrawlStats third = Crawl(2 * kHour);
  EXPECT_EQ(site_.server().CountRequests("/sitemap.xml"), 3);
  EXPECT_EQ(third.lastmod_refetches, 0);
  for (int i = 0; i < Site::kPages; ++i) {
    EXPECT_EQ(Requests(i), i == 2 ? 2 : 1) << i;
  }
  EXPECT_EQ(site_.server().CountRequests("/robots.txt"), 1);
}

TEST_F(SitemapRecrawlTest, AChangeSeenBeforeARestartIsFetchedAfterIt) {
  Crawl(0);
  for (int i = 0; i < Site::kPages; ++i) ASSERT_EQ(Requests(i), 1) << i;
  int64_t changed_at = SystemClock()->NowMs() / 1000 + 60;
  site_.Change(1, changed_at, "Изменённый пост");
  site_.Change(3, changed_at, "Ещё один изменённый пост");

  // The crawl stops after the sitemap: the two changed pages are queued in
  // the store, not fetched.
  CrawlStats stopped = Crawl(kHour, /*max_pages=*/1);
  EXPECT_EQ(stopped.pages(), 1);
  EXPECT_EQ(stopped.lastmod_refetches, 2);
  EXPECT_EQ(Requests(1), 1);
  EXPECT_EQ(Requests(3), 1);

  // The restart fetches them, each once, without reading the sitemap again
  // (its next recrawl is not due yet).
  CrawlStats resumed = Crawl(kHour + 60 * 1000);
  EXPECT_EQ(resumed.total.fetched, 2);
  EXPECT_EQ(site_.server().CountRequests("/sitemap.xml"), 2);
  for (int i = 0; i < Site::kPages; ++i) {
    EXPECT_EQ(Requests(i), i == 1 || i == 3 ? 2 : 1) << i;
  }
  EXPECT_TRUE(Stored("Изменённый пост"));
  EXPECT_TRUE(Stored("Ещё один изменённый пост"));

  // The next sitemap read finds nothing newer than those fetches.
  CrawlStats later = Crawl(3 * kHour);
  EXPECT_EQ(later.lastmod_refetches, 0);
  EXPECT_EQ(later.total.fetched, 1);
  for (int i = 0; i < Site::kPages; ++i) {
    EXPECT_EQ(Requests(i), i == 1 || i == 3 ? 2 : 1) << i;
  }
}

}  // namespace sitemap_recrawl_test
}  // namespace shagym::crawler
