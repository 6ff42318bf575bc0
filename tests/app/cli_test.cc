// End-to-end checks of the command line: the real binary in a child process.

#include <gtest/gtest.h>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym {
namespace cli_test {

using testing::RunCommand;
using testing::ShagymBinary;

TEST(CliTest, HelpListsEverySpecCommand) {
  auto r = RunCommand({ShagymBinary(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd :
       {"crawl", "classify", "reclassify", "rules", "trends", "export", "serve",
        "backup", "restore", "db", "users", "demo", "fetch", "robots", "url"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + cmd + " "), std::string::npos)
        << cmd << " missing from:\n"
        << r.out;
  }
  auto rules = RunCommand({ShagymBinary(), "rules", "--help"});
  for (const char* sub : {"check", "test", "backtest"}) {
    EXPECT_NE(rules.out.find(sub), std::string::npos) << sub;
  }
}

TEST(CliTest, MissingConfigIsExitTwoWithOneLine) {
  auto r = RunCommand({ShagymBinary(), "crawl", "--config", "missing.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "missing.yaml: cannot read configuration: no such file\n");
}

TEST(CliTest, BrokenConfigIsExitTwoWithPosition) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "crawl:\n  retries: many\n");
  auto r = RunCommand({ShagymBinary(), "--config", path, "crawl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            path + ":2:12: crawl.retries: expected an integer, got 'many'\n");
}

TEST(CliTest, UnknownFlagIsUsageError) {
  auto r = RunCommand({ShagymBinary(), "crawl", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace cli_test
}  // namespace shagym
