// The diagnostic commands print what the crawler does (same code paths).

#include <gtest/gtest.h>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace commands_test {

using shagym::testing::RunCommand;
using shagym::testing::ShagymBinary;

TEST(CommandsTest, UrlCanonicalOneLinePerUrl) {
  auto r = RunCommand({ShagymBinary(), "url", "canonical", "--base",
                       "https://x.kz/a/b", "../c#f", "mailto:x",
                       "HTTP://МЕКТЕП.kz:80/?utm_source=1&a=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "https://x.kz/c\n"
            "invalid: unsupported scheme 'mailto'\n"
            "http://xn--e1aaogsq.kz/?a=2\n");
}

TEST(CommandsTest, UrlCanonicalBadBaseIsUsageError) {
  auto r =
      RunCommand({ShagymBinary(), "url", "canonical", "--base", "nope", "/a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--base nope"), std::string::npos) << r.err;
}

TEST(CommandsTest, RobotsCheckPrintsDecisionAndRule) {
  shagym::testing::TempDir dir;
  std::string robots =
      dir.Write("robots.txt",
                "User-agent: *\nDisallow: /\n\nUser-agent: shagym\nDisallow: "
                "/private\nAllow: /private/ok\n");
  auto r = RunCommand({ShagymBinary(), "robots", "check", "--robots", robots,
                       "--agent", "shagym/0.1 (+x)", "http://a.kz/private/x",
                       "http://a.kz/private/ok", "http://a.kz/open"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "disallowed http://a.kz/private/x Disallow: /private (line 5)\n"
            "allowed http://a.kz/private/ok Allow: /private/ok (line 6)\n"
            "allowed http://a.kz/open no matching rule\n");
  r = RunCommand({ShagymBinary(), "robots", "check", "--robots", robots,
                  "--agent", "otherbot", "http://a.kz/open"});
  EXPECT_EQ(r.out, "disallowed http://a.kz/open Disallow: / (line 2)\n");
}

TEST(CommandsTest, RobotsCheckMissingFile) {
  auto r =
      RunCommand({ShagymBinary(), "robots", "check", "--robots",
                  "/nonexistent/robots.txt", "--agent", "x", "http://a.kz/"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/robots.txt"), std::string::npos);
}

// A config with one html source on `seed`.
std::string WriteConfig(const shagym::testing::TempDir& dir,
                        const std::string& seed, bool allow_private,
                        int retries = 1) {
  return dir.Write("shagym.yaml",
                   "data_dir: data\n"
                   "crawl:\n"
                   "  user_agent: \"shagym-test/1.0\"\n"
                   "  per_host_delay_ms: 0\n"
                   "  timeout_s: 5\n"
                   "  retries: " +
                       std::to_string(retries) +
                       "\n"
                       "  allow_private_addresses: " +
                       (allow_private ? "true" : "false") +
                       "\n"
                       "sources:\n"
                       "  - id: site\n"
                       "    type: html\n"
                       "    seeds: [\"" +
                       seed +
                       "\"]\n"
                       "    follow: [\"/t/\"]\n"
                       "    post: {item: \"div.post\", text: \"p\"}\n"
                       "log: {level: warn}\n");
}

void ServeForum(shagym::testing::TestServer& server) {
  server.SetRobots("User-agent: *\nDisallow: /t/private\n");
  server.SetPage("/",
                 "<div class=\"post\"><p>Мектепте су жоқ</p></div>"
                 "<a href=\"/t/1\">t1</a><a href=\"/t/private\">p</a>");
  server.SetPage("/t/1", "<div class=\"post\"><p>В школе нет воды</p></div>");
}

TEST(CommandsTest, CrawlRunsAndStoresPosts) {
  shagym::testing::TestServer server;
  ServeForum(server);
  shagym::testing::TempDir dir;
  std::string config = WriteConfig(dir, server.Url("/"), true);
  auto r =
      RunCommand({ShagymBinary(), "--config", config, "crawl", "--until-idle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.CountRequests("/"), 1);
  EXPECT_EQ(server.CountRequests("/t/1"), 1);
  EXPECT_EQ(server.CountRequests("/t/private"), 0);
  EXPECT_NE(r.out.find("posts=2"), std::string::npos) << r.out;
  // Nothing is due any more: a second run fetches nothing and still exits 0.
  r = RunCommand({ShagymBinary(), "--config", config, "crawl", "--until-idle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.CountRequests("/"), 1);
}

TEST(CommandsTest, CrawlExitCodes) {
  shagym::testing::TempDir dir;
  shagym::testing::TestServer server;
  ServeForum(server);
  std::string config = WriteConfig(dir, server.Url("/"), true);
  auto r = RunCommand({ShagymBinary(), "--config", config, "crawl",
                       "--until-idle", "--source", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--source nope"), std::string::npos) << r.err;
  // Nothing answers: exit 3.
  shagym::testing::TempDir dead_dir;
  std::string dead = WriteConfig(dead_dir, "http://127.0.0.1:9/", true, 0);
  r = RunCommand({ShagymBinary(), "--config", dead, "crawl", "--until-idle"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // Private addresses refused by default: nothing fetched, nothing asked.
  shagym::testing::TempDir private_dir;
  std::string closed = WriteConfig(private_dir, server.Url("/"), false, 0);
  r = RunCommand({ShagymBinary(), "--config", closed, "crawl", "--until-idle"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(server.total_requests(), 0);
}

TEST(CommandsTest, FetchPrintsWhatTheAdapterExtracts) {
  shagym::testing::TestServer server;
  ServeForum(server);
  shagym::testing::TempDir dir;
  std::string config = WriteConfig(dir, server.Url("/"), true);
  auto r = RunCommand({ShagymBinary(), "--config", config, "fetch",
                       server.Url("/"), "--source", "site"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("text: Мектепте су жоқ"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("link " + server.Url("/t/1")), std::string::npos)
      << r.out;
  EXPECT_EQ(server.CountRequests("/t/1"), 0);  // fetch does not follow
  // Same robots.txt path as the crawl.
  r = RunCommand(
      {ShagymBinary(), "--config", config, "fetch", server.Url("/t/private")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("robots_disallowed"), std::string::npos) << r.err;
  EXPECT_EQ(server.CountRequests("/t/private"), 0);
}

}  // namespace commands_test
}  // namespace shagym::crawler
