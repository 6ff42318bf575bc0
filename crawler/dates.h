#pragma once

// Dates as web pages and feeds write them, to Unix seconds UTC.
//
// Understood: ISO 8601 / RFC 3339 ("2024-05-13T10:00:00+05:00"), RFC 822 /
// RFC 1123 ("Mon, 13 May 2024 10:00:00 +0000", RSS pubDate), Unix time in
// seconds or milliseconds, "13.05.2024 12:59", month names in Russian,
// Kazakh and English in any case form ("13 мая 2024 г.", "13 мамыр 2024 ж.",
// "2024 жылғы 13 мамыр", "May 13, 2024"), and relative forms against the
// fetch time: "сегодня в 12:59", "Сегодня | 12:59", "вчера", "позавчера",
// "бүгін", "кеше", "5 минут назад", "2 сағат бұрын", "3 days ago", "только
// что". A time without a zone is local time in Asia/Almaty (ICU time zones:
// UTC+6 until 2024-03-01, UTC+5 since). A date without a year takes the
// fetch year (the previous one when that would be in the future).
// Thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>

namespace shagym::crawler {

// Returns Unix seconds UTC, or nullopt when `text` holds no date.
// `now` is the fetch time (Unix seconds UTC) that relative forms count from.
std::optional<int64_t> ParseWebDate(std::string_view text, int64_t now);

// UTC offset of Asia/Almaty at the instant `utc` (seconds).
int32_t AlmatyOffsetSeconds(int64_t utc);

// The instant of Almaty local civil time y-mo-d h:mi:s.
int64_t AlmatyLocalToUtc(int y, int mo, int d, int h, int mi, int s);

}  // namespace shagym::crawler
