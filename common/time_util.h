#pragma once

// Time, duration and size helpers shared by config, crawler, store and the CLI.
// All instants are Unix time in UTC.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shagym {

int64_t SystemNowSeconds();
int64_t SystemNowMs();

// "2024-05-13T10:00:00Z".
std::string FormatIso8601Utc(int64_t unix_seconds);
// "2024-05-13".
std::string FormatDateUtc(int64_t unix_seconds);

// Parses ISO 8601 / RFC 3339: "2024-05-13", "2024-05-13T10:00",
// "2024-05-13T10:00:00Z", "2024-05-13 10:00:00+05:00", fractional seconds
// ignored. A time without a zone is taken as UTC. Returns nullopt on
// anything else.
std::optional<int64_t> ParseIso8601(std::string_view text);

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
int64_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int* y, unsigned* m, unsigned* d);

// Durations: "30s", "15m", "2h", "1d", "1w", "500ms", "900" (seconds);
// combinations like "1h30m". Returns milliseconds, or nullopt when malformed
// or negative.
std::optional<int64_t> ParseDurationMs(std::string_view text);

// Sizes: "5MB", "512KB", "1GiB", "1048576", "10 MB". Decimal units (KB=1000)
// and binary units (KiB=1024) are both accepted; "K"/"M"/"G" alone are
// binary. Returns bytes, or nullopt when malformed.
std::optional<int64_t> ParseSizeBytes(std::string_view text);

}  // namespace shagym
