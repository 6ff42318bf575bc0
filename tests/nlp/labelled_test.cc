// Accuracy of language id and entities on the team's labelled set
// (tests/data/text_labelled.jsonl: posts written for this purpose across
// Kazakh, Russian, code-switched, Latin-script Kazakh and noisy text). Prints
// the accuracy per language and per group, and fails below the level
// reached, so a change that makes things worse is caught. docs/TEXT.md keeps
// the figures.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "config/gazetteer_loader.h"
#include "nlp/entities.h"
#include "nlp/langid.h"
#include "nlp/normalize.h"

namespace shagym::nlp {
namespace labelled_test {

struct Tally {
  int right = 0;
  int total = 0;
  double Rate() const { return total ? static_cast<double>(right) / total : 1; }
};

struct Labelled {
  std::string id, group, text, lang, region, school;
};

std::vector<Labelled> ReadSet(const std::string& path) {
  std::vector<Labelled> out;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path << ":" << n;
    if (j.is_discarded()) continue;
    out.push_back({j.value("id", ""), j.value("group", ""), j.value("text", ""),
                   j.value("lang", ""), j.value("region", ""),
                   j.value("school_number", "")});
  }
  return out;
}

struct Accuracy {
  Tally lang, region, school;
  std::map<std::string, Tally> lang_by_lang, region_by_lang;
};

Accuracy Evaluate(const std::vector<Labelled>& set) {
  Accuracy acc;
  auto normalizer = Normalizer::Create();
  EXPECT_TRUE(normalizer.ok());
  auto gazetteer = config::LoadGazetteer("config/gazetteer/regions.yaml");
  EXPECT_TRUE(gazetteer.ok()) << gazetteer.status().ToString();
  if (!normalizer.ok() || !gazetteer.ok()) return acc;
  auto extractor = EntityExtractor::Create(*gazetteer);
  EXPECT_TRUE(extractor.ok());
  if (!extractor.ok()) return acc;

  std::map<std::string, Tally> lang_by_lang, lang_by_group, region_by_lang,
      school_by_lang;
  Tally lang_all, region_all, school_all, region_named, school_named;
  for (const Labelled& p : set) {
    NormalizedText t = (*normalizer)->Normalize(p.text);
    std::string lang(LanguageCode(DetectLanguage(t)));
    Entities e = (*extractor)->Extract(t);
    const bool lang_ok = lang == p.lang;
    const bool region_ok = e.region == p.region;
    const bool school_ok = e.school_number == p.school;
    for (Tally* tl :
         {&lang_by_lang[p.lang], &lang_by_group[p.group], &lang_all}) {
      tl->total++;
      tl->right += lang_ok;
    }
    for (Tally* tl : {&region_by_lang[p.lang], &region_all}) {
      tl->total++;
      tl->right += region_ok;
    }
    for (Tally* tl : {&school_by_lang[p.lang], &school_all}) {
      tl->total++;
      tl->right += school_ok;
    }
    if (!p.region.empty()) {
      region_named.total++;
      region_named.right += region_ok;
    }
    if (!p.school.empty()) {
      school_named.total++;
      school_named.right += school_ok;
    }
    if (!lang_ok || !region_ok || !school_ok) {
      std::printf("miss %s lang=%s/%s region=%s/%s school=%s/%s | %s\n",
                  p.id.c_str(), lang.c_str(), p.lang.c_str(), e.region.c_str(),
                  p.region.c_str(), e.school_number.c_str(), p.school.c_str(),
                  p.text.c_str());
    }
  }
  auto print = [](const char* what, const std::map<std::string, Tally>& m) {
    for (const auto& [k, v] : m) {
      std::printf("%-8s %-12s %5.1f%% (%d/%d)\n", what, k.c_str(),
                  100 * v.Rate(), v.right, v.total);
    }
  };
  print("lang", lang_by_lang);
  print("lang@", lang_by_group);
  print("region", region_by_lang);
  print("school", school_by_lang);
  std::printf(
      "overall  lang %.1f%%  region %.1f%% (posts naming a place: "
      "%.1f%%)  school %.1f%% (posts naming a school: %.1f%%)\n",
      100 * lang_all.Rate(), 100 * region_all.Rate(), 100 * region_named.Rate(),
      100 * school_all.Rate(), 100 * school_named.Rate());

  acc.lang = lang_all;
  acc.region = region_all;
  acc.school = school_all;
  acc.lang_by_lang = lang_by_lang;
  acc.region_by_lang = region_by_lang;
  return acc;
}

// The development set: the code was improved while looking at its misses.
TEST(LabelledSetTest, DevSetAccuracy) {
  std::vector<Labelled> set = ReadSet("tests/data/text_labelled.jsonl");
  ASSERT_GE(set.size(), 400u) << "tests/data/text_labelled.jsonl missing?";
  Accuracy acc = Evaluate(set);
  // The levels reached (docs/TEXT.md), a little below so that one new hard
  // post does not break the build; the acceptance levels are 97% (language)
  // and 95% (region).
  EXPECT_GE(acc.lang.Rate(), 0.985);
  EXPECT_GE(acc.region.Rate(), 0.99);
  EXPECT_GE(acc.school.Rate(), 0.99);
  for (const auto& [lang, tally] : acc.lang_by_lang) {
    EXPECT_GE(tally.Rate(), 0.95) << "language id for " << lang;
  }
  for (const auto& [lang, tally] : acc.region_by_lang) {
    EXPECT_GE(tally.Rate(), 0.97) << "region for " << lang;
  }
}

// Written after the code was frozen and measured once, never tuned on: the
// honest estimate. Thresholds are the level first measured.
TEST(LabelledSetTest, HeldOutSetAccuracy) {
  std::vector<Labelled> set = ReadSet("tests/data/text_heldout.jsonl");
  ASSERT_GE(set.size(), 90u) << "tests/data/text_heldout.jsonl missing?";
  Accuracy acc = Evaluate(set);
  // First measured: language 100%, region 100%, school 99.0% (97 posts).
  EXPECT_GE(acc.lang.Rate(), 0.97);
  EXPECT_GE(acc.region.Rate(), 0.97);
  EXPECT_GE(acc.school.Rate(), 0.97);
}

}  // namespace labelled_test
}  // namespace shagym::nlp
