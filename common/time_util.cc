#include "common/time_util.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>

namespace shagym {

int64_t SystemNowSeconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
}

// Howard Hinnant's civil date algorithms (public domain description).
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::string FormatIso8601Utc(int64_t t) {
  int64_t days = FloorDiv(t, 86400);
  int64_t secs = t - days * 86400;
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::string FormatDateUtc(int64_t t) {
  return FormatIso8601Utc(t).substr(0, 10);
}

namespace {

// Reads exactly `n` digits at *pos.
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> ParseIso8601(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  size_t p = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, &p, 4, &y) || !Expect(s, &p, '-') || !Digits(s, &p, 2, &mo) ||
      !Expect(s, &p, '-') || !Digits(s, &p, 2, &d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t offset = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
    ++p;
    if (!Digits(s, &p, 2, &h) || !Expect(s, &p, ':') || !Digits(s, &p, 2, &mi))
      return std::nullopt;
    if (Expect(s, &p, ':')) {
      if (!Digits(s, &p, 2, &sec)) return std::nullopt;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p])))
          ++p;
      }
    }
    if (h > 24 || mi > 59 || sec > 60) return std::nullopt;
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        int sign = s[p] == '+' ? 1 : -1;
        ++p;
        int oh, om = 0;
        if (!Digits(s, &p, 2, &oh)) return std::nullopt;
        Expect(s, &p, ':');
        if (p < s.size() && !Digits(s, &p, 2, &om)) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
      } else {
        return std::nullopt;
      }
    }
    if (p != s.size()) return std::nullopt;
  }
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
}

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t p = 0;
  bool any = false;
  while (p < s.size()) {
    if (!std::isdigit(static_cast<unsigned char>(s[p]))) return std::nullopt;
    int64_t n = 0;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
      n = n * 10 + (s[p] - '0');
      if (n > (int64_t{1} << 40)) return std::nullopt;
      ++p;
    }
    size_t unit_start = p;
    while (p < s.size() && std::isalpha(static_cast<unsigned char>(s[p]))) ++p;
    std::string_view unit = s.substr(unit_start, p - unit_start);
    int64_t mult;
    if (unit.empty()) {
      if (any || p != s.size()) return std::nullopt;  // bare number alone
      mult = 1000;
    } else if (unit == "ms") {
      mult = 1;
    } else if (unit == "s") {
      mult = 1000;
    } else if (unit == "m" || unit == "min") {
      mult = 60 * 1000;
    } else if (unit == "h") {
      mult = 3600 * 1000;
    } else if (unit == "d") {
      mult = 86400 * 1000;
    } else if (unit == "w") {
      mult = 7 * 86400 * 1000;
    } else {
      return std::nullopt;
    }
    int64_t part;
    if (__builtin_mul_overflow(n, mult, &part) ||
        __builtin_add_overflow(total, part, &total))
      return std::nullopt;  // "077777777777w7777…" must not wrap around
    any = true;
  }
  return total;
}

std::optional<int64_t> ParseSizeBytes(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t p = 0;
  int64_t n = 0;
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0])))
    return std::nullopt;
  while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
    n = n * 10 + (s[p] - '0');
    if (n > (int64_t{1} << 50)) return std::nullopt;
    ++p;
  }
  while (p < s.size() && s[p] == ' ') ++p;
  std::string unit;
  for (; p < s.size(); ++p) {
    unit.push_back(
        static_cast<char>(std::toupper(static_cast<unsigned char>(s[p]))));
  }
  int64_t mult;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else if (unit == "KB") {
    mult = 1000;
  } else if (unit == "MB") {
    mult = 1000 * 1000;
  } else if (unit == "GB") {
    mult = 1000 * 1000 * 1000;
  } else if (unit == "K" || unit == "KIB") {
    mult = 1024;
  } else if (unit == "M" || unit == "MIB") {
    mult = 1024 * 1024;
  } else if (unit == "G" || unit == "GIB") {
    mult = 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  if (n > std::numeric_limits<int64_t>::max() / mult) return std::nullopt;
  return n * mult;
}

}  // namespace shagym
