// The diagnostic commands print what the crawler does (same code paths).

#include <gtest/gtest.h>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace {

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

}  // namespace
}  // namespace shagym::crawler
