// The word index (nlp/rules/word_index.h) stands for RE2 patterns: it must
// find exactly what they find. Three checks:
//   - its word characters and runs are RE2's, code point by code point;
//   - texts it cannot judge (invalid UTF-8, ј) are refused, so the matcher
//     uses RE2 for them;
//   - rules of every shape the index holds (words, prefixes, phrases,
//     hyphenated words, Kazakh look-alikes, stems) and some it does not
//     (apostrophes, digits with signs, raw patterns) give the same hits
//     and spans three ways over crafted and generated edge cases: with the
//     index, without it (every term through RE2::Set as before), and with
//     every term's finder on every text (the reference).

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "nlp/normalize.h"
#include "nlp/rules/pattern_set.h"
#include "nlp/rules/rule_set.h"
#include "nlp/rules/word_index.h"
#include "nlp/tokenize.h"
#include "tests/nlp/term_spec_fixture.h"

namespace shagym::nlp {
namespace rules_set_word_index_test {

using Hits =
    std::vector<std::pair<int, std::vector<std::pair<size_t, size_t>>>>;

std::string Utf8(char32_t c) {
  std::string s;
  AppendUtf8(static_cast<uint32_t>(c), &s);
  return s;
}

TEST(WordIndexTest, WordCharactersAreRe2s) {
  const RE2 word(std::string("[") + kWordChars + "]");
  ASSERT_TRUE(word.ok());
  int words = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const bool re2 = RE2::FullMatch(Utf8(c), word);
    ASSERT_EQ(IsRuleWordChar(c), re2)
        << "U+" << std::hex << static_cast<uint32_t>(c);
    words += re2;
  }
  EXPECT_EQ(words, 10 + 26 + 32 + 1 + 9);
}

// Runs of RE2's [W]+ over `text`.
std::vector<std::pair<uint32_t, uint32_t>> Re2Runs(const std::string& text) {
  static const RE2 run(std::string("([") + kWordChars + "]+)");
  std::vector<std::pair<uint32_t, uint32_t>> out;
  re2::StringPiece in(text);
  re2::StringPiece m;
  while (RE2::FindAndConsume(&in, run, &m)) {
    out.emplace_back(static_cast<uint32_t>(m.data() - text.data()),
                     static_cast<uint32_t>(m.data() - text.data() + m.size()));
  }
  return out;
}

TEST(WordIndexTest, RunsAreRe2sAndOddTextsAreRefused) {
  // Every two-character text over an alphabet of boundary cases.
  const std::vector<std::string> alphabet = {
      "а", "я", "ё", "қ", "і", "ә",  "a", "z", "0", "9",  "A", "Я", "ї", "é",
      "ў", "-", "'", "ʼ", " ", "\n", ".", "№", "😀", "\t", "ﬁ", "Ё", "һ"};
  std::vector<std::string> texts;
  for (const auto& a : alphabet) {
    for (const auto& b : alphabet) {
      for (const auto& c : alphabet) texts.push_back(a + b + c);
    }
  }
  texts.push_back("мектеп-лицей, 5а класс; e-mail: x@y.kz\nқұлақ ұрып-соғып");
  std::vector<WordIndex::Run> runs;
  for (const auto& t : texts) {
    ASSERT_TRUE(WordIndex::Segment(t, &runs)) << t;
    std::vector<std::pair<uint32_t, uint32_t>> got;
    for (const auto& r : runs) got.emplace_back(r.begin, r.end);
    EXPECT_EQ(got, Re2Runs(t)) << t;
  }
  // Invalid UTF-8 of every kind, and ј (a form of я, but no word
  // character), send the text to RE2.
  for (const std::string bad :
       {"\x80", "а\xD0", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80",
        "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF",
        "\xE2\x82", "мектеп\xF0\x9F\x98", "јама", "ој"}) {
    EXPECT_FALSE(WordIndex::Segment(bad, &runs)) << bad;
  }
}

TEST(WordIndexTest, WholeAndPrefixForms) {
  WordIndex index;
  index.Add({"школа"}, false, 1);
  index.Add({"школ"}, true, 2);
  index.Add({"мектеп", "мектеб"}, true, 3);
  index.Add({"a1"}, false, 4);
  index.Build();
  auto ids = [&](const std::string& text) {
    std::vector<WordIndex::Run> runs;
    EXPECT_TRUE(WordIndex::Segment(text, &runs));
    std::vector<uint32_t> out;
    for (const auto& r : runs) index.Lookup(text, r, &out);
    return out;
  };
  EXPECT_EQ(ids("школа"), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(ids("школы"), (std::vector<uint32_t>{2}));
  EXPECT_EQ(ids("шко"), (std::vector<uint32_t>{}));
  EXPECT_EQ(ids("мектебіне a1 a12"), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(ids("жаңамектеп"), (std::vector<uint32_t>{}));
}

// Terms of the shapes that meet word boundaries in unusual ways.
std::vector<TermSpec> EdgeTerms() {
  return {
      Word("школа"),
      Word("школ*"),
      Word("мектеп*"),
      Word("құлақ"),
      Word("кулак"),
      Word("ұрып-соғып*"),
      Word("мектеп-лицей*"),
      Word("на шторы"),
      Word("а а"),
      Word("добровольн* взнос*"),
      Word("5а"),
      Word("e-mail"),
      Word("covid-19"),
      Word("o'qu*"),
      Word("№5"),
      Word("ия"),
      Word("яма"),
      Word("айя*"),
      Word("ю"),
      Word("і"),
      Word("и"),
      Word("ы"),
      Word("һ*"),
      Word("x"),
      Word("мектепте оқиды"),
      Word("бала бала бала"),
      Stem("мектеп"),
      Stem("травля"),
      Stem("қорла"),
      Stem("құлақ"),
      Stem("тарақ"),
      Stem("избить"),
      Re("[а-я]+класс(?:ник|ниц)[а-я]*"),
      Re("(?:^|[^0-9])[0-9]+\\s?к(?:[^а-я]|$)"),
  };
}

// One rule per term (kk and ru flavours), plus rules that combine them.
RuleSetSpec EdgeRules() {
  RuleSetSpec spec;
  spec.files.emplace_back();
  spec.files[0].path = "t.yaml";
  auto& rules = spec.files[0].rules;
  const std::vector<TermSpec> terms = EdgeTerms();
  int n = 0;
  for (const char* lang : {"kk", "ru", "any"}) {
    for (const TermSpec& t : terms) {
      if (t.kind == TermSpec::Kind::kStem && std::string(lang) == "any") {
        continue;
      }
      RuleSpec r;
      r.id = "r" + std::to_string(n++);
      r.category = "bullying";
      r.lang = lang;
      r.severity = "low";
      r.where = "t.yaml:1:1";
      r.any.push_back(t);
      r.negation = n % 2 == 0;
      rules.push_back(std::move(r));
    }
  }
  for (size_t i = 0; i + 1 < terms.size(); ++i) {
    RuleSpec r;
    r.id = "c" + std::to_string(i);
    r.category = "violence";
    r.lang = i % 2 ? "kk" : "ru";
    r.severity = "medium";
    r.where = "t.yaml:1:1";
    r.any.push_back(terms[i]);
    if (i % 3 == 0) {
      r.all.push_back({terms[i + 1]});
    } else if (i % 3 == 1) {
      NearSpec nr;
      nr.groups = {{terms[i]}, {terms[(i * 7 + 3) % terms.size()]}};
      nr.within = 3;
      nr.ordered = i % 2 == 0;
      r.near.push_back(std::move(nr));
    } else {
      r.exclude.push_back(terms[(i * 5 + 1) % terms.size()]);
    }
    rules.push_back(std::move(r));
  }
  return spec;
}

// Edge-case texts: the terms' words glued to everything that can stand
// next to a word, and a deterministic random mix of pieces.
std::vector<std::string> EdgeTexts() {
  const std::vector<std::string> words = {"школа",
                                          "школы",
                                          "школ",
                                          "мектеп",
                                          "мектебіне",
                                          "мектептегі",
                                          "құлақ",
                                          "кулак",
                                          "құлағы",
                                          "кұлак",
                                          "ұрып",
                                          "соғып",
                                          "ұрып-соғыпты",
                                          "урып-согып",
                                          "мектеп-лицейі",
                                          "лицей",
                                          "на",
                                          "шторы",
                                          "а",
                                          "добровольный",
                                          "взносы",
                                          "взнос",
                                          "5а",
                                          "5",
                                          "е-mail",
                                          "e-mail",
                                          "covid-19",
                                          "covid",
                                          "19",
                                          "o'qu",
                                          "oqu",
                                          "№5",
                                          "ия",
                                          "иа",
                                          "ийа",
                                          "йа",
                                          "яма",
                                          "йама",
                                          "иама",
                                          "ама",
                                          "айя",
                                          "аййа",
                                          "ю",
                                          "йу",
                                          "иу",
                                          "і",
                                          "и",
                                          "ы",
                                          "һ",
                                          "х",
                                          "хабар",
                                          "x",
                                          "мектепте",
                                          "оқиды",
                                          "бала",
                                          "травля",
                                          "травлю",
                                          "травили",
                                          "травят",
                                          "қорлады",
                                          "қорламайды",
                                          "корлап",
                                          "тарағы",
                                          "избили",
                                          "одноклассник",
                                          "5к",
                                          "20 к",
                                          "не",
                                          "жоқ",
                                          "ј",
                                          "ї",
                                          "é",
                                          "A",
                                          "Школа",
                                          "ШКОЛА",
                                          "мектепschool",
                                          "school",
                                          "й"};
  const std::vector<std::string> seps = {" ",  " ", "-",  "'",  "ʼ", ".", ",",
                                         "\n", "",  "  ", "№",  "ї", "5", "—",
                                         "ј",  "é", "😀",  "\t", "A"};
  std::vector<std::string> texts;
  for (const auto& w : words) {
    for (const auto& s : seps) {
      texts.push_back(w);
      texts.push_back(s + w);
      texts.push_back(w + s);
      texts.push_back(s + w + s + w + s);
    }
  }
  uint32_t rng = 7;
  auto next = [&rng](size_t n) {
    rng = rng * 1103515245u + 12345u;
    return static_cast<size_t>((rng >> 16) % n);
  };
  for (int i = 0; i < 6000; ++i) {
    std::string t;
    const size_t parts = 1 + next(8);
    for (size_t k = 0; k < parts; ++k) {
      t += words[next(words.size())];
      t += next(3) == 0 ? seps[next(seps.size())] : " ";
    }
    texts.push_back(std::move(t));
  }
  return texts;
}

struct IndexSwitch {
  ~IndexSwitch() {
    RuleSet::SetWordIndexForTesting(true);
    PatternSet::SetMatchAllForTesting(false);
  }
};

Hits HitsOf(const RuleSet& rs, const std::string& text, bool with_tokens) {
  Hits out;
  const std::vector<RuleHit> hits =
      with_tokens ? rs.Match(text, Tokenize(text)) : rs.Match(text);
  for (const RuleHit& h : hits) out.emplace_back(h.rule, h.spans);
  return out;
}

TEST(WordIndexTest, IndexAgreesWithRe2OnEdgeCases) {
  IndexSwitch restore;
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  const RuleSetSpec spec = EdgeRules();
  std::vector<std::string> errors;
  auto indexed = RuleSet::Compile(spec, **normalizer, &errors);
  ASSERT_TRUE(indexed.ok()) << (errors.empty() ? "" : errors[0]);
  RuleSet::SetWordIndexForTesting(false);
  auto plain = RuleSet::Compile(spec, **normalizer, &errors);
  RuleSet::SetWordIndexForTesting(true);
  ASSERT_TRUE(plain.ok());
  // The index holds most terms; the apostrophe, № and raw terms stay RE2.
  EXPECT_GT((*indexed)->indexed_count(), (*indexed)->pattern_count() / 2);
  EXPECT_LT((*indexed)->indexed_count(), (*indexed)->pattern_count());
  EXPECT_EQ((*plain)->indexed_count(), 0u);

  std::vector<std::string> texts = EdgeTexts();
  // As people write them and as the normaliser gives them (Latin-script
  // Kazakh folded to Cyrillic, upper case folded).
  const size_t raw = texts.size();
  for (size_t i = 0; i < raw; i += 3) {
    texts.push_back((*normalizer)->Normalize(texts[i]).text);
  }
  for (const char* latin :
       {"mektepte balamdy uryp-soğyp jatyr", "qulaq, qulagy, kulak",
        "Mektep-litseıde ıa ıama", "shkola, shkoly; na shtory!",
        "synyptastary korlap jur, mektebine barmaidy"}) {
    texts.push_back((*normalizer)->Normalize(latin).text);
  }
  size_t hits = 0, differences = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const bool tokens = i % 2 == 0;
    const Hits a = HitsOf(**indexed, texts[i], tokens);
    const Hits b = HitsOf(**plain, texts[i], tokens);
    PatternSet::SetMatchAllForTesting(true);
    const Hits ref = HitsOf(**indexed, texts[i], tokens);
    PatternSet::SetMatchAllForTesting(false);
    hits += a.size();
    if ((a != b || a != ref) && ++differences <= 10) {
      ADD_FAILURE() << "index: " << a.size() << " hits, RE2 set: " << b.size()
                    << ", finders: " << ref.size() << " on '" << texts[i]
                    << "'";
    }
  }
  EXPECT_EQ(differences, 0u);
  // Not vacuous: the texts hit the rules many times.
  EXPECT_GT(hits, texts.size());
  std::printf("%zu texts, %zu rule hits, %zu of %zu terms indexed\n",
              texts.size(), hits, (*indexed)->indexed_count(),
              (*indexed)->pattern_count());
}

}  // namespace rules_set_word_index_test
}  // namespace shagym::nlp
