#include "nlp/classifier.h"

#include <gtest/gtest.h>

#include "config/rules_loader.h"
#include "tests/nlp/term_spec_fixture.h"

namespace shagym::nlp {
namespace classifier_test {

class ClassifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(n).value().release();
    std::vector<std::string> errors;
    auto rules =
        config::LoadRuleSet(std::string(SHAGYM_SOURCE_DIR) + "/config/rules",
                            *normalizer_, &errors);
    ASSERT_TRUE(rules.ok()) << rules.status().message();
    rules_ = new std::shared_ptr<const RuleSet>(*rules);
  }
  static void TearDownTestSuite() {
    delete rules_;
    delete normalizer_;
  }

  Labels Classify(const std::string& text, const ClassifyHints& hints = {}) {
    Classifier c(normalizer_);
    return c.Classify(**rules_, text, hints);
  }

  static Normalizer* normalizer_;
  static std::shared_ptr<const RuleSet>* rules_;
};

Normalizer* ClassifierTest::normalizer_ = nullptr;
std::shared_ptr<const RuleSet>* ClassifierTest::rules_ = nullptr;

TEST_F(ClassifierTest, ComplaintGetsSortedCategoriesAndSeverity) {
  Labels l = Classify(
      "В школе №5 сына избили одноклассники, теперь он в реанимации, а "
      "классная собирает по 3000 тенге на шторы");
  EXPECT_EQ(l.categories,
            (std::vector<std::string>{"extortion_corruption", "violence"}));
  EXPECT_EQ(l.severity, "high");
  EXPECT_EQ(l.lang, "ru");
  EXPECT_FALSE(l.rules_version.empty());
  EXPECT_EQ(l.institution, "school");
}

TEST_F(ClassifierTest, NonComplaintHasNoCategoriesAndSeverityNone) {
  for (const char* text :
       {"Поздравляем наших учителей с профессиональным праздником!",
        "В больнице №3 опять холодно, батареи не греют",
        "У нас в классе никто никого не обижает",
        "Мектебіміздің оқушысы олимпиадада жеңімпаз атанды, құттықтаймыз!"}) {
    Labels l = Classify(text);
    EXPECT_TRUE(l.categories.empty()) << text;
    EXPECT_EQ(l.severity, "none") << text;
    EXPECT_TRUE(l.matches.empty()) << text;
  }
}

// A rule of category "severity" raises the severity of a complaint made by
// another rule and adds no category; alone it makes nothing a complaint.
TEST_F(ClassifierTest, SeverityRuleRaisesAComplaintAndAddsNoCategory) {
  RuleSpec bullying;
  bullying.id = "b";
  bullying.category = "bullying";
  bullying.lang = "ru";
  bullying.severity = "medium";
  bullying.any = {Word("травят")};
  RuleSpec outcome = bullying;
  outcome.id = "s";
  outcome.category = kSeverityCategory;
  outcome.severity = "high";
  outcome.any = {Word("реанимации")};
  RuleSetSpec spec;
  spec.files.push_back(RuleFileSpec{"t.yaml", {bullying, outcome}, {}});
  std::vector<std::string> errors;
  auto set = RuleSet::Compile(spec, *normalizer_, &errors);
  ASSERT_TRUE(set.ok()) << errors[0];
  Classifier c(normalizer_);

  Labels l = c.Classify(**set, "Сына травят, он в реанимации");
  EXPECT_EQ(l.categories, std::vector<std::string>{"bullying"});
  EXPECT_EQ(l.severity, "high");
  bool severity_match = false;
  for (const Match& m : l.matches) severity_match |= m.category == "severity";
  EXPECT_TRUE(severity_match);

  l = c.Classify(**set, "Сына травят");
  EXPECT_EQ(l.severity, "medium");

  l = c.Classify(**set, "Сосед в реанимации после аварии");
  EXPECT_TRUE(l.categories.empty());
  EXPECT_EQ(l.severity, "none");
  EXPECT_TRUE(l.matches.empty());
}

TEST_F(ClassifierTest, MatchesPointIntoTheOriginalText) {
  // Elongation, upper case and Latin homoglyphs change byte lengths in the
  // normalised text; the spans must still land on the original words.
  std::string text = "Ужааас!!! В ШКОЛЕ сына ТРАВЯТ одноклассники";
  Labels l = Classify(text);
  ASSERT_FALSE(l.matches.empty());
  bool found = false;
  for (const Match& m : l.matches) {
    ASSERT_LE(m.end, static_cast<int64_t>(text.size()));
    ASSERT_LT(m.start, m.end);
    if (text.substr(m.start, m.end - m.start) == "ТРАВЯТ") found = true;
    EXPECT_EQ(m.category, "bullying");
  }
  EXPECT_TRUE(found);
}

TEST_F(ClassifierTest, LatinScriptKazakh) {
  Labels l = Classify("mektepte balamdy synyptastary kundé korlaidy");
  EXPECT_EQ(l.categories, std::vector<std::string>{"bullying"});
  EXPECT_EQ(l.lang, "kk");
}

TEST_F(ClassifierTest, SourceHintsWin) {
  Labels l =
      Classify("В школе не топят, дети мерзнут", ClassifyHints{"ru", "jambyl"});
  EXPECT_EQ(l.region, "jambyl");
  EXPECT_EQ(l.lang, "ru");
  EXPECT_EQ(l.categories, std::vector<std::string>{"infrastructure"});
}

}  // namespace classifier_test
}  // namespace shagym::nlp
