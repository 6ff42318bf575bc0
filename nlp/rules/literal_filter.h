#pragma once

// Which raw RE2 patterns may occur in a text, from the literal strings they
// require: a cheap test before an RE2 pass. Internal to nlp/rules.
//
// Each pattern's required literals ("atoms") come from RE2's own analysis
// (re2::FilteredRE2, compiled for that one pattern). From its monotone
// and/or formula over the atoms the filter keeps up to two clauses, each
// a set of atoms of which at least one is in every text the pattern
// matches. A text is read once, by WordIndex::Segment, into a CharMap: a
// bit for each character and each pair of neighbouring characters; an
// atom may occur only when all the bits of its pairs are set, so
// MayMatch() is a few bit tests over one flat array per pattern (each
// pattern judged once per text). A
// pattern RE2 finds no atoms for (`[0-9]+`, `.*`), or only one-letter
// atoms (they are in almost every text), always may match.
//
// RE2 lowercases the atoms, so they are only trusted on texts without a
// character that changes when lowercased or case-folded (A-Z, Ж, ...):
// on such texts every pattern may match. Normalised texts are case-folded.
//
//   LiteralFilter f;
//   int id = f.Add("(?:^|[^0-9])[1-9]\\s*(?:оқушы|бала)");
//   f.Build();
//   WordIndex::CharMap map;
//   LiteralFilter::Memo memo;
//   if (WordIndex::Segment(text, &runs, &map)) {
//     memo.Reset(f);
//     if (f.MayMatch(id, map, &memo)) { /* run RE2 */ }
//   }
//
// Thread-safe after Build().

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/rules/word_index.h"

namespace shagym::nlp {

class LiteralFilter {
 public:
  // Which patterns were judged on the current text; reused from text to
  // text.
  struct Memo {
    std::vector<uint8_t> pattern;  // [pattern]: 0 unknown, 1 absent, 2 maybe
    std::vector<uint32_t> known_patterns;
    // Forgets the last text.
    void Reset(const LiteralFilter& filter);
  };

  LiteralFilter();
  ~LiteralFilter();
  LiteralFilter(LiteralFilter&&) noexcept;
  LiteralFilter& operator=(LiteralFilter&&) noexcept;

  // Adds a pattern (RE2 syntax, already validated by the caller); returns
  // its index. REQUIRES: Build() not called yet.
  int Add(const std::string& pattern);
  void Build();

  // False only when pattern `id` cannot occur in the text whose CharMap
  // (WordIndex::Segment) is `map`. `memo` was Reset() for that text.
  bool MayMatch(int id, const WordIndex::CharMap& map, Memo* memo) const;
  // True when pattern `id` has at least one clause.
  bool filtered(int id) const;

  size_t size() const { return pattern_first_.size() - 1; }

 private:
  // The CharMap bits of `atom`, the last pair first (word endings vary
  // more than word starts), computed once per atom until Build().
  const std::vector<uint16_t>& AtomGrams(const std::string& atom);

  // Pattern p's clauses are program_[pattern_first_[p],
  // pattern_first_[p + 1]) (empty: unfiltered), one after the other:
  // the clause's atom count, then each atom as its count of CharMap bits
  // (WordIndex::GramBits) followed by those bits. A flat array read
  // front to back: no look-up per atom.
  std::vector<uint32_t> pattern_first_{0};
  std::vector<uint16_t> program_;
  std::map<std::string, std::vector<uint16_t>> atom_grams_;  // until Build()
};

}  // namespace shagym::nlp
