#include "crawler/dates.h"

#include <re2/re2.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/ucal.h>
#include <unicode/unistr.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace shagym::crawler {

namespace {

// Kazakhstan moved Asia/Almaty (and most of the country) from UTC+6 to UTC+5
// at 2024-03-01 00:00 local time (tzdata 2024a). ICU builds with older data
// still say +6, so the change is applied on top when ICU does not know it.
constexpr int64_t kAlmatyUtc5Since = 1709229600;  // 2024-02-29T18:00:00Z
constexpr int32_t kUtc5 = 5 * 3600;

class AlmatyZone {
 public:
  AlmatyZone() {
    zone_.reset(icu::TimeZone::createTimeZone("Asia/Almaty"));
    UErrorCode status = U_ZERO_ERROR;
    const char* version = ucal_getTZDataVersion(&status);
    stale_ = U_FAILURE(status) || version == nullptr ||
             std::strcmp(version, "2024a") < 0;
  }

  int32_t Offset(int64_t utc) {
    if (stale_ && utc >= kAlmatyUtc5Since) return kUtc5;
    std::lock_guard<std::mutex> lock(mu_);
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone_->getOffset(static_cast<UDate>(utc) * 1000.0, false, raw, dst, status);
    if (U_FAILURE(status)) return 6 * 3600;
    return (raw + dst) / 1000;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<icu::TimeZone> zone_;  // Guarded by mu_
  bool stale_ = false;
};

AlmatyZone& Almaty() {
  static AlmatyZone* zone = new AlmatyZone();  // never destroyed: used at exit
  return *zone;
}

std::string Lower(std::string_view text) {
  std::string out;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toLower(icu::Locale::getRoot());
  u.toUTF8String(out);
  return out;
}

bool ValidCivil(int y, int mo, int d, int h, int mi, int s) {
  return y >= 1970 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
         h >= 0 && h <= 24 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

int64_t CivilToUtc(int y, int mo, int d, int h, int mi, int s) {
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
             86400 +
         h * 3600 + mi * 60 + s;
}

// A zone designator: "Z", "+05:00", "+0500", "GMT", "UTC", US zones.
std::optional<int32_t> ZoneOffset(std::string_view z) {
  if (z.empty()) return std::nullopt;
  if (z == "z" || z == "gmt" || z == "ut" || z == "utc") return 0;
  if (z[0] == '+' || z[0] == '-') {
    std::string digits;
    for (char c : z.substr(1)) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (digits.size() == 2) digits += "00";
    if (digits.size() != 4) return std::nullopt;
    int32_t off = ((digits[0] - '0') * 10 + (digits[1] - '0')) * 3600 +
                  ((digits[2] - '0') * 10 + (digits[3] - '0')) * 60;
    return z[0] == '-' ? -off : off;
  }
  static const struct {
    const char* name;
    int hours;
  } kZones[] = {{"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
                {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
                {"msk", 3},  {"almt", 6}};
  for (const auto& zone : kZones) {
    if (z == zone.name) return zone.hours * 3600;
  }
  return std::nullopt;
}

std::optional<int64_t> Assemble(int y, int mo, int d, int h, int mi, int s,
                                std::optional<int32_t> zone) {
  if (!ValidCivil(y, mo, d, h, mi, s)) return std::nullopt;
  if (zone) return CivilToUtc(y, mo, d, h, mi, s) - *zone;
  return AlmatyLocalToUtc(y, mo, d, h, mi, s);
}

int MonthFromWord(std::string_view w) {
  auto starts = [&w](std::string_view p) {
    return w.size() >= p.size() && w.substr(0, p.size()) == p;
  };
  // Kazakh, full stems (they take suffixes: "мамырда", "қазанның").
  static const char* const kKazakh[] = {
      "қаңтар", "ақпан", "наурыз",   "сәуір", "мамыр",  "маусым",
      "шілде",  "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"};
  for (int i = 0; i < 12; ++i) {
    if (starts(kKazakh[i])) return i + 1;
  }
  // Russian, any case form.
  static const char* const kRussian[] = {"янв", "фев", "мар", "апр",
                                         "ма",  "июн", "июл", "авг",
                                         "сен", "окт", "ноя", "дек"};
  for (int i = 0; i < 12; ++i) {
    if (i == 4) {
      if (w == "май" || w == "мая" || w == "мае" || w == "маю" || w == "маем") {
        return 5;
      }
      continue;
    }
    if (starts(kRussian[i])) return i + 1;
  }
  static const char* const kEnglish[] = {"jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (starts(kEnglish[i])) return i + 1;
  }
  return 0;
}

// Words made of letters (any script), numbers, and their byte offsets.
struct Token {
  std::string text;
  bool number = false;
  size_t begin = 0;
};

std::vector<Token> Tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9') {
      size_t j = i;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      out.push_back({s.substr(i, j - i), true, i});
      i = j;
    } else if ((c >= 'a' && c <= 'z') || c >= 0x80) {
      size_t j = i;
      while (j < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[j]);
        // Letters; stop at U+00A0 (c2 a0) and other punctuation bytes.
        if (d == 0xC2 && j + 1 < s.size() &&
            static_cast<unsigned char>(s[j + 1]) == 0xA0) {
          break;
        }
        if ((d >= 'a' && d <= 'z') || d >= 0x80) {
          ++j;
        } else {
          break;
        }
      }
      if (j == i) {  // a no-break space: skip it
        i += 2;
        continue;
      }
      out.push_back({s.substr(i, j - i), false, i});
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

bool HasWord(const std::vector<Token>& tokens,
             std::initializer_list<const char*> words) {
  for (const auto& t : tokens) {
    if (t.number) continue;
    for (const char* w : words) {
      if (t.text == w) return true;
    }
  }
  return false;
}

bool HasWordPrefix(const std::vector<Token>& tokens,
                   std::initializer_list<const char*> prefixes) {
  for (const auto& t : tokens) {
    if (t.number) continue;
    for (const char* p : prefixes) {
      size_t n = std::strlen(p);
      if (t.text.size() >= n && t.text.compare(0, n, p) == 0) return true;
    }
  }
  return false;
}

// The civil date of `utc` in Almaty.
void AlmatyCivil(int64_t utc, int* y, int* mo, int* d) {
  int64_t local = utc + AlmatyOffsetSeconds(utc);
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  unsigned um = 0, ud = 0;
  CivilFromDays(days, y, &um, &ud);
  *mo = static_cast<int>(um);
  *d = static_cast<int>(ud);
}

std::optional<int64_t> ParseRelative(const std::string& s,
                                     const std::vector<Token>& tokens,
                                     int64_t now) {
  // "только что", "just now", "жаңа ғана", "қазір".
  if (s.find("только что") != std::string::npos ||
      s.find("just now") != std::string::npos ||
      s.find("жаңа ғана") != std::string::npos || HasWord(tokens, {"қазір"})) {
    return now;
  }
  // Ago forms: "<n> <unit> назад|бұрын|ago"; a missing number means 1.
  if (HasWord(tokens, {"назад", "бұрын", "ago", "бурын"})) {
    int64_t n = 1;
    int64_t unit = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      if (t.number) {
        if (t.text.size() > 6) return std::nullopt;
        n = std::stoll(t.text);
        continue;
      }
      const std::string& w = t.text;
      auto starts = [&w](const char* p) { return w.rfind(p, 0) == 0; };
      if (starts("сек") || starts("second") || starts("sec")) {
        unit = 1;
      } else if (starts("мин") || starts("min")) {
        unit = 60;
      } else if (starts("час") || starts("сағат") || starts("сагат") ||
                 starts("hour") || starts("hr")) {
        unit = 3600;
      } else if (starts("ден") || starts("дн") || w == "день" ||
                 starts("күн") || starts("кун") || starts("day")) {
        unit = 86400;
      } else if (starts("недел") || starts("апта") || starts("week")) {
        unit = 7 * 86400;
      } else if (starts("месяц") || starts("ай") || starts("month")) {
        unit = 30 * 86400;
      } else if (starts("год") || starts("лет") || starts("жыл") ||
                 starts("year")) {
        unit = 365 * 86400;
      }
      if (unit != 0) break;
    }
    if (unit == 0) return std::nullopt;
    return now - n * unit;
  }
  int days_back = -1;
  if (HasWordPrefix(tokens, {"сегодня", "бүгін", "бугин", "today"})) {
    days_back = 0;
  } else if (HasWordPrefix(tokens, {"позавчера"})) {
    days_back = 2;
  } else if (HasWordPrefix(tokens, {"вчера", "кеше", "yesterday"})) {
    days_back = 1;
  }
  if (days_back < 0) return std::nullopt;
  // Only a date field, not a sentence that mentions "today".
  for (const auto& t : tokens) {
    if (t.number) continue;
    static const char* const kAllowed[] = {
        "сегодня", "вчера",     "позавчера", "бүгін", "бугин", "кеше",
        "today",   "yesterday", "в",         "во",    "at",    "сағат",
        "сагат",   "г",         "ж",         "am",    "pm"};
    bool ok = false;
    for (const char* a : kAllowed) ok = ok || t.text == a;
    if (!ok) return std::nullopt;
  }
  int h = 0, mi = 0;
  static const RE2 kTime("(\\d{1,2})[:.](\\d{2})");
  RE2::PartialMatch(s, kTime, &h, &mi);
  int y = 0, mo = 0, d = 0;
  AlmatyCivil(now - days_back * 86400, &y, &mo, &d);
  return Assemble(y, mo, d, h, mi, 0, std::nullopt);
}

}  // namespace

int32_t AlmatyOffsetSeconds(int64_t utc) { return Almaty().Offset(utc); }

int64_t AlmatyLocalToUtc(int y, int mo, int d, int h, int mi, int s) {
  const int64_t local = CivilToUtc(y, mo, d, h, mi, s);
  int64_t guess = local - AlmatyOffsetSeconds(local - 6 * 3600);
  return local - AlmatyOffsetSeconds(guess);
}

std::optional<int64_t> ParseWebDate(std::string_view text, int64_t now) {
  if (text.size() > 200) text = text.substr(0, 200);
  const std::string s = Lower(text);
  const std::string trimmed = [&s] {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return std::string();
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }();
  if (trimmed.empty()) return std::nullopt;

  // Unix time: 9-10 digits are seconds, 12-13 milliseconds.
  static const RE2 kUnix("(\\d{9,13})(?:\\.\\d+)?");
  std::string digits;
  if (RE2::FullMatch(trimmed, kUnix, &digits)) {
    int64_t v = std::stoll(digits);
    if (digits.size() >= 12) v /= 1000;
    return v;
  }

  // ISO 8601 / RFC 3339.
  static const RE2 kIso(
      "(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[t ]+(\\d{1,2}):(\\d{2})(?::(\\d{2})"
      "(?:[.,]\\d+)?)?)?\\s*(z|[+-]\\d{2}(?::?\\d{2})?)?");
  {
    int y = 0, mo = 0, d = 0;
    std::string h, mi, sec, zone;
    if (RE2::FullMatch(trimmed, kIso, &y, &mo, &d, &h, &mi, &sec, &zone)) {
      return Assemble(y, mo, d, h.empty() ? 0 : std::stoi(h),
                      mi.empty() ? 0 : std::stoi(mi),
                      sec.empty() ? 0 : std::stoi(sec), ZoneOffset(zone));
    }
  }

  // RFC 822 / 1123: "[Mon, ]13 May 2024 10:00[:00] [+0000|GMT]".
  static const RE2 kRfc822(
      "(?:[a-z]+,?\\s*)?(\\d{1,2})\\s+([a-z]{3,9})\\.?\\s+(\\d{2,4})\\s+"
      "(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([+-]\\d{2}:?\\d{2}|[a-z]{1,4})?");
  {
    int d = 0, y = 0, h = 0, mi = 0;
    std::string mon, sec, zone;
    if (RE2::FullMatch(trimmed, kRfc822, &d, &mon, &y, &h, &mi, &sec, &zone)) {
      int mo = MonthFromWord(mon);
      if (mo != 0) {
        if (y < 100) y += y < 70 ? 2000 : 1900;
        std::optional<int32_t> z = ZoneOffset(zone);
        if (!zone.empty() && !z) z = 0;  // unknown zone names: UTC
        return Assemble(y, mo, d, h, mi, sec.empty() ? 0 : std::stoi(sec), z);
      }
    }
  }

  const std::vector<Token> tokens = Tokenize(s);
  if (auto rel = ParseRelative(s, tokens, now)) return rel;

  // Time of day and an explicit zone anywhere in the text.
  int h = 0, mi = 0, sec = 0;
  static const RE2 kTime("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");
  std::string sec_s;
  bool has_time = RE2::PartialMatch(s, kTime, &h, &mi, &sec_s);
  if (has_time && !sec_s.empty()) sec = std::stoi(sec_s);

  // Numeric dates: "13.05.2024", "13/05/2024", "13.05.24".
  static const RE2 kNumeric("(\\d{1,2})[./](\\d{1,2})[./](\\d{2,4})");
  {
    int d = 0, mo = 0;
    std::string y_s;
    if (RE2::PartialMatch(s, kNumeric, &d, &mo, &y_s)) {
      int y = std::stoi(y_s);
      if (y_s.size() == 2) y += 2000;
      if (y_s.size() == 2 || y_s.size() == 4) {
        return Assemble(y, mo, d, h, mi, sec, std::nullopt);
      }
    }
  }

  // Month names: find the month word, then the day and the year around it.
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].number) continue;
    int mo = MonthFromWord(tokens[i].text);
    if (mo == 0) continue;
    int year = 0, day = 0;
    // Numbers that are not part of the time of day.
    auto usable = [&](size_t k) {
      if (!tokens[k].number) return false;
      size_t b = tokens[k].begin, e = b + tokens[k].text.size();
      bool before_colon = e < s.size() && s[e] == ':';
      bool after_colon = b > 0 && s[b - 1] == ':';
      return !before_colon && !after_colon;
    };
    for (size_t k = 0; k < tokens.size(); ++k) {
      if (!usable(k)) continue;
      const std::string& t = tokens[k].text;
      if (t.size() == 4 && year == 0) year = std::stoi(t);
    }
    // The day: the number right before the month word, else right after.
    if (i > 0 && usable(i - 1) && tokens[i - 1].text.size() <= 2) {
      day = std::stoi(tokens[i - 1].text);
    } else if (i + 1 < tokens.size() && usable(i + 1) &&
               tokens[i + 1].text.size() <= 2) {
      day = std::stoi(tokens[i + 1].text);
    }
    if (day == 0) continue;
    bool guessed_year = year == 0;
    if (guessed_year) {
      int ny = 0, nm = 0, nd = 0;
      AlmatyCivil(now, &ny, &nm, &nd);
      year = ny;
    }
    auto t = Assemble(year, mo, day, h, mi, sec, std::nullopt);
    if (t && guessed_year && *t > now + 86400) {
      t = Assemble(year - 1, mo, day, h, mi, sec, std::nullopt);
    }
    return t;
  }
  return std::nullopt;
}

}  // namespace shagym::crawler
