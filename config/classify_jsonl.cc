#include "config/classify_jsonl.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/json_escape.h"
#include "common/utf8.h"

namespace shagym::config {

namespace {

using OJson = nlohmann::ordered_json;
using std::literals::string_view_literals::operator""sv;

// Keys that classify computes; everything else comes from the input.
bool IsLabelKey(std::string_view k) {
  return k == "lang" || k == "categories" || k == "severity" || k == "region" ||
         k == "school_number" || k == "matches" || k == "institution" ||
         k == "rules_version";
}

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Hex4(std::string_view s, size_t at, uint32_t* out) {
  if (at + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    int d = HexDigit(s[i]);
    if (d < 0) return false;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
// surrogates, at most U+10FFFF) starting at s[i] with a lead byte >= 0x80,
// or 0. The same ranges nlohmann's lexer accepts.
size_t Utf8Length(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u;
  };
  auto in = [](unsigned c, unsigned lo, unsigned hi) {
    return c >= lo && c <= hi;
  };
  const unsigned c = at(i);
  if (in(c, 0xC2, 0xDF)) return in(at(i + 1), 0x80, 0xBF) ? 2 : 0;
  if (in(c, 0xE0, 0xEF)) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : 0xBF;
    return in(at(i + 1), lo, hi) && in(at(i + 2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(c, 0xF0, 0xF4)) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
    return in(at(i + 1), lo, hi) && in(at(i + 2), 0x80, 0xBF) &&
                   in(at(i + 3), 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

// How many of the eight bytes of `w` (s[i, i + 8), loaded little-endian)
// JSON strings carry as they are, or 0: all eight when they are ASCII
// without a byte that needs an escape and whole two-byte sequences
// (C2..DF then 80..BF, Cyrillic); seven when the eighth starts a two-byte
// sequence. Anything else (three- and four-byte sequences, a byte that
// needs an escape, anything invalid) is left to the byte-by-byte loop.
// `trusted`: bytes >= 0x80 are known to be valid UTF-8. Each test is
// exact per byte: no carry crosses from one byte into the next.
inline size_t PlainChunk(uint64_t w, bool trusted) {
  constexpr uint64_t k80 = 0x8080808080808080ull;
  constexpr uint64_t k7F = 0x7F7F7F7F7F7F7F7Full;
  const uint64_t high = w & k80;
  const uint64_t low7 = w & k7F;
  // ASCII bytes below 0x20, '"' and '\\' (NeedsJsonEscape).
  const uint64_t control = ~(low7 + 0x6060606060606060ull) & k80;
  const uint64_t quote = ~((low7 ^ 0x2222222222222222ull) + k7F) & k80;
  const uint64_t backslash = ~((low7 ^ 0x5C5C5C5C5C5C5C5Cull) + k7F) & k80;
  if (((control | quote | backslash) & ~high) != 0) return 0;
  if (high == 0 || trusted) return 8;
  // Bit 7 of (w << 1) is each byte's bit 6, of (w << 2) its bit 5.
  const uint64_t cont = high & ~(w << 1);             // 10xxxxxx
  const uint64_t lead = high & (w << 1) & ~(w << 2);  // 110xxxxx
  if ((high & ~(cont | lead)) != 0) return 0;         // 111xxxxx
  // C0 and C1 (overlong): a lead whose bits 1-4 are zero.
  const uint64_t wide = ((w & 0x1E1E1E1E1E1E1E1Eull) + k7F) & k80;
  if ((lead & ~wide) != 0) return 0;
  // Each continuation byte right after a lead, each lead (but the last
  // byte's) right before one.
  if (cont != (lead << 8)) return 0;
  return (lead >> 56) != 0 ? 7 : 8;
}

#if defined(__SSE2__)
// PlainChunk for the sixteen bytes at `p`: all sixteen, fifteen when the
// last starts a two-byte sequence, or 0 (the same rules, one bit per byte
// of each mask). When a byte needs an escape (the closing quote of most
// strings) and the bytes before it pass those rules, sets `*end` and
// returns how many bytes come before it (perhaps 0).
inline size_t PlainChunk16(const char* p, bool trusted, bool* end) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto bytes = [](int b) { return _mm_set1_epi8(static_cast<char>(b)); };
  auto mask = [](__m128i m) {
    return static_cast<unsigned>(_mm_movemask_epi8(m));
  };
  const unsigned high = mask(v);
  // Signed: bytes >= 0x80 compare below 0x20 too, and are masked out.
  const unsigned escape =
      mask(_mm_or_si128(_mm_cmplt_epi8(v, bytes(0x20)),
                        _mm_or_si128(_mm_cmpeq_epi8(v, bytes('"')),
                                     _mm_cmpeq_epi8(v, bytes('\\')))));
  // The bytes considered: all sixteen, or those before the first that
  // needs an escape.
  unsigned keep = 0xFFFFu;
  size_t count = 16;
  if ((escape & ~high) != 0) {
    count = static_cast<size_t>(std::countr_zero(escape & ~high));
    keep = (1u << count) - 1;
  }
  const unsigned high_kept = high & keep;
  if (high_kept == 0 || trusted) {
    *end = count < 16;
    return count;
  }
  const unsigned cont =  // 10xxxxxx
      mask(_mm_cmpeq_epi8(_mm_and_si128(v, bytes(0xC0)), bytes(0x80))) & keep;
  const unsigned lead =  // 110xxxxx
      mask(_mm_cmpeq_epi8(_mm_and_si128(v, bytes(0xE0)), bytes(0xC0))) & keep;
  if ((high_kept & ~(cont | lead)) != 0) return 0;  // 111xxxxx
  // C0 and C1 (overlong).
  if ((mask(_mm_cmpeq_epi8(_mm_and_si128(v, bytes(0xFE)), bytes(0xC0))) &
       keep) != 0) {
    return 0;
  }
  if (cont != ((lead << 1) & keep)) return 0;
  if (count < 16) {
    // A lead right before the byte that needs an escape is invalid: the
    // byte-by-byte path says where.
    if (count > 0 && (lead >> (count - 1) & 1) != 0) return 0;
    *end = true;
    return count;
  }
  return (lead & 0x8000u) != 0 ? 15 : 16;
}
#endif

// End of the run from s[i] of bytes that JSON strings carry as they are:
// ASCII other than what needs an escape, and whole UTF-8 sequences.
// `trusted`: `s` is known to be valid UTF-8.
size_t PlainRun(std::string_view s, size_t i, bool trusted) {
  const size_t n = s.size();
  while (i < n) {
    size_t stop = n;  // where to try eight bytes at once again
    if constexpr (std::endian::native == std::endian::little) {
#if defined(__SSE2__)
      if (i + 16 <= n) {
        bool end = false;
        const size_t plain = PlainChunk16(s.data() + i, trusted, &end);
        if (end) return i + plain;
        if (plain != 0) {
          i += plain;
          continue;
        }
      }
#endif
      if (i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        const size_t plain = PlainChunk(w, trusted);
        if (plain != 0) {
          i += plain;
          continue;
        }
      }
      // Those eight bytes byte by byte (a quote ends most strings there).
      stop = std::min(n, i + 8);
    }
    while (i < stop) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (NeedsJsonEscape(c)) return i;
        ++i;
      } else if (trusted) {
        ++i;
      } else if (c >= 0xC2 && c <= 0xDF && i + 1 < n &&
                 (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
        i += 2;  // the common case: Cyrillic
      } else {
        const size_t len = Utf8Length(s, i);
        if (len == 0) return i;
        i += len;
      }
    }
  }
  return i;
}

// Parses the JSON string whose opening quote is at s[*pos]; on success
// `out` holds it decoded and *pos is past the closing quote, and `*plain`
// says whether it had no escape (then the JSON string is `"` + *out + `"`).
// False on anything a strict JSON parser would refuse.
bool ParseString(std::string_view s, size_t* pos, std::string* out,
                 bool* plain) {
  out->clear();
  *plain = true;
  size_t i = *pos + 1;
  while (i < s.size()) {
    // A run of plain bytes is copied at once.
    size_t run = PlainRun(s, i, /*trusted=*/false);
    out->append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) return false;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      *pos = i + 1;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n == 0) return false;
      out->append(s.data() + i, n);
      i += n;
      continue;
    }
    // An escape.
    *plain = false;
    if (i + 1 >= s.size()) return false;
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!Hex4(s, i, &cp)) return false;
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low half
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low = 0;
          if (i + 1 >= s.size() || s[i] != '\\' || s[i + 1] != 'u' ||
              !Hex4(s, i + 2, &low) || low < 0xDC00 || low > 0xDFFF) {
            return false;
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

// Where WriteFast puts an output line: the end of a string whose size was
// raised ahead by an upper bound of what is written, filled through a
// pointer (no capacity check per piece); Finish() cuts the string to what
// was written.
class Sink {
 public:
  Sink(std::string* out, size_t bound) : out_(out), mark_(out->size()) {
    out->resize(mark_ + bound);
    p_ = out->data() + mark_;
  }
  void Put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Put(char c) { *p_++ = c; }
  // Keeps what was written (ok) or drops the whole line.
  void Finish(bool ok) {
    out_->resize(ok ? static_cast<size_t>(p_ - out_->data()) : mark_);
  }

 private:
  std::string* out_;
  size_t mark_;
  char* p_;
};

// What PutString may write for `s`, at most: every byte escaped as
// `\u00XX`, and the quotes.
size_t StringBound(std::string_view s) { return 6 * s.size() + 2; }

// Writes `s` as a JSON string the way nlohmann's dump (ensure_ascii off)
// writes it; at most StringBound(s) bytes. False when `s` is not valid
// UTF-8 (the caller then lets nlohmann replace the bad bytes).
// `trusted`: `s` is known to be valid UTF-8 (it was parsed by ParseString).
bool PutString(std::string_view s, Sink* out, bool trusted = false) {
  out->Put('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = PlainRun(s, i, trusted);
    out->Put(s.substr(i, run - i));
    i = run;
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n == 0) return false;
      out->Put(s.substr(i, n));
      i += n;
      continue;
    }
    std::string escape;  // at most six bytes: no allocation
    AppendJsonEscape(c, &escape);
    out->Put(escape);
    ++i;
  }
  out->Put('"');
  return true;
}

bool PutStringOrNull(std::string_view s, Sink* out) {
  if (s.empty()) {
    out->Put("null"sv);
    return true;
  }
  return PutString(s, out);
}

// The SPEC "Post" keys in the order of the output line.
constexpr std::string_view kSpecKeys[] = {
    "id",           "source",       "url",    "published_at",
    "fetched_at",   "author",       "text",   "lang",
    "categories",   "severity",     "region", "school_number",
    "duplicate_of", "matches",      "review", "institution",
    "incident",     "rules_version"};
constexpr int kSpecKeyCount = std::size(kSpecKeys);

// The index of `key` in kSpecKeys, or -1.
constexpr int SpecKeyIndex(std::string_view key) {
  for (int k = 0; k < kSpecKeyCount; ++k) {
    if (kSpecKeys[k] == key) return k;
  }
  return -1;
}
constexpr int kIdKey = SpecKeyIndex("id");
constexpr int kSourceKey = SpecKeyIndex("source");
constexpr int kUrlKey = SpecKeyIndex("url");
constexpr int kPublishedKey = SpecKeyIndex("published_at");
constexpr int kFetchedKey = SpecKeyIndex("fetched_at");
constexpr int kAuthorKey = SpecKeyIndex("author");
constexpr int kTextKey = SpecKeyIndex("text");
constexpr int kDuplicateKey = SpecKeyIndex("duplicate_of");
constexpr int kReviewKey = SpecKeyIndex("review");
constexpr int kIncidentKey = SpecKeyIndex("incident");
constexpr int kRegionKey = SpecKeyIndex("region");
static_assert(kIdKey == 0 && kSourceKey >= 0 && kUrlKey >= 0 &&
              kPublishedKey >= 0 && kFetchedKey >= 0 && kAuthorKey >= 0 &&
              kTextKey >= 0 && kDuplicateKey >= 0 && kReviewKey >= 0 &&
              kIncidentKey >= 0 && kRegionKey >= 0);

}  // namespace

bool ClassifyJsonl::ParseFast(std::string_view s) {
  static_assert(sizeof(field_of_spec_) / sizeof(field_of_spec_[0]) ==
                kSpecKeyCount);
  used_ = 0;
  text_field_ = -1;
  std::memset(field_of_spec_, -1, sizeof(field_of_spec_));
  size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && IsJsonSpace(s[i])) ++i;
  };
  skip();
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  skip();
  if (i < s.size() && s[i] == '}') return false;  // no "text"
  while (true) {
    if (i >= s.size() || s[i] != '"') return false;
    if (used_ == fields_.size()) {
      fields_.emplace_back();
      plain_.push_back(0);
      spec_of_field_.push_back(-1);
    }
    auto& [key, value] = fields_[used_];
    bool plain = false;
    if (!ParseString(s, &i, &key, &plain)) return false;
    skip();
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    skip();
    if (i >= s.size() || s[i] != '"') return false;  // not a string value
    if (!ParseString(s, &i, &value, &plain)) return false;
    plain_[used_] = plain;
    for (size_t k = 0; k < used_; ++k) {
      if (fields_[k].first == key) return false;  // duplicate key
    }
    const int spec = SpecKeyIndex(key);
    spec_of_field_[used_] = static_cast<signed char>(spec);
    if (spec >= 0) field_of_spec_[spec] = static_cast<int>(used_);
    if (spec == kTextKey) text_field_ = static_cast<int>(used_);
    ++used_;
    skip();
    if (i >= s.size()) return false;
    if (s[i] == ',') {
      ++i;
      skip();
      continue;
    }
    if (s[i] != '}') return false;
    ++i;
    break;
  }
  skip();
  return i == s.size() && text_field_ >= 0;
}

std::string ClassifyJsonl::Parse(std::string_view line) {
  fast_ = fast_enabled_ && ParseFast(line);
  if (fast_) return "";
  obj_ = OJson::parse(line.begin(), line.end(), nullptr,
                      /*allow_exceptions=*/false);
  if (obj_.is_discarded()) return "not valid JSON";
  if (!obj_.is_object()) return "not a JSON object";
  auto it = obj_.find("text");
  if (it == obj_.end() || !it->is_string()) {
    return "missing string field \"text\"";
  }
  text_ = it->get<std::string>();
  return "";
}

std::string_view ClassifyJsonl::text() const {
  if (fast_) return fields_[text_field_].second;
  return text_;
}

void ClassifyJsonl::Region(std::string* out) const {
  if (fast_) {
    const int f = field_of_spec_[kRegionKey];
    if (f >= 0) {
      *out = fields_[f].second;
    } else {
      out->clear();
    }
    return;
  }
  *out = region();
}

std::string ClassifyJsonl::region() const {
  if (fast_) {
    const int f = field_of_spec_[kRegionKey];
    return f >= 0 ? fields_[f].second : std::string();
  }
  auto it = obj_.find("region");
  if (it != obj_.end() && it->is_string()) return it->get<std::string>();
  return "";
}

bool ClassifyJsonl::WriteFast(const Labels& l, std::string* out) const {
  // An upper bound of the line: the keys with their punctuation and the
  // defaults (about 300 bytes), then every string as StringBound counts it.
  size_t bound = 512;
  for (size_t k = 0; k < used_; ++k) {
    // A value without escapes in the input is written as it came.
    const size_t value = plain_[k] ? fields_[k].second.size() + 2
                                   : StringBound(fields_[k].second);
    bound += StringBound(fields_[k].first) + value + 2;
  }
  for (const std::string& c : l.categories) bound += StringBound(c) + 1;
  for (const Match& x : l.matches) {
    // Keys and punctuation (46 bytes) and two numbers of at most 20.
    bound += StringBound(x.rule) + StringBound(x.category) + 96;
  }
  bound += StringBound(l.lang) + StringBound(l.severity) +
           StringBound(l.region) + StringBound(l.school_number) +
           StringBound(l.institution) + StringBound(l.rules_version);
  Sink sink(out, bound);
  bool ok = true;
  // Each key is written with what stands before it and its colon in one
  // piece: `{"id":` (always first), `,"source":`, ...
  auto key = [&](std::string_view piece) { sink.Put(piece); };
  // A key the input may carry (its index in kSpecKeys): its value, else
  // the Post default.
  auto passed = [&](std::string_view piece, int spec, std::string_view dflt) {
    key(piece);
    const int f = field_of_spec_[spec];
    if (f < 0) {
      sink.Put(dflt);
      return;
    }
    if (plain_[f]) {
      sink.Put('"');
      sink.Put(fields_[f].second);
      sink.Put('"');
    } else {
      ok = ok && PutString(fields_[f].second, &sink, /*trusted=*/true);
    }
  };
  auto number = [&](int64_t v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), v);
    sink.Put(std::string_view(digits, static_cast<size_t>(end - digits)));
  };
  // A label: written as it is when it is short printable ASCII without a
  // quote or backslash (language, severity, categories, rule ids, the
  // version), else by PutString.
  auto label = [&](std::string_view v) {
    if (v.size() <= 32) {
      bool plain = true;
      for (char c : v) {
        plain = plain && c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
      }
      if (plain) {
        sink.Put('"');
        sink.Put(v);
        sink.Put('"');
        return;
      }
    }
    ok = ok && PutString(v, &sink);
  };
  passed("{\"id\":"sv, kIdKey, "\"\""sv);
  // The five keys a bare {"id","text"} line leaves at their defaults, in
  // one piece when it does.
  if (field_of_spec_[kSourceKey] < 0 && field_of_spec_[kUrlKey] < 0 &&
      field_of_spec_[kPublishedKey] < 0 && field_of_spec_[kFetchedKey] < 0 &&
      field_of_spec_[kAuthorKey] < 0) {
    key(",\"source\":\"\",\"url\":\"\",\"published_at\":null,"
        "\"fetched_at\":null,\"author\":\"\""sv);
  } else {
    passed(",\"source\":"sv, kSourceKey, "\"\""sv);
    passed(",\"url\":"sv, kUrlKey, "\"\""sv);
    passed(",\"published_at\":"sv, kPublishedKey, "null"sv);
    passed(",\"fetched_at\":"sv, kFetchedKey, "null"sv);
    passed(",\"author\":"sv, kAuthorKey, "\"\""sv);
  }
  passed(",\"text\":"sv, kTextKey, "\"\""sv);  // always in the input
  key(",\"lang\":"sv);
  label(l.lang);
  key(",\"categories\":["sv);
  for (size_t c = 0; c < l.categories.size(); ++c) {
    if (c) sink.Put(',');
    label(l.categories[c]);
  }
  key("],\"severity\":"sv);
  label(l.severity);
  key(",\"region\":"sv);
  ok = ok && PutStringOrNull(l.region, &sink);
  key(",\"school_number\":"sv);
  ok = ok && PutStringOrNull(l.school_number, &sink);
  if (field_of_spec_[kDuplicateKey] < 0) {
    key(",\"duplicate_of\":null,\"matches\":["sv);
  } else {
    passed(",\"duplicate_of\":"sv, kDuplicateKey, "null"sv);
    key(",\"matches\":["sv);
  }
  for (size_t m = 0; m < l.matches.size(); ++m) {
    const Match& x = l.matches[m];
    sink.Put(m ? ",{\"rule\":"sv : "{\"rule\":"sv);
    label(x.rule);
    sink.Put(",\"category\":"sv);
    label(x.category);
    sink.Put(",\"start\":"sv);
    number(x.start);
    sink.Put(",\"end\":"sv);
    number(x.end);
    sink.Put('}');
  }
  if (field_of_spec_[kReviewKey] < 0) {
    key("],\"review\":\"new\",\"institution\":"sv);
  } else {
    sink.Put(']');
    passed(",\"review\":"sv, kReviewKey, "\"new\""sv);
    key(",\"institution\":"sv);
  }
  ok = ok && PutStringOrNull(l.institution, &sink);
  if (field_of_spec_[kIncidentKey] < 0) {
    key(",\"incident\":null,\"rules_version\":"sv);
  } else {
    passed(",\"incident\":"sv, kIncidentKey, "null"sv);
    key(",\"rules_version\":"sv);
  }
  label(l.rules_version);
  // The input's other keys; its SPEC keys were taken above, or are labels
  // the line computes.
  for (size_t k = 0; k < used_; ++k) {
    if (spec_of_field_[k] >= 0) continue;
    sink.Put(',');
    ok = ok && PutString(fields_[k].first, &sink, /*trusted=*/true);
    sink.Put(':');
    ok = ok && PutString(fields_[k].second, &sink, /*trusted=*/true);
  }
  sink.Put("}\n"sv);
  sink.Finish(ok);
  return ok;
}

void ClassifyJsonl::WriteGeneric(const Labels& labels, std::string* out) {
  if (fast_) {
    // Only when a label is not valid UTF-8: let nlohmann replace it.
    obj_ = OJson::object();
    for (size_t k = 0; k < used_; ++k)
      obj_[fields_[k].first] = fields_[k].second;
  }
  Post post;
  post.text = std::string(text());
  post.labels = labels;
  OJson spec = PostToJson(post);
  OJson result = OJson::object();
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (!IsLabelKey(it.key()) && obj_.contains(it.key())) {
      result[it.key()] = obj_[it.key()];
    } else {
      result[it.key()] = it.value();
    }
  }
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    if (!result.contains(it.key())) result[it.key()] = it.value();
  }
  out->append(result.dump(-1, ' ', false, OJson::error_handler_t::replace));
  out->push_back('\n');
}

void ClassifyJsonl::Write(const Labels& labels, std::string* out) {
  if (fast_ && WriteFast(labels, out)) return;
  WriteGeneric(labels, out);
}

}  // namespace shagym::config
