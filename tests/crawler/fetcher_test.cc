#include "crawler/fetcher.h"

#include <gtest/gtest.h>

#include "crawler/net_guard.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace fetcher_test {

using shagym::testing::CannedResponse;
using shagym::testing::TestServer;

class FetcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<Fetcher> MakeFetcher() {
    options_.allow_private_addresses = true;
    options_.user_agent = "shagym-test/1.0";
    StatusOr<std::unique_ptr<Fetcher>> f = Fetcher::Create(options_);
    EXPECT_TRUE(f.ok());
    return std::move(*f);
  }
  // Runs one request to completion (bounded by a deadline).
  FetchResult FetchOne(Fetcher* f, FetchRequest req) {
    f->Start(std::move(req));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::vector<FetchResult> done = f->Poll(std::chrono::milliseconds(100));
      if (!done.empty()) return done[0];
    }
    ADD_FAILURE() << "fetch did not finish";
    return {};
  }
  FetchResult Get(const std::string& url) {
    auto f = MakeFetcher();
    FetchRequest req;
    req.id = 7;
    req.url = url;
    return FetchOne(f.get(), req);
  }

  TestServer server_;
  FetcherOptions options_;
};

TEST_F(FetcherTest, FetchesPageWithHeadersAndUserAgent) {
  CannedResponse r;
  r.body = "<p>сәлем</p>";
  r.headers = {{"ETag", "\"abc\""},
               {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"},
               {"Link", "<http://x/2>; rel=\"next\""}};
  server_.Set("/p", r);
  FetchResult res = Get(server_.Url("/p"));
  EXPECT_EQ(res.id, 7u);
  EXPECT_EQ(res.error, FetchError::kNone) << res.error_detail;
  EXPECT_EQ(res.http_status, 200);
  EXPECT_EQ(res.body, "<p>сәлем</p>");
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(res.etag, "\"abc\"");
  EXPECT_EQ(res.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(res.link_header, "<http://x/2>; rel=\"next\"");
  EXPECT_EQ(res.primary_ip, "127.0.0.1");
  ASSERT_EQ(server_.total_requests(), 1);
  EXPECT_EQ(server_.Requests()[0].header("user-agent"), "shagym-test/1.0");
  EXPECT_NE(server_.Requests()[0].header("accept-encoding").find("gzip"),
            std::string::npos);
}

TEST_F(FetcherTest, HttpErrorsAreDataNotErrors) {
  FetchResult res = Get(server_.Url("/missing"));
  EXPECT_EQ(res.error, FetchError::kNone);
  EXPECT_EQ(res.http_status, 404);
}

TEST_F(FetcherTest, RedirectIsNotFollowedForPages) {
  server_.SetRedirect("/old", "/new", 301);
  FetchResult res = Get(server_.Url("/old"));
  EXPECT_EQ(res.http_status, 301);
  EXPECT_EQ(res.location, "/new");
  EXPECT_EQ(server_.CountRequests("/new"), 0);
}

TEST_F(FetcherTest, RedirectFollowedWhenAskedWithLimit) {
  server_.SetRedirect("/r1", "/r2");
  server_.SetRedirect("/r2", "/r3");
  server_.SetPage("/r3", "end");
  auto f = MakeFetcher();
  FetchRequest req;
  req.url = server_.Url("/r1");
  req.follow_redirects = 5;
  FetchResult res = FetchOne(f.get(), req);
  EXPECT_EQ(res.http_status, 200);
  EXPECT_EQ(res.body, "end");
  EXPECT_EQ(res.final_url, server_.Url("/r3"));
  server_.SetRedirect("/loop", "/loop");
  req.url = server_.Url("/loop");
  res = FetchOne(f.get(), req);
  EXPECT_EQ(res.error, FetchError::kTooManyRedirects);
  EXPECT_LE(server_.CountRequests("/loop"), 6);
}

TEST_F(FetcherTest, GzipBodyIsDecoded) {
  CannedResponse r;
  std::string text(20000, 'a');
  r.body = TestServer::Gzip(text);
  r.headers = {{"Content-Encoding", "gzip"}};
  server_.Set("/gz", r);
  FetchResult res = Get(server_.Url("/gz"));
  EXPECT_EQ(res.error, FetchError::kNone) << res.error_detail;
  EXPECT_EQ(res.body, text);
  EXPECT_LT(res.wire_bytes, 2000);
}

TEST_F(FetcherTest, GzipBombIsAbortedOnDecodedSize) {
  CannedResponse r;
  r.body = TestServer::Gzip(std::string(16 << 20, 0));  // 16 MiB of zeros
  r.headers = {{"Content-Encoding", "gzip"}};
  server_.Set("/bomb", r);
  options_.max_page_bytes = 1 << 20;
  FetchResult res = Get(server_.Url("/bomb"));
  EXPECT_EQ(res.error, FetchError::kTooLarge) << res.error_detail;
  EXPECT_TRUE(res.body.empty());
  EXPECT_NE(res.error_detail.find("larger than 1048576 bytes"),
            std::string::npos);
}

TEST_F(FetcherTest, OversizedPageIsAborted) {
  server_.SetPage("/big", std::string(3 << 20, 'x'));
  options_.max_page_bytes = 1 << 20;
  FetchResult res = Get(server_.Url("/big"));
  EXPECT_EQ(res.error, FetchError::kTooLarge);
  // Without a Content-Length the limit applies while streaming.
  server_.Set("/stream", shagym::testing::Handler([](const auto&) {
                CannedResponse r;
                r.body = std::string(3 << 20, 'y');
                r.chunk_bytes = 64 << 10;
                return r;
              }));
  res = Get(server_.Url("/stream"));
  EXPECT_EQ(res.error, FetchError::kTooLarge);
}

TEST_F(FetcherTest, SlowBodyCompletes) {
  CannedResponse r;
  r.body = std::string(2000, 'z');
  r.chunk_bytes = 200;
  r.chunk_interval = std::chrono::milliseconds(20);
  server_.Set("/slow", r);
  FetchResult res = Get(server_.Url("/slow"));
  EXPECT_EQ(res.error, FetchError::kNone) << res.error_detail;
  EXPECT_EQ(res.body.size(), 2000u);
}

TEST_F(FetcherTest, StalledBodyTimesOut) {
  CannedResponse r;
  r.body = std::string(5000, 'z');
  r.stall_after_bytes = 100;
  server_.Set("/stall", r);
  options_.stall_timeout_ms = 500;
  FetchResult res = Get(server_.Url("/stall"));
  EXPECT_EQ(res.error, FetchError::kTimeout) << res.error_detail;
  EXPECT_NE(res.error_detail.find("no data for 500 ms"), std::string::npos);
  server_.ReleaseStalled();
}

TEST_F(FetcherTest, ConditionalGetGets304) {
  server_.SetConditional("/c", "body", "\"v1\"",
                         "Wed, 21 Oct 2015 07:28:00 GMT");
  auto f = MakeFetcher();
  FetchRequest req;
  req.url = server_.Url("/c");
  FetchResult first = FetchOne(f.get(), req);
  EXPECT_EQ(first.http_status, 200);
  req.if_none_match = first.etag;
  req.if_modified_since = first.last_modified;
  FetchResult second = FetchOne(f.get(), req);
  EXPECT_EQ(second.http_status, 304);
  EXPECT_EQ(server_.Requests()[1].header("if-none-match"), "\"v1\"");
}

TEST_F(FetcherTest, PrivateAddressRefusedOnConnect) {
  server_.SetPage("/p", "secret");
  FetcherOptions o;
  o.allow_private_addresses = false;
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  FetchRequest req;
  req.url = server_.Url("/p");
  FetchResult res = FetchOne(f->get(), req);
  EXPECT_EQ(res.error, FetchError::kPrivateAddress) << res.error_detail;
  EXPECT_NE(res.error_detail.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(server_.total_requests(), 0);
  // "localhost" resolves to loopback: refused on the address, not the name.
  req.url = "http://localhost:" + std::to_string(server_.port()) + "/p";
  res = FetchOne(f->get(), req);
  EXPECT_EQ(res.error, FetchError::kPrivateAddress) << res.error_detail;
  EXPECT_EQ(server_.total_requests(), 0);
}

TEST_F(FetcherTest, ManyTransfersInFlight) {
  for (int i = 0; i < 40; ++i) {
    server_.SetPage("/p" + std::to_string(i), "page " + std::to_string(i));
  }
  auto f = MakeFetcher();
  for (int i = 0; i < 40; ++i) {
    FetchRequest req;
    req.id = static_cast<uint64_t>(i);
    req.url = server_.Url("/p" + std::to_string(i));
    f->Start(req);
  }
  std::vector<FetchResult> all;
  for (int round = 0; round < 500 && all.size() < 40; ++round) {
    for (auto& r : f->Poll(std::chrono::milliseconds(50))) {
      all.push_back(std::move(r));
    }
  }
  ASSERT_EQ(all.size(), 40u);
  for (const auto& r : all) {
    EXPECT_EQ(r.body, "page " + std::to_string(r.id));
  }
  EXPECT_EQ(f->in_flight(), 0u);
}

TEST(NetGuardTest, PrivateRanges) {
  const std::pair<const char*, bool> cases[] = {
      {"127.0.0.1", true},
      {"10.1.2.3", true},
      {"172.16.0.1", true},
      {"172.31.255.255", true},
      {"172.32.0.1", false},
      {"192.168.1.1", true},
      {"169.254.169.254", true},
      {"100.64.0.1", true},
      {"100.128.0.1", false},
      {"0.0.0.0", true},
      {"224.0.0.1", true},
      {"255.255.255.255", true},
      {"8.8.8.8", false},
      {"93.184.216.34", false},
      {"::1", true},
      {"::", true},
      {"fe80::1", true},
      {"fd00::1", true},
      {"ff02::1", true},
      {"::ffff:127.0.0.1", true},
      {"::ffff:8.8.8.8", false},
      {"64:ff9b::a00:1", true},
      {"2a00:1450:4001::1", false},
      {"[::1]", true},
      {"example.com", false},
  };
  for (const auto& [ip, want] : cases) {
    EXPECT_EQ(IsPrivateAddress(ip), want) << ip;
  }
}

TEST(RetryAfterTest, SecondsAndHttpDate) {
  EXPECT_EQ(ParseRetryAfterSeconds("120", 1000), 120);
  EXPECT_EQ(ParseRetryAfterSeconds(" 0 ", 1000), 0);
  EXPECT_EQ(ParseRetryAfterSeconds("", 1000), -1);
  EXPECT_EQ(ParseRetryAfterSeconds("soon", 1000), -1);
  // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480.
  EXPECT_EQ(
      ParseRetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30),
      30);
  EXPECT_EQ(
      ParseRetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30),
      0);
}

}  // namespace fetcher_test
}  // namespace shagym::crawler
