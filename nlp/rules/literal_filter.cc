#include "nlp/rules/literal_filter.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <deque>
#include <map>

namespace shagym::nlp {

namespace {

// True for an atom of one letter.
bool OneLetter(const std::string& atom) {
  const auto* p = reinterpret_cast<const uint8_t*>(atom.data());
  const auto n = static_cast<int32_t>(atom.size());
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(p, i, n, c);
  return i == n && c >= 0 && u_isalpha(c);
}

// The clauses of one pattern: sets of atoms, each meeting every text the
// pattern matches. Empty when RE2 finds no atoms.
std::vector<std::vector<std::string>> Clauses(const std::string& pattern) {
  re2::FilteredRE2 filter(/*min_atom_len=*/1);
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(int64_t{64} << 20);
  int id = 0;
  if (filter.Add(pattern, options, &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return {};
  // The prefilter is a monotone formula over the atoms: true on a set of
  // found atoms when the pattern may match.
  auto holds = [&](const std::vector<int>& present) {
    std::vector<int> potential;
    filter.AllPotentials(present, &potential);
    return !potential.empty();
  };
  std::vector<int> all(atoms.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  // Unfiltered (true without atoms), or never true (keep it simple: no
  // filter).
  if (holds({}) || !holds(all)) return {};
  // A set T of atoms on which the formula is false leaves the clause
  // "one of the atoms outside T": every matching text has one. T grows
  // greedily, short atoms first (so the clause keeps the long, rare ones)
  // and then long atoms first (for formulas like digits AND letters).
  std::vector<std::vector<std::string>> clauses;
  for (int order = 0; order < 2; ++order) {
    std::vector<int> by_length = all;
    std::stable_sort(by_length.begin(), by_length.end(), [&](int a, int b) {
      return order == 0 ? atoms[a].size() < atoms[b].size()
                        : atoms[a].size() > atoms[b].size();
    });
    std::vector<int> outside;
    for (int a : by_length) {
      outside.push_back(a);
      if (holds(outside)) outside.pop_back();
    }
    std::vector<std::string> clause;
    for (int a : all) {
      if (std::find(outside.begin(), outside.end(), a) == outside.end()) {
        clause.push_back(atoms[a]);
      }
    }
    std::sort(clause.begin(), clause.end());
    // A clause with a one-letter atom ("а") holds in almost every text:
    // it filters nothing and its atom would be reported at every step.
    if (std::any_of(clause.begin(), clause.end(), OneLetter)) continue;
    if (std::find(clauses.begin(), clauses.end(), clause) == clauses.end()) {
      clauses.push_back(std::move(clause));
    }
  }
  return clauses;
}

}  // namespace

LiteralFilter::LiteralFilter() = default;
LiteralFilter::~LiteralFilter() = default;
LiteralFilter::LiteralFilter(LiteralFilter&&) noexcept = default;
LiteralFilter& LiteralFilter::operator=(LiteralFilter&&) noexcept = default;

const std::vector<uint16_t>& LiteralFilter::AtomGrams(const std::string& atom) {
  auto [it, added] = atom_grams_.try_emplace(atom);
  if (added) {
    it->second = WordIndex::GramBits(atom);
    std::reverse(it->second.begin(), it->second.end());
  }
  return it->second;
}

int LiteralFilter::Add(const std::string& pattern) {
  for (const std::vector<std::string>& clause : Clauses(pattern)) {
    // Counts are 16-bit: a clause too large to write is left out (fewer
    // clauses only let more texts through).
    bool fits = clause.size() <= 0xFFFF;
    for (const std::string& atom : clause) {
      fits = fits && AtomGrams(atom).size() <= 0xFFFF;
    }
    if (!fits) continue;
    program_.push_back(static_cast<uint16_t>(clause.size()));
    for (const std::string& atom : clause) {
      const std::vector<uint16_t>& grams = AtomGrams(atom);
      program_.push_back(static_cast<uint16_t>(grams.size()));
      program_.insert(program_.end(), grams.begin(), grams.end());
    }
  }
  pattern_first_.push_back(static_cast<uint32_t>(program_.size()));
  return static_cast<int>(pattern_first_.size() - 2);
}

void LiteralFilter::Build() { atom_grams_.clear(); }

bool LiteralFilter::filtered(int id) const {
  return pattern_first_[id + 1] > pattern_first_[id];
}

void LiteralFilter::Memo::Reset(const LiteralFilter& filter) {
  for (uint32_t p : known_patterns) pattern[p] = 0;
  known_patterns.clear();
  if (pattern.size() < filter.size()) pattern.resize(filter.size(), 0);
}

bool LiteralFilter::MayMatch(int id, const WordIndex::CharMap& map,
                             Memo* memo) const {
  if (map.changes_case) return true;
  uint8_t& verdict = memo->pattern[id];
  if (verdict != 0) return verdict == 2;
  memo->known_patterns.push_back(static_cast<uint32_t>(id));
  const uint16_t* at = program_.data() + pattern_first_[id];
  const uint16_t* const end = program_.data() + pattern_first_[id + 1];
  const uint64_t* bits = map.bits.data();
  while (at < end) {
    // One clause: one of its atoms must have all its bits; the atoms
    // after the first that has are skipped over.
    const uint32_t atoms = *at++;
    bool hit = false;
    for (uint32_t k = 0; k < atoms; ++k) {
      const uint16_t* grams = at + 1;
      const uint16_t* const grams_end = grams + *at;
      at = grams_end;
      if (hit) continue;
      while (grams < grams_end &&
             ((bits[*grams / 64] >> (*grams % 64)) & 1) != 0) {
        ++grams;
      }
      hit = grams == grams_end;
    }
    if (!hit) {
      verdict = 1;
      return false;
    }
  }
  verdict = 2;
  return true;
}

}  // namespace shagym::nlp
