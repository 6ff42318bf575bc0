// Quality of the shipped rules on sets of unseen posts
// (tests/data/rules_fresh.jsonl: 221 posts written from scratch in the
// styles people use (long parent rants, short comments, forwards, CAPS,
// typos, mixed Kazakh and Russian, 2021 Latin and chat Latin Kazakh), 39%
// hard negatives; tests/data/rules_fresh2.jsonl to rules_fresh6.jsonl,
// written the same way one to five rounds later).
// Their figures were recorded with the rules as they were before the set
// existed and again after the rules were generalised (docs/RULES.md "Quality on
// a fresh set"); the floors below are the figures reached minus a small margin.
// Raise them when the rules get better; never lower them to let a change
// through.
//
// The real `shagym classify` command reads the posts' ids and texts.
// The set judges the rules and is not for tuning them, so the
// SHAGYM_SHOW_MISTAKES=1 used while tuning on the other sets prints nothing
// here; only SHAGYM_SHOW_FRESH_MISTAKES=1 lists the disagreements.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nlp/classifier.h"
#include "tests/nlp/quality_scores.h"
#include "tests/testing/run_command.h"

namespace shagym::nlp {
namespace rules_fresh_test {

// The levels a fresh set must keep.
struct Floors {
  double macro_f1;
  double complaint_f1;
  double complaint_precision;
  double group_complaint_f1;  // each of kk, ru, latin, mixed
};

// Scores the real `shagym classify` on tests/data/<file> against its gold
// labels, prints the tables and checks them against `floors`.
void CheckFreshSet(const std::string& file, const Floors& floors) {
  const std::string src = SHAGYM_SOURCE_DIR;
  std::ifstream in(src + "/tests/data/" + file);
  ASSERT_TRUE(in) << "tests/data/" << file << " missing";
  struct Gold {
    std::string id, group, text;
    std::set<std::string> categories;
    bool high = false;
  };
  std::vector<Gold> gold;
  std::string input, line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << file << ":" << line_no;
    Gold g;
    g.id = j.at("id");
    g.group = j.at("group");
    g.text = j.at("text");
    for (const auto& c : j.at("categories")) {
      ASSERT_TRUE(IsCategoryId(c)) << file << ":" << line_no;
      g.categories.insert(c.get<std::string>());
    }
    const std::string severity = j.at("severity");
    ASSERT_EQ(g.categories.empty(), severity == "none")
        << file << ":" << line_no;
    g.high = severity == "high";
    input += nlohmann::json{{"id", g.id}, {"text", g.text}}.dump() + "\n";
    gold.push_back(std::move(g));
  }
  ASSERT_GE(gold.size(), 200u);

  std::map<std::string, nlohmann::json> got;
  quality::ClassifyWithShagym(input, &got);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_EQ(got.size(), gold.size());

  std::map<std::string, quality::CategoryScores> scores;  // group, "all"
  quality::Counts high;
  int negatives = 0;
  for (const Gold& g : gold) {
    const nlohmann::json& p = got[g.id];
    std::set<std::string> cats;
    for (const auto& c : p.at("categories")) cats.insert(c.get<std::string>());
    negatives += g.categories.empty();
    high.Add(g.high, p.at("severity") == "high");
    for (const std::string& key : {g.group, std::string("all")}) {
      scores[key].Add(g.categories, cats);
    }
    if (std::getenv("SHAGYM_SHOW_FRESH_MISTAKES") && cats != g.categories) {
      std::string want, have;
      for (const auto& c : g.categories) want += c + " ";
      for (const auto& c : cats) have += c + " ";
      std::printf("MISS %s gold[%s] got[%s] %s\n", g.id.c_str(), want.c_str(),
                  have.c_str(), g.text.c_str());
    }
  }
  for (const auto& [key, s] : scores) quality::PrintCategoryScores(key, s);
  std::printf("severity high P %.2f R %.2f (tp %d fp %d fn %d)\n", high.P(),
              high.R(), high.tp, high.fp, high.fn);

  EXPECT_GE(negatives * 3, static_cast<int>(gold.size()))
      << "at least a third hard negatives";
  const quality::CategoryScores& all = scores["all"];
  for (const std::string& c : CategoryIds()) {
    const quality::Counts& k = all.per_category.at(c);
    EXPECT_GT(k.tp + k.fn, 0) << "no gold post of " << c;
  }
  EXPECT_GE(all.MacroF1(), floors.macro_f1) << file;
  EXPECT_GE(all.complaint.F1(), floors.complaint_f1) << file;
  EXPECT_GE(all.complaint.P(), floors.complaint_precision) << file;
  for (const char* group : {"kk", "ru", "latin", "mixed"}) {
    ASSERT_TRUE(scores.count(group)) << file << " " << group;
    EXPECT_GE(scores[group].complaint.F1(), floors.group_complaint_f1)
        << file << " " << group;
  }
}

TEST(RulesFreshTest, ClassifyFreshPosts) {
  CheckFreshSet("rules_fresh.jsonl", {.macro_f1 = 0.91,
                                      .complaint_f1 = 0.97,
                                      .complaint_precision = 0.99,
                                      .group_complaint_f1 = 0.95});
}

// A second set (203 posts: 72 ru, 51 kk, 40 Latin-script kk, 40 mixed; 80
// hard negatives), written after the first one's round and scored before
// any rule of the next round changed (docs/RULES.md "A second fresh set").
TEST(RulesFreshTest, ClassifySecondFreshSet) {
  CheckFreshSet("rules_fresh2.jsonl", {.macro_f1 = 0.94,
                                       .complaint_f1 = 0.97,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.94});
}

// A third set (236 posts: 92 ru, 59 kk, 44 Latin-script kk, 41 mixed; 92
// hard negatives), written before the fourth round changed any rule and
// scored first with the rules as they were (docs/RULES.md "A third fresh
// set"). Baseline with the third round's rules: macro F1 0.77,
// complaint-vs-not F1 0.91 (P 0.99, R 0.84), groups 0.87 (ru) to 0.96;
// after the fourth round 0.79 and 0.92 (P 0.99, R 0.85), groups 0.88 (ru)
// to 0.96; after the fifth round 0.79 and 0.93 (P 0.99, R 0.87), groups
// 0.89 (mixed) to 0.96.
TEST(RulesFreshTest, ClassifyThirdFreshSet) {
  CheckFreshSet("rules_fresh3.jsonl", {.macro_f1 = 0.84,
                                       .complaint_f1 = 0.95,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.94});
}

// A fourth set (252 posts: 102 ru, 62 kk, 38 Latin-script kk, 50 mixed; 93
// hard negatives), written before the fifth round changed any rule or engine
// code and scored first with the rules as they were (docs/RULES.md "A fourth
// fresh set"). Baseline with the fourth round's rules: macro F1 0.73,
// complaint-vs-not F1 0.91 (P 0.98, R 0.84), groups 0.88 (ru) to 0.95;
// after the fifth round 0.77 and 0.92 (P 0.98, R 0.86), groups 0.89 (ru)
// to 0.95.
TEST(RulesFreshTest, ClassifyFourthFreshSet) {
  CheckFreshSet("rules_fresh4.jsonl", {.macro_f1 = 0.84,
                                       .complaint_f1 = 0.95,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.92});
}

// A fifth set (254 posts: 102 ru, 62 kk, 45 Latin-script kk, 45 mixed; 98
// hard negatives, 22 high), written before the seventh round read any rule
// and scored first with the rules as they were (docs/RULES.md "A fifth fresh
// set"). Baseline with the sixth round's rules: macro F1 0.73,
// complaint-vs-not F1 0.88 (P 0.95, R 0.81), groups 0.82 (kk) to 0.92,
// high severity P 0.94 R 0.73; after the seventh round (engine and rules
// changed from the misses of the other sets) 0.76 and 0.88 (P 0.96, R
// 0.81), groups 0.84 (kk) to 0.90, high severity P 0.95 R 0.82. The other
// sets' floors were raised to the seventh round's levels too. After the ninth
// round (not read while writing it) 0.80 and 0.90 (P 0.97, R 0.84), groups
// 0.87 (kk) to 0.92.
TEST(RulesFreshTest, ClassifyFifthFreshSet) {
  CheckFreshSet("rules_fresh5.jsonl", {.macro_f1 = 0.78,
                                       .complaint_f1 = 0.89,
                                       .complaint_precision = 0.95,
                                       .group_complaint_f1 = 0.85});
}

// A sixth set (260 posts: 105 ru, 64 kk, 45 Latin-script kk, 46 mixed; 92
// hard negatives, 23 high), written before the eighth round read any rule
// and scored first with the rules as they were (docs/RULES.md "A sixth fresh
// set"). Baseline with the seventh round's rules: macro F1 0.78,
// complaint-vs-not F1 0.88 (P 0.99, R 0.79), groups 0.84 (Latin) to 0.90
// (ru), high severity P 0.87 R 0.57; after the eighth round, whose rules were
// written from this set's misses (so it no longer measures generalisation),
// 0.91 and 0.98 (P 0.99, R 0.97), groups 0.98 to 0.99.
TEST(RulesFreshTest, ClassifySixthFreshSet) {
  CheckFreshSet("rules_fresh6.jsonl", {.macro_f1 = 0.90,
                                       .complaint_f1 = 0.97,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.97});
}

// A seventh set (256 posts: 102 ru, 64 kk, 46 Latin-script kk, 44 mixed; 99
// hard negatives, 12 high), written before the ninth round read any rule and
// scored first with the rules as they were (docs/RULES.md "A seventh fresh
// set"). Baseline with the eighth round's rules: macro F1 0.63,
// complaint-vs-not F1 0.80 (P 0.94, R 0.70), groups 0.71 (Latin) to 0.86,
// high severity P 0.54 R 0.58; after the ninth round, whose rules were
// written from this set's misses (so it no longer measures generalisation),
// 0.86 and 0.97 (P 0.99, R 0.95), groups 0.94 (Latin) to 0.98.
TEST(RulesFreshTest, ClassifySeventhFreshSet) {
  CheckFreshSet("rules_fresh7.jsonl", {.macro_f1 = 0.85,
                                       .complaint_f1 = 0.96,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.93});
}

// An eighth set (263 posts: 102 ru, 64 kk, 49 Latin-script kk, 48 mixed; 98
// hard negatives, 12 high), written before the tenth round read any rule and
// scored first with the rules as they were (docs/RULES.md "An eighth fresh
// set"). Baseline with the ninth round's rules: macro F1 0.67,
// complaint-vs-not F1 0.78 (P 0.93, R 0.67), groups 0.75 (kk) to 0.80 (ru),
// high severity P 0.82 R 0.75; after the tenth round, whose rules were
// written from this set's misses (so it no longer measures generalisation),
// 0.92 and 0.99 (P 1.00, R 0.98), groups 0.98 to 1.00, high P 0.92 R 1.00.
TEST(RulesFreshTest, ClassifyEighthFreshSet) {
  CheckFreshSet("rules_fresh8.jsonl", {.macro_f1 = 0.90,
                                       .complaint_f1 = 0.97,
                                       .complaint_precision = 0.98,
                                       .group_complaint_f1 = 0.95});
}

// A ninth set (227 posts: 93 ru, 56 kk, 39 Latin-script kk, 39 mixed; 81
// hard negatives, 14 high), written before the eleventh round read any rule
// and scored first with the rules as they were (docs/RULES.md "A ninth fresh
// set"). Baseline with the tenth round's rules: macro F1 0.71,
// complaint-vs-not F1 0.84 (P 0.97, R 0.74), groups 0.76 (kk) to 0.91 (ru),
// high severity P 0.73 R 0.79; after the eleventh round, whose rules were
// written from this set's misses (so it no longer measures generalisation),
// 0.82 and 0.93 (P 0.98, R 0.89), groups 0.89 (kk) to 0.96 (ru), high P
// 0.76 R 0.93.
TEST(RulesFreshTest, ClassifyNinthFreshSet) {
  CheckFreshSet("rules_fresh9.jsonl", {.macro_f1 = 0.80,
                                       .complaint_f1 = 0.91,
                                       .complaint_precision = 0.96,
                                       .group_complaint_f1 = 0.87});
}

// A tenth set (203 posts: 82 ru, 47 kk, 38 Latin-script kk, 36 mixed; 78
// hard negatives, 9 high), weighted to staff misconduct, other complaints,
// licensing, exams, extortion and bullying, written before the twelfth round
// read any rule and scored with the rules as they were. Baseline with the
// eleventh round's rules: macro F1 0.72, complaint-vs-not F1 0.78 (P 0.95,
// R 0.66), groups 0.67 (kk) to 0.91 (latin), high severity P 1.00 R 0.78;
// staff misconduct (F1 0.45), other complaints (0.42) and licensing (0.53)
// are the weakest. After the twelfth round, whose rules were written from
// this set's misses (so it no longer measures generalisation): 0.82 and 0.90
// (P 0.97, R 0.83), groups 0.84 (kk) to 0.96 (latin).
TEST(RulesFreshTest, ClassifyTenthFreshSet) {
  CheckFreshSet("rules_fresh10.jsonl", {.macro_f1 = 0.80,
                                        .complaint_f1 = 0.87,
                                        .complaint_precision = 0.95,
                                        .group_complaint_f1 = 0.82});
}

}  // namespace rules_fresh_test
}  // namespace shagym::nlp
