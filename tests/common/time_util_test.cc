#include "common/time_util.h"

#include <gtest/gtest.h>

namespace shagym {
namespace time_util_test {

TEST(TimeUtilTest, FormatsUtc) {
  EXPECT_EQ(FormatIso8601Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(1715594400), "2024-05-13T10:00:00Z");
  EXPECT_EQ(FormatDateUtc(1715594400), "2024-05-13");
  EXPECT_EQ(FormatIso8601Utc(-1), "1969-12-31T23:59:59Z");
}

TEST(TimeUtilTest, ParsesIso8601) {
  struct Case {
    const char* text;
    std::optional<int64_t> want;
  } cases[] = {
      {"2024-05-13T10:00:00Z", 1715594400},
      {"2024-05-13T15:00:00+05:00", 1715594400},
      {"2024-05-13 10:00:00", 1715594400},
      {"2024-05-13T10:00:00.123Z", 1715594400},
      {"2024-05-13T10:00", 1715594400},
      {"2024-05-13", 1715558400},
      {"2024-02-29", 1709164800},
      {"2024-13-01", std::nullopt},
      {"13.05.2024", std::nullopt},
      {"2024-05-13T10:00:00Zjunk", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseIso8601(c.text), c.want) << c.text;
  }
}

TEST(TimeUtilTest, ParsesDurations) {
  EXPECT_EQ(ParseDurationMs("30s"), 30000);
  EXPECT_EQ(ParseDurationMs("15m"), 900000);
  EXPECT_EQ(ParseDurationMs("2h"), 7200000);
  EXPECT_EQ(ParseDurationMs("1d"), 86400000);
  EXPECT_EQ(ParseDurationMs("1h30m"), 5400000);
  EXPECT_EQ(ParseDurationMs("500ms"), 500);
  EXPECT_EQ(ParseDurationMs("900"), 900000);
  EXPECT_EQ(ParseDurationMs("15x"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("-5m"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("m"), std::nullopt);
  EXPECT_EQ(ParseDurationMs(""), std::nullopt);
  // Parts that overflow int64 milliseconds, alone or summed, are refused.
  EXPECT_EQ(ParseDurationMs("1000000000000w"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("077777777777w7777777w"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("999999999999d999999999999d99999999999d"),
            std::nullopt);
}

TEST(TimeUtilTest, ParsesSizes) {
  EXPECT_EQ(ParseSizeBytes("5MB"), 5000000);
  EXPECT_EQ(ParseSizeBytes("5 MiB"), 5 * 1024 * 1024);
  EXPECT_EQ(ParseSizeBytes("512kb"), 512000);
  EXPECT_EQ(ParseSizeBytes("1048576"), 1048576);
  EXPECT_EQ(ParseSizeBytes("2G"), int64_t{2} << 30);
  EXPECT_EQ(ParseSizeBytes("5 parsecs"), std::nullopt);
  EXPECT_EQ(ParseSizeBytes("MB"), std::nullopt);
}

}  // namespace time_util_test
}  // namespace shagym

namespace shagym {
namespace time_util_test {

// Found by fuzz_time_util: a large count times a binary unit overflowed.
TEST(TimeUtilTest, SizeThatOverflowsIsRejected) {
  EXPECT_FALSE(ParseSizeBytes("1111111111111110M").has_value());
  EXPECT_EQ(ParseSizeBytes("2G"), int64_t{2} * 1024 * 1024 * 1024);
}

}  // namespace time_util_test
}  // namespace shagym
