#include "nlp/langid.h"

#include <gtest/gtest.h>

namespace shagym::nlp {
namespace {

class LangidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(*n);
  }
  std::string L(std::string_view s) {
    return std::string(LanguageCode(DetectLanguage(normalizer_->Normalize(s))));
  }
  std::unique_ptr<Normalizer> normalizer_;
};

struct Case {
  const char* text;
  const char* want;
};

TEST_F(LangidTest, ShortPosts) {
  const Case cases[] = {
      {"Мектепте балаларды ұрады", "kk"},
      {"В школе бьют детей", "ru"},
      {"Балам мектепке барғысы келмейді", "kk"},
      {"Помогите, сына травят в школе", "ru"},
      {"Катты ойнагым келеди", "kk"},  // Kazakh typed with Russian letters
      {"Ужас, куда смотрит директор?", "ru"},
      {"Бул не деген масқара", "kk"},
  };
  for (const Case& c : cases) EXPECT_EQ(L(c.text), c.want) << c.text;
}

TEST_F(LangidTest, LatinKazakh) {
  EXPECT_EQ(L("Keremet oin eken"), "kk");
  EXPECT_EQ(L("Balamdy mektepte urady, mugalim eshtene istemeidi"), "kk");
  EXPECT_EQ(L("Bizdiñ mektepte jağdai naşar"), "kk");
}

TEST_F(LangidTest, CodeSwitching) {
  EXPECT_EQ(L("Мектепте балаларды ұрып жатыр, это вообще нормально? Куда "
              "смотрит директор"),
            "mixed");
  EXPECT_EQ(L("Короче, бүгін мектепте тағы төбелес болды, все снимали на "
              "телефон"),
            "mixed");
}

TEST_F(LangidTest, RussianWithKazakhPlaceNamesStaysRussian) {
  EXPECT_EQ(L("В школе №12 города Қарағанды избили ученика"), "ru");
  EXPECT_EQ(L("Қазақстан: в школах вводят новые правила"), "ru");
}

TEST_F(LangidTest, Other) {
  EXPECT_EQ(L("Very good app, thanks a lot"), "other");
  EXPECT_EQ(L("😡😡😡"), "other");
  EXPECT_EQ(L(""), "other");
  EXPECT_EQ(L("12345"), "other");
  EXPECT_EQ(L("Oýun gowy, maňa gaty ýarady"), "other");  // Turkmen
}

TEST(LanguageCodeTest, Names) {
  EXPECT_EQ(LanguageCode(Language::kKazakh), "kk");
  EXPECT_EQ(LanguageCode(Language::kRussian), "ru");
  EXPECT_EQ(LanguageCode(Language::kMixed), "mixed");
  EXPECT_EQ(LanguageCode(Language::kOther), "other");
}

}  // namespace
}  // namespace shagym::nlp
