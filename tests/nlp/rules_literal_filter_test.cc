// The raw patterns' literal filter (nlp/rules/literal_filter.h) may only
// rule out patterns that cannot match: checked against RE2 itself on
// patterns of many shapes (alternations, classes, repeats, optional parts,
// upper-case literals, (?i), \p{L}, anchors, the shipped raw terms) and
// texts with and without their literals, in upper and lower case; and the
// rule matcher with the filter must find exactly what it finds without the
// word index (every term through RE2) and with every term's finder.

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nlp/normalize.h"
#include "nlp/rules/literal_filter.h"
#include "nlp/rules/pattern_set.h"
#include "nlp/rules/rule_set.h"
#include "nlp/rules/word_index.h"
#include "nlp/tokenize.h"
#include "tests/nlp/term_spec_fixture.h"

namespace shagym::nlp {
namespace rules_literal_filter_test {

const std::vector<std::string>& Patterns() {
  static const auto* p = new std::vector<std::string>{
      // The shapes of the shipped raw terms.
      "(?:^|[^0-9])(?:3[5-9]|[4-6][0-9])\\s*(?:оқушы|бала)",
      "(?:^|[^0-9])(?:3[5-9]|[4-6][0-9])\\s*(?:человек|детей|учеников)",
      "(?:^|[^0-9])[0-9]+\\s?к(?:[^а-я]|$)",
      "(?:^|[^0-9])[1-9][0-9]{2,5}(?:[^0-9]|$)",
      "(?:^|[^0-9а-я])(?:[1-9]|1[01])\\s?[абвгд](?:[^а-я]|$)",
      "(?:учител|училк|педагог|директор)[^,.!?;]{0,60}(?:обзыва|дразн|"
      "унижа|кричит|орет)",
      "(?:мұғалім|мугалим|апай|ағай)[^,.!?;]{0,40}(?:қорла|корла|мазақ)",
      "(?:таска|дерга|тащ|хвата)\\p{L}*(?: \\p{L}+){0,2} за (?:волос|уш|ух)"
      "\\p{L}*",
      "[а-я]+класс(?:ник|ниц)[а-я]*",
      "\\d[\\d\\s]*(?:тг|тенге|теңге)",
      "\\d\\s?км",
      "до (?:[5-9]|1[0-2]) (?:вечера|часов вечера)",
      // Other shapes.
      "школа",
      "Школа",
      "ШКОЛА|мектеп",
      "(?i)школа",
      "(?i:травл)я",
      "[Шш]кола",
      "[ӘәӚӛ]ке",
      "школ(?:а|ы)?",
      "(?:школа)?",
      "(?:школа)*бала",
      "сынып жетекші",
      "(?:a|b)c",
      "ab|cd|ef",
      "x{3}y",
      "^бала",
      "бала$",
      "\\bschool\\b",
      "[0-9]+",
      ".*",
      "(?:а|б)",
      "№\\s?\\d+",
      "😀+",
      "e-mail",
      "е-mail",
      "Ꭰ",
      "ꭰ",
      "ǅ",
      "ß",
      "straße",
      "İ",
      "i̇",
  };
  return *p;
}

std::vector<std::string> Texts() {
  const std::vector<std::string> words = {"бала",
                                          "Бала",
                                          "БАЛА",
                                          "оқушы",
                                          "40",
                                          "35",
                                          "7",
                                          "100",
                                          "5а",
                                          "5 а",
                                          "11б",
                                          "к",
                                          "5к",
                                          "20 к",
                                          "учитель",
                                          "Учитель",
                                          "кричит",
                                          "обзывает",
                                          "мұғалім",
                                          "қорлады",
                                          "таскала",
                                          "за волосы",
                                          "за уши",
                                          "одноклассник",
                                          "одноклассница",
                                          "Одноклассник",
                                          "1000 тенге",
                                          "5 000 тг",
                                          "3 км",
                                          "3км",
                                          "до 9 вечера",
                                          "до 10 часов вечера",
                                          "школа",
                                          "Школа",
                                          "ШКОЛА",
                                          "школы",
                                          "мектеп",
                                          "травля",
                                          "ТРАВЛЯ",
                                          "Ӛке",
                                          "әке",
                                          "ӛке",
                                          "сынып жетекші",
                                          "ac",
                                          "bc",
                                          "AB",
                                          "cd",
                                          "xxxy",
                                          "xxy",
                                          "school",
                                          "School",
                                          "№5",
                                          "№ 12",
                                          "😀",
                                          "e-mail",
                                          "е-mail",
                                          "Ꭰ",
                                          "ꭰ",
                                          "ǅ",
                                          "ǆ",
                                          "ß",
                                          "straße",
                                          "STRASSE",
                                          "İ",
                                          "i̇",
                                          "ı",
                                          "\xff",
                                          "\xd0",
                                          "ј"};
  const std::vector<std::string> seps = {" ", "", ", ", ".", "-", "\n"};
  std::vector<std::string> texts;
  for (const auto& w : words) {
    texts.push_back(w);
    for (const auto& s : seps) texts.push_back("и " + w + s + "еще");
  }
  uint32_t rng = 11;
  auto next = [&rng](size_t n) {
    rng = rng * 1103515245u + 12345u;
    return static_cast<size_t>((rng >> 16) % n);
  };
  for (int i = 0; i < 4000; ++i) {
    std::string t;
    const size_t parts = 1 + next(6);
    for (size_t k = 0; k < parts; ++k) {
      t += words[next(words.size())];
      t += seps[next(seps.size())];
    }
    texts.push_back(std::move(t));
  }
  return texts;
}

TEST(LiteralFilterTest, NeverRulesOutAMatchingPattern) {
  LiteralFilter filter;
  std::vector<std::unique_ptr<RE2>> res;
  for (const std::string& p : Patterns()) {
    ASSERT_EQ(filter.Add(p), static_cast<int>(res.size()));
    res.push_back(std::make_unique<RE2>(p));
    ASSERT_TRUE(res.back()->ok()) << p;
  }
  filter.Build();
  size_t matched = 0, ruled_out = 0, judged = 0, unjudged = 0;
  LiteralFilter::Memo memo;
  for (const std::string& text : Texts()) {
    std::vector<WordIndex::Run> runs;
    WordIndex::CharMap map;
    if (!WordIndex::Segment(text, &runs, &map)) continue;  // RE2 decides
    std::vector<WordIndex::Run> plain_runs;
    ASSERT_TRUE(WordIndex::Segment(text, &plain_runs));
    ASSERT_EQ(runs.size(), plain_runs.size()) << text;
    ++(map.changes_case ? unjudged : judged);
    memo.Reset(filter);
    for (size_t i = 0; i < res.size(); ++i) {
      const bool may = filter.MayMatch(static_cast<int>(i), map, &memo);
      // Asked twice: the memo gives the same answer.
      ASSERT_EQ(may, filter.MayMatch(static_cast<int>(i), map, &memo));
      if (RE2::PartialMatch(text, *res[i])) {
        ++matched;
        EXPECT_TRUE(may) << "'" << Patterns()[i] << "' matches '" << text
                         << "' but was ruled out";
      } else if (!may) {
        ++ruled_out;
      }
    }
  }
  // Not vacuous: many texts are judged, many patterns match and many
  // non-matching ones are ruled out.
  EXPECT_GT(judged, 1000u);
  EXPECT_GT(unjudged, 100u);
  EXPECT_GT(matched, 2000u);
  EXPECT_GT(ruled_out, 2 * matched);
  std::printf("%zu texts judged, %zu not; %zu matches, %zu ruled out\n", judged,
              unjudged, matched, ruled_out);
}

TEST(LiteralFilterTest, WhichPatternsAreFiltered) {
  LiteralFilter filter;
  const int words = filter.Add("(?:^|[^0-9])[1-9]\\s*(?:оқушы|бала)");
  const int digits = filter.Add("(?:^|[^0-9])[1-9][0-9]{2,5}(?:[^0-9]|$)");
  const int any = filter.Add(".*");
  const int number = filter.Add("[0-9]+");
  const int one_letter = filter.Add("(?:а|б)");
  filter.Build();
  EXPECT_TRUE(filter.filtered(words));
  EXPECT_TRUE(filter.filtered(digits));
  EXPECT_FALSE(filter.filtered(any));
  EXPECT_TRUE(filter.filtered(number));  // one of ten digits
  EXPECT_FALSE(filter.filtered(one_letter));

  LiteralFilter::Memo memo;
  auto may = [&](const std::string& text, int id) {
    std::vector<WordIndex::Run> runs;
    WordIndex::CharMap map;
    EXPECT_TRUE(WordIndex::Segment(text, &runs, &map));
    memo.Reset(filter);
    return filter.MayMatch(id, map, &memo);
  };
  EXPECT_TRUE(may("сыныпта 5 оқушы", words));
  EXPECT_FALSE(may("сыныпта бес оқушы", words));  // no digit
  EXPECT_FALSE(may("сыныпта 5 адам", words));     // neither word
  EXPECT_TRUE(may("500", digits));
  EXPECT_FALSE(may("бес жүз", digits));
  EXPECT_TRUE(may("бес жүз", any));
  EXPECT_TRUE(may("бес жүз", one_letter));
  // Upper case: RE2's atoms are lower case, the text is not judged.
  EXPECT_TRUE(may("Сыныпта бес оқушы", words));
}

// An atom is looked for by the pairs of neighbouring characters it is
// made of, not by its characters alone: a text holding every letter of
// "лицензи" but none of its pairs (and "ен", "нз" least of all) rules it
// out. (When the bit of a pair was the bit of its second character, every
// such text passed.)
TEST(LiteralFilterTest, PairsNotLettersAlone) {
  LiteralFilter filter;
  const int licence = filter.Add("л[иі](?:ц|тс|с)енз[иі]");
  filter.Build();
  LiteralFilter::Memo memo;
  auto may = [&](const std::string& text) {
    std::vector<WordIndex::Run> runs;
    WordIndex::CharMap map;
    EXPECT_TRUE(WordIndex::Segment(text, &runs, &map));
    memo.Reset(filter);
    return filter.MayMatch(licence, map, &memo);
  };
  EXPECT_TRUE(may("мектептің лицензиясы жоқ"));
  EXPECT_TRUE(may("литсензия"));
  EXPECT_FALSE(may("ұлымды сыныптастары дразнят, күнде жылап келеді"));
  EXPECT_FALSE(may("ицлзне"));  // each letter, in another order
}

TEST(LiteralFilterTest, RuleSetAgreesWithRe2) {
  struct Restore {
    ~Restore() {
      RuleSet::SetWordIndexForTesting(true);
      PatternSet::SetMatchAllForTesting(false);
    }
  } restore;
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  // Rules where raw terms are alone, in every group, next to words, only
  // in not:, and a rule with a raw term no text has.
  RuleSetSpec spec;
  spec.files.emplace_back();
  spec.files[0].path = "t.yaml";
  auto& rules = spec.files[0].rules;
  int n = 0;
  auto rule = [&](std::vector<TermSpec> any, std::vector<TermGroup> all,
                  std::vector<TermSpec> exclude) {
    RuleSpec r;
    r.id = "r" + std::to_string(n++);
    r.category = "bullying";
    r.lang = n % 2 ? "ru" : "kk";
    r.severity = "low";
    r.where = "t.yaml:1:1";
    r.any = std::move(any);
    r.all = std::move(all);
    r.exclude = std::move(exclude);
    r.negation = n % 3 != 0;
    rules.push_back(std::move(r));
  };
  // Only filtered patterns: one that always may match would make the
  // matcher run RE2 on every text, and the filter would decide nothing.
  std::vector<std::string> patterns;
  {
    LiteralFilter probe;
    for (const std::string& p : Patterns()) {
      if (probe.filtered(probe.Add(p))) patterns.push_back(p);
    }
  }
  ASSERT_GT(patterns.size(), 30u);
  for (size_t i = 0; i < patterns.size(); ++i) {
    const TermSpec re = Re(patterns[i]);
    const TermSpec other = Re(patterns[(i * 7 + 3) % 12]);
    rule({re}, {}, {});
    rule({re, Word("мектеп*")}, {{other, Word("бала")}}, {});
    rule({Word("школ*"), Word("бала")}, {{re}}, {other});
    rule({other}, {{re}}, {});
  }
  rule({Re("zzzqqq")}, {{Re("(?:^|[^0-9])[1-9]\\s?[абвгд]")}}, {});
  std::vector<std::string> errors;
  auto filtered = RuleSet::Compile(spec, **normalizer, &errors);
  ASSERT_TRUE(filtered.ok()) << (errors.empty() ? "" : errors[0]);
  RuleSet::SetWordIndexForTesting(false);
  auto plain = RuleSet::Compile(spec, **normalizer, &errors);
  RuleSet::SetWordIndexForTesting(true);
  ASSERT_TRUE(plain.ok());

  std::vector<std::string> texts = Texts();
  const size_t raw = texts.size();
  for (size_t i = 0; i < raw; i += 2) {
    texts.push_back((*normalizer)->Normalize(texts[i]).text);
  }
  using Hits =
      std::vector<std::pair<int, std::vector<std::pair<size_t, size_t>>>>;
  auto hits_of = [](const RuleSet& rs, const std::string& text) {
    Hits out;
    for (const RuleHit& h : rs.Match(text, Tokenize(text))) {
      out.emplace_back(h.rule, h.spans);
    }
    return out;
  };
  size_t hits = 0, differences = 0;
  for (const std::string& text : texts) {
    const Hits a = hits_of(**filtered, text);
    const Hits b = hits_of(**plain, text);
    PatternSet::SetMatchAllForTesting(true);
    const Hits ref = hits_of(**filtered, text);
    PatternSet::SetMatchAllForTesting(false);
    hits += a.size();
    if ((a != b || a != ref) && ++differences <= 10) {
      ADD_FAILURE() << "filtered: " << a.size() << " hits, RE2: " << b.size()
                    << ", finders: " << ref.size() << " on '" << text << "'";
    }
  }
  EXPECT_EQ(differences, 0u);
  EXPECT_GT(hits, texts.size());
}

}  // namespace rules_literal_filter_test
}  // namespace shagym::nlp
