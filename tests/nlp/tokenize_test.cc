#include "nlp/tokenize.h"

#include <gtest/gtest.h>
#include <unicode/brkiter.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "nlp/letters.h"
#include "tests/testing/random_text.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace tokenize_test {

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(s)) {
    out.emplace_back(s.substr(t.begin, t.end - t.begin));
  }
  return out;
}

TEST(TokenizeTest, LettersDigitsAndPunctuation) {
  EXPECT_EQ(
      Words("№12 мектепте, оқушыны ұрып-соғып!"),
      (std::vector<std::string>{"12", "мектепте", "оқушыны", "ұрып", "соғып"}));
  EXPECT_EQ(Words("в школе  №7\nдети"),
            (std::vector<std::string>{"в", "школе", "7", "дети"}));
  EXPECT_EQ(Words("abc123 x86_64"),
            (std::vector<std::string>{"abc123", "x86", "64"}));
  EXPECT_TRUE(Words("").empty());
  EXPECT_TRUE(Words(" ,.!? ").empty());
}

TEST(TokenizeTest, NumericFlagAndPositions) {
  const std::string s = "12-мектеп";
  std::vector<Token> t = Tokenize(s);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t[0].numeric);
  EXPECT_FALSE(t[1].numeric);
  EXPECT_EQ(t[0].begin, 0u);
  EXPECT_EQ(t[0].end, 2u);
  EXPECT_EQ(t[1].begin, 3u);
  EXPECT_EQ(t[1].end, s.size());
}

TEST(TokenizeTest, CombiningMarksStayInWords) {
  // "й" written as "и" + combining breve is one word.
  EXPECT_EQ(Words("и\xCC\x86ог"), (std::vector<std::string>{"и\xCC\x86ог"}));
}

TEST(TokenizeTest, InvalidUtf8Separates) {
  EXPECT_EQ(Words("аб\xFFвг"), (std::vector<std::string>{"аб", "вг"}));
}

// Token::cyrillic and Token::letter_groups, recomputed by decoding the
// token's code points one by one.
std::string LetterFactsMismatch(std::string_view s,
                                const std::vector<Token>& tokens) {
  for (const Token& t : tokens) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t i = static_cast<int32_t>(t.begin);
    const int32_t end = static_cast<int32_t>(t.end);
    bool cyrillic = true;
    uint8_t groups = 0;
    while (i < end) {
      UChar32 c;
      U8_NEXT(p, i, end, c);
      if (c >= 0x0400 && c <= 0x04FF) {
        groups |= CyrillicGroups(c);
      } else {
        cyrillic = false;
      }
    }
    if (cyrillic != t.cyrillic || groups != t.letter_groups) {
      return std::string(s.substr(t.begin, t.end - t.begin)) +
             " cyrillic=" + std::to_string(t.cyrillic) +
             " groups=" + std::to_string(t.letter_groups) +
             " want cyrillic=" + std::to_string(cyrillic) +
             " groups=" + std::to_string(groups);
    }
  }
  return "";
}

TEST(TokenizeTest, LetterFacts) {
  std::vector<Token> t = Tokenize("қазақ щука школа 12 abc вф ёж мектеп1");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_TRUE(t[0].cyrillic);
  EXPECT_EQ(t[0].letter_groups, kKazakhOnlyLetter);
  EXPECT_EQ(t[1].letter_groups, kRussianOnlyLetter);  // щ
  EXPECT_EQ(t[2].letter_groups, 0);
  EXPECT_FALSE(t[3].cyrillic);
  EXPECT_FALSE(t[4].cyrillic);
  EXPECT_EQ(t[5].letter_groups, kNonNativeLetter);
  EXPECT_TRUE(t[6].cyrillic);
  EXPECT_FALSE(t[7].cyrillic);  // a digit in it
  EXPECT_EQ(t[7].letter_groups, 0);
}

// Every code point of the BMP and some beyond, inside a Cyrillic word, at
// its start and alone.
TEST(TokenizeTest, LetterFactsOnEveryCodePoint) {
  for (UChar32 c = 1; c < 0x30000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    char buf[4];
    int32_t n = 0;
    U8_APPEND_UNSAFE(buf, n, c);
    const std::string ch(buf, static_cast<size_t>(n));
    for (const std::string& s :
         {ch, "аә" + ch + "щ", ch + "қы", "x" + ch + "ь1"}) {
      const std::string bad = LetterFactsMismatch(s, Tokenize(s));
      ASSERT_EQ(bad, "") << "U+" << std::hex << c;
    }
  }
}

TEST(TokenizeTest, LetterFactsOnRandomText) {
  const std::vector<std::string> pieces = {
      "а", "ә", "Қ",        "щ",        "ъ",        "в",  "ф", "ц",
      "э", "і", "ё",        "\xD2\x83", "\xD2\x82", "a",  "Z", "1",
      " ", "-", "\xCC\x81", "\xFF",     "\xD0",     "日", "①", "\xD3\xBF"};
  std::mt19937 rng(7);
  for (int t = 0; t < 20000; ++t) {
    const std::string s = testing::RandomText(pieces, 20, rng);
    ASSERT_EQ(LetterFactsMismatch(s, Tokenize(s)), "") << s;
  }
}

TEST(TokenizeTest, TokenIndexAt) {
  const std::string s = "мектепте бала жылады";
  std::vector<Token> t = Tokenize(s);
  EXPECT_EQ(TokenIndexAt(t, 0), 0u);
  EXPECT_EQ(TokenIndexAt(t, s.find("бала")), 1u);
  EXPECT_EQ(TokenIndexAt(t, s.find("бала") - 1), 1u);  // the space before
  EXPECT_EQ(TokenIndexAt(t, s.size()), 3u);
}

}  // namespace tokenize_test
}  // namespace shagym::nlp

namespace shagym::nlp {
namespace tokenize_test {

// Every word ICU's word BreakIterator finds (letters or numbers) that has no
// inner punctuation (ICU joins "e.g", "don't", "3.5", "x86_64"; we split them)
// is exactly one of our tokens, on real Kazakh and Russian text.
TEST(TokenizeTest, AgreesWithIcuWordBreakOnRealText) {
  std::vector<std::string> lines = {
      "Мектепте балаларды ұрып-соғып жатыр, 12-мектеп!",
      "В школе №7 избили ученика 5 класса 😡 #буллинг",
      "Keremet oin eken, rahmet 100%"};
  for (std::string& line : testing::RealCorpusLines(1500)) {
    lines.push_back(std::move(line));
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> bi(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  ASSERT_TRUE(U_SUCCESS(status));
  int compared = 0, mismatches = 0;
  for (const std::string& line : lines) {
    std::set<std::pair<uint32_t, uint32_t>> ours;
    for (const Token& t : Tokenize(line)) ours.insert({t.begin, t.end});
    UText* ut = utext_openUTF8(nullptr, line.data(),
                               static_cast<int64_t>(line.size()), &status);
    bi->setText(ut, status);
    int32_t start = bi->first();
    for (int32_t end = bi->next(); end != icu::BreakIterator::DONE;
         start = end, end = bi->next()) {
      int32_t rule = bi->getRuleStatus();
      if (rule < UBRK_WORD_NUMBER || rule >= UBRK_WORD_KANA) continue;
      std::string word = line.substr(start, end - start);
      if (word.find_first_of(".,:;'_@\xE2") != std::string::npos) continue;
      ++compared;
      if (!ours.count(
              {static_cast<uint32_t>(start), static_cast<uint32_t>(end)})) {
        if (++mismatches <= 5)
          ADD_FAILURE() << "ICU word '" << word << "' in: " << line;
      }
    }
    utext_close(ut);
  }
  EXPECT_GT(compared, 10);
  EXPECT_EQ(mismatches, 0);
}

}  // namespace tokenize_test
}  // namespace shagym::nlp
