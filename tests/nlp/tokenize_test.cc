#include "nlp/tokenize.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
