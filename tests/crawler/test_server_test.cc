// The loopback server every crawler test relies on: what it serves and what
// it records must be right, or the crawler tests prove nothing.

#include "tests/testing/test_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace shagym::testing {
namespace test_server_test {

TEST(TestServerTest, ServesPagesAndRecordsRequests) {
  TestServer server;
  server.SetPage("/a", "hello");
  server.SetRobots("User-agent: *\nDisallow: /x\n");
  httplib::Client client("127.0.0.1", server.port());
  client.set_default_headers({{"User-Agent", "probe/1"}});
  auto res = client.Get("/a?q=1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  res = client.Get("/robots.txt");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain");
  res = client.Get("/missing");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  auto log = server.Requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].path, "/a");
  EXPECT_EQ(log[0].target, "/a?q=1");
  EXPECT_EQ(log[0].header("user-agent"), "probe/1");
  EXPECT_LE(log[0].start_ms, log[1].start_ms);
  EXPECT_EQ(server.CountRequests("/a"), 1);
  EXPECT_EQ(server.CountRequests("/a?q=1"), 1);
  EXPECT_EQ(server.CountRequests("/a?q=2"), 0);
  server.ClearLog();
  EXPECT_EQ(server.total_requests(), 0);
}

TEST(TestServerTest, SequenceRedirectAndConditional) {
  TestServer server;
  CannedResponse busy;
  busy.status = 503;
  busy.headers = {{"Retry-After", "7"}};
  CannedResponse ok;
  ok.body = "fine";
  server.SetSequence("/s", {busy, ok});
  server.SetRedirect("/r", "/s", 301);
  server.SetConditional("/c", "body", "\"v1\"",
                        "Wed, 21 Oct 2015 07:28:00 GMT");
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/s");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");
  res = client.Get("/s");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Get("/s");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);  // the last response repeats
  res = client.Get("/r");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 301);
  EXPECT_EQ(res->get_header_value("Location"), "/s");
  res = client.Get("/c");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("ETag"), "\"v1\"");
  res = client.Get("/c", {{"If-None-Match", "\"v1\""}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 304);
  res = client.Get("/c", {{"If-None-Match", "\"v0\""}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(TestServerTest, TrickledAndGzipBodiesArriveWhole) {
  TestServer server;
  CannedResponse slow;
  slow.body = std::string(1000, 'x');
  slow.chunk_bytes = 100;
  slow.chunk_interval = std::chrono::milliseconds(1);
  server.Set("/slow", slow);
  CannedResponse gz;
  gz.body = TestServer::Gzip("compressed text");
  gz.content_type = "text/plain";
  gz.headers = {{"Content-Encoding", "gzip"}};
  server.Set("/gz", gz);
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/slow");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, std::string(1000, 'x'));
  res = client.Get("/gz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  ASSERT_TRUE(server.WaitForIdle(std::chrono::seconds(10)));
  auto log = server.Requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_GE(log[0].end_ms, log[0].start_ms);
}

TEST(TestServerTest, StalledBodyIsCutAndServerStillStops) {
  TestServer server;
  CannedResponse stall;
  stall.body = std::string(1000, 'y');
  stall.stall_after_bytes = 10;
  server.Set("/stall", stall);
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(0, 300000);  // 300 ms: the body never completes
  auto res = client.Get("/stall");
  EXPECT_FALSE(res && res->body.size() == 1000);
  EXPECT_TRUE(server.WaitForRequests(1, std::chrono::seconds(5)));
}

}  // namespace test_server_test
}  // namespace shagym::testing
