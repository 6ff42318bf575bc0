#include "nlp/tokenize.h"

#include <gtest/gtest.h>
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace {

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

TEST(TokenizeTest, TokenIndexAt) {
  const std::string s = "мектепте бала жылады";
  std::vector<Token> t = Tokenize(s);
  EXPECT_EQ(TokenIndexAt(t, 0), 0u);
  EXPECT_EQ(TokenIndexAt(t, s.find("бала")), 1u);
  EXPECT_EQ(TokenIndexAt(t, s.find("бала") - 1), 1u);  // the space before
  EXPECT_EQ(TokenIndexAt(t, s.size()), 3u);
}

}  // namespace
}  // namespace shagym::nlp

namespace shagym::nlp {
namespace {

// Every word ICU's word BreakIterator finds (letters or numbers) that has no
// inner punctuation (ICU joins "e.g", "don't", "3.5", "x86_64"; we split them)
// is exactly one of our tokens, on real Kazakh and Russian text.
TEST(TokenizeTest, AgreesWithIcuWordBreakOnRealText) {
  std::vector<std::string> lines = {
      "Мектепте балаларды ұрып-соғып жатыр, 12-мектеп!",
      "В школе №7 избили ученика 5 класса 😡 #буллинг",
      "Keremet oin eken, rahmet 100%"};
  const std::string dir = testing::RealworldDir();
  if (!dir.empty()) {
    for (const char* f : {"corpora/kk_kaznerd_test_sentences.txt",
                          "corpora/ru_taiga_ud_dev_test_sentences.tsv",
                          "corpora/kk_kazsandra_sc_test.csv"}) {
      std::ifstream in(dir + "/" + f);
      std::string line;
      for (int n = 0; n < 1500 && std::getline(in, line); ++n) {
        lines.push_back(line);
      }
    }
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

}  // namespace
}  // namespace shagym::nlp
