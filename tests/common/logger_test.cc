#include "common/logger.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace shagym {
namespace logger_test {

TEST(LoggerTest, FormatsKeyValueLine) {
  std::string line = FormatLogLine(LogFormat::kText, "2026-01-01T00:00:00Z",
                                   LogLevel::kInfo, "fetch_done",
                                   {{"host", "example.org"},
                                    {"status", 200},
                                    {"reason", "timeout after 10s"}});
  EXPECT_EQ(line,
            "2026-01-01T00:00:00Z info event=fetch_done host=example.org "
            "status=200 reason=\"timeout after 10s\"");
}

TEST(LoggerTest, FormatsJsonLine) {
  std::string line =
      FormatLogLine(LogFormat::kJson, "T", LogLevel::kWarn, "skip",
                    {{"url", "http://x/\"q\""}, {"bytes", 10}, {"ok", false}});
  EXPECT_EQ(line,
            "{\"time\":\"T\",\"level\":\"warn\",\"event\":\"skip\",\"url\":"
            "\"http://x/\\\"q\\\"\",\"bytes\":10,\"ok\":false}");
}

TEST(LoggerTest, DropsBelowMinLevel) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StreamLogger logger(LogLevel::kWarn, LogFormat::kText, f);
  Log(&logger, LogLevel::kInfo, "quiet");
  Log(&logger, LogLevel::kError, "loud", {{"n", 1}});
  std::fflush(f);
  std::rewind(f);
  char buf[256] = {0};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string out(buf, n);
  EXPECT_EQ(out.find("quiet"), std::string::npos);
  EXPECT_NE(out.find("error event=loud n=1\n"), std::string::npos);
}

TEST(LoggerTest, ParsesLevels) {
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

}  // namespace logger_test
}  // namespace shagym
