#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

#include "nlp/rules/stem.h"

namespace shagym::nlp {
namespace {

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

TEST(KazakhStemTest, RussianKeyboardAndChatLatinSpellings) {
  auto p = ExpandKazakhStem("мұғалім");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(Matches(*p, "мугалим"));     // Russian letters only
  EXPECT_TRUE(Matches(*p, "муғалімдер"));  // chat Latin folded
  EXPECT_TRUE(Matches(*p, "мұғалімге"));
}

TEST(KazakhStemTest, AllFormsOfMektepFromTheParadigmFile) {
  // Every surface form of the apertium paradigm without clitics.
  std::string dir = std::string(SHAGYM_SOURCE_DIR) +
                    "/../shared/realworld/morphology/"
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

}  // namespace
}  // namespace shagym::nlp
