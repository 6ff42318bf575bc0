#include "config/rules_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "tests/testing/temp_dir.h"

namespace shagym::config {
namespace rules_loader_test {

class RulesLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = nlp::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(n).value();
  }
  std::unique_ptr<nlp::Normalizer> normalizer_;
};

constexpr char kGood[] = R"(category: bullying
lang: ru
lists:
  school: [школ*, класс]
rules:
  - id: ru.b.1
    severity: medium
    any: [{stem: травля}, буллинг]
    all: ["@school"]
  - id: ru.b.2
    category: violence
    near: {terms: [избили, "@school"], within: 4}
examples:
  match: ["в школе травля"]
  no_match: ["травля на работе"]
)";

TEST_F(RulesLoaderTest, ParsesTermsListsAndDefaults) {
  std::vector<std::string> errors;
  auto spec = ParseRuleFiles({{"r/b.yaml", kGood}}, &errors);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->files.size(), 1u);
  const auto& rules = spec->files[0].rules;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].category, "bullying");
  EXPECT_EQ(rules[0].lang, "ru");
  ASSERT_EQ(rules[0].any.size(), 2u);
  EXPECT_EQ(rules[0].any[0].kind, nlp::TermSpec::Kind::kStem);
  ASSERT_EQ(rules[0].all.size(), 1u);
  EXPECT_EQ(rules[0].all[0].size(), 2u);  // the list, expanded
  EXPECT_EQ(rules[1].category, "violence");
  ASSERT_EQ(rules[1].near.size(), 1u);
  EXPECT_EQ(rules[1].near[0].within, 4);
  EXPECT_EQ(spec->files[0].examples.size(), 2u);
  EXPECT_EQ(rules[0].where, "r/b.yaml:6:5");
}

// A list used by several rules and inside another list gives every use the
// same terms with the list's own positions; a cycle of lists is still an
// error, not a hang.
TEST_F(RulesLoaderTest, ListsExpandTheSameAtEveryUseAndCyclesFail) {
  const std::string text = R"(category: bullying
lang: ru
lists:
  school: [школ*, {stem: класс}]
  place: ["@school", двор]
rules:
  - id: ru.b.1
    any: [травля]
    all: ["@school"]
  - id: ru.b.2
    any: [травят]
    all: ["@place"]
  - id: ru.b.3
    any: [буллинг]
    all: ["@school", "@place"]
)";
  std::vector<std::string> errors;
  auto spec = ParseRuleFiles({{"r/b.yaml", text}}, &errors);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const auto& rules = spec->files[0].rules;
  ASSERT_EQ(rules.size(), 3u);
  ASSERT_EQ(rules[0].all.size(), 1u);
  ASSERT_EQ(rules[0].all[0].size(), 2u);
  ASSERT_EQ(rules[1].all[0].size(), 3u);
  ASSERT_EQ(rules[2].all.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(rules[1].all[0][i].value, rules[0].all[0][i].value);
    EXPECT_EQ(rules[1].all[0][i].where, rules[0].all[0][i].where);
    EXPECT_EQ(rules[2].all[0][i].where, rules[0].all[0][i].where);
  }
  EXPECT_EQ(rules[0].all[0][1].kind, nlp::TermSpec::Kind::kStem);
  EXPECT_EQ(rules[1].all[0][2].value, "двор");

  const std::string cycle = R"(category: bullying
lists:
  a: ["@b"]
  b: ["@a"]
rules:
  - id: ru.b.1
    any: ["@a"]
)";
  errors.clear();
  auto bad = ParseRuleFiles({{"r/c.yaml", cycle}}, &errors);
  EXPECT_FALSE(bad.ok());
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("nest too deeply"), std::string::npos) << errors[0];
}

TEST_F(RulesLoaderTest, ReportsAllProblemsWithFileLineAndRule) {
  const std::string bad = R"(category: bullying
rules:
  - id: kk.bullying.1
    severity: medium
    any: [қорлау]
  - id: kk.bullying.2
    severity: urgent
    any: [x]
  - id: kk.bullying.3
    severity: low
    nto: [x]
    any: [x]
  - id: kk.bullying.4
    category: bulying
    any: [x]
  - id: kk.bullying.5
    any: ["@nosuch"]
  - id: kk.bullying.6
    any: [{re: "(oops"}]
  - id: kk.bullying.7
    severity: low
)";
  std::vector<std::string> errors;
  auto spec = ParseRuleFiles({{"config/rules/bullying.kk.yaml", bad}}, &errors);
  EXPECT_FALSE(spec.ok());
  ASSERT_EQ(errors.size(), 5u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "config/rules/bullying.kk.yaml:7:15: rule 'kk.bullying.2': "
            "severity must be high, medium or low, not 'urgent'");
  EXPECT_NE(errors[1].find(":11:5: rule 'kk.bullying.3': unknown key 'nto'"),
            std::string::npos)
      << errors[1];
  EXPECT_NE(errors[2].find("rule 'kk.bullying.4': unknown category 'bulying' "
                           "(did you mean 'bullying'?)"),
            std::string::npos)
      << errors[2];
  EXPECT_NE(errors[3].find("unknown list '@nosuch'"), std::string::npos);
  EXPECT_NE(errors[4].find("rule 'kk.bullying.7': empty condition"),
            std::string::npos)
      << errors[4];
}

TEST_F(RulesLoaderTest, LoadRuleSetCompilesAndRunsExamples) {
  testing::TempDir dir;
  dir.Write("b.yaml", kGood);
  std::vector<std::string> errors;
  auto set = LoadRuleSet(dir.path(), *normalizer_, &errors);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->rule_count(), 2u);

  dir.Write("c.yaml", R"(category: food
rules:
  - id: f1
    any: [{re: "(oops"}]
examples:
  match: ["ничего"]
)");
  errors.clear();
  auto bad = LoadRuleSet(dir.path(), *normalizer_, &errors);
  EXPECT_FALSE(bad.ok());
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("c.yaml:4:16: rule 'f1': bad pattern '(oops'"),
            std::string::npos)
      << errors[0];
}

TEST_F(RulesLoaderTest, ShippedRulesPassTheirOwnExamples) {
  std::vector<std::string> errors;
  auto set = LoadRuleSet(std::string(SHAGYM_SOURCE_DIR) + "/config/rules",
                         *normalizer_, &errors);
  ASSERT_TRUE(set.ok()) << ::testing::PrintToString(errors);
  // Every category has rules in both languages.
  std::set<std::string> seen;
  for (size_t i = 0; i < (*set)->rule_count(); ++i) {
    const auto& r = (*set)->rule(static_cast<int>(i));
    seen.insert(r.category + "/" + r.lang);
  }
  for (const std::string& c : nlp::CategoryIds()) {
    EXPECT_TRUE(seen.count(c + "/ru")) << c;
    EXPECT_TRUE(seen.count(c + "/kk")) << c;
  }
}

// A raw pattern with a long counted gap ("teacher[^.]{0,60}insult") makes
// the matcher's automaton track every window open at once: on long
// unpunctuated posts full of the trigger words it built new states for
// nearly every post (3x the CPU and +130 MB of memory on the crawl bench's
// text). The shipped rules bound a clause by punctuation instead
// ("[^,.!?;]*"); docs/RULES.md says why.
TEST(ShippedRulesTest, RawPatternsHaveNoLongCountedGaps) {
  const std::regex gap(R"((\]|\.|\))\{\d*,(\d+)\})");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(SHAGYM_SOURCE_DIR) + "/config/rules")) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    const std::string text = testing::ReadFile(e.path().string());
    for (std::sregex_iterator m(text.begin(), text.end(), gap), end; m != end;
         ++m) {
      EXPECT_LE(std::stoi((*m)[2].str()), 8)
          << e.path().filename().string() << ": " << (*m)[0].str();
    }
  }
  EXPECT_GT(files, 20);
}

TEST_F(RulesLoaderTest, ReloaderSwapsGoodSetsAndKeepsRunningOnBroken) {
  testing::TempDir dir;
  dir.Write("b.yaml", kGood);
  std::vector<std::string> errors;
  auto first = LoadRuleSet(dir.path(), *normalizer_, &errors);
  ASSERT_TRUE(first.ok());
  auto reloader = MakeRulesReloader(dir.path(), normalizer_.get(), *first);
  EXPECT_TRUE(reloader->ReloadIfChanged().ok());  // nothing changed
  EXPECT_EQ(reloader->reloads(), 0);
  std::string v1 = reloader->current()->version();

  dir.Write("b.yaml", std::string(kGood) + "# edited\n");
  std::string changed = kGood;
  changed.replace(changed.find("буллинг"), 7 * 2, "булинг");
  dir.Write("b.yaml", changed);
  ASSERT_TRUE(reloader->ReloadIfChanged().ok());
  EXPECT_EQ(reloader->reloads(), 1);
  EXPECT_NE(reloader->current()->version(), v1);
  std::string v2 = reloader->current()->version();

  dir.Write("b.yaml", "rules: [{id: x, category: nope, any: [y]}]\n");
  EXPECT_FALSE(reloader->ReloadIfChanged().ok());
  EXPECT_EQ(reloader->failures(), 1);
  EXPECT_EQ(reloader->current()->version(), v2);  // kept the running set
  // The broken edit is not recompiled on every poll.
  EXPECT_TRUE(reloader->ReloadIfChanged().ok());
  EXPECT_EQ(reloader->failures(), 1);
}

}  // namespace rules_loader_test
}  // namespace shagym::config

namespace shagym::config {
namespace rules_loader_test {

// Found by the rules fuzz target: a double-quoted id spanning lines put a
// line break into the error, which must stay one line.
TEST(RulesLoaderOneLineTest, AQuotedValueSpanningLinesStaysOnOneErrorLine) {
  std::vector<RuleFileText> files;
  files.push_back(
      {"rules/fuzz.kk.yaml",
       std::string("category: "
                   "f\xba\xd0\xbb\xd0\xb0\xd1\x81\xd1\xed\xd0\xb0]]\x0arules:"
                   "\x0a  - idd.fuz{\xd2\xcd\xf5\xdf\xdf\xdf\xdf\x8c"
                   "evees:\x0a  - is:\x0a  - id: \x22ru.fohd.fuz{.2\x0a   \x0a "
                   " - is:\x0a  - id: \xd7\xd7]\x0a")});
  std::vector<std::string> errors;
  auto spec = ParseRuleFiles(files, &errors);
  ASSERT_FALSE(errors.empty());
  for (const std::string& e : errors) {
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

}  // namespace rules_loader_test
}  // namespace shagym::config
