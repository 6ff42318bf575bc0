#include "nlp/privacy.h"

#include <re2/re2.h>

#include <algorithm>

namespace shagym::nlp {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int CountDigits(std::string_view s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), IsDigit));
}

// True when the byte before `begin` or after `end` would glue the match to a
// longer number or word (then it is not a phone number of its own).
bool GluedToDigits(std::string_view text, size_t begin, size_t end) {
  return (begin > 0 && IsDigit(text[begin - 1])) ||
         (end < text.size() && IsDigit(text[end]));
}

struct Patterns {
  // name@domain.tld; the local part allows the usual atext subset.
  RE2 email{
      R"([A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})"};
  // A phone-like run: optional '+', digits with spaces, dashes, dots or
  // parentheses between them. The digit count decides below.
  RE2 phone{R"(\+?\(?\d(?:[\d\-\s().]{0,3}\d){6,16})"};
  RE2 iin{R"(\d{12})"};
};

const Patterns& P() {
  static const Patterns* p = new Patterns();
  return *p;
}

void FindAll(std::string_view text, const RE2& re, PersonalDataKind kind,
             std::vector<PersonalDataSpan>* out) {
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece match;
  size_t pos = 0;
  while (pos < text.size() &&
         re.Match(input, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    size_t begin = static_cast<size_t>(match.data() - text.data());
    size_t end = begin + match.size();
    if (end == begin) {
      ++pos;
      continue;
    }
    // Trim trailing separators the phone pattern may take.
    while (end > begin && !IsDigit(text[end - 1]) &&
           kind != PersonalDataKind::kEmail) {
      --end;
    }
    std::string_view m = text.substr(begin, end - begin);
    bool keep = true;
    if (kind == PersonalDataKind::kIin) {
      keep = !GluedToDigits(text, begin, end);
    } else if (kind == PersonalDataKind::kPhone) {
      int digits = CountDigits(m);
      bool has_sep = m.find_first_of(" -().") != std::string_view::npos;
      bool plus = m[0] == '+';
      // 10-15 digits (international, +7 / 8 prefixes), or a 7-digit local
      // number written with separators ("123-45-67"). A 12-digit run
      // without separators is an IIN, handled on its own.
      keep =
          !GluedToDigits(text, begin, end) &&
          ((digits >= 10 && digits <= 15 &&
            (has_sep || plus || digits == 10 || digits == 11)) ||
           (digits == 7 && has_sep && m.find('-') != std::string_view::npos));
      // Dates and times ("13.05.2024", "2024-05-13") are not phone numbers.
      if (keep && m.find('.') != std::string_view::npos && !plus) {
        keep = false;
      }
    }
    if (keep) out->push_back({kind, begin, end});
    pos = std::max(end, begin + 1);
  }
}

}  // namespace

const char* PersonalDataKindName(PersonalDataKind kind) {
  switch (kind) {
    case PersonalDataKind::kPhone:
      return "phone";
    case PersonalDataKind::kEmail:
      return "email";
    case PersonalDataKind::kIin:
      return "iin";
  }
  return "phone";
}

std::vector<PersonalDataSpan> FindPersonalData(std::string_view text) {
  std::vector<PersonalDataSpan> found;
  FindAll(text, P().email, PersonalDataKind::kEmail, &found);
  FindAll(text, P().iin, PersonalDataKind::kIin, &found);
  FindAll(text, P().phone, PersonalDataKind::kPhone, &found);
  // Keep the earliest, then longest; drop what overlaps a kept span.
  std::sort(found.begin(), found.end(),
            [](const PersonalDataSpan& a, const PersonalDataSpan& b) {
              if (a.begin != b.begin) return a.begin < b.begin;
              return a.end > b.end;
            });
  std::vector<PersonalDataSpan> out;
  for (const auto& s : found) {
    if (!out.empty() && s.begin < out.back().end) continue;
    out.push_back(s);
  }
  return out;
}

std::string MaskPersonalData(std::string_view text) {
  std::string out(text);
  for (const auto& s : FindPersonalData(text)) {
    for (size_t i = s.begin; i < s.end; ++i) {
      char c = out[i];
      if (s.kind == PersonalDataKind::kEmail) {
        if (c != '@' && c != '.') out[i] = '*';
      } else if (IsDigit(c)) {
        out[i] = '*';
      }
    }
  }
  return out;
}

}  // namespace shagym::nlp
