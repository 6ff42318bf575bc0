#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

#include "nlp/rules/stem.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace rules_stem_test {

// True when `word` is one whole form of the expanded stem.
bool Matches(const StemPattern& p, const std::string& word) {
  return RE2::FullMatch(word, p.exact) &&
         (p.reject.empty() || !RE2::PartialMatch(word, p.reject));
}

TEST(KazakhStemTest, GeneratesSuffixChainsWithHarmonyAndAlternation) {
  auto p = ExpandKazakhStem("мектеп");
  ASSERT_TRUE(p.ok()) << p.status().message();
  for (const char* w :
       {"мектеп", "мектепте", "мектептің", "мектебі", "мектебімізде",
        "мектептегі", "мектептерде", "мектепке", "мектебіне", "мектептен"}) {
    EXPECT_TRUE(Matches(*p, w)) << w;
  }
  // Back-vowel suffixes do not follow a front-vowel stem; other words with
  // the same beginning are not forms of it.
  for (const char* w : {"мектепта", "мектептар", "мектепсіздік-ақ"}) {
    EXPECT_FALSE(Matches(*p, w)) << w;
  }
}

TEST(KazakhStemTest, VoicesFinalConsonantBeforeVowel) {
  auto p = ExpandKazakhStem("құлақ");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(Matches(*p, "құлағы"));
  EXPECT_TRUE(Matches(*p, "құлағына"));
  EXPECT_TRUE(Matches(*p, "құлақтары"));
  auto t = ExpandKazakhStem("тарақ");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Matches(*t, "тарағы"));
}

TEST(KazakhStemTest, VerbFormsButNotNegatedOnes) {
  auto p = ExpandKazakhStem("қорла");
  ASSERT_TRUE(p.ok());
  for (const char* w :
       {"қорлады", "қорлайды", "қорлап", "қорлаған", "қорлағанын", "қорлау"}) {
    EXPECT_TRUE(Matches(*p, w)) << w;
  }
  // The negative -ма- is not part of the chain: "does not insult".
  EXPECT_FALSE(Matches(*p, "қорламайды"));
}

// A verb named by its verbal noun in -у: the forms are generated from the
// verb stem by the suffix grammar, in its vowel harmony.
TEST(KazakhStemTest, VerbalNounStandsForTheVerbsFiniteForms) {
  struct Case {
    const char* stem;
    std::vector<const char*> forms;
    std::vector<const char*> not_forms;
  };
  const Case cases[] = {
      {"құттықтау",
       {"құттықтаймыз", "құттықтады", "құттықтап", "құттықтайды",
        "құттықтаймын", "құттықтадық", "құттықтаған", "құттықтайтын",
        "құттықтауға", "құттықтаулар", "құттықтасын", "құттықтаса",
        "куттыктаймыз"},
       {"құттықтамаймыз", "құттықтамады"}},
      {"сөйлеу",
       {"сөйлейді", "сөйледі", "сөйлеп", "сөйлеген", "сөйлейтін", "сөйлеуге",
        "сөйлеймін"},
       {"сөйлемейді", "сөйлады"}},
      // The first suffix after a verb stem is verbal: the noun сабақ
      // (lesson) and its forms are not forms of сабау (to beat).
      {"сабау",
       {"сабады", "сабап", "сабайды", "сабаған", "сабағанын", "сабауға"},
       {"сабақ", "сабағы", "сабақта", "сабақтан", "сабамайды"}},
      {"жазу",
       {"жазады", "жазды", "жазып", "жазған", "жазатын", "жазамын", "жазу"},
       {"жазда", "жазбайды"}},
      // шық+у → шығу: the final consonant is voiced before the vowel.
      {"шығу", {"шықты", "шығады", "шығып", "шыққан", "шықтық"}, {}},
      // оқы+у → оқу: the closing ы is lost before -у and merges with the
      // present tense's -й into и.
      {"оқу",
       {"оқушы", "оқиды", "оқыды", "оқып", "оқитын", "оқыған", "оқимын",
        "оқуға"},
       {"оқымайды"}},
      {"ұру", {"ұрды", "ұрып", "ұрады", "ұрған", "ұрдық"}, {"ұры", "ұрлық"}},
  };
  for (const Case& c : cases) {
    auto p = ExpandKazakhStem(c.stem);
    ASSERT_TRUE(p.ok()) << c.stem << ": " << p.status().message();
    for (const char* w : c.forms)
      EXPECT_TRUE(Matches(*p, w)) << c.stem << " " << w;
    for (const char* w : c.not_forms) {
      EXPECT_FALSE(Matches(*p, w)) << c.stem << " " << w;
    }
  }
  // Too short once the -у is taken off: the word as given.
  auto t = ExpandKazakhStem("тау");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(Matches(*t, "таулар"));
  EXPECT_FALSE(Matches(*t, "тады"));
}

// The verb шақыру against every single-word, clitic-free, affirmative form of
// the apertium paradigm of шақыр.
TEST(KazakhStemTest, FormsOfShaqyruFromTheVerbParadigmFile) {
  const std::string path = testing::RealworldDir() +
                           "/morphology/"
                           "apertium_kaz_paradigm_verb_shaqyr.txt.gz";
  FILE* probe = std::fopen(path.c_str(), "r");
  if (probe == nullptr) GTEST_SKIP() << "realworld morphology data not present";
  std::fclose(probe);
  FILE* f = popen(("gzip -dc '" + path + "'").c_str(), "r");
  ASSERT_NE(f, nullptr);
  auto p = ExpandKazakhStem("шақыру");
  ASSERT_TRUE(p.ok());
  const RE2 exact(p->exact);
  const RE2 reject(p->reject);
  ASSERT_TRUE(exact.ok() && reject.ok());
  char line[512];
  int total = 0, matched = 0, lines = 0;
  std::vector<std::string> missed;
  while (std::fgets(line, sizeof(line), f) && ++lines < 200000) {
    const std::string s(line);
    const std::string surface = s.substr(0, s.find(':'));
    if (surface.find_first_of(" -") != std::string::npos) continue;
    if (s.find("<clt") != std::string::npos ||
        s.find("<neg>") != std::string::npos) {
      continue;
    }
    ++total;
    if (RE2::FullMatch(surface, exact) && !RE2::PartialMatch(surface, reject)) {
      ++matched;
    } else if (missed.size() < 5) {
      missed.push_back(surface);
    }
  }
  pclose(f);
  ASSERT_GT(total, 100);
  const double recall = static_cast<double>(matched) / total;
  std::printf("shaqyr paradigm: %d/%d forms (%.1f%%)\n", matched, total,
              100 * recall);
  EXPECT_GE(recall, 0.95) << "e.g. " << (missed.empty() ? "" : missed[0]);
}

TEST(KazakhStemTest, RussianKeyboardAndChatLatinSpellings) {
  auto p = ExpandKazakhStem("мұғалім");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(Matches(*p, "мугалим"));     // Russian letters only
  EXPECT_TRUE(Matches(*p, "муғалімдер"));  // chat Latin folded
  EXPECT_TRUE(Matches(*p, "мұғалімге"));
}

TEST(KazakhStemTest, AllFormsOfMektepFromTheParadigmFile) {
  // Every surface form of the apertium paradigm without clitics.
  std::string dir = testing::RealworldDir() +
                    "/morphology/"
                    "apertium_kaz_paradigm_noun_mektep.txt";
  FILE* f = std::fopen(dir.c_str(), "r");
  if (f == nullptr) GTEST_SKIP() << "realworld morphology data not present";
  auto p = ExpandKazakhStem("мектеп");
  ASSERT_TRUE(p.ok());
  char line[512];
  int total = 0, matched = 0;
  std::vector<std::string> missed;
  while (std::fgets(line, sizeof(line), f) && total < 40000) {
    std::string s(line);
    std::string surface = s.substr(0, s.find(':'));
    if (surface.find_first_of(" -") != std::string::npos) continue;
    if (s.find("<clt") != std::string::npos) continue;
    ++total;
    if (Matches(*p, surface)) {
      ++matched;
    } else if (missed.size() < 5) {
      missed.push_back(surface);
    }
  }
  std::fclose(f);
  ASSERT_GT(total, 100);
  double recall = static_cast<double>(matched) / total;
  std::printf("mektep paradigm: %d/%d forms (%.1f%%)\n", matched, total,
              100 * recall);
  EXPECT_GE(recall, 0.60) << "e.g. " << (missed.empty() ? "" : missed[0]);
}

TEST(RussianStemTest, NounEndings) {
  auto p = ExpandRussianStem("травля");
  ASSERT_TRUE(p.ok());
  for (const char* w : {"травля", "травли", "травлю", "травлей"}) {
    EXPECT_TRUE(Matches(*p, w)) << w;
  }
  EXPECT_FALSE(Matches(*p, "трава"));
}

TEST(RussianStemTest, VerbWithLabialL) {
  auto p = ExpandRussianStem("травить");
  ASSERT_TRUE(p.ok());
  for (const char* w : {"травить", "травят", "травит", "травили", "травлю",
                        "травила", "травящие"}) {
    EXPECT_TRUE(Matches(*p, w)) << w;
  }
  EXPECT_FALSE(Matches(*p, "трава"));
  EXPECT_FALSE(Matches(*p, "травма"));
}

TEST(RussianStemTest, VerbWithSuffixAndReflexive) {
  auto p = ExpandRussianStem("издеваться");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(Matches(*p, "издевались"));
  EXPECT_TRUE(Matches(*p, "издеваются"));
}

TEST(StemTest, RejectsShortOrNonLetterStems) {
  EXPECT_FALSE(ExpandKazakhStem("ұр").ok());
  EXPECT_FALSE(ExpandRussianStem("бить").ok());
  EXPECT_FALSE(ExpandKazakhStem("мек теп").ok());
}

}  // namespace rules_stem_test
}  // namespace shagym::nlp
