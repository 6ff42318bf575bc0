// Properties of the offset map on random and real text: every normalised
// byte maps back inside the original, the map never goes backwards, and
// highlighting the original span of any normalised word and normalising it
// again gives that word back (so dashboard highlights land on the word that
// matched).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "nlp/normalize.h"
#include "nlp/tokenize.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace normalize_property_test {

// Latin letters (ASCII or Latin-1/Extended-A/B) and Cyrillic letters.
bool HasLatin(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    if (c >= 0xC3 && c <= 0xC9) return true;  // U+00C0..U+024F lead bytes
  }
  return false;
}
bool HasCyrillic(std::string_view s) {
  for (unsigned char c : s) {
    if (c == 0xD0 || c == 0xD1 || c == 0xD2 || c == 0xD3) return true;
  }
  return false;
}

bool IsAsciiWordByte(char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

// Checks all properties for one input; returns the number of failures (and
// reports the first few through gtest).
int CheckOne(const Normalizer& normalizer, const std::string& orig) {
  NormalizedText t = normalizer.Normalize(orig);
  int failures = 0;
  auto fail = [&](const std::string& what) {
    if (++failures <= 3) ADD_FAILURE() << what << "\n  input: " << orig;
  };
  if (t.orig_begin.size() != t.text.size() ||
      t.orig_end.size() != t.text.size()) {
    fail("map size differs from text size");
    return failures;
  }
  uint32_t last_begin = 0;
  for (size_t i = 0; i < t.text.size(); ++i) {
    if (!(t.orig_begin[i] < t.orig_end[i] && t.orig_end[i] <= orig.size())) {
      fail("byte " + std::to_string(i) + " maps outside the original");
      return failures;
    }
    if (t.orig_begin[i] < last_begin) {
      fail("map goes backwards at byte " + std::to_string(i));
      return failures;
    }
    last_begin = t.orig_begin[i];
  }
  for (const Token& tok : Tokenize(t.text)) {
    std::string word = t.text.substr(tok.begin, tok.end - tok.begin);
    auto [b, e] = t.ToOriginal(tok.begin, tok.end);
    std::string span = orig.substr(b, e - b);
    std::string again = normalizer.Normalize(span).text;
    if (HasLatin(word) != HasLatin(again) ||
        (HasLatin(word) && HasCyrillic(word))) {
      // Script decisions (Kazakh Latin → Cyrillic, homoglyphs) depend on the
      // whole word or post, so a piece of it may fold differently alone:
      // check only that the span does not cut a Latin word.
      if ((b > 0 && IsAsciiWordByte(orig[b - 1]) && IsAsciiWordByte(orig[b])) ||
          (e < orig.size() && IsAsciiWordByte(orig[e - 1]) &&
           IsAsciiWordByte(orig[e]))) {
        fail("transliterated word '" + word + "' maps to part of a word '" +
             span + "'");
      }
      continue;
    }
    if (again.find(word) == std::string::npos) {
      fail("word '" + word + "' maps to '" + span + "' which normalises to '" +
           again + "'");
    }
  }
  return failures;
}

class NormalizePropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(*n);
  }
  std::unique_ptr<Normalizer> normalizer_;
};

TEST_F(NormalizePropertyTest, RandomText) {
  const std::vector<std::string> palette = {"а",
                                            "Қ",
                                            "ә",
                                            "Ё",
                                            "й",
                                            "и\xCC\x86",
                                            "Ш",
                                            "К",
                                            "A",
                                            "k",
                                            "o",
                                            "E",
                                            "ş",
                                            "ñ",
                                            "ğ",
                                            "q",
                                            "'",
                                            "\xE2\x80\x99",
                                            "1",
                                            "2",
                                            "№",
                                            " ",
                                            " ",
                                            " ",
                                            "\n",
                                            ",",
                                            ".",
                                            "!",
                                            "-",
                                            "😡",
                                            "👨\u200D👩\u200D👧",
                                            "\u200D",
                                            "\uFE0F",
                                            "https://t.me/x ",
                                            "@user_1 ",
                                            "#тег",
                                            "www.a.kz/b ",
                                            "\xFF",
                                            "\xD0",
                                            "ﬁ",
                                            "Ｓ",
                                            "ааааа",
                                            "ß",
                                            "İ",
                                            "中",
                                            "\xCC\x81",
                                            "мектеп",
                                            "school",
                                            "balalar",
                                            "mu'g'alim",
                                            "Ужааас",
                                            "шkoла",
                                            "\xC2\xAD",
                                            "\t",
                                            "e.g."};
  std::mt19937 rng(20240513);
  std::uniform_int_distribution<size_t> pick(0, palette.size() - 1);
  std::uniform_int_distribution<int> len(0, 40);
  int failures = 0;
  for (int n = 0; n < 3000 && failures < 10; ++n) {
    std::string s;
    for (int k = len(rng); k > 0; --k) s += palette[pick(rng)];
    failures += CheckOne(*normalizer_, s);
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(NormalizePropertyTest, RealCorpora) {
  const std::vector<std::string> lines = testing::RealCorpusLines(2500);
  if (lines.empty()) GTEST_SKIP() << "shared/realworld not found";
  int lines_checked = 0, failures = 0;
  for (const std::string& line : lines) {
    failures += CheckOne(*normalizer_, line);
    ++lines_checked;
    if (failures > 10) break;
  }
  EXPECT_GT(lines_checked, 5000);
  EXPECT_EQ(failures, 0);
}

}  // namespace normalize_property_test
}  // namespace shagym::nlp
