#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "nlp/rules/pattern_set.h"
#include "tests/testing/sanitizers.h"

namespace shagym::nlp {
namespace rules_pattern_set_test {

// Pseudo-words over a Cyrillic alphabet, deterministic.
std::vector<std::string> Words(int n, uint32_t seed) {
  static const char* kLetters[] = {"а", "б", "в", "г", "д", "е", "ж", "з",
                                   "и", "к", "л", "м", "н", "о", "п", "р",
                                   "с", "т", "у", "қ", "ғ", "ұ", "ө", "і"};
  std::vector<std::string> out;
  uint32_t rng = seed;
  for (int i = 0; i < n; ++i) {
    std::string w;
    int len = 4 + static_cast<int>((rng = rng * 1103515245u + 12345u) >> 28);
    for (int k = 0; k < len; ++k) {
      rng = rng * 1103515245u + 12345u;
      w += kLetters[(rng >> 16) % 24];
    }
    out.push_back(w);
  }
  return out;
}

// Every pattern as a single RE2: the reference.
std::vector<int> Reference(const std::vector<std::unique_ptr<RE2>>& res,
                           const std::string& text) {
  std::vector<int> out;
  for (size_t i = 0; i < res.size(); ++i) {
    if (RE2::PartialMatch(text, *res[i])) out.push_back(static_cast<int>(i));
  }
  return out;
}

TEST(PatternSetTest, FindsEveryPattern) {
  PatternSet ps;
  std::string error;
  std::vector<std::string> patterns = {"[^а-я]мектеп[^а-я]",
                                       "[^а-я]травл[а-я]*", "\\d+ тенге"};
  for (const auto& p : patterns) ASSERT_GE(ps.Add(p, &error), 0) << error;
  ASSERT_TRUE(ps.Compile(&error)) << error;
  std::vector<int> ids;
  ps.Match(" мектепте травлю 500 тенге ", &ids);
  EXPECT_EQ(ids, (std::vector<int>{1, 2}));
  ps.Match(" біздің мектеп ", &ids);
  EXPECT_EQ(ids, (std::vector<int>{0}));
  ps.Match("", &ids);
  EXPECT_TRUE(ids.empty());
}

TEST(PatternSetTest, BadPatternIsRejected) {
  PatternSet ps;
  std::string error;
  EXPECT_EQ(ps.Add("(unclosed", &error), -1);
  EXPECT_FALSE(error.empty());
}

// A set far larger than its memory budget: it is split until each part
// compiles, and no match is lost (RE2::Set::Match returns false, as if
// nothing matched, when its DFA runs out of memory).
TEST(PatternSetTest, LargeSetOverBudgetLosesNoMatch) {
  std::vector<std::string> words = Words(3000, 11);
  std::vector<std::string> patterns;
  for (size_t i = 0; i < words.size(); ++i) {
    // Mixed shapes: whole words, prefixes with any ending, two-word phrases.
    std::string p = "[^а-яқғұөі]" + words[i];
    if (i % 3 == 0) p += "[а-яқғұөі]*";
    if (i % 3 == 1) p += "[^а-яқғұөі]+" + words[(i * 7) % words.size()];
    patterns.push_back(p + "[^а-яқғұөі]");
  }
  PatternSet::Options small;
  small.max_mem = 1 << 20;  // far below what one set of 3,000 needs
  PatternSet ps(small);
  std::string error;
  for (const auto& p : patterns) ASSERT_GE(ps.Add(p, &error), 0) << error;
  ASSERT_TRUE(ps.Compile(&error)) << error;
  EXPECT_GT(ps.set_count(), 1u);  // the budget forced a split

  PatternSet whole;  // the default budget: fewer, larger sets
  for (const auto& p : patterns) ASSERT_GE(whole.Add(p, &error), 0);
  ASSERT_TRUE(whole.Compile(&error)) << error;
  EXPECT_LT(whole.set_count(), ps.set_count());

  std::vector<std::unique_ptr<RE2>> res;
  for (const auto& p : patterns) {
    res.push_back(std::make_unique<RE2>(p));
    ASSERT_TRUE(res.back()->ok()) << p;
  }
  // Texts that contain many of the words, so that a lot of DFA states are
  // built and the small budget's cache is reset over and over.
  uint32_t rng = 5;
  size_t total = 0;
  const size_t texts = std::max<size_t>(4, testing::SanitizerScaled(20));
  for (size_t t = 0; t < texts; ++t) {
    std::string text = " ";
    for (int k = 0; k < 150; ++k) {
      rng = rng * 1103515245u + 12345u;
      text += words[(rng >> 8) % words.size()];
      text += (k % 5 == 0) ? ". " : " ";
    }
    std::vector<int> want = Reference(res, text);
    std::vector<int> got, got_whole;
    ps.Match(text, &got);
    whole.Match(text, &got_whole);
    EXPECT_EQ(got, want) << "text " << t;
    EXPECT_EQ(got_whole, want) << "text " << t;
    total += want.size();
  }
  EXPECT_GT(total, 50 * texts);
  std::printf("sets: %zu at 1 MiB, %zu at the default budget\n", ps.set_count(),
              whole.set_count());  // the texts really exercise the sets
}

}  // namespace rules_pattern_set_test
}  // namespace shagym::nlp
