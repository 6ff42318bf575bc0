#include "nlp/langid.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "nlp/analysis.h"
#include "tests/testing/random_text.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace langid_test {

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

// Chat-Latin Kazakh with Russian loanwords ("vozhatyi", "remont",
// "kruzhok"): Kazakh suffixes on Kazakh and on Russian stems and Kazakh
// function words make it Kazakh; a loanword must not drown the post.
TEST_F(LangidTest, ChatLatinKazakhWithRussianLoanwords) {
  const char* const kazakh[] = {
      "lagerde vozhatyi balalardy urypty",
      "direktor ata-analardan dengi zhinap jur",
      "bizdin shkolada ohrannik joq, kez kelgen adam kire beredi",
      "uchitelnitsa balamdy klasstan shygaryp jiberdi",
      "stolovayada tamak suyk, balalar ash qalady",
      "remont bitpei jatyr, koridorda kraska iisi",
      "avtobus keshikti, balalar sabakka ulgermedi",
      "trener balalarga aigailap, oskorblyat etip jur",
      "kruzhokka akshany kolma kol beremiz, chek bermeidi",
      "olimpiadaga dayindalu ushin repetitorga baramyz",
      "klassnyi rukovoditel telefonga zhauap bermeidi",
      "medpunkt zhabyk, medsestra zhumyska kelmeidi",
      "okhrannik balany shkolaga kirgizbei koidy",
      "bulling bolyp jatyr, psiholog eshteme istemeidi",
      "ekzamen kezinde nabludatel telefondy tartyp aldy",
      "balalar lagerge barmai qaldy, putevka qymbat",
      "sportzaldyn kryshasy agyp tur",
  };
  for (const char* text : kazakh) EXPECT_EQ(L(text), "kk") << text;
  // Written after the rules above were settled and run once (before them,
  // two of these stayed in Latin and came out "other"): one comes out
  // "mixed", which the contract accepts for code-switched posts.
  const char* const unseen[] = {
      "bugin dezhurnyi mugalim balalardy koridorga shygaryp tastady",
      ("kanikulda shkolaga ekskursiya uiymdastyrdy, biraq avtobus buzylyp "
       "qaldy"),
      "ozimizdin rayondagy detsad ote tar, oryn zhetpeidi",
      "repetitorlar sabaqtan keiin qosymsha aqsha suraidy",
      "konkurstyn natizhesin direktor ozgertip jiberipti",
      "vrach kelmedi, medkabinet zhabyq turady",
      "ohrana zhok, kamera istemeidi, baryn tekserip shygu kerek",
      "balam kruzhoktan kelgennen keiin zhylap otyr",
      "diktant zhazganda uchitel telefonmen soilesip otyrdy",
      "kvartiraga zhakyn shkolaga auysuga bolmaidy eken",
  };
  int kk = 0;
  for (const char* text : unseen) {
    const std::string lang = L(text);
    EXPECT_TRUE(lang == "kk" || lang == "mixed") << text << " → " << lang;
    kk += lang == "kk";
  }
  EXPECT_GE(kk, 9);
}

// English and Russian typed in Latin letters share letters and even
// endings with chat-Latin Kazakh ("deti", "kogda"): never Kazakh.
TEST_F(LangidTest, EnglishAndLatinRussianAreNotKazakh) {
  const char* const texts[] = {
      "school bus was late again today",
      "my kid was bullied at school yesterday",
      "the teacher did not answer the phone",
      "we need more teachers in the village school",
      "great app, fast delivery",
      "i love this school so much",
      "parents are angry about the new rules",
      "v shkole izbili rebenka",
      "uchitelnitsa krichit na detei kazhdyi den",
      "v lagere vozhatyi udaril malchika",
      "direktor sobiraet dengi na remont",
      "pomogite pozhaluista, syna travyat v klasse",
      "segodnya v stolovoi otravilis deti",
      "okhrannika net, kto ugodno zakhodit v shkolu",
      "roditeli zhaluyutsya na uchitelya matematiki",
      "vchera v shkole byl pozhar, deti ispugalis",
      "mama skazala chto uchitelnitsa opyat krichala",
      "v lagere kormyat ploho, deti golodnye",
  };
  for (const char* text : texts) {
    const std::string lang = L(text);
    EXPECT_NE(lang, "kk") << text;
    EXPECT_NE(lang, "mixed") << text;
    // Left in Latin letters: nothing was read as Kazakh.
    const std::string normalized = normalizer_->Normalize(text).text;
    EXPECT_EQ(normalized.find_first_of("\xD0\xD1\xD2\xD3"), std::string::npos)
        << text << " → " << normalized;
  }
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

// Language id reads Token::cyrillic and Token::letter_groups instead of
// decoding a Cyrillic token: the same languages and scores as when every
// token is decoded (letter facts cleared), on real and random text.
class LangidLetterFactsTest : public LangidTest {
 protected:
  void Check(const std::string& in) {
    const AnalyzedText a = Analyze(*normalizer_, in);
    std::vector<Token> plain = a.tokens;
    for (Token& t : plain) {
      t.cyrillic = false;
      t.letter_groups = 0;
    }
    LanguageScores fast, slow;
    const Language lf = DetectLanguage(a, &fast);
    const Language ls = DetectLanguage(a.normalized.text, plain, &slow);
    ASSERT_EQ(lf, ls) << in;
    ASSERT_EQ(fast.kazakh, slow.kazakh) << in;
    ASSERT_EQ(fast.russian, slow.russian) << in;
    ASSERT_EQ(fast.cyrillic_words, slow.cyrillic_words) << in;
    ASSERT_EQ(fast.latin_words, slow.latin_words) << in;
    ++checked_;
  }
  int checked_ = 0;
};

TEST_F(LangidLetterFactsTest, SameAsDecodingEveryToken) {
  const std::vector<std::string> pieces = {
      "а",        "ә",        "Қ",        "щ",    "ъ",    "в",
      "ф",        "ц",        "э",        "і",    "ё",    "балалар",
      "мектепте", "школе",    "ского",    "лар",  "ться", "сыз",
      "ст",       "q",        "a",        "1",    " ",    " ",
      "-",        "\xCC\x81", "\xD2\x83", "\xFF", "①",    "日"};
  std::mt19937 rng(5);
  for (int t = 0; t < 5000; ++t) {
    const std::string s = testing::RandomText(pieces, 25, rng);
    Check(s);
    if (HasFatalFailure()) return;
  }
  const std::vector<std::string> lines = testing::RealCorpusLines(3000);
  if (lines.empty()) GTEST_SKIP() << "shared/realworld not found";
  for (const std::string& line : lines) {
    Check(line);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(checked_, 10000);
}

TEST(LanguageCodeTest, Names) {
  EXPECT_EQ(LanguageCode(Language::kKazakh), "kk");
  EXPECT_EQ(LanguageCode(Language::kRussian), "ru");
  EXPECT_EQ(LanguageCode(Language::kMixed), "mixed");
  EXPECT_EQ(LanguageCode(Language::kOther), "other");
}

}  // namespace langid_test
}  // namespace shagym::nlp
