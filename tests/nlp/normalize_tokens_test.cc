// The tokens that Normalize(text, &tokens) cuts while writing the normalised
// text must be exactly Tokenize() of that text: same boundaries, same
// numeric flags, letter facts (Token::cyrillic, Token::letter_groups), on
// crafted edge cases and on random and real text.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "nlp/tokenize.h"
#include "tests/testing/random_text.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace normalize_tokens_test {

std::string Show(const std::string& text, const std::vector<Token>& tokens) {
  std::string s;
  for (const Token& t : tokens) {
    s += "[" + text.substr(t.begin, t.end - t.begin) + (t.numeric ? "#" : "") +
         "]";
    // The letter facts too, when they say more than the text shows.
    if (!t.cyrillic || t.letter_groups != 0) {
      s += "{" + std::to_string(t.cyrillic) + "," +
           std::to_string(t.letter_groups) + "}";
    }
  }
  return s;
}

class NormalizeTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    normalizer_ = std::move(*n);
  }
  // The tokens cut while normalising, checked against Tokenize().
  std::string Cut(const std::string& in) {
    std::vector<Token> tokens;
    NormalizedText t = normalizer_->Normalize(in, &tokens);
    const std::string want = Show(t.text, Tokenize(t.text));
    const std::string got = Show(t.text, tokens);
    EXPECT_EQ(got, want) << "input: " << in << "\nnormalised: " << t.text;
    // The plain entry point writes the same text.
    EXPECT_EQ(normalizer_->Normalize(in).text, t.text) << in;
    return got;
  }
  std::unique_ptr<Normalizer> normalizer_;
};

TEST_F(NormalizeTokensTest, PlainWords) {
  EXPECT_EQ(Cut("В школе №12 избили ученика"),
            "[в]{1,4}[школе][12#]{0,0}[избили][ученика]");
  EXPECT_EQ(Cut("Ужаааас, мектептеее!"), "[ужас][мектепте]");
  EXPECT_EQ(Cut("Қазақ щука ВФ"), "[қазақ]{1,1}[щука]{1,2}[вф]{1,4}");
  EXPECT_EQ(Cut(""), "");
  EXPECT_EQ(Cut("   "), "");
  EXPECT_EQ(Cut("12-мектеп 5a"), "[12#]{0,0}[мектеп][5a]{0,0}");
}

// A gap whose fold is a digit or a letter joins the word next to it.
TEST_F(NormalizeTokensTest, GapsThatFoldToWordCharacters) {
  EXPECT_EQ(Cut("①слово"), "[1слово]{0,4}");  // circled digit
  EXPECT_EQ(Cut("слово①"), "[слово1]{0,4}");
  EXPECT_EQ(Cut("½"), "[1#]{0,0}[2#]{0,0}");  // 1⁄2: fraction slash
  EXPECT_EQ(Cut("５кг"), "[5кг]{0,0}");       // fullwidth digit
  EXPECT_EQ(Cut("１２ мектеп"), "[12#]{0,0}[мектеп]");
  EXPECT_EQ(Cut("\xD9\xA3\xD9\xA4"), "[\xD9\xA3\xD9\xA4#]{0,0}");  // Arabic ٣٤
  EXPECT_EQ(Cut("㎏ мен"), "[kg]{0,0}[мен]");
}

// Combining marks continue a word but never start one.
TEST_F(NormalizeTokensTest, CombiningMarks) {
  Cut("\xCC\x81слово");                // acute at the start of the text
  Cut("слово \xCC\x81\xD1\x81");       // after a space
  Cut("сло\xD2\x83во \xD2\x83слово");  // Cyrillic titlo inside and first
  Cut("\xD2\x82 слово\xD2\x82слово");  // U+0482 (a sign, not a letter)
  Cut("e\xCC\x81t\xC3\xA9 ca\xCC\x81t");
  Cut("\xE2\x98\x9D\xEF\xB8\x8F\xCC\x81 word");
}

// Words written through the recorded path (Latin letters, apostrophes,
// transliteration, homoglyphs, after a post's first Latin word).
TEST_F(NormalizeTokensTest, RecordedWords) {
  EXPECT_EQ(Cut("don't stop"), "[don]{0,0}[t]{0,0}[stop]{0,0}");
  Cut("Qazaqstan men O'zbekstan");
  Cut("balalar mektepte qorqynyshty, мектепте 12 бала");
  Cut("шkoла №5 ТEPPOP");
  Cut("Keremet oiiin eken rahmet 100% мектептееее");
  Cut("iPhone-ды 2кг ﬁle ŉ İstanbul");
  Cut("шко\xC2\xADла уб\xE2\x80\x8Bить");
  Cut("#буллинг @user_1 https://t.me/x?y=1 www.site.kz сайт.kz/a");
  Cut("😡😡 школа👍🏽 мектеп 🇰🇿 а\xE2\x80\x8D");
  Cut("bad\xFF\xFEutf8 \xD0 \xE2\x82 end\xC0\xAF");
}

// Every Cyrillic letter alone, in a word and elongated, in both paths
// (before and after a Latin-only word).
TEST_F(NormalizeTokensTest, EveryCyrillicCodePoint) {
  for (int c = 0x0400; c <= 0x04FF; ++c) {
    std::string ch;
    ch.push_back(static_cast<char>(0xC0 | (c >> 6)));
    ch.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    Cut(ch);
    Cut("а" + ch + "б " + ch + ch + ch + ch + " " + ch + "1");
    Cut("word " + ch + "а" + ch + " " + ch);
  }
}

// Random mixtures of the pieces that take every path of the normaliser.
TEST_F(NormalizeTokensTest, RandomText) {
  const std::vector<std::string> pieces = {"a",
                                           "k",
                                           "o",
                                           "y",
                                           "q",
                                           "A",
                                           "M",
                                           "'",
                                           "`",
                                           "а",
                                           "Ё",
                                           "ә",
                                           "Қ",
                                           "і",
                                           "ь",
                                           " ",
                                           " ",
                                           "-",
                                           ".",
                                           ",",
                                           "#",
                                           "@",
                                           "1",
                                           "7",
                                           "①",
                                           "½",
                                           "５",
                                           "㎏",
                                           "ﬁ",
                                           "№",
                                           "\xCC\x81",
                                           "\xD2\x83",
                                           "\xD2\x82",
                                           "\xC2\xAD",
                                           "\xE2\x80\x8B",
                                           "😡",
                                           "👍🏽",
                                           "\xE2\x80\x8D",
                                           "http://",
                                           "www.",
                                           ".kz/",
                                           "\xFF",
                                           "\xD0",
                                           "\xD9\xA3",
                                           "ŉ",
                                           "İ",
                                           "ç",
                                           "ä",
                                           "ğ",
                                           "é",
                                           "Ӏ",
                                           "日本",
                                           "\t"};
  std::mt19937 rng(20261126);
  for (int t = 0; t < 4000; ++t) {
    const std::string s = testing::RandomText(pieces, 30, rng);
    Cut(s);
    if (HasFailure()) break;
  }
}

TEST_F(NormalizeTokensTest, RealText) {
  const std::vector<std::string> lines = testing::RealCorpusLines(3000);
  if (lines.empty()) GTEST_SKIP() << "shared/realworld not found";
  for (const std::string& line : lines) {
    Cut(line);
    if (HasFailure()) return;
  }
  EXPECT_GT(lines.size(), 1000u);
}

// Normalize(in, &out, &tokens) reuses the buffers of the previous post: the
// result must be what a fresh Normalize(in, &tokens) gives, whatever came
// before (longer and shorter posts, capitals, URLs, invalid bytes).
TEST_F(NormalizeTokensTest, IntoReusedBuffersAsFresh) {
  std::vector<std::string> texts = {
      "В Школе №12 Семей избили ученика, http://x.kz/a жоқ",
      "",
      "Ә",
      "\xFF\xD0 Қазақ Тілі ①",
      "Qazaq tili MEKTEP mektebі Almaty",
      std::string(3000, 'a') + " Астана " + std::string(500, ' ') + "Ы"};
  for (const std::string& line : testing::RealCorpusLines(2000)) {
    texts.push_back(line);
  }
  std::mt19937 rng(20261127);
  const std::vector<std::string> pieces = {
      "А", "ә", "Қ",    "M", "y", " ",       ".",        "7",
      "#", "@", "\xFF", "😡", "ﬁ", "http://", "\xCC\x81", "\t"};
  for (int t = 0; t < 500; ++t) {
    texts.push_back(testing::RandomText(pieces, 1 + t % 60, rng));
  }
  NormalizedText out;
  std::vector<Token> tokens;
  // Forwards and backwards, so that each text follows a longer and a
  // shorter one.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t k = 0; k < texts.size(); ++k) {
      const std::string& in = texts[pass == 0 ? k : texts.size() - 1 - k];
      std::vector<Token> want_tokens;
      const NormalizedText want = normalizer_->Normalize(in, &want_tokens);
      normalizer_->Normalize(in, &out, &tokens);
      ASSERT_EQ(out.text, want.text) << in;
      ASSERT_EQ(out.orig_begin, want.orig_begin) << in;
      ASSERT_EQ(out.orig_end, want.orig_end) << in;
      ASSERT_EQ(out.capitalized, want.capitalized) << in;
      ASSERT_EQ(Show(out.text, tokens), Show(want.text, want_tokens)) << in;
    }
  }
}

TEST_F(NormalizeTokensTest, AnalyzeUsesTheSameTokens) {
  const std::string in = "①слово don't Qazaq tili №7 мектеп";
  AnalyzedText a = Analyze(*normalizer_, in);
  EXPECT_EQ(Show(a.normalized.text, a.tokens),
            Show(a.normalized.text, Tokenize(a.normalized.text)));
}

}  // namespace normalize_tokens_test
}  // namespace shagym::nlp
