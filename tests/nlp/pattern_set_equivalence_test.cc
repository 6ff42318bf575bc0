// The rule matcher's multi-pattern pass must never change what matches.
// Three ways of running the same rules over the same real texts must give
// the same rule hits with the same spans:
//   - the pass as configured now (the word index for words, prefixes,
//     phrases and stem starts, PatternSet's default options for the rest);
//   - the pass as it was before (no index: every term in RE2::Sets of at
//     most 4,096 patterns in a 64 MiB budget each);
//   - no pass at all: every term reported present, so that every term's
//     finder runs on every text (the reference; slow, so on a sample).
// And the pass itself, on generated patterns of every shape the rules
// compile to, must report the same pattern ids in both configurations.
//
// Texts: tests/data/*.jsonl and, when present, the real-world corpora
// (skipped with a message when ../shared/realworld is absent).

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/rules_loader.h"
#include "nlp/normalize.h"
#include "nlp/rules/pattern_set.h"
#include "nlp/rules/rule_set.h"
#include "nlp/rules/stem.h"
#include "tests/testing/sanitizers.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace pattern_set_equivalence_test {

using Hits =
    std::vector<std::pair<int, std::vector<std::pair<size_t, size_t>>>>;

PatternSet::Options OldOptions() {
  PatternSet::Options o;
  o.max_mem = 64 << 20;
  o.max_patterns_per_set = 4096;
  return o;
}

// Restores the process-wide testing switches at the end of a scope.
struct SwitchGuard {
  ~SwitchGuard() {
    PatternSet::SetDefaultOptionsForTesting(nullptr);
    PatternSet::SetMatchAllForTesting(false);
    RuleSet::SetWordIndexForTesting(true);
  }
};

// Texts of post size: the team's data one post each (one in
// testing::kSanitizerStride under a sanitizer), corpus lines three at a
// time. At most `max_corpus` corpus texts.
std::vector<std::string> Texts(size_t max_corpus, bool* have_corpora) {
  std::vector<std::string> out;
  const std::string root = SHAGYM_SOURCE_DIR;
  for (const char* f : {"rules_dev.jsonl", "rules_heldout.jsonl",
                        "text_labelled.jsonl", "text_heldout.jsonl"}) {
    std::ifstream in(root + "/tests/data/" + f);
    std::string line;
    for (size_t i = 0; std::getline(in, line); ++i) {
      if (!testing::SanitizerDraws(i)) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("text") && j["text"].is_string()) {
        out.push_back(j["text"].get<std::string>());
      }
    }
  }
  const std::string rw = testing::RealworldDir();
  *have_corpora = !rw.empty();
  if (rw.empty()) return out;
  size_t corpus = 0;
  for (const char* f :
       {"kk_kaznerd_test_sentences.txt", "kk_kazsandra_sc_test.csv",
        "kk_ktb_ud_test_sentences.txt", "ru_taiga_ud_dev_test_sentences.tsv"}) {
    std::ifstream in(rw + "/corpora/" + f);
    std::string line, post;
    int n = 0;
    while (std::getline(in, line) && corpus < max_corpus) {
      if (line.empty()) continue;
      post += (n ? " " : "") + line;
      if (++n == 3) {
        out.push_back(std::move(post));
        post.clear();
        n = 0;
        ++corpus;
      }
    }
  }
  return out;
}

Hits Run(const RuleSet& rs, const std::string& normalised) {
  Hits out;
  for (const RuleHit& h : rs.Match(normalised)) {
    out.emplace_back(h.rule, h.spans);
  }
  return out;
}

// Compiles `spec` with the current default options.
std::shared_ptr<const RuleSet> Compile(const RuleSetSpec& spec,
                                       const Normalizer& normalizer) {
  std::vector<std::string> errors;
  auto rs = RuleSet::Compile(spec, normalizer, &errors);
  EXPECT_TRUE(rs.ok()) << (errors.empty() ? "" : errors[0]);
  return rs.ok() ? *rs : nullptr;
}

// Compares the three ways on `texts`; the reference runs on every
// `reference_every`-th text. Returns the number of hits seen.
size_t CompareWays(const std::function<std::shared_ptr<const RuleSet>()>& make,
                   const std::vector<std::string>& texts,
                   size_t reference_every) {
  SwitchGuard guard;
  std::shared_ptr<const RuleSet> now = make();
  PatternSet::Options old = OldOptions();
  PatternSet::SetDefaultOptionsForTesting(&old);
  RuleSet::SetWordIndexForTesting(false);
  std::shared_ptr<const RuleSet> before = make();
  RuleSet::SetWordIndexForTesting(true);
  PatternSet::SetDefaultOptionsForTesting(nullptr);
  if (now == nullptr || before == nullptr) {
    ADD_FAILURE() << "rule set does not compile";
    return 0;
  }
  // The index is in use (most terms) and the reference has none.
  EXPECT_GT(now->indexed_count(), now->pattern_count() / 2);
  EXPECT_EQ(before->indexed_count(), 0u);
  size_t hits = 0, differences = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    Hits a = Run(*now, texts[i]);
    Hits b = Run(*before, texts[i]);
    hits += a.size();
    if (a != b && ++differences <= 5) {
      ADD_FAILURE() << "new and old pass differ on text " << i << ": "
                    << texts[i].substr(0, 200);
    }
    if (i % reference_every == 0) {
      PatternSet::SetMatchAllForTesting(true);
      Hits ref = Run(*now, texts[i]);
      PatternSet::SetMatchAllForTesting(false);
      if (a != ref && ++differences <= 5) {
        ADD_FAILURE() << "the pass loses or adds a hit on text " << i << ": "
                      << texts[i].substr(0, 200);
      }
    }
  }
  EXPECT_EQ(differences, 0u);
  return hits;
}

std::vector<std::string> Normalised(const Normalizer& normalizer,
                                    const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(normalizer.Normalize(t).text);
  return out;
}

// Words of 6 to 12 letters from the texts (so that generated rules hit).
std::vector<std::string> CorpusWords(const std::vector<std::string>& texts,
                                     size_t n) {
  std::vector<std::string> words;
  for (const auto& t : texts) {
    size_t i = 0;
    while (i < t.size() && words.size() < n * 4) {
      size_t j = t.find(' ', i);
      if (j == std::string::npos) j = t.size();
      std::string w = t.substr(i, j - i);
      // Two-byte letters only (Cyrillic with the Kazakh ones).
      bool letters = w.size() >= 12 && w.size() <= 24 && w.size() % 2 == 0;
      for (size_t k = 0; letters && k < w.size(); k += 2) {
        auto lead = static_cast<unsigned char>(w[k]);
        auto cont = static_cast<unsigned char>(w[k + 1]);
        letters = lead >= 0xD0 && lead <= 0xD3 && cont >= 0x80 && cont <= 0xBF;
      }
      if (letters) words.push_back(w);
      i = j + 1;
    }
  }
  std::vector<std::string> out;
  for (size_t k = 0; k < words.size() && out.size() < n; k += 3) {
    out.push_back(words[k]);
  }
  return out;
}

std::vector<std::string> MadeUp(size_t n, uint32_t seed) {
  static const char* kLetters[] = {"а", "б", "в", "г", "д", "е", "ж", "з",
                                   "и", "к", "л", "м", "н", "о", "п", "р",
                                   "с", "т", "у", "қ", "ғ", "ұ", "ө", "і"};
  std::vector<std::string> out;
  uint32_t rng = seed;
  for (size_t i = 0; i < n; ++i) {
    std::string w;
    rng = rng * 1103515245u + 12345u;
    int len = 5 + static_cast<int>((rng >> 16) % 5);
    for (int k = 0; k < len; ++k) {
      rng = rng * 1103515245u + 12345u;
      w += kLetters[(rng >> 16) % 24];
    }
    out.push_back(w);
  }
  return out;
}

// Rules of every shape over `words`: any-lists with whole words and
// prefixes, phrases, stems, all-groups, near clauses, exclusions, raw
// patterns.
RuleSetSpec Generated(const std::vector<std::string>& words, size_t rules) {
  RuleSetSpec spec;
  spec.files.emplace_back();
  spec.files[0].path = "generated.yaml";
  const auto& cats = CategoryIds();
  auto word = [&](size_t k) { return words[k % words.size()]; };
  for (size_t r = 0; r < rules; ++r) {
    RuleSpec rule;
    rule.id = "g." + std::to_string(r);
    rule.category = cats[r % cats.size()];
    rule.lang = (r % 3 == 0) ? "kk" : (r % 3 == 1) ? "ru" : "any";
    rule.severity = "low";
    rule.where = "generated.yaml:1:1";
    using K = TermSpec::Kind;
    size_t b = r * 5;
    rule.any.push_back({K::kWord, word(b), ""});
    rule.any.push_back({K::kWord, word(b + 1) + "*", ""});
    rule.any.push_back({K::kWord, word(b + 2) + " " + word(b + 3), ""});
    if (r % 4 == 0) rule.any.push_back({K::kStem, word(b + 4), ""});
    if (r % 7 == 0) rule.all.push_back({{K::kWord, word(b + 5) + "*", ""}});
    if (r % 11 == 0) {
      NearSpec n;
      n.groups = {{{K::kWord, word(b + 6), ""}}, {{K::kWord, word(b + 7), ""}}};
      n.within = 6;
      n.ordered = r % 2 == 0;
      rule.near.push_back(std::move(n));
    }
    if (r % 13 == 0) rule.exclude.push_back({K::kWord, word(b + 8), ""});
    if (r % 97 == 0) {
      rule.any.push_back({K::kRegex, "(?:^|[^0-9])[0-9]+\\s?" + word(b), ""});
    }
    spec.files[0].rules.push_back(std::move(rule));
  }
  return spec;
}

TEST(PatternSetEquivalenceTest, ShippedRulesSameHitsAndSpans) {
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  bool corpora = false;
  std::vector<std::string> texts = Normalised(
      **normalizer, Texts(testing::SanitizerScaled(40000), &corpora));
  if (!corpora) std::printf("realworld corpora absent: tests/data only\n");
  const std::string dir = std::string(SHAGYM_SOURCE_DIR) + "/config/rules";
  size_t hits = CompareWays(
      [&]() -> std::shared_ptr<const RuleSet> {
        std::vector<std::string> errors;
        auto rs = config::LoadRuleSet(dir, **normalizer, &errors);
        EXPECT_TRUE(rs.ok()) << rs.status().message();
        return rs.ok() ? *rs : nullptr;
      },
      texts, 40);
  // The texts exercise the rules (the comparison is not vacuous).
  EXPECT_GT(hits, testing::SanitizerScaled(500));
  std::printf("%zu texts, %zu rule hits\n", texts.size(), hits);
}

// Texts packed with the shipped rules' stems (as the crawl benchmark's
// generated pages are, and as a post about one subject can be): every stem
// term that hits is located occurrence by occurrence, so each found word,
// its span and the words the matcher reads around it (negators, places)
// are compared. Each stem comes bare, with Kazakh and Russian endings, with
// the negative -ма- the reject pattern refuses, glued to letters or digits
// before or after (no occurrence), and between commas, hyphens and line
// breaks; a few texts hold ј, which the index cannot judge.
std::vector<std::string> StemDenseTexts(const RuleSetSpec& spec,
                                        const Normalizer& normalizer) {
  // Per rule: its stems (which get endings below) and its words and
  // phrases ('*' dropped), so that a text drawn from one rule meets its
  // groups (not its not: terms, which would cancel it). Rules with no
  // stem are left out.
  struct Pool {
    std::vector<std::string> stems, words;
  };
  std::vector<Pool> pools;
  for (const auto& f : spec.files) {
    for (const auto& r : f.rules) {
      Pool pool;
      auto take = [&](const TermGroup& g) {
        for (const TermSpec& t : g) {
          if (t.kind == TermSpec::Kind::kStem) {
            pool.stems.push_back(normalizer.Normalize(t.value).text);
          } else if (t.kind == TermSpec::Kind::kWord && !t.value.empty()) {
            std::string w = t.value;
            std::erase(w, '*');
            pool.words.push_back(w);
          }
        }
      };
      take(r.any);
      for (const auto& g : r.all) take(g);
      for (const auto& n : r.near) {
        for (const auto& g : n.groups) take(g);
      }
      if (!pool.stems.empty()) pools.push_back(std::move(pool));
    }
  }
  static const char* kEndings[] = {
      "",    "ке",  "тер", "тердің", "іміздегі", "ы",     "ма",  "майды",
      "пен", "ған", "а",   "ами",    "ов",       "ется",  "ли",  "5",
      "ј",   "ы-",  "ғы",  "сыз",    "лық",      "ларда", "ешь", "ая"};
  static const char* kBefore[] = {"", "", "",    "",  "", "",
                                  "", "", "не ", "ж", "3"};
  static const char* kSeps[] = {
      " ",    " ", " ", " ", " ", " ", ", ", "-", ". ", "\n", " в нашей школе ",
      " жоқ "};
  std::vector<std::string> out;
  uint32_t rng = 11;
  auto next = [&rng](size_t n) {
    rng = rng * 1103515245u + 12345u;
    return static_cast<size_t>((rng >> 16) % n);
  };
  const size_t n = testing::SanitizerScaled(1500);
  for (size_t i = 0; i < n && !pools.empty(); ++i) {
    std::string t;
    const Pool& pool = pools[next(pools.size())];
    const Pool& other = pools[next(pools.size())];
    const size_t count = 5 + next(60);
    for (size_t k = 0; k < count; ++k) {
      const Pool& from = k % 4 == 3 ? other : pool;
      std::string e = kEndings[next(std::size(kEndings))];
      if (e == "ј" && i % 10 != 0) e.clear();  // most texts are indexable
      t += kBefore[next(std::size(kBefore))];
      if (k % 2 == 1 && !from.words.empty()) {
        t += from.words[next(from.words.size())];
      } else {
        t += from.stems[next(from.stems.size())] + e;
      }
      t += kSeps[next(std::size(kSeps))];
    }
    out.push_back(normalizer.Normalize(t).text);
  }
  return out;
}

TEST(PatternSetEquivalenceTest, ShippedRulesStemDenseTextsSameHitsAndSpans) {
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  const std::string dir = std::string(SHAGYM_SOURCE_DIR) + "/config/rules";
  auto files = config::ReadRuleDir(dir);
  ASSERT_TRUE(files.ok()) << files.status().message();
  std::vector<std::string> errors;
  auto spec = config::ParseRuleFiles(*files, &errors);
  ASSERT_TRUE(spec.ok()) << (errors.empty() ? "" : errors[0]);
  const std::vector<std::string> texts = StemDenseTexts(*spec, **normalizer);
  ASSERT_EQ(texts.size(), testing::SanitizerScaled(1500));
  size_t hits = CompareWays(
      [&]() -> std::shared_ptr<const RuleSet> {
        std::vector<std::string> e;
        auto rs = config::LoadRuleSet(dir, **normalizer, &e);
        EXPECT_TRUE(rs.ok()) << rs.status().message();
        return rs.ok() ? *rs : nullptr;
      },
      texts, 10);
  // Not vacuous: more rule hits than texts, most with many spans.
  EXPECT_GT(hits, texts.size());
  std::printf("%zu texts, %zu rule hits\n", texts.size(), hits);
}

TEST(PatternSetEquivalenceTest, GeneratedRulesSameHitsAndSpans) {
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  bool corpora = false;
  std::vector<std::string> texts =
      Normalised(**normalizer, Texts(testing::SanitizerScaled(3000), &corpora));
  std::vector<std::string> words = CorpusWords(texts, 3000);
  ASSERT_GT(words.size(), 100u);
  std::vector<std::string> made_up = MadeUp(3000, 23);
  // One word in four from the texts, the rest made up: 5,000 rules, about
  // 20,000 patterns (several of the old sets).
  std::vector<std::string> mixed;
  for (size_t i = 0; i < 6000; ++i) {
    mixed.push_back(i % 4 == 0 ? words[(i / 4) % words.size()]
                               : made_up[i % made_up.size()]);
  }
  RuleSetSpec spec = Generated(mixed, 5000);
  size_t hits =
      CompareWays([&] { return Compile(spec, **normalizer); }, texts, 150);
  EXPECT_GT(hits, 100u);
  std::printf("%zu texts, %zu rule hits\n", texts.size(), hits);
}

// The pass alone: pattern ids, old configuration against new, on the
// shapes the rule compiler writes (boundary classes, phrases, prefixes,
// Kazakh and Russian stem alternations, raw patterns).
TEST(PatternSetEquivalenceTest, GeneratedPatternsSameIds) {
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  bool corpora = false;
  std::vector<std::string> texts =
      Normalised(**normalizer, Texts(testing::SanitizerScaled(600), &corpora));
  std::vector<std::string> words = CorpusWords(texts, 4000);
  ASSERT_GT(words.size(), 100u);
  const std::string w = "0-9a-zа-яёәғқңөұүһі";
  const std::string b = "[^" + w + "]";
  std::vector<std::string> patterns;
  std::vector<std::string> made_up = MadeUp(12000, 5);
  // 12,000 patterns (three of the old sets), one word in eight from the
  // texts.
  for (size_t i = 0; i < 12000; ++i) {
    const std::string& a =
        i % 8 == 0 ? words[i % words.size()] : made_up[i % made_up.size()];
    const std::string& c = words[(i * 7) % words.size()];
    switch (i % 6) {
      case 0:
        patterns.push_back(b + KazakhLiteral(a) + b);
        break;
      case 1:
        patterns.push_back(b + a + "[" + w + "]*" + b);
        break;
      case 2:
        patterns.push_back(b + a + b + "+" + c + b);
        break;
      case 3: {
        auto s = ExpandKazakhStem(a);
        if (s.ok()) patterns.push_back(b + s->prefilter);
        break;
      }
      case 4: {
        auto s = ExpandRussianStem(a);
        if (s.ok()) patterns.push_back(b + s->prefilter);
        break;
      }
      default:
        patterns.push_back("(?:^|[^0-9])[0-9]+\\s*" + a);
    }
  }
  PatternSet now;
  PatternSet before(OldOptions());
  std::string error;
  for (const auto& p : patterns) {
    ASSERT_GE(now.Add(p, &error), 0) << p << ": " << error;
    ASSERT_GE(before.Add(p, &error), 0) << p << ": " << error;
  }
  ASSERT_TRUE(now.Compile(&error)) << error;
  ASSERT_TRUE(before.Compile(&error)) << error;
  EXPECT_GT(before.set_count(), now.set_count());
  size_t found = 0;
  int differences = 0;
  std::vector<int> a, c;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string wrapped = " " + texts[i] + " ";
    now.Match(wrapped, &a);
    before.Match(wrapped, &c);
    found += a.size();
    if (a != c && ++differences <= 5) {
      ADD_FAILURE() << "ids differ on text " << i << ": "
                    << texts[i].substr(0, 200);
    }
  }
  EXPECT_EQ(differences, 0);
  EXPECT_GT(found, 1000u);
  std::printf("%zu patterns in %zu sets (before: %zu), %zu texts, %zu ids\n",
              patterns.size(), now.set_count(), before.set_count(),
              texts.size(), found);
}

}  // namespace pattern_set_equivalence_test
}  // namespace shagym::nlp
