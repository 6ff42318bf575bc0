#pragma once

// Personal data in post texts (SPEC "Privacy by default"): phone numbers
// (Kazakhstan's +7 7xx mobile and city formats, 8 7xx, international
// numbers, 7-digit local numbers), e-mail addresses and 12-digit ИИН/IIN.
// Stored texts keep the originals; whatever shows or exports a text masks it
// with MaskPersonalData(). Thread-safe.
//
//   std::string shown = nlp::MaskPersonalData(post.text);
//   // "звоните +7 (701) 123-45-67" -> "звоните +* (***) ***-**-**"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::nlp {

enum class PersonalDataKind { kPhone, kEmail, kIin };

// "phone", "email", "iin".
const char* PersonalDataKindName(PersonalDataKind kind);

struct PersonalDataSpan {
  PersonalDataKind kind;
  size_t begin = 0;  // byte offsets in the text
  size_t end = 0;
};

// The personal data found in `text`, in order, not overlapping.
std::vector<PersonalDataSpan> FindPersonalData(std::string_view text);

// `text` with every digit of a phone number or IIN and every letter or digit
// of an e-mail address (not '@' and '.') replaced by '*', byte for byte: the
// result has the same length, so match offsets computed on the original
// still point at the same words.
std::string MaskPersonalData(std::string_view text);

}  // namespace shagym::nlp
