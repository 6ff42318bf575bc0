#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlp/rules/rule_set.h"
#include "tests/nlp/term_spec_fixture.h"

namespace shagym::nlp {
namespace rules_set_test {

RuleSpec Rule(const std::string& id, const std::string& category,
              const std::string& lang = "ru") {
  RuleSpec r;
  r.id = id;
  r.category = category;
  r.lang = lang;
  r.severity = "medium";
  r.where = "t.yaml:3:5";
  return r;
}

class RuleSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(n).value();
  }

  std::shared_ptr<const RuleSet> Compile(std::vector<RuleSpec> rules) {
    RuleSetSpec spec;
    spec.files.push_back(RuleFileSpec{"t.yaml", std::move(rules), {}});
    errors_.clear();
    auto s = RuleSet::Compile(spec, *normalizer_, &errors_);
    if (!s.ok()) return nullptr;
    return *s;
  }

  // Ids of the rules that fire on `text`.
  std::vector<std::string> Fire(const RuleSet& set, const std::string& text) {
    std::vector<std::string> ids;
    for (const RuleHit& h : set.Match(normalizer_->Normalize(text).text)) {
      ids.push_back(set.rule(h.rule).id);
    }
    return ids;
  }

  std::unique_ptr<Normalizer> normalizer_;
  std::vector<std::string> errors_;
};

using Ids = std::vector<std::string>;

TEST_F(RuleSetTest, AnyMatchesWholeWordsOnly) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Word("травля"), Word("буллинг*")};
  auto set = Compile({r});
  ASSERT_TRUE(set) << errors_[0];
  EXPECT_EQ(Fire(*set, "Это ТРАВЛЯ!"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "кибербуллинг"), Ids{});  // not at a word start
  EXPECT_EQ(Fire(*set, "буллингом"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "отравлять"), Ids{});
}

TEST_F(RuleSetTest, AllNeedsEveryGroup) {
  RuleSpec r = Rule("r1", "violence");
  r.any = {Stem("избить")};
  r.all = {{Word("школ*"), Word("класс")}};
  auto set = Compile({r});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "его избили у школы"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "его избили у стадиона"), Ids{});
}

TEST_F(RuleSetTest, NegationBeforeAndAfterCancelsTerm) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Stem("травля"), Stem("травить")};
  RuleSpec k = Rule("k1", "bullying", "kk");
  k.any = {Stem("қорла")};
  auto set = Compile({r, k});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "в классе травят мальчика"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "у нас никто не травит детей"), Ids{});
  EXPECT_EQ(Fire(*set, "не было ни одного случая травли"), Ids{});
  EXPECT_EQ(Fire(*set, "травли у нас не было"), Ids{});
  // A negator further away belongs to another verb.
  EXPECT_EQ(Fire(*set, "учитель не реагирует на травлю"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "баланы қорлаған жоқ"), Ids{});
  EXPECT_EQ(Fire(*set, "баланы қорлады"), Ids{"k1"});
}

TEST_F(RuleSetTest, NegatedVerbGoverningTheTermCancelsIt) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Stem("травля"), Stem("травить"), Word("бьют"), Word("драк")};
  RuleSpec k = Rule("k1", "bullying", "kk");
  k.any = {Stem("қорла"), Stem("қорлау"), Stem("төбелес")};
  auto set = Compile({r, k});
  ASSERT_TRUE(set);
  // The negator stands before the verb that governs the term.
  EXPECT_EQ(Fire(*set, "сын ни разу не сталкивался с травлей"), Ids{});
  EXPECT_EQ(Fire(*set, "никогда не видел у нас драк"), Ids{});
  EXPECT_EQ(Fire(*set, "мы не встречали в школе травли"), Ids{});
  EXPECT_EQ(Fire(*set, "травли не видели ни разу"), Ids{});
  EXPECT_EQ(Fire(*set, "ни разу не видела чтобы у нас в школе кого-то травили"),
            Ids{});
  // Kazakh: a negative with a person ending after the verb.
  EXPECT_EQ(Fire(*set, "мектепте қорлауды көрген жоқпын"), Ids{});
  EXPECT_EQ(Fire(*set, "біздің сыныпта төбелес болған емес"), Ids{});
  EXPECT_EQ(Fire(*set, "мен төбелесті көрмедім"), Ids{});
  EXPECT_EQ(Fire(*set, "bizde qorlau bolgan emes"), Ids{});
  // A negation in another clause does not cancel the complaint.
  EXPECT_EQ(Fire(*set, "не могу молчать, травля в школе"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "никто не помогает, ребенка бьют"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "никто не помогает. ребенка травят"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "не знаю что делать, сына травят"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "ешкім көмектеспейді, баламды қорлайды"), Ids{"k1"});
  // "не" that negates nothing: a condition, "almost", "not only".
  EXPECT_EQ(Fire(*set, "сказали терпеть, пока не перестанут травить"),
            Ids{"r1"});
  EXPECT_EQ(Fire(*set, "чуть не бьют его каждый день"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "не только травят, но и бьют"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "его не бьют"), Ids{});
  // A negated verb that is not about meeting or seeing does not reach the
  // term, and a verb of seeing without a negator cancels nothing.
  EXPECT_EQ(Fire(*set, "школа не справляется с травлей"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "я сама видела как сына травят"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "не видел чтобы учитель вмешался, сына бьют"),
            Ids{"r1"});
}

// An `all:` group says where it happened: a negator that belongs to the
// verb of the clause does not cancel it; only the context negated itself
// ("не в школе", "мектепте емес") does.
// A place phrase between a term and the denial of its existence: the
// denial still cancels the term. Russian "нет" only where it ends the
// clause, since it opens its own predicate ("нет охраны").
TEST_F(RuleSetTest, DenialAfterAPlacePhraseCancelsTheTerm) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Word("травли"), Word("травят"), Word("буллинг")};
  RuleSpec k = Rule("k1", "bullying", "kk");
  k.any = {Word("буллинг")};
  auto set = Compile({r, k});
  ASSERT_TRUE(set) << errors_[0];
  for (const char* text :
       {"Травли в нашей школе не было ни разу", "Травли у нас в классе нет",
        "Буллинг біздің мектепте жоқ", "Буллинг сыныпта болған жоқ"}) {
    EXPECT_EQ(Fire(*set, text), Ids{}) << text;
  }
  EXPECT_EQ(Fire(*set, "Сына травят в школе нет психолога"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "Сына травят в школе, нет сил терпеть"), Ids{"r1"});
  // Only a time phrase between the denial and the end of its clause.
  for (const char* text :
       {"Травли в нашей школе нет уже три года, спасибо",
        "Травли у нас нет давно", "Травли в классе нет уже 2 года"}) {
    EXPECT_EQ(Fire(*set, text), Ids{}) << text;
  }
  EXPECT_EQ(Fire(*set, "Сына травят в школе нет уже сил"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "Сына травят в школе нет уже три года психолога"),
            Ids{"r1"});
}

TEST_F(RuleSetTest, NegationOfTheClauseLeavesTheContextGroup) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Word("травят"), Word("травит"), Word("травли"), Word("бойкот*")};
  r.all = {{Word("в классе"), Word("в школе"), Word("одноклассники")}};
  RuleSpec k = Rule("k1", "bullying", "kk");
  k.any = {Stem("қорла"), Word("мазақтайды"), Word("мазақ")};
  k.all = {{Stem("сынып"), Stem("мектеп")}};
  auto set = Compile({r, k});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "никто не помогает в классе травят"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "с дочерью никто в классе объявили бойкот"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "в школе нет психолога а одноклассники травят"),
            Ids{"r1"});
  EXPECT_EQ(Fire(*set, "ешкім көмектеспейді сыныпта баламды қорлайды"),
            Ids{"k1"});
  EXPECT_EQ(Fire(*set, "мектепте ешкім араласпайды, мазақтайды"), Ids{"k1"});
  // The context itself negated.
  EXPECT_EQ(Fire(*set, "травят не в школе а во дворе"), Ids{});
  EXPECT_EQ(Fire(*set, "мектепте емес, ауланда қорлайды"), Ids{});
  // A negator of existence that closes the clause denies all of it.
  EXPECT_EQ(Fire(*set, "травли в нашей школе нет, все дружат"), Ids{});
  EXPECT_EQ(Fire(*set, "травли у нас в классе не было"), Ids{});
  EXPECT_EQ(Fire(*set, "травли в школе нет уже три года"), Ids{});
  EXPECT_EQ(Fire(*set, "в школе нет уже месяц психолога, травят"), Ids{"r1"});
  // The complaint term is still cancelled by its own negator, also when it
  // stands inside a clause opened by a negative pronoun and closed by the
  // negated verb.
  EXPECT_EQ(Fire(*set, "в классе никто не травят"), Ids{});
  EXPECT_EQ(Fire(*set, "сыныпта ешкім қорламайды"), Ids{});
  EXPECT_EQ(Fire(*set, "никто в классе его ни разу не травит"), Ids{});
  EXPECT_EQ(Fire(*set, "ешкім сыныпта баламды мазақ қылмайды"), Ids{});
  EXPECT_EQ(Fire(*set, "ешкім көмектеспейді сыныпта баламды мазақ қылады"),
            Ids{"k1"});
}

TEST_F(RuleSetTest, NegationCanBeTurnedOff) {
  RuleSpec r = Rule("r1", "infrastructure");
  r.any = {Word("нет отопления")};
  r.negation = false;
  auto set = Compile({r});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "в школе нет отопления"), Ids{"r1"});
}

TEST_F(RuleSetTest, ExclusionsDropTheRule) {
  RuleSpec r = Rule("r1", "violence");
  r.any = {Word("драка")};
  r.exclude = {Word("футбол*")};
  auto set = Compile({r});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "драка в школе"), Ids{"r1"});
  EXPECT_EQ(Fire(*set, "драка после футбола"), Ids{});
}

TEST_F(RuleSetTest, NearAndOrderedNear) {
  RuleSpec r = Rule("near", "extortion_corruption");
  r.near = {NearSpec{
      {{Word("собирают")}, {Word("денег"), Word("тенге")}}, 3, false, ""}};
  RuleSpec o = Rule("ordered", "staff_misconduct");
  o.near = {NearSpec{{{Word("учитель")}, {Word("кричит")}}, 2, true, ""}};
  auto set = Compile({r, o});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "собирают по 5000 тенге"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "тенге собирают"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "собирают макулатуру и еще много чего, а тенге"), Ids{});
  EXPECT_EQ(Fire(*set, "учитель постоянно кричит"), Ids{"ordered"});
  EXPECT_EQ(Fire(*set, "кричит учитель"), Ids{});
}

// near: pairs words of one sentence only: a full stop, ! ? an ellipsis or
// a line break ends it; abbreviations, initials, dates and "т.к." do not.
TEST_F(RuleSetTest, NearStaysInsideOneSentence) {
  RuleSpec r = Rule("near", "staff_misconduct");
  r.near = {
      NearSpec{{{Word("учитель")}, {Word("высмеивает"), Word("высмеивают")}},
               6,
               false,
               ""}};
  RuleSpec o = Rule("ordered", "staff_misconduct");
  o.near = {NearSpec{{{Word("учитель")}, {Word("орет")}}, 6, true, ""}};
  auto set = Compile({r, o});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "учитель при всех высмеивает сына"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают. Учитель говорит терпи"),
            Ids{});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают! Учитель молчит"), Ids{});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают?! Учитель молчит"), Ids{});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают\nУчитель молчит"), Ids{});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают\u2026 Учитель молчит"), Ids{});
  EXPECT_EQ(Fire(*set, "Одноклассники высмеивают... учитель молчит"), Ids{});
  EXPECT_EQ(Fire(*set, "Учитель в школе №12. Орет на всех"), Ids{});
  EXPECT_EQ(Fire(*set, "Учитель. Орет на детей"), Ids{});
  // Not a sentence end: abbreviations, initials, dates, inner stops.
  EXPECT_EQ(Fire(*set, "учитель ул. Абая высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель г. Тараза высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель англ. яз. высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель физ. культуры высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель мкрн. Самал высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель А.Б. Иванова высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель 12.05.2024 высмеивает"), Ids{"near"});
  EXPECT_EQ(Fire(*set, "учитель орет, т.к. устал"), Ids{"ordered"});
  EXPECT_EQ(Fire(*set, "учитель т.к. устал орет"), Ids{"ordered"});
}

// across_sentences: true lets a rule pair a topic with its verdict in the
// next sentence ("Дали суп. Холодный.").
TEST_F(RuleSetTest, NearAcrossSentencesWhenTheRuleSaysSo) {
  RuleSpec r = Rule("food", "food");
  NearSpec n{{{Word("суп")}, {Word("холодный")}}, 4, false, ""};
  n.across_sentences = true;
  r.near = {n};
  RuleSpec s = Rule("strict", "food");
  s.near = {NearSpec{{{Word("суп")}, {Word("холодный")}}, 4, false, ""}};
  auto set = Compile({r, s});
  ASSERT_TRUE(set);
  EXPECT_EQ(Fire(*set, "Дали суп. Холодный."), Ids{"food"});
  EXPECT_EQ(Fire(*set, "суп холодный"), (Ids{"food", "strict"}));
  // The flag is part of the rule set's version.
  RuleSpec plain = r;
  plain.near[0].across_sentences = false;
  const std::string with_flag = Compile({r})->version();
  EXPECT_NE(with_flag, Compile({plain})->version());
}

TEST_F(RuleSetTest, RawRegexAndSpans) {
  RuleSpec r = Rule("r1", "extortion_corruption");
  r.any = {Re(R"(\d+\s*тг)")};
  auto set = Compile({r});
  ASSERT_TRUE(set);
  std::string text = "сдать 5000 тг";
  auto hits = set->Match(normalizer_->Normalize(text).text);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].spans.size(), 1u);
  EXPECT_EQ(text.substr(hits[0].spans[0].first,
                        hits[0].spans[0].second - hits[0].spans[0].first),
            "5000 тг");
}

TEST_F(RuleSetTest, ReportsEveryProblem) {
  RuleSpec bad_re = Rule("r1", "bullying");
  bad_re.any = {Re("(unclosed")};
  RuleSpec bad_cat = Rule("r2", "bulying");
  bad_cat.any = {Word("x")};
  RuleSpec dup = Rule("r1", "bullying");
  dup.any = {Word("y")};
  RuleSpec empty = Rule("r3", "food");
  auto set = Compile({bad_re, bad_cat, dup, empty});
  EXPECT_FALSE(set);
  ASSERT_EQ(errors_.size(), 4u);
  EXPECT_NE(errors_[0].find("t.yaml:1:1: rule 'r1': bad pattern"),
            std::string::npos)
      << errors_[0];
  EXPECT_NE(errors_[1].find("rule 'r2': unknown category 'bulying'"),
            std::string::npos);
  EXPECT_NE(errors_[2].find("duplicate id"), std::string::npos);
  EXPECT_NE(errors_[3].find("empty condition"), std::string::npos);
}

TEST_F(RuleSetTest, FailingExamplesRefuseTheSet) {
  RuleSpec r = Rule("r1", "bullying");
  r.any = {Word("травля")};
  RuleSetSpec spec;
  spec.files.push_back(
      RuleFileSpec{"t.yaml",
                   {r},
                   {ExampleSpec{"тут травля", true, "t.yaml:9:7"},
                    ExampleSpec{"тут драка", true, "t.yaml:10:7"},
                    ExampleSpec{"опять травля", false, "t.yaml:12:7"}}});
  std::vector<std::string> errors;
  auto set = RuleSet::Compile(spec, *normalizer_, &errors);
  EXPECT_FALSE(set.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0],
            "t.yaml:10:7: example should match but no rule of this file "
            "fires: 'тут драка'");
  EXPECT_EQ(errors[1],
            "t.yaml:12:7: rule 'r1': no_match example fires: 'опять травля'");
}

TEST_F(RuleSetTest, VersionFollowsContent) {
  RuleSpec a = Rule("r1", "bullying");
  a.any = {Word("травля")};
  RuleSpec b = a;
  b.any = {Word("буллинг")};
  auto s1 = Compile({a});
  auto s2 = Compile({a});
  auto s3 = Compile({b});
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_EQ(s1->version(), s2->version());
  EXPECT_NE(s1->version(), s3->version());
  EXPECT_EQ(s1->version().size(), 16u);
}

TEST_F(RuleSetTest, ManyRulesShareOneSet) {
  std::vector<RuleSpec> rules;
  for (int i = 0; i < 300; ++i) {
    RuleSpec r = Rule("r" + std::to_string(i), "other_complaint");
    r.any = {Word("слово" + std::to_string(i))};
    rules.push_back(r);
  }
  auto set = Compile(rules);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->pattern_count(), 300u);
  EXPECT_EQ(Fire(*set, "тут слово17 и слово299"), (Ids{"r17", "r299"}));
}

}  // namespace rules_set_test
}  // namespace shagym::nlp

namespace shagym::nlp {
namespace rules_set_test {

// A rule fires only when every one of its groups has a term in the text,
// however many groups it has (more than the 64 of the matcher's group
// masks) and whichever terms it shares with other rules.
TEST_F(RuleSetTest, EveryGroupCountsWithManyGroupsAndSharedTerms) {
  RuleSpec many = Rule("many", "bullying");
  std::string all_words;
  for (int g = 0; g < 70; ++g) {
    const std::string w = "слово" + std::to_string(g) + "х";
    many.all.push_back({Word(w)});
    all_words += w + " ";
  }
  RuleSpec two = Rule("two", "violence");
  two.any = {Word("драка")};
  two.all = {{Word("школа"), Word("класс")}, {Word("сегодня")}};
  RuleSpec near = Rule("near", "food");
  near.near.push_back(NearSpec{{{Word("еда")}, {Word("школа")}}, 3, false, ""});
  auto set = Compile({many, two, near});
  ASSERT_TRUE(set) << (errors_.empty() ? "" : errors_[0]);
  EXPECT_EQ(Fire(*set, all_words), Ids{"many"});
  // One group missing: the last one (beyond the 64th), then the first.
  std::string no_last =
      all_words.substr(0, all_words.rfind(' ', all_words.size() - 2));
  EXPECT_EQ(Fire(*set, no_last), Ids{});
  EXPECT_EQ(Fire(*set, all_words.substr(all_words.find(' ') + 1)), Ids{});
  EXPECT_EQ(Fire(*set, "драка в школе сегодня"), Ids{});  // школе != школа
  EXPECT_EQ(Fire(*set, "драка, школа, сегодня"), Ids{"two"});
  EXPECT_EQ(Fire(*set, "драка, класс"), Ids{});
  EXPECT_EQ(Fire(*set, "школа: плохая еда, драка сегодня"),
            (Ids{"two", "near"}));
}

}  // namespace rules_set_test
}  // namespace shagym::nlp
