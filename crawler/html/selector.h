#pragma once

// A compiled CSS selector subset for extraction: type and `*`, `.class`,
// `#id`, attribute tests `[a]`, `[a=v]`, `[a~=v]`, `[a|=v]`, `[a^=v]`,
// `[a$=v]`, `[a*=v]`, the descendant (space) and child (`>`) combinators,
// selector lists (`a, b`), `:not(<compound>)`, `:first-child` and
// `:last-child`. Compile once per source; matching is one pass over the tree
// (O(nodes x compounds), no backtracking, no recursion), so a hostile page
// cannot make it slow. Immutable and thread-safe after Parse().
//
//   auto sel = html::Selector::Parse("div.post > .text");
//   for (const GumboNode* n : sel->Select(doc->root())) ...
//
// Selectors are relative to the scope they run on: only descendants of the
// scope are candidates, and ancestors above the scope are not consulted.

#include <gumbo.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crawler/html/dom.h"

namespace shagym::crawler::html {

class Selector {
 public:
  // Errors: InvalidArgument("bad selector 'X': <what> at column N").
  static StatusOr<Selector> Parse(std::string_view text);

  // Matching elements below `scope`, in document order.
  std::vector<const GumboNode*> Select(const GumboNode* scope) const;
  // The first of Select(), or nullptr.
  const GumboNode* SelectFirst(const GumboNode* scope) const;

  const std::string& text() const { return text_; }

  struct Simple;
  struct Compound;

 private:
  Selector() = default;
  // Visits matches in document order until `on_match` returns false.
  template <typename F>
  void Run(const GumboNode* scope, F on_match) const;
  bool MatchCompound(const Compound& c, const GumboNode* node) const;

  std::string text_;
  std::vector<Compound> compounds_;  // all complex selectors, flattened
  uint64_t first_mask_ = 0;          // compounds that start a complex
  uint64_t last_mask_ = 0;           // compounds that end one
};

struct Selector::Simple {
  enum class Kind {
    kType,
    kUniversal,
    kClass,
    kId,
    kAttrExists,
    kAttrEquals,
    kAttrWord,      // ~=
    kAttrLang,      // |=
    kAttrPrefix,    // ^=
    kAttrSuffix,    // $=
    kAttrContains,  // *=
    kNot,
    kFirstChild,
    kLastChild,
  };
  Kind kind = Kind::kUniversal;
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  std::string name;             // tag, class, id or attribute name
  std::string value;            // attribute value
  std::vector<Simple> negated;  // kNot: compound inside, all must match
};

struct Selector::Compound {
  std::vector<Simple> simples;
  int prev = -1;               // index of the compound to the left, -1 = none
  bool child_of_prev = false;  // '>' rather than ' '
};

// A selector with an optional trailing "@attr": the field extractor of the
// `post:` settings. "@href" alone applies to the scope element itself; an
// empty spec is empty() and extracts nothing.
class FieldSelector {
 public:
  FieldSelector() = default;
  static StatusOr<FieldSelector> Parse(std::string_view spec);

  bool empty() const { return !has_selector_ && attr_.empty(); }
  const std::string& attr() const { return attr_; }

  // The element the field comes from: the first match below `scope`, or
  // `scope` itself when there is no selector part. nullptr when none.
  const GumboNode* Find(const GumboNode* scope) const;
  // The attribute (when "@attr") or the readable text of Find(); nullopt
  // when nothing matches or the attribute is absent.
  std::optional<std::string> Extract(const GumboNode* scope,
                                     const TextOptions& options = {}) const;

 private:
  bool has_selector_ = false;
  std::optional<Selector> selector_;
  std::string attr_;
};

}  // namespace shagym::crawler::html
