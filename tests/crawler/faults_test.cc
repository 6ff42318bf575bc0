// Hostile and broken servers against the whole crawl engine over loopback:
// a reset in the middle of a body, a Content-Length that lies both ways,
// endless redirects, a page with 10,000 links, a 50 MB page, bodies that are
// not UTF-8, and a store whose disk fills up mid-crawl. Each test would fail
// if the crawler crashed, hung (the crawl must end by itself) or grew without
// bound; every failure must be logged with its URL and reason and counted in
// the source's health.
//
// RawServer speaks HTTP/1.1 by hand on a socket, so a test can send exactly
// the bytes (and the TCP ending) a broken server sends.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unicode/utf8.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/logger.h"
#include "crawler/adapter.h"
#include "crawler/crawl.h"
#include "crawler/url.h"
#include "store/db.h"
#include "store/store.h"
#include "tests/crawler/link_adapter.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace faults_test {

using shagym::testing::CannedResponse;
using shagym::testing::ServedRequest;
using shagym::testing::TestServer;

// ---- A hand-written HTTP server --------------------------------------------

// What RawServer writes for one request, then how it ends the connection.
struct RawReply {
  std::string bytes;         // status line, headers and the start of a body
  int64_t filler_bytes = 0;  // then this many bytes of "<p>x</p>" filler
  bool reset = false;        // end with a TCP RST instead of a FIN
};

// One connection per request ("Connection: close" is the caller's job),
// each on its own thread, joined by the destructor. Records how many bytes
// each request's answer got out, so tests can see a client stop reading.
class RawServer {
 public:
  using Handler = std::function<RawReply(const std::string& target)>;

  explicit RawServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(listen_fd_, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(
        bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 64), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~RawServer() {
    stop_ = true;
    accept_thread_.join();
    close(listen_fd_);
    std::vector<std::thread> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(conns_);
    }
    for (auto& t : conns) t.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  int Count(const std::string& target) const {
    std::lock_guard lock(mu_);
    auto it = counts_.find(target);
    return it == counts_.end() ? 0 : it->second;
  }
  int total() const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [t, c] : counts_) n += c;
    return n;
  }
  // Bytes of answers that reached the socket, all requests of `target`.
  int64_t BytesSent(const std::string& target) const {
    std::lock_guard lock(mu_);
    auto it = sent_.find(target);
    return it == sent_.end() ? 0 : it->second;
  }

 private:
  void AcceptLoop() {
    // Bounded by stop_: the destructor sets it and joins.
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mu_);
      conns_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Reads the request head (bounded in size and time), answers, closes.
  void Serve(int fd) {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) break;
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    size_t sp1 = head.find(' ');
    size_t sp2 = sp1 == std::string::npos ? sp1 : head.find(' ', sp1 + 1);
    std::string target = sp2 == std::string::npos
                             ? std::string("?")
                             : head.substr(sp1 + 1, sp2 - sp1 - 1);
    {
      std::lock_guard lock(mu_);
      ++counts_[target];
    }
    RawReply reply = handler_(target);
    int64_t sent = SendAll(fd, reply.bytes);
    if (sent == static_cast<int64_t>(reply.bytes.size())) {
      std::string chunk;
      while (chunk.size() < 65536) chunk += "<p>x</p>";
      int64_t left = reply.filler_bytes;
      // Bounded by filler_bytes, and ends early when the client is gone.
      while (left > 0 && !stop_) {
        size_t n = static_cast<size_t>(
            std::min<int64_t>(left, static_cast<int64_t>(chunk.size())));
        int64_t out = SendAll(fd, std::string_view(chunk).substr(0, n));
        sent += out;
        left -= out;
        if (out < static_cast<int64_t>(n)) break;
      }
    }
    {
      std::lock_guard lock(mu_);
      sent_[target] += sent;
    }
    if (reply.reset) {
      linger l{1, 0};  // close() now sends RST
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    } else {
      shutdown(fd, SHUT_WR);
      // Let the client read to the end before the socket goes.
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) > 0) (void)recv(fd, buf, sizeof(buf), 0);
    }
    close(fd);
  }

  // Returns the bytes written; fewer when the peer went away.
  static int64_t SendAll(int fd, std::string_view data) {
    size_t off = 0;
    while (off < data.size()) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 5000) <= 0) break;
      ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    return static_cast<int64_t>(off);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> conns_;       // Guarded by mu_
  std::map<std::string, int> counts_;    // Guarded by mu_
  std::map<std::string, int64_t> sent_;  // Guarded by mu_
};

std::string Head(int status, const std::string& extra_headers,
                 int64_t content_length) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " X\r\n" +
                  "Content-Type: text/html; charset=utf-8\r\n" +
                  "Connection: close\r\n" + extra_headers;
  if (content_length >= 0) {
    h += "Content-Length: " + std::to_string(content_length) + "\r\n";
  }
  return h + "\r\n";
}

RawReply Page(const std::string& body) {
  return {Head(200, "", static_cast<int64_t>(body.size())) + body};
}

// ---- Crawl harness --------------------------------------------------------

bool ValidUtf8(const std::string& s) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// Keeps what the engine hands over. Thread-safe.
class CollectingSink : public PageSink {
 public:
  Status Consume(const SourceAdapter&, const FetchedPage& page,
                 const ExtractResult& result) override {
    std::lock_guard lock(mu_);
    pages_.push_back(page);
    for (const auto& p : result.posts) posts_.push_back(p);
    if (on_page_) on_page_(pages_.size());
    return Status::Ok();
  }
  std::vector<FetchedPage> Pages() {
    std::lock_guard lock(mu_);
    return pages_;
  }
  std::vector<ExtractedPost> Posts() {
    std::lock_guard lock(mu_);
    return posts_;
  }
  // Called (under the sink's lock) with the number of pages so far.
  void set_on_page(std::function<void(size_t)> f) { on_page_ = std::move(f); }

 private:
  std::mutex mu_;
  std::vector<FetchedPage> pages_;
  std::vector<ExtractedPost> posts_;
  std::function<void(size_t)> on_page_;
};

// Keeps every warning and error as "event url=... error=... detail=...".
class CapturingLogger : public Logger {
 public:
  void Log(LogLevel level, std::string_view event,
           const LogFields& fields) override {
    if (level < LogLevel::kWarn) return;
    std::string line(event);
    for (const auto& [k, v] : fields) {
      line += " " + std::string(k) + "=" + v.text();
    }
    std::lock_guard lock(mu_);
    lines_.push_back(line);
  }
  LogLevel min_level() const override { return LogLevel::kWarn; }
  // Lines with the event and every one of `parts`.
  int Count(const std::string& event,
            const std::vector<std::string>& parts) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& l : lines_) {
      if (l.rfind(event + " ", 0) != 0) continue;
      bool all = true;
      for (const auto& p : parts) all = all && l.find(p) != std::string::npos;
      n += all ? 1 : 0;
    }
    return n;
  }
  std::string All() const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& l : lines_) out += l + "\n";
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class FaultsTest : public ::testing::Test {
 protected:
  FaultsTest() {
    options_.crawl.user_agent = "shagym-test/1.0 (+http://example.invalid)";
    options_.crawl.allow_private_addresses = true;
    options_.crawl.respect_robots = false;
    options_.crawl.per_host_delay_ms = 0;
    options_.crawl.per_host_connections = 4;
    options_.crawl.max_connections = 8;
    options_.crawl.timeout_s = 20;
    options_.crawl.retries = 2;
    options_.until_idle = true;
    options_.retry_base_ms = 10;
    options_.workers = 2;
    options_.logger = &log_;
    source_.id = "site";
    source_.max_depth = 10;
    auto st = store::Store::Open({dir_.path() + "/data", 0});
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(st).value();
    // Source health as `shagym crawl` records it.
    options_.on_page = [this](const PageFetchReport& r) {
      store::FetchOutcome f;
      f.source = r.source;
      f.ok = r.ok;
      f.not_modified = r.not_modified;
      f.http_status = r.http_status;
      f.error = r.error;
      f.posts = r.posts;
      EXPECT_TRUE(store_->RecordFetch(f).ok());
      std::lock_guard lock(mu_);
      reports_.push_back(r);
    };
  }

  CrawlStats Crawl(const SourceAdapter& adapter) {
    auto frontier = NewMemoryFrontierStore();
    Crawler crawler(options_, {&adapter}, frontier.get(), nullptr, &sink_);
    Status s = crawler.Run();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return crawler.stats();
  }
  CrawlStats Crawl() {
    LinkAdapter adapter(source_);
    return Crawl(adapter);
  }

  // The failure report of `url` (there must be exactly one).
  PageFetchReport FailureOf(const std::string& url) {
    std::lock_guard lock(mu_);
    std::vector<PageFetchReport> found;
    for (const auto& r : reports_) {
      if (r.url == url && !r.ok) found.push_back(r);
    }
    EXPECT_EQ(found.size(), 1u) << url;
    return found.empty() ? PageFetchReport{} : found[0];
  }

  // A failed page is logged with its URL and reason, counted for the source
  // under that reason, and in the source's stored health.
  void ExpectFailureRecorded(const CrawlStats& stats, const std::string& url) {
    PageFetchReport r = FailureOf(url);
    ASSERT_FALSE(r.error.empty()) << url;
    EXPECT_EQ(r.source, "site");
    EXPECT_EQ(log_.Count("fetch_failed",
                         {"url=" + url, "error=" + r.error, "source=site"}),
              1)
        << log_.All();
    auto it = stats.sources.find("site");
    ASSERT_NE(it, stats.sources.end());
    EXPECT_GE(it->second.errors.count(r.error), 1u) << r.error;
    auto health = store_->GetSourceHealth("site");
    ASSERT_TRUE(health.ok()) << health.status().ToString();
    ASSERT_TRUE(health->has_value());
    EXPECT_GT((*health)->error_rate_7d, 0.0);
    EXPECT_GT((*health)->last_error_at, 0);
  }

  shagym::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  CapturingLogger log_;
  CrawlerOptions options_;
  SourceConfig source_;
  CollectingSink sink_;
  std::mutex mu_;
  std::vector<PageFetchReport> reports_;  // Guarded by mu_
};

// ---- The faults ------------------------------------------------------------

TEST_F(FaultsTest, ResetMidBodyIsRetriedThenFailsAndTheCrawlGoesOn) {
  RawServer server([](const std::string& target) {
    if (target == "/reset") {
      // 100 kB announced, 20 kB sent, then RST.
      return RawReply{Head(200, "", 100000) + std::string(20000, 'a'), 0, true};
    }
    if (target == "/") {
      return Page("<a href=\"/reset\">r</a><a href=\"/ok\">o</a>");
    }
    return Page("POST: still crawling\n");
  });
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.Count("/reset"), 1 + options_.crawl.retries);
  EXPECT_EQ(server.Count("/ok"), 1);
  EXPECT_EQ(stats.total.fetched, 2);
  EXPECT_EQ(stats.total.fetch_errors, 1);
  ExpectFailureRecorded(stats, server.Url("/reset"));
  for (const auto& p : sink_.Pages()) EXPECT_NE(p.url, server.Url("/reset"));
}

TEST_F(FaultsTest, ContentLengthLongerThanTheBodyIsAFailure) {
  RawServer server([&](const std::string& target) {
    if (target == "/short") {
      // 5000 bytes announced, 100 sent, then a clean close.
      return RawReply{Head(200, "", 5000) + std::string(100, 'b')};
    }
    return Page("<a href=\"/short\">s</a>");
  });
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(server.Count("/short"), 1 + options_.crawl.retries);
  EXPECT_EQ(stats.total.fetched, 1);
  ExpectFailureRecorded(stats, server.Url("/short"));
  // A truncated body is never handed on as if it were the page.
  for (const auto& p : sink_.Pages()) EXPECT_NE(p.url, server.Url("/short"));
}

TEST_F(FaultsTest, ContentLengthShorterThanTheBodyKeepsTheAnnouncedBytes) {
  const std::string announced = "POST: first part\n";
  RawServer server([&](const std::string& target) {
    if (target == "/long") {
      // The header says 17 bytes; 64 kB more follow on the same connection.
      return RawReply{Head(200, "", static_cast<int64_t>(announced.size())) +
                      announced + "POST: smuggled\n" + std::string(65536, 'z')};
    }
    return Page("<a href=\"/long\">l</a><a href=\"/after\">a</a>");
  });
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.total.fetched, 3);  // "/", "/long" and "/after"
  EXPECT_EQ(stats.total.fetch_errors, 0);
  bool seen = false;
  for (const auto& p : sink_.Pages()) {
    if (p.url == server.Url("/long")) {
      seen = true;
      EXPECT_EQ(p.body, announced);
    }
  }
  EXPECT_TRUE(seen);
  for (const auto& p : sink_.Posts()) EXPECT_NE(p.text, "smuggled");
}

TEST_F(FaultsTest, EndlessRedirectsStopAtTheLimit) {
  // Every /r/N redirects to a new /r/N+1: a loop check alone never ends it.
  RawServer server([&](const std::string& target) {
    if (target.rfind("/r/", 0) == 0) {
      int n = std::stoi(target.substr(3));
      return RawReply{
          Head(302, "Location: /r/" + std::to_string(n + 1) + "\r\n", 0)};
    }
    return Page("<a href=\"/r/0\">r</a>");
  });
  options_.crawl.max_redirects = 5;
  source_.seeds = {server.Url("/")};
  CrawlStats stats = Crawl();
  int hops = 0;
  for (int i = 0; i < 100; ++i) hops += server.Count("/r/" + std::to_string(i));
  EXPECT_EQ(hops, options_.crawl.max_redirects + 1);
  EXPECT_EQ(server.Count("/r/6"), 0);
  EXPECT_EQ(stats.total.errors["too_many_redirects"], 1);
  // The failure is the last hop's, whose detail names where it pointed.
  ExpectFailureRecorded(stats, server.Url("/r/5"));
  EXPECT_EQ(log_.Count("fetch_failed", {"url=" + server.Url("/r/5"),
                                        "last to " + server.Url("/r/6")}),
            1)
      << log_.All();
}

// Every page links to 10,000 new pages, endlessly: what the frontier holds
// is bounded by the per-host page limit (trap protection), not by what the
// pages offer.
TEST_F(FaultsTest, TenThousandLinksPerPageKeepTheFrontierBounded) {
  // (A hand-written server: cpp-httplib would spend the test compressing.)
  RawServer server([](const std::string& target) {
    std::string path = target.substr(0, target.find('?'));
    std::string b;
    b.reserve(10000 * 32);
    for (int i = 0; i < 10000; ++i) {
      b += "<a href=\"" + path + "/" + std::to_string(i) + "\">x</a>\n";
    }
    b += "POST: page " + path + "\n";
    return Page(b);
  });
  options_.crawl.max_pages_per_host = 12;
  source_.seeds = {server.Url("/s")};
  int64_t max_queued = 0;
  options_.progress_interval_ms = 1;
  options_.on_progress = [&](const CrawlStats& s) {
    max_queued = std::max<int64_t>(max_queued, static_cast<int64_t>(s.queued));
  };
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.total.fetched, 12);
  EXPECT_EQ(server.total(), 12);
  EXPECT_LE(max_queued, 12);
  EXPECT_EQ(stats.queued, 0u);
  // Everything else offered was refused, not kept: 12 pages x 10,000 links.
  EXPECT_EQ(stats.rejected, 12 * 10000 - 11);
  EXPECT_EQ(static_cast<int>(sink_.Posts().size()), 12);
}

int64_t MaxRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A 50 MB page against max_page_bytes of 1 MiB: aborted near the limit, the
// client stops reading (the server cannot push the rest), memory stays
// bounded, and the other pages are crawled.
TEST_F(FaultsTest, FiftyMegabytePageIsAbortedAtTheLimit) {
  constexpr int64_t kBig = 50 * 1000 * 1000;
  RawServer server([&](const std::string& target) {
    if (target == "/big") return RawReply{Head(200, "", kBig), kBig};
    if (target == "/chunked") {
      // No Content-Length at all: the limit must hold on what arrives.
      return RawReply{Head(200, "", -1), kBig};
    }
    if (target == "/") {
      return Page(
          "<a href=\"/big\">b</a><a href=\"/chunked\">c</a>"
          "<a href=\"/ok\">o</a>");
    }
    return Page("POST: fine\n");
  });
  options_.crawl.max_page_bytes = 1 << 20;
  source_.seeds = {server.Url("/")};
  const int64_t rss_before_kb = MaxRssKb();
  CrawlStats stats = Crawl();
  const int64_t rss_growth_kb = MaxRssKb() - rss_before_kb;
  EXPECT_EQ(stats.total.errors["too_large"], 2);
  EXPECT_EQ(server.Count("/big"), 1);  // not retried
  EXPECT_EQ(server.Count("/chunked"), 1);
  EXPECT_EQ(stats.total.fetched, 2);
  // Loopback socket buffers hold a few MB at most; the rest was never sent.
  EXPECT_LT(server.BytesSent("/big"), 16 * 1000 * 1000);
  EXPECT_LT(server.BytesSent("/chunked"), 16 * 1000 * 1000);
  // Two aborted pages held at most ~1 MiB each; 50 MB would show.
  EXPECT_LT(rss_growth_kb, 40 * 1024) << "kB";
  ExpectFailureRecorded(stats, server.Url("/big"));
  ExpectFailureRecorded(stats, server.Url("/chunked"));
}

// Bytes that are not UTF-8 (declared UTF-8, or no charset at all) reach
// the adapters and the sink as valid UTF-8 only.
TEST_F(FaultsTest, InvalidUtf8BodiesBecomeValidUtf8) {
  const std::string junk =
      "\xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 \x80\xbf "
      "\xd0";
  TestServer server;
  server.SetPage("/", "<a href=\"/u8\">a</a><a href=\"/none\">b</a>" +
                          std::string("<div class=post><p>школа ") + junk +
                          "</p></div>");
  server.SetPage(
      "/u8", "<div class=post><p>" + junk + " мектеп " + junk + "</p></div>",
      "text/html; charset=utf-8");
  server.SetPage("/none", "<div class=post><p>" + junk + "</p></div>",
                 "text/html");
  source_.type = SourceType::kHtml;
  source_.seeds = {server.Url("/")};
  source_.post.item = "div.post";
  source_.post.text = "p";
  source_.follow = {"."};
  auto adapter = MakeAdapter(source_);
  ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
  CrawlStats stats = Crawl(**adapter);
  EXPECT_EQ(stats.total.fetched, 3);
  ASSERT_EQ(sink_.Pages().size(), 3u);
  for (const auto& p : sink_.Pages()) EXPECT_TRUE(ValidUtf8(p.body)) << p.url;
  ASSERT_EQ(sink_.Posts().size(), 3u);
  for (const auto& p : sink_.Posts()) {
    EXPECT_TRUE(ValidUtf8(p.text)) << p.text;
    EXPECT_TRUE(ValidUtf8(p.url));
  }
}

// The private-address guard judges where a name resolves, not how the URL
// looks: "localhost" is loopback, as a seed and as a redirect target.
TEST_F(FaultsTest, NameResolvingToPrivateAddressIsRefused) {
  TestServer outside, inside;
  outside.SetRedirect(
      "/go", "http://localhost:" + std::to_string(inside.port()) + "/admin");
  inside.SetPage("/admin", "POST: internal\n");
  inside.SetPage("/secret", "POST: internal\n");
  options_.crawl.allow_private_addresses = false;
  options_.crawl.retries = 0;
  // Only `outside` is reachable, as if it were a public host.
  options_.allowed_private_endpoints = {outside.host_port()};
  const std::string seed =
      "http://localhost:" + std::to_string(inside.port()) + "/secret";
  source_.seeds = {outside.Url("/go"), seed};
  CrawlStats stats = Crawl();
  EXPECT_EQ(outside.CountRequests("/go"), 1);
  EXPECT_EQ(inside.total_requests(), 0);
  EXPECT_EQ(stats.total.errors["private_address"], 2);
  EXPECT_TRUE(sink_.Posts().empty());
  ExpectFailureRecorded(stats, seed);
  ExpectFailureRecorded(
      stats, "http://localhost:" + std::to_string(inside.port()) + "/admin");
}

// ---- A store whose disk fills up -----------------------------------------

// A file system whose writes fail with "no space" once full() is set, as a
// full disk answers (RocksDB's FileSystemWrapper over the real one).
class DiskFullFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit DiskFullFileSystem(std::shared_ptr<rocksdb::FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "DiskFullFileSystem"; }
  void set_full(bool full) { full_ = full; }
  bool full() const { return full_; }
  int64_t refused() const { return refused_; }

  rocksdb::IOStatus NewWritableFile(const std::string& f,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (full_) return Refuse();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }

 private:
  rocksdb::IOStatus Refuse() {
    ++refused_;
    return rocksdb::IOStatus::NoSpace("injected: no space left on device");
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, DiskFullFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d,
                             const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->full()) return fs_->Refuse();
      return FSWritableFileOwnerWrapper::Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d,
                             const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->full()) return fs_->Refuse();
      return FSWritableFileOwnerWrapper::Append(d, o, v, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off,
                                       const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      if (fs_->full()) return fs_->Refuse();
      return FSWritableFileOwnerWrapper::PositionedAppend(d, off, o, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->full()) return fs_->Refuse();
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }

   private:
    DiskFullFileSystem* fs_;
  };

  std::atomic<bool> full_{false};
  std::atomic<int64_t> refused_{0};
};

TEST_F(FaultsTest, DiskFullStopsTheCrawlCleanlyAndARestartResumes) {
  TestServer server;
  std::string links;
  for (int i = 0; i < 30; ++i) {
    links += "<a href=\"/p" + std::to_string(i) + "\">x</a>";
    server.SetPage("/p" + std::to_string(i),
                   "POST: page " + std::to_string(i) + "\n");
  }
  server.SetPage("/", links);
  source_.seeds = {server.Url("/")};
  options_.crawl.max_connections = 2;
  options_.crawl.per_host_connections = 2;
  const std::string db_dir = dir_.path() + "/crawl-db";

  auto fs =
      std::make_shared<DiskFullFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  {
    store::DbOptions o;
    o.env = env.get();
    auto db = store::Db::Open(db_dir, o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto frontier = NewRocksFrontierStore(db->get());
    // The disk fills up once the sink saw 8 pages.
    sink_.set_on_page([&](size_t n) {
      if (n == 8) fs->set_full(true);
    });
    LinkAdapter adapter(source_);
    Crawler crawler(options_, {&adapter}, frontier.get(), db->get(), &sink_);
    Status s = crawler.Run();
    // The crawl stops by itself with the store's error, well before the end.
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("space"), std::string::npos) << s.ToString();
    EXPECT_LT(crawler.stats().total.fetched, 31);
    EXPECT_GT(fs->refused(), 0);
    EXPECT_GE(log_.Count("frontier_commit_failed", {"space"}), 1) << log_.All();
  }
  sink_.set_on_page(nullptr);
  const size_t first_run = sink_.Pages().size();
  ASSERT_GE(first_run, 8u);

  // Room again: the store opens without corruption and the crawl resumes.
  {
    auto db = store::Db::Open(db_dir);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    rocksdb::Status check = (*db)->raw()->VerifyChecksum();
    EXPECT_TRUE(check.ok()) << check.ToString();
    auto frontier = NewRocksFrontierStore(db->get());
    LinkAdapter adapter(source_);
    Crawler crawler(options_, {&adapter}, frontier.get(), db->get(), &sink_);
    Status s = crawler.Run();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Nothing lost: every page was handed over. What was committed before the
  // disk filled is not fetched again; only what was in flight then may be.
  std::map<std::string, int> handed;
  for (const auto& p : sink_.Pages()) ++handed[p.url];
  EXPECT_EQ(handed.size(), 31u);
  for (const auto& [url, n] : handed) EXPECT_LE(n, 2) << url;
  EXPECT_LT(server.total_requests(), 31 + 8);
}

}  // namespace faults_test
}  // namespace shagym::crawler
