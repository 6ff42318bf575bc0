// Post texts come from anyone: whatever the bytes, the text step and the
// shipped rules never crash, and what they report holds together:
// - the tokens cut while normalising are the tokens of Tokenize();
// - the normalised-to-original map stays inside the original;
// - the word index finds exactly what RE2 alone finds (one rule set
//   compiled with the index, one without);
// - match spans lie inside the original text, entity spans inside the
//   normalised one;
// - classifying twice gives the same labels (no state left between posts).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/post.h"
#include "config/gazetteer_loader.h"
#include "config/rules_loader.h"
#include "nlp/analysis.h"
#include "nlp/classifier.h"
#include "nlp/entities.h"
#include "nlp/normalize.h"
#include "nlp/rules/rule_set.h"
#include "nlp/tokenize.h"

namespace {

// Names the broken property on stderr, then stops (a libFuzzer crash).
#define EXPECT_OR_TRAP(cond, what)                       \
  do {                                                   \
    if (!(cond)) {                                       \
      std::fprintf(stderr, "classify_fuzz: %s\n", what); \
      __builtin_trap();                                  \
    }                                                    \
  } while (0)

namespace nlp = shagym::nlp;

struct Shipped {
  std::unique_ptr<nlp::Normalizer> normalizer;
  std::shared_ptr<const nlp::RuleSet> indexed;
  std::shared_ptr<const nlp::RuleSet> re2_only;
  std::unique_ptr<nlp::EntityExtractor> extractor;
  std::unique_ptr<nlp::Classifier> classifier;
};

std::shared_ptr<const nlp::RuleSet> LoadRules(const nlp::Normalizer& n,
                                              bool word_index) {
  nlp::RuleSet::SetWordIndexForTesting(word_index);
  std::vector<std::string> errors;
  auto rules = shagym::config::LoadRuleSet(
      std::string(SHAGYM_SOURCE_DIR) + "/config/rules", n, &errors);
  nlp::RuleSet::SetWordIndexForTesting(true);
  if (!rules.ok()) __builtin_trap();
  return std::move(rules).value();
}

// Built once in LLVMFuzzerInitialize: compiling the shipped rules (and
// the index's lazy full RE2 set) under ASan takes seconds, which must not
// count against an input's timeout.
const Shipped* shipped = nullptr;

const Shipped* Load() {
  auto* s = new Shipped;
  auto n = nlp::Normalizer::Create();
  if (!n.ok()) __builtin_trap();
  s->normalizer = std::move(n).value();
  s->indexed = LoadRules(*s->normalizer, true);
  s->re2_only = LoadRules(*s->normalizer, false);
  auto g = shagym::config::LoadGazetteer(std::string(SHAGYM_SOURCE_DIR) +
                                         "/config/gazetteer/regions.yaml");
  if (!g.ok()) __builtin_trap();
  auto ex = nlp::EntityExtractor::Create(*g);
  if (!ex.ok()) __builtin_trap();
  s->extractor = std::move(ex).value();
  s->classifier = std::make_unique<nlp::Classifier>(s->normalizer.get());
  // Texts the word index cannot judge (invalid UTF-8, "ј") go to the full
  // RE2 set, built on first need: build it here, not inside an input.
  const nlp::AnalyzedText odd = nlp::Analyze(*s->normalizer, "\xff ј школа");
  (void)s->indexed->Match(odd.normalized.text, odd.tokens);
  (void)s->re2_only->Match(odd.normalized.text, odd.tokens);
  return s;
}

bool SameTokens(const std::vector<nlp::Token>& a,
                const std::vector<nlp::Token>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].begin != b[i].begin || a[i].end != b[i].end ||
        a[i].numeric != b[i].numeric || a[i].cyrillic != b[i].cyrillic ||
        a[i].letter_groups != b[i].letter_groups) {
      return false;
    }
  }
  return true;
}

bool SameHits(const std::vector<nlp::RuleHit>& a,
              const std::vector<nlp::RuleHit>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].rule != b[i].rule || a[i].spans != b[i].spans) return false;
  }
  return true;
}

bool Inside(const nlp::TextSpan& s, size_t size) {
  return s.begin <= s.end && s.end <= size;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  shipped = Load();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Shipped& s = *shipped;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const nlp::AnalyzedText a = nlp::Analyze(*s.normalizer, text);
  const nlp::NormalizedText& n = a.normalized;
  EXPECT_OR_TRAP(n.orig_begin.size() == n.text.size() &&
                     n.orig_end.size() == n.text.size(),
                 "offset map size");
  for (size_t i = 0; i < n.text.size(); ++i) {
    EXPECT_OR_TRAP(n.orig_begin[i] <= n.orig_end[i] && n.orig_end[i] <= size,
                   "offset map outside the original");
  }
  EXPECT_OR_TRAP(SameTokens(a.tokens, nlp::Tokenize(n.text)),
                 "tokens differ from Tokenize()");

  EXPECT_OR_TRAP(SameHits(s.indexed->Match(n.text, a.tokens),
                          s.re2_only->Match(n.text, a.tokens)),
                 "word index and RE2 disagree");

  const shagym::Labels labels = s.classifier->Classify(*s.indexed, a);
  for (const shagym::Match& m : labels.matches) {
    EXPECT_OR_TRAP(
        m.start >= 0 && m.start < m.end && m.end <= static_cast<int64_t>(size),
        "match span outside the text");
  }
  EXPECT_OR_TRAP(s.classifier->Classify(*s.indexed, text) == labels,
                 "labels differ on the same text");

  const nlp::Entities e = s.extractor->Extract(a);
  // Entity spans are in the normalised text.
  EXPECT_OR_TRAP(Inside(e.region_span, n.text.size()) &&
                     Inside(e.school_span, n.text.size()),
                 "entity span outside the normalised text");
  for (const nlp::RegionMention& r : e.regions) {
    EXPECT_OR_TRAP(Inside(r.span, n.text.size()),
                   "place mention outside the normalised text");
  }
  return 0;
}
