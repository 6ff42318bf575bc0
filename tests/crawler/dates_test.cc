#include "crawler/dates.h"

#include <gtest/gtest.h>

#include <string>

#include "common/time_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace dates_test {

// 2024-05-13T10:00:00Z = 15:00 in Almaty (UTC+5 since 2024-03-01).
constexpr int64_t kNow = 1715594400;

std::string Parse(const std::string& text, int64_t now = kNow) {
  auto t = ParseWebDate(text, now);
  return t ? FormatIso8601Utc(*t) : "none";
}

TEST(DatesTest, Iso8601) {
  EXPECT_EQ(Parse("2024-05-13T10:00:00Z"), "2024-05-13T10:00:00Z");
  EXPECT_EQ(Parse("2023-02-28T07:47:53+00:00"), "2023-02-28T07:47:53Z");
  EXPECT_EQ(Parse("2024-05-13T15:00:00.123+05:00"), "2024-05-13T10:00:00Z");
  EXPECT_EQ(Parse("2024-05-13 10:00:00-0300"), "2024-05-13T13:00:00Z");
  // No zone: Almaty local time.
  EXPECT_EQ(Parse("2024-05-13T15:00"), "2024-05-13T10:00:00Z");
  EXPECT_EQ(Parse("2024-05-13"), "2024-05-12T19:00:00Z");
}

TEST(DatesTest, Rfc822) {
  EXPECT_EQ(Parse("Fri, 11 Sep 2026 10:32:15 +0000"), "2026-09-11T10:32:15Z");
  EXPECT_EQ(Parse("Mon, 13 May 2024 10:00:00 GMT"), "2024-05-13T10:00:00Z");
  EXPECT_EQ(Parse("13 May 24 10:00 +0600"), "2024-05-13T04:00:00Z");
  EXPECT_EQ(Parse("Mon, 13 May 2024 10:00:00 EST"), "2024-05-13T15:00:00Z");
}

TEST(DatesTest, UnixTime) {
  EXPECT_EQ(Parse("1715594400"), "2024-05-13T10:00:00Z");
  EXPECT_EQ(Parse("1715594400123"), "2024-05-13T10:00:00Z");
}

TEST(DatesTest, AlmatyZoneChangedOnFirstOfMarch2024) {
  // UTC+6 before, UTC+5 from 2024-03-01 00:00 local.
  EXPECT_EQ(AlmatyOffsetSeconds(1704067200), 6 * 3600);  // 2024-01-01
  EXPECT_EQ(AlmatyOffsetSeconds(1717200000), 5 * 3600);  // 2024-06-01
  EXPECT_EQ(Parse("29.02.2024 23:30"), "2024-02-29T17:30:00Z");
  EXPECT_EQ(Parse("01.03.2024 00:30"), "2024-02-29T19:30:00Z");
  EXPECT_EQ(Parse("15.01.2020 12:00"), "2020-01-15T06:00:00Z");
}

TEST(DatesTest, NumericAndMonthNames) {
  EXPECT_EQ(Parse("13.05.2024"), "2024-05-12T19:00:00Z");
  EXPECT_EQ(Parse("13.05.2024 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("13/05/24, 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("13 мая 2024"), "2024-05-12T19:00:00Z");
  EXPECT_EQ(Parse("13 мая 2024 г., 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("1 СЕНТЯБРЯ 2023 в 08:00"), "2023-09-01T02:00:00Z");
  EXPECT_EQ(Parse("5 марта 2024"), "2024-03-04T19:00:00Z");
  EXPECT_EQ(Parse("13 мамыр 2024 ж."), "2024-05-12T19:00:00Z");
  EXPECT_EQ(Parse("2024 жылғы 13 мамыр, 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("1 қыркүйек 2023"), "2023-08-31T18:00:00Z");
  EXPECT_EQ(Parse("25 желтоқсан 2023 ж. 10:15"), "2023-12-25T04:15:00Z");
  EXPECT_EQ(Parse("May 13, 2024"), "2024-05-12T19:00:00Z");
  EXPECT_EQ(Parse("13 May 2024"), "2024-05-12T19:00:00Z");
  // No year: this year, unless that is in the future.
  EXPECT_EQ(Parse("12 мая в 18:00"), "2024-05-12T13:00:00Z");
  EXPECT_EQ(Parse("20 декабря"), "2023-12-19T18:00:00Z");
}

TEST(DatesTest, RelativeForms) {
  // kNow is 15:00 local on 2024-05-13.
  EXPECT_EQ(Parse("сегодня в 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("Сегодня | 12:59"), "2024-05-13T07:59:00Z");
  EXPECT_EQ(Parse("Вчера | 23:50"), "2024-05-12T18:50:00Z");
  EXPECT_EQ(Parse("вчера"), "2024-05-11T19:00:00Z");
  EXPECT_EQ(Parse("позавчера в 10:00"), "2024-05-11T05:00:00Z");
  EXPECT_EQ(Parse("бүгін 09:15"), "2024-05-13T04:15:00Z");
  EXPECT_EQ(Parse("кеше 20:00"), "2024-05-12T15:00:00Z");
  EXPECT_EQ(Parse("5 минут назад"), "2024-05-13T09:55:00Z");
  EXPECT_EQ(Parse("час назад"), "2024-05-13T09:00:00Z");
  EXPECT_EQ(Parse("3 часа назад"), "2024-05-13T07:00:00Z");
  EXPECT_EQ(Parse("2 дня назад"), "2024-05-11T10:00:00Z");
  EXPECT_EQ(Parse("2 сағат бұрын"), "2024-05-13T08:00:00Z");
  EXPECT_EQ(Parse("10 минут бұрын"), "2024-05-13T09:50:00Z");
  EXPECT_EQ(Parse("3 күн бұрын"), "2024-05-10T10:00:00Z");
  EXPECT_EQ(Parse("2 hours ago"), "2024-05-13T08:00:00Z");
  EXPECT_EQ(Parse("только что"), "2024-05-13T10:00:00Z");
  // "Today" right after local midnight: the local date, not the UTC one.
  const int64_t just_after_midnight = 1715540400 + 600;  // 00:10 local 05-13
  EXPECT_EQ(Parse("сегодня в 00:05", just_after_midnight),
            "2024-05-12T19:05:00Z");
}

TEST(DatesTest, NotDates) {
  for (const char* s : {"", "   ", "hello", "12", "Сегодня хорошая погода 5",
                        "99.99.9999", "2024-13-45T99:99", "32 мая 2024"}) {
    EXPECT_EQ(Parse(s), "none") << s;
  }
}

TEST(DatesTest, TengrinewsRelativeDates) {
  std::string dir = testing::RealworldDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/realworld is absent";
  std::string json =
      testing::ReadFile(dir + "/feeds/tengrinews_headlines.json");
  ASSERT_FALSE(json.empty());
  // Every "date" of the file is "Сегодня | HH:MM" or "Вчера | HH:MM".
  size_t pos = 0, dates = 0;
  while ((pos = json.find("\"date\": \"", pos)) != std::string::npos) {
    pos += 9;
    std::string date = json.substr(pos, json.find('"', pos) - pos);
    auto t = ParseWebDate(date, kNow);
    ASSERT_TRUE(t.has_value()) << date;
    const bool today = date.rfind("Сегодня", 0) == 0;
    // Local day of kNow starts at 2024-05-12T19:00Z.
    if (today) {
      EXPECT_GE(*t, 1715540400) << date;
      EXPECT_LT(*t, 1715540400 + 86400) << date;
    } else {
      EXPECT_GE(*t, 1715540400 - 86400) << date;
      EXPECT_LT(*t, 1715540400) << date;
    }
    ++dates;
  }
  EXPECT_EQ(dates, 56u);
}

}  // namespace dates_test
}  // namespace shagym::crawler

namespace shagym::crawler {
namespace dates_test {

// Found by fuzz_rss: a no-break space right after a letter run used to make
// the date tokenizer loop for ever.
TEST(DatesFuzzRegressionTest, NoBreakSpaceEndsATokenAndIsSkipped) {
  EXPECT_EQ(Parse("\xC2\xA0"), "none");
  EXPECT_EQ(Parse("13\xC2\xA0мая\xC2\xA0\xC2\xA0 2024 10:00"),
            Parse("13 мая 2024 10:00"));
}

}  // namespace dates_test
}  // namespace shagym::crawler
