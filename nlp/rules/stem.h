#pragma once

// Word-form expansion for `stem:` terms: a stem becomes an RE2 pattern that
// matches its inflected forms, generated from the stem (suffix grammar),
// never listed by hand. Internal to nlp/rules.
//
// Kazakh: any chain of suffixes (voice, tense/derivation, plural, possessive,
// case, person) in the stem's vowel harmony, with the final-consonant
// alternations п→б, к→г, қ→ғ (мектеп → мектебімізде, құлақ → құлағы). Kazakh
// letters also match their Russian look-alikes (қ→к, ұ→у, і→и, ...) because
// many people type Kazakh on a Russian keyboard. Russian: the lemma's ending is
// stripped and noun/adjective or verb endings are added, with the -л- of labial
// stems (травля → травлю, травили, травят).

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shagym::nlp {

struct StemPattern {
  std::string prefilter;  // cheap pattern: the stem variants only
  std::string exact;      // the stem variants followed by the suffix grammar
  // Optional: an occurrence whose start matches this is not a form of the
  // stem (the Kazakh negative verb: қорламайды).
  std::string reject;
  // The stem variants the prefilter alternates (before look-alike
  // expansion when `look_alike`): the prefilter is [^W](?:v1|v2...).
  std::vector<std::string> starts;
  bool look_alike = false;  // each start through KazakhLiteral
};

// REQUIRES: `stem` is normalised (lower case). InvalidArgument when the stem
// is shorter than 3 letters or contains something other than letters.
StatusOr<StemPattern> ExpandKazakhStem(std::string_view stem);
StatusOr<StemPattern> ExpandRussianStem(std::string_view lemma);

// RE2 for the literal `word` where each Kazakh-specific letter also matches
// its Russian look-alike. Other characters are quoted.
std::string KazakhLiteral(std::string_view word);

// Sets `forms` to the strings KazakhLiteral(word) matches, the word's
// letters first (мектеп, құлақ, құлак, кұлақ, ...). False when there would
// be more than `limit`.
bool KazakhLiteralForms(std::string_view word, size_t limit,
                        std::vector<std::string>* forms);

// True when `text` contains a Kazakh-specific letter (ә ғ қ ң ө ұ ү һ і).
bool HasKazakhLetter(std::string_view text);

}  // namespace shagym::nlp
