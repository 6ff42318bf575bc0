#include "nlp/normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace shagym::nlp {
namespace normalize_test {

class NormalizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    normalizer_ = std::move(*n);
  }
  std::string N(std::string_view s) { return normalizer_->Normalize(s).text; }
  std::unique_ptr<Normalizer> normalizer_;
};

struct Case {
  const char* in;
  const char* want;
};

TEST_F(NormalizeTest, CaseFoldingAndYo) {
  EXPECT_EQ(N("ШКОЛА №12"), "школа №12");
  EXPECT_EQ(N("Ещё ЁЛКА"), "еще елка");
  EXPECT_EQ(N("МЕКТЕПТЕ ҚОРҚЫНЫШТЫ"), "мектепте қорқынышты");
  EXPECT_EQ(N("ҰРЫП-СОҒЫП"), "ұрып-соғып");
}

TEST_F(NormalizeTest, Nfkc) {
  // Fullwidth letters and digits, the "ﬁ" ligature, a decomposed "й".
  EXPECT_EQ(N("ＳＣＨＯＯＬ １２"), "school 12");
  EXPECT_EQ(N("ﬁle"), "file");
  EXPECT_EQ(N("и\xCC\x86"), "й");
  EXPECT_EQ(N("е\xCC\x88"), "е");
  // Zero-width and soft hyphens disappear; "№" stays.
  EXPECT_EQ(N("шко\xC2\xADла"), "школа");
  EXPECT_EQ(N("уб\xE2\x80\x8Bить"), "убить");
  EXPECT_EQ(N("№ 5"), "№ 5");
}

TEST_F(NormalizeTest, Homoglyphs) {
  const Case cases[] = {
      {"шkoла", "школа"},        // Latin k, o
      {"ШKOЛA", "школа"},        // capitals
      {"мектeп", "мектеп"},      // Latin e
      {"ТEPPOP", "террор"},      // mixed capitals with Cyrillic Т
      {"избuли", "избили"},      // u for и
      {"Mектепте", "мектепте"},  // capital M
      {"школa-гимназия", "школа-гимназия"},
      {"oқушы", "оқушы"},          // Latin o before Kazakh қ
      {"iphone-ды", "iphone-ды"},  // a real Latin word stays
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, Elongations) {
  const Case cases[] = {
      {"Ужаааас", "ужас"},
      {"қорқыныштыыы", "қорқынышты"},
      {"пжжжжжжж", "пж"},
      {"ужжжжжас!!!!", "ужас!!!!"},
      {"класс", "класс"},      // a real double stays
      {"1000 тг", "1000 тг"},  // digits never
      {"keremeeeet oiiin eken", "керемет ойн екен"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, KazakhLatin2021) {
  const Case cases[] = {
      {"Mektepte balalardy ūrady", "мектепте балаларды ұрады"},
      {"Qazaqstan", "қазақстан"},
      {"Būryñğy ötken zamanda", "бұрыңғы өткен заманда"},
      {"oquşy", "оқушы"},
      {"Bizdiñ mektepte jağdai naşar", "біздің мектепте жағдай нашар"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, KazakhLatin2018Apostrophes) {
  const Case cases[] = {
      {"Qazaqstan Respy'blikasy", "қазақстан респүблікасы"},
      {"menin' balam", "менің балам"},
      {"mu'g'alim", "мұғалім"},
      {"Ag'ai s'ko'l", "ағай шкөл"},
      {"I don't know", "i don't know"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, KazakhChatLatin) {
  const Case cases[] = {
      {"Keremet oin eken", "керемет ойн екен"},
      {"Balamdy mektepte urady, mugalim eshtene istemeidi",
       "баламды мектепте урады, мугалім ештене істемейді"},
      {"zhaksy emes, kyzdar zhylap zhur", "жаксы емес, кыздар жылап жур"},
      {"shynymen kazir mektepte ne bolyp jatyr",
       "шынымен казір мектепте не болып жатыр"},
      {"qalaiyn", "қалайын"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

// "y"/"i" after a vowel: "й" after a, e, o and after a "u" that is the vowel
// "ұ"/"ү" (word-initial "uy" = "үй", "suyikti" = "сүйікті"), but "ы"/"і"
// after a "u" that is the glide "у" ("auyl" = "ауыл", "boluy" = "болуы",
// never "ауйл", "болуй"). Chat Latin "u" itself stays "у" (see
// Transliterate).
TEST_F(NormalizeTest, KazakhChatLatinYAfterVowel) {
  const Case cases[] = {
      {"kalay", "калай"},
      {"men oy jaman dep oiladym", "мен ой жаман деп ойладым"},
      {"ol kelui kerek, boluy kerek", "ол келуі керек, болуы керек"},
      {"tauy bar, suy taza emes", "тауы бар, суы таза емес"},
      {"oquy jaksy", "оқуы жаксы"},
      {"meni uy jok", "мені уй жок"},
      {"bala uyde otyr", "бала уйде отыр"},
      {"uyqysy kelmeidi", "уйқысы келмейді"},
      {"ustaz uyat qylyp", "устаз уят қылып"},
      {"auyl auyr jagdaida", "ауыл ауыр жагдайда"},
      {"keluine ruqsat", "келуіне руқсат"},
      {"suyikti mugalim", "суйікті мугалім"},
      {"uaqyt jok", "уақыт жок"},
      // The 2021 alphabet writes ū and ü itself: "u" stays "у".
      {"üide ūiqy joq", "үйде ұйқы жоқ"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

// "i"/"y" next to a vowel in chat Latin. After "й", and after "и" (which
// ends in the "й" glide), an "i"/"y" is the vowel "і"/"ы": Kazakh never
// writes "йй" ("keiin" = "кейін", not "кеййн"). An "i" before a vowel is
// "и", never "і" ("kiim" = "киім", "biyl" = "биыл"), and "iy" before a vowel
// is one "и" ("tiyis" = "тиіс"). "y" between vowels is "й" ("keyin",
// "oyin"). Chat Latin does not tell "ы" from "і", nor "ұ"/"ү" from "у", nor
// "к" from "қ" unless it writes "q": the expected forms are what the
// transliterator can know, and rule patterns accept them (nlp/rules/stem.cc).
TEST_F(NormalizeTest, KazakhChatLatinGlides) {
  const Case cases[] = {
      {"keiin", "кейін"},       {"keyin", "кейін"},
      {"uiine", "уйіне"},       {"uyine", "уйіне"},
      {"biyl", "биыл"},         {"qiyn", "қиын"},
      {"kiyn", "киын"},         {"daiyn", "дайын"},
      {"dayyn", "дайын"},       {"daiin", "дайін"},
      {"jiyn", "жиын"},         {"zhiyn", "жиын"},
      {"tiis", "тиіс"},         {"tiyis", "тиіс"},
      {"siyr", "сиыр"},         {"oiyn", "ойын"},
      {"oyyn", "ойын"},         {"oiin", "ойін"},
      {"aiyp", "айып"},         {"ayyp", "айып"},
      {"kiim", "киім"},         {"kiyim", "киім"},
      {"biik", "биік"},         {"tiin", "тиін"},
      {"iesi", "иесі"},         {"kieli", "киелі"},
      {"ayel", "айел"},         {"uiymdastyrdy", "уйымдастырды"},
      {"bolmaidy", "болмайды"}, {"qoiypty", "қойыпты"},
      {"suiikti", "суйікті"},   {"siyaqty", "сияқты"},
      {"studiya", "студия"},    {"radio", "радио"},
  };
  for (const Case& c : cases) {
    // In a post that is plainly Kazakh, so that each word is transliterated.
    const std::string got = N(std::string("mektepte balalar ") + c.in);
    EXPECT_EQ(got, std::string("мектепте балалар ") + c.want) << c.in;
  }
  // Whatever the spelling (elongations too), no "йй".
  const char* const words[] = {"keiiin", "uiiy",  "oyyy", "aiyyi", "eyiy",
                               "iyiy",   "uyiyi", "kiiy", "yiyi",  "ayiyiyi"};
  for (const char* w : words) {
    const std::string got = N(std::string("mektepte ") + w);
    EXPECT_EQ(got.find("йй"), std::string::npos) << w << " → " << got;
  }
}

TEST_F(NormalizeTest, EnglishAndCodeStayLatin) {
  const Case cases[] = {
      {"Very good app, thanks", "very good app, thanks"},
      {"I don't like this game", "i don't like this game"},
      {"npm install react", "npm install react"},
      {"Wi-Fi жоқ", "wi-fi жоқ"},
      {"x86_64 build", "x86_64 build"},
      {"Turkmen oýun gowy", "turkmen oýun gowy"},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, UrlsMentionsEmojiBecomeSpaces) {
  const Case cases[] = {
      {"смотрите https://t.me/s/taraz_news/123 ужас", "смотрите   ужас"},
      {"www.nur.kz/school шок", "  шок"},
      {"@taraz_news пишет", "  пишет"},
      {"буллинг😡😡 в школе", "буллинг  в школе"},
      {"👨‍👩‍👧 семья", "  семья"},
      {"#буллинг_в_школе", " буллинг_в_школе"},
      {"#мектеп", " мектеп"},
      {"tengrinews.kz/kazakhstan_news/ пишет", "  пишет"},
      {"пишите на mail@school.kz", "пишите на  "},
  };
  for (const Case& c : cases) EXPECT_EQ(N(c.in), c.want) << c.in;
}

TEST_F(NormalizeTest, UrlAfterPunctuationAndLongDottedRuns) {
  EXPECT_EQ(N("see:https://t.me/x ok"), "see:  ok");
  // A long run of "a.a.a..." is scanned once, not once per letter.
  std::string dotted;
  for (int i = 0; i < 200000; ++i) dotted += "a.";
  EXPECT_EQ(N(dotted).size(), dotted.size());
}

TEST_F(NormalizeTest, UrlKeepsTrailingPunctuationOut) {
  EXPECT_EQ(N("(см. https://x.kz/a)."), "(см.  ).");
}

TEST_F(NormalizeTest, MapPointsIntoOriginal) {
  const std::string orig = "ШKOЛA №12: Ужаааас 😡 https://t.me/x";
  NormalizedText t = normalizer_->Normalize(orig);
  ASSERT_EQ(t.orig_begin.size(), t.text.size());
  ASSERT_EQ(t.orig_end.size(), t.text.size());
  size_t pos = t.text.find("ужас");
  ASSERT_NE(pos, std::string::npos);
  auto [b, e] = t.ToOriginal(pos, pos + std::string("ужас").size());
  EXPECT_EQ(orig.substr(b, e - b), "Ужаааас");
  pos = t.text.find("школа");
  auto [b2, e2] = t.ToOriginal(pos, pos + std::string("школа").size());
  EXPECT_EQ(orig.substr(b2, e2 - b2), "ШKOЛA");
}

// Plain letters and ASCII punctuation take a table path; a combining mark
// after one of them must still join it in one NFKC segment, mapped back to
// both original code points.
TEST_F(NormalizeTest, CombiningMarkJoinsThePlainLetterBeforeIt) {
  struct Joined {
    const char* in;
    const char* want;
    const char* folded;    // the code point made of letter + mark
    const char* original;  // what it maps back to
  };
  const Joined cases[] = {
      {"мои\xCC\x86 сын", "мой сын", "й", "и\xCC\x86"},
      {"ЕЛКА Е\xCC\x88Л", "елка ел", "е", "Е\xCC\x88"},
      {"the cafe\xCC\x81 is", "the café is", "é", "e\xCC\x81"},
      {"E\xCC\x81"
       "cole",
       "école", "é", "E\xCC\x81"},
      {"шко\xC2\xADла У\xCC\x88", "школа ӱ", "ӱ", "У\xCC\x88"},
  };
  for (const Joined& c : cases) {
    const std::string orig = c.in;
    const std::string folded = c.folded;
    NormalizedText t = normalizer_->Normalize(orig);
    EXPECT_EQ(t.text, c.want) << c.in;
    const size_t pos = t.text.rfind(folded);
    ASSERT_NE(pos, std::string::npos) << c.in;
    auto [b, e] = t.ToOriginal(pos, pos + folded.size());
    EXPECT_EQ(orig.substr(b, e - b), c.original) << c.in;
  }
}

// Before a post's first word in Latin letters only, a plain Cyrillic word is
// written straight from the input; after it, from per-letter records. Both
// must give the same text, capitals and map.
TEST_F(NormalizeTest, CyrillicWordsReadTheSameBeforeAndAfterALatinWord) {
  const std::string half = "Ужаааас, Тараз мектебі#12 ЁЛКА";
  const std::string orig = half + " school " + half;
  NormalizedText t = normalizer_->Normalize(orig);
  const std::string want_half = "ужас, тараз мектебі#12 елка";
  ASSERT_EQ(t.text, want_half + " school " + want_half);
  const size_t second = want_half.size() + std::string(" school ").size();
  const size_t shift = orig.size() - half.size();
  for (const char* word : {"ужас", "тараз", "мектебі", "елка"}) {
    const size_t a = t.text.find(word);
    const size_t b = t.text.find(word, second);
    ASSERT_NE(a, std::string::npos) << word;
    ASSERT_EQ(b, a + second) << word;
    const size_t len = std::string(word).size();
    auto [ab, ae] = t.ToOriginal(a, a + len);
    auto [bb, be] = t.ToOriginal(b, b + len);
    EXPECT_EQ(bb, ab + shift) << word;
    EXPECT_EQ(be, ae + shift) << word;
    EXPECT_EQ(t.IsCapitalized(a), t.IsCapitalized(b)) << word;
  }
  EXPECT_TRUE(t.IsCapitalized(t.text.find("тараз")));
  EXPECT_FALSE(t.IsCapitalized(t.text.find("мектебі")));
  for (size_t i = 0; i < want_half.size(); ++i) {
    EXPECT_EQ(t.orig_begin[i + second], t.orig_begin[i] + shift) << i;
    EXPECT_EQ(t.orig_end[i + second], t.orig_end[i] + shift) << i;
  }
}

TEST_F(NormalizeTest, LatinKazakhMapsBackToLatin) {
  const std::string orig = "Balamdy mektepte urady";
  NormalizedText t = normalizer_->Normalize(orig);
  size_t pos = t.text.find("мектепте");
  ASSERT_NE(pos, std::string::npos);
  auto [b, e] = t.ToOriginal(pos, pos + std::string("мектепте").size());
  EXPECT_EQ(orig.substr(b, e - b), "mektepte");
}

TEST_F(NormalizeTest, InvalidUtf8NeverCrashes) {
  const std::string bad = "шк\xD0ола \xFF\xFE мектеп \xE2\x82";
  NormalizedText t = normalizer_->Normalize(bad);
  EXPECT_NE(t.text.find("мектеп"), std::string::npos);
  for (size_t i = 0; i < t.text.size(); ++i) {
    EXPECT_LE(t.orig_end[i], bad.size());
    EXPECT_LT(t.orig_begin[i], t.orig_end[i]);
  }
  EXPECT_EQ(normalizer_->Normalize("").text, "");
  const std::string nul("abc\0\0www.x.kz\0мектеп", 26);
  NormalizedText z = normalizer_->Normalize(nul);
  EXPECT_NE(z.text.find("мектеп"), std::string::npos);
  EXPECT_EQ(z.text.find("www"), std::string::npos);
}

}  // namespace normalize_test
}  // namespace shagym::nlp
