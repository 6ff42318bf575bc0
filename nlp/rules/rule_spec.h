#pragma once

// Plain descriptions of rules, as read from the rule files (config/ fills
// them) and compiled by RuleSet::Compile(). See docs/RULES.md for the file
// format. Copyable data, no behaviour.

#include <string>
#include <vector>

namespace shagym::nlp {

// One term of a condition.
struct TermSpec {
  enum class Kind {
    kWord,   // word or phrase; a trailing '*' on a word matches any ending
    kStem,   // stem expanded to word forms (Kazakh suffixes / Russian endings)
    kRegex,  // raw RE2 over the normalised text
  };
  Kind kind = Kind::kWord;
  std::string value;
  std::string where;  // "FILE:LINE:COL", for messages
};

// Terms of which at least one must occur.
using TermGroup = std::vector<TermSpec>;

// Every group occurs within `within` words (first word to last word).
struct NearSpec {
  std::vector<TermGroup> groups;
  int within = 5;
  bool ordered = false;  // groups occur in the listed order
  std::string where;
  // The groups may be in different sentences (a topic and its verdict:
  // "Ребенок выпал из окна. Погиб.").
  bool across_sentences = false;
};

struct RuleSpec {
  std::string id;
  std::string category;
  std::string lang = "any";      // kk, ru, any
  std::string severity = "low";  // high, medium, low
  TermGroup any;                 // at least one term occurs
  std::vector<TermGroup> all;    // each group occurs
  std::vector<NearSpec> near;    // each proximity clause holds
  TermGroup exclude;             // none occurs (the `not:` key)
  bool negation = true;          // a negator next to a term cancels it
  std::string where;             // "FILE:LINE:COL" of the rule
};

struct ExampleSpec {
  std::string text;
  bool should_match = true;
  std::string where;
};

struct RuleFileSpec {
  std::string path;  // as shown in messages
  std::vector<RuleSpec> rules;
  std::vector<ExampleSpec> examples;
};

struct RuleSetSpec {
  std::vector<RuleFileSpec> files;
};

// Category ids of SPEC.md "Categories", in SPEC order.
const std::vector<std::string>& CategoryIds();
bool IsCategoryId(const std::string& id);

// The category of a rule that adds no category of its own: it raises the
// severity of a post that other rules make a complaint ("в реанимации",
// "перелом" after any complaint is high).
inline constexpr char kSeverityCategory[] = "severity";

}  // namespace shagym::nlp
