#include "nlp/rules/rule_set.h"

#include <openssl/evp.h>
#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "nlp/rules/pattern_set.h"
#include "nlp/rules/stem.h"

namespace shagym::nlp {

const std::vector<std::string>& CategoryIds() {
  static const auto* ids = new std::vector<std::string>{"bullying",
                                                        "violence",
                                                        "extortion_corruption",
                                                        "safety_security",
                                                        "infrastructure",
                                                        "food",
                                                        "staff_misconduct",
                                                        "mental_health",
                                                        "licensing_legal",
                                                        "overcrowding_access",
                                                        "exams",
                                                        "camps_leisure",
                                                        "other_complaint"};
  return *ids;
}

bool IsCategoryId(const std::string& id) {
  const auto& ids = CategoryIds();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

int SeverityRank(std::string_view s) {
  if (s == "high") return 3;
  if (s == "medium") return 2;
  if (s == "low") return 1;
  return 0;
}

namespace {

using Span = std::pair<size_t, size_t>;

// Word boundaries on normalised text (lower case, Kazakh Latin folded to
// Cyrillic). RE2's \b is ASCII-only, and \p{L} in every one of thousands
// of patterns makes the Set's program huge, so word characters are the
// letters the normaliser produces for Kazakh, Russian and English.
#define SHAGYM_WORD_CHARS "0-9a-zа-яёәғқңөұүһі"
constexpr char kBegin[] = "(?:^|[^" SHAGYM_WORD_CHARS "])";
constexpr char kEnd[] = "(?:[^" SHAGYM_WORD_CHARS "]|$)";
constexpr char kGap[] = "[^" SHAGYM_WORD_CHARS "]+";
constexpr char kLetters[] = "[" SHAGYM_WORD_CHARS "]*";
// In the multi-pattern pass a word boundary is one non-word character: the
// text is matched with a space added at both ends, so it stands for ^ and $
// too. Unlike (?:^|[^...]), a leading character class is a piece that RE2
// factors out of the whole set, so the set's patterns share their prefixes
// and its DFA states stay small (with (?:^|...) in front, every pattern
// restarts after every space and each new DFA state costs thousands of
// instructions: seconds of CPU before the DFA is warm).
constexpr char kSetBoundary[] = "[^" SHAGYM_WORD_CHARS "]";
#undef SHAGYM_WORD_CHARS

// Words that cancel a term when they stand just before it ("не травят",
// "никто не бил", "ешкім қорламайды").
using WordSet = std::set<std::string, std::less<>>;

const WordSet& NegatorsBefore() {
  static const auto* s = new WordSet{
      "не",      "нет",     "ни",      "никто",    "никогда", "ничего",
      "нету",    "ешкім",   "ешқашан", "ешбір",    "ешкимде", "ешким",
      "ешкашан", "ешкімде", "еш",      "ешқандай", "ешкандай"};
  return *s;
}
// Words that cancel a term when they follow it ("ұрған жоқ", "қорлаған
// емес", "травли нет", "драк не было").
const WordSet& NegatorsAfter() {
  static const auto* s = new WordSet{
      "жоқ", "жок", "емес", "болмайды", "болмаған", "болмады", "кездеспейді",
      "тіркелмеген", "байқалмады", "нет", "нету", "отсутствует", "отсутствуют",
      // Kazakh negation with a person ending ("көрген жоқпын", "болған
      // емеспіз") and negative verbs of seeing or meeting ("көрмедім").
      "жоқпын", "жоқпыз", "жоқсың", "жоқсыз", "жокпын", "жокпыз", "емеспін",
      "емеспіз", "емеспин", "емеспиз", "көрмедім", "көрмедік", "кормедим",
      "кормедик", "естімедім", "естімедік", "кездестірмедім", "кездестірмедік",
      "кездеспедім", "кездеспедік", "байқамадым", "байқамадық"};
  return *s;
}
// "не" after a term negates it only with one of these ("травли не было").
const WordSet& AfterNe() {
  static const auto* s =
      new WordSet{"было",          "были",       "была",        "бывает",
                  "бывало",        "выявлено",   "выявлены",    "зафиксировано",
                  "зафиксированы", "обнаружено", "наблюдается", "замечено",
                  "происходит",    "случалось",  "допускается", "допустим",
                  "замечали",      "видели",     "видел",       "видела",
                  "слышал",        "слышали",    "сталкивался", "сталкивались",
                  "встречал",      "встречали",  "встречалось"};
  return *s;
}
// Verbs of meeting or seeing something: a negator just before one of them
// cancels the thing it governs even beyond the two-word window ("ни разу не
// сталкивался с травлей", "никогда не видел у нас драк"). Prefixes.
bool ExperienceVerb(std::string_view w) {
  static const char* const kPrefixes[] = {
      "сталкива", "столкну", "встреча", "встрети", "видел",    "видал",
      "слышал",   "замеча",  "замети",  "наблюда", "подверга", "испытыва"};
  for (const char* p : kPrefixes) {
    if (w.starts_with(p)) return true;
  }
  return false;
}
// Words skipped when counting the negation window ("не было случаев травли",
// "ни одного факта буллинга").
const WordSet& Transparent() {
  static const auto* s =
      new WordSet{"было",    "были",     "была",    "бывает",  "одного",
                  "единого", "никакого", "никакой", "никаких", "случая",
                  "случаев", "факта",    "фактов",  "у",       "нас",
                  "меня",    "никого",   "никому",  "никем",   "болған",
                  "қандай",  "бірде",    "бір",     "де",      "да"};
  return *s;
}
constexpr int kNegationBefore = 2;  // words, not counting transparent ones
constexpr int kNegationAfter = 2;
constexpr int kExperienceVerbBefore = 3;  // words back to the governing verb
constexpr int kExperienceClause = 8;  // ... when чтобы follows the verb

// One distinct pattern. The finder (which locates occurrences) is compiled
// on first use: most terms never hit, and compiling thousands of large
// Kazakh suffix patterns up front would make loading slow. The Set has
// already validated the same pattern.
struct Term {
  std::string set_pattern;
  std::string finder_pattern;  // group 1 is the occurrence
  std::string reject_pattern;  // optional: occurrences that are not forms
  bool wrapped = false;        // set_pattern runs on " " + text + " "
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2> finder;
  mutable std::unique_ptr<RE2> reject;

  void Prepare() const {
    std::call_once(once, [this] {
      RE2::Options opt;
      opt.set_log_errors(false);
      opt.set_max_mem(64 << 20);
      finder = std::make_unique<RE2>(finder_pattern, opt);
      if (!reject_pattern.empty()) {
        reject = std::make_unique<RE2>(reject_pattern, opt);
      }
    });
  }
};

struct NearClause {
  std::vector<std::vector<int>> groups;
  int within = 5;
  bool ordered = false;
};

struct CompiledRule {
  RuleInfo info;
  int file = 0;
  bool negation = true;
  std::vector<int> any;
  std::vector<std::vector<int>> all;
  std::vector<NearClause> near;
  std::vector<int> exclude;
};

std::vector<Span> Tokens(std::string_view text) {
  std::vector<Span> out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  int32_t start = -1;
  while (i < n) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    bool word = c >= 0 && (u_isalpha(c) || u_isdigit(c));
    if (word && start < 0) start = at;
    if (!word && start >= 0) {
      out.emplace_back(start, at);
      start = -1;
    }
  }
  if (start >= 0) out.emplace_back(start, n);
  return out;
}

void Sha256Hex(const std::string& data, std::string* out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  out->clear();
  for (unsigned int i = 0; i < len && i < 8; ++i) {
    out->push_back(kHex[md[i] >> 4]);
    out->push_back(kHex[md[i] & 15]);
  }
}

std::string Canonical(const RuleSetSpec& spec) {
  std::string s;
  auto term = [&](const TermSpec& t) {
    s += static_cast<char>('0' + static_cast<int>(t.kind));
    s += t.value;
    s += '\x1f';
  };
  for (const auto& f : spec.files) {
    for (const auto& r : f.rules) {
      s += "R" + r.id + '\x1e' + r.category + '\x1e' + r.lang + '\x1e' +
           r.severity + (r.negation ? "N" : "n");
      s += "A";
      for (const auto& t : r.any) term(t);
      for (const auto& g : r.all) {
        s += "G";
        for (const auto& t : g) term(t);
      }
      for (const auto& n : r.near) {
        s += "W" + std::to_string(n.within) + (n.ordered ? "o" : "u");
        for (const auto& g : n.groups) {
          s += "G";
          for (const auto& t : g) term(t);
        }
      }
      s += "X";
      for (const auto& t : r.exclude) term(t);
    }
  }
  return s;
}

}  // namespace

struct RuleSet::Impl {
  std::deque<Term> terms;  // Term is not movable (once_flag)
  std::vector<CompiledRule> rules;
  // Positive uses of each term: (rule, bit of the rule's group). A rule's
  // groups are its any: list (when it has one), each all: group and each
  // near: group; it can fire only when every group has a matched term,
  // that is when its mask over the matched terms is full.
  std::vector<std::vector<std::pair<int, int>>> uses_of_term;
  std::vector<uint64_t> full_mask;  // per rule
  // Rules with more than 64 groups: the mask holds the first 63, the rest
  // are checked one by one.
  std::vector<unsigned char> many_groups;
  // The multi-pattern pass: word and stem terms over the text with a space
  // at both ends, raw RE2 terms over the text itself. The sets only say
  // which terms may occur; each term's finder has the last word.
  PatternSet wrapped_set;
  PatternSet raw_set;
  std::vector<int> wrapped_term;  // set pattern index -> term
  std::vector<int> raw_term;
  std::string version;

  // Compiles one term; returns its index or -1 with `error` set.
  int AddTerm(const TermSpec& t, const std::string& lang,
              const Normalizer& normalizer, std::map<std::string, int>* index,
              std::string* error);

  std::vector<RuleHit> Match(std::string_view text,
                             const std::vector<Token>* shared_tokens) const;
};

int RuleSet::Impl::AddTerm(const TermSpec& t, const std::string& lang,
                           const Normalizer& normalizer,
                           std::map<std::string, int>* index,
                           std::string* error) {
  std::string set_pattern, exact, reject;
  bool bounded = true;
  bool wrapped = true;
  switch (t.kind) {
    case TermSpec::Kind::kRegex: {
      set_pattern = t.value;
      exact = t.value;
      bounded = false;
      wrapped = false;
      break;
    }
    case TermSpec::Kind::kWord: {
      std::string joined;
      size_t i = 0;
      const std::string& v = t.value;
      int words = 0;
      while (i < v.size()) {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
        size_t j = i;
        while (j < v.size() && v[j] != ' ' && v[j] != '\t') ++j;
        if (j == i) break;
        std::string word = v.substr(i, j - i);
        i = j;
        bool prefix = false;
        if (!word.empty() && word.back() == '*') {
          prefix = true;
          word.pop_back();
        }
        if (word.empty() || word.find('*') != std::string::npos) {
          *error = "'*' may only end a word in '" + v + "'";
          return -1;
        }
        std::string norm = normalizer.Normalize(word).text;
        bool kk = lang == "kk" || (lang == "any" && HasKazakhLetter(norm));
        if (words++) joined += kGap;
        joined += kk ? KazakhLiteral(norm) : RE2::QuoteMeta(norm);
        if (prefix) joined += kLetters;
      }
      if (words == 0) {
        *error = "empty term";
        return -1;
      }
      set_pattern = kSetBoundary + joined + kSetBoundary;
      exact = joined;
      break;
    }
    case TermSpec::Kind::kStem: {
      std::string norm = normalizer.Normalize(t.value).text;
      bool kk = lang == "kk" || (lang == "any" && HasKazakhLetter(norm));
      StatusOr<StemPattern> p =
          kk ? ExpandKazakhStem(norm) : ExpandRussianStem(norm);
      if (!p.ok()) {
        *error = p.status().message();
        return -1;
      }
      set_pattern = kSetBoundary + p->prefilter;
      exact = p->exact;
      reject = p->reject;
      break;
    }
  }
  std::string finder = bounded ? std::string(kBegin) + "(" + exact + ")" + kEnd
                               : "(" + exact + ")";
  auto it = index->find(finder);
  if (it != index->end()) return it->second;
  // Validate now (the finder itself is compiled lazily).
  RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_max_mem(64 << 20);
  if (t.kind == TermSpec::Kind::kRegex) {
    RE2 re(t.value, opt);
    if (!re.ok()) {
      *error = "bad pattern '" + t.value + "': " + re.error();
      return -1;
    }
  }
  int id = static_cast<int>(terms.size());
  terms.emplace_back();
  terms.back().set_pattern = set_pattern;
  terms.back().finder_pattern = finder;
  terms.back().reject_pattern = reject;
  terms.back().wrapped = wrapped;
  uses_of_term.emplace_back();
  (*index)[finder] = id;
  return id;
}

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;

size_t RuleSet::rule_count() const { return impl_->rules.size(); }
const RuleInfo& RuleSet::rule(int i) const { return impl_->rules[i].info; }
size_t RuleSet::pattern_count() const { return impl_->terms.size(); }
const std::string& RuleSet::version() const { return impl_->version; }

StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Compile(
    const RuleSetSpec& spec, const Normalizer& normalizer,
    std::vector<std::string>* errors) {
  std::shared_ptr<RuleSet> rs(new RuleSet());
  Impl& im = *rs->impl_;
  size_t first_error = errors->size();
  std::map<std::string, int> index;
  std::map<std::string, std::string> seen_ids;

  for (size_t f = 0; f < spec.files.size(); ++f) {
    for (const RuleSpec& r : spec.files[f].rules) {
      bool ok = true;
      auto fail = [&](const std::string& where, const std::string& what) {
        errors->push_back(where + ": rule '" + r.id + "': " + what);
        ok = false;
      };
      if (r.id.empty()) fail(r.where, "missing id");
      if (auto it = seen_ids.find(r.id); it != seen_ids.end()) {
        fail(r.where, "duplicate id (first defined at " + it->second + ")");
      } else {
        seen_ids[r.id] = r.where;
      }
      if (!IsCategoryId(r.category)) {
        fail(r.where, "unknown category '" + r.category + "'");
      }
      if (SeverityRank(r.severity) == 0) {
        fail(r.where,
             "severity must be high, medium or low, not '" + r.severity + "'");
      }
      if (r.lang != "kk" && r.lang != "ru" && r.lang != "any") {
        fail(r.where, "lang must be kk, ru or any, not '" + r.lang + "'");
      }
      if (r.any.empty() && r.all.empty() && r.near.empty()) {
        fail(r.where, "empty condition: give any:, all: or near:");
      }
      CompiledRule cr;
      cr.info =
          RuleInfo{r.id, r.category, r.severity, r.lang, spec.files[f].path};
      cr.file = static_cast<int>(f);
      cr.negation = r.negation;
      auto add_group = [&](const TermGroup& g, std::vector<int>* out) {
        for (const TermSpec& t : g) {
          std::string error;
          int id = im.AddTerm(t, r.lang, normalizer, &index, &error);
          if (id < 0) {
            fail(t.where.empty() ? r.where : t.where, error);
          } else {
            out->push_back(id);
          }
        }
      };
      add_group(r.any, &cr.any);
      for (const TermGroup& g : r.all) {
        if (g.empty()) fail(r.where, "empty group in all:");
        cr.all.emplace_back();
        add_group(g, &cr.all.back());
      }
      for (const NearSpec& n : r.near) {
        NearClause nc;
        nc.within = n.within;
        nc.ordered = n.ordered;
        if (n.groups.size() < 2) {
          fail(n.where.empty() ? r.where : n.where,
               "near: needs at least two terms");
        }
        if (n.within < 1) fail(n.where, "near: within must be at least 1");
        for (const TermGroup& g : n.groups) {
          nc.groups.emplace_back();
          add_group(g, &nc.groups.back());
        }
        cr.near.push_back(std::move(nc));
      }
      add_group(r.exclude, &cr.exclude);
      if (!ok) continue;
      int rule_index = static_cast<int>(im.rules.size());
      std::vector<const std::vector<int>*> groups;
      if (!cr.any.empty()) groups.push_back(&cr.any);
      for (const auto& g : cr.all) groups.push_back(&g);
      for (const auto& n : cr.near) {
        for (const auto& g : n.groups) groups.push_back(&g);
      }
      uint64_t full = 0;
      for (size_t g = 0; g < groups.size(); ++g) {
        const int bit = static_cast<int>(std::min<size_t>(g, 63));
        full |= uint64_t{1} << bit;
        for (int t : *groups[g]) {
          auto& uses = im.uses_of_term[t];
          if (uses.empty() || uses.back() != std::make_pair(rule_index, bit)) {
            uses.emplace_back(rule_index, bit);
          }
        }
      }
      im.full_mask.push_back(full);
      im.many_groups.push_back(groups.size() > 64);
      im.rules.push_back(std::move(cr));
    }
  }

  for (size_t i = 0; i < im.terms.size(); ++i) {
    const Term& t = im.terms[i];
    std::string error;
    PatternSet& ps = t.wrapped ? im.wrapped_set : im.raw_set;
    if (ps.Add(t.set_pattern, &error) < 0) {
      errors->push_back("pattern '" + t.set_pattern + "': " + error);
      continue;
    }
    (t.wrapped ? im.wrapped_term : im.raw_term).push_back(static_cast<int>(i));
  }
  for (PatternSet* ps : {&im.wrapped_set, &im.raw_set}) {
    std::string error;
    if (!ps->Compile(&error)) errors->push_back("rule set: " + error);
  }
  Sha256Hex(Canonical(spec), &im.version);

  if (errors->size() == first_error) {
    // Rule CI: every file's examples.
    for (size_t f = 0; f < spec.files.size(); ++f) {
      for (const ExampleSpec& ex : spec.files[f].examples) {
        NormalizedText nt = normalizer.Normalize(ex.text);
        bool hit = false;
        std::string which;
        for (const RuleHit& h : im.Match(nt.text, nullptr)) {
          if (im.rules[h.rule].file == static_cast<int>(f)) {
            hit = true;
            which = im.rules[h.rule].info.id;
            break;
          }
        }
        std::string shown = ex.text;
        if (shown.size() > 120) {
          size_t cut = 117;  // on a character boundary
          while (cut > 0 &&
                 (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) {
            --cut;
          }
          shown = shown.substr(0, cut) + "...";
        }
        if (ex.should_match && !hit) {
          errors->push_back(ex.where +
                            ": example should match but no rule "
                            "of this file fires: '" +
                            shown + "'");
        } else if (!ex.should_match && hit) {
          errors->push_back(ex.where + ": rule '" + which +
                            "': no_match example fires: '" + shown + "'");
        }
      }
    }
  }
  size_t n = errors->size() - first_error;
  if (n > 0) {
    return InvalidArgument(
        (*errors)[first_error] +
        (n > 1 ? " (and " + std::to_string(n - 1) + " more problems)" : ""));
  }
  return std::shared_ptr<const RuleSet>(std::move(rs));
}

std::vector<RuleHit> RuleSet::Match(std::string_view text) const {
  return impl_->Match(text, nullptr);
}

std::vector<RuleHit> RuleSet::Match(std::string_view text,
                                    const std::vector<Token>& tokens) const {
  return impl_->Match(text, &tokens);
}

std::vector<RuleHit> RuleSet::Impl::Match(
    std::string_view text, const std::vector<Token>* shared_tokens) const {
  std::vector<RuleHit> out;
  if (text.empty() || terms.empty()) return out;
  // Buffers kept by the thread: a post costs no allocation here.
  static thread_local std::vector<int> matched;
  matched.clear();
  {
    static thread_local std::string wrapped;
    wrapped.clear();
    wrapped += ' ';
    wrapped += text;
    wrapped += ' ';
    static thread_local std::vector<int> ids;
    wrapped_set.Match(wrapped, &ids);
    for (int i : ids) matched.push_back(wrapped_term[i]);
    raw_set.Match(text, &ids);
    for (int i : ids) matched.push_back(raw_term[i]);
  }
  if (matched.empty()) return out;
  std::sort(matched.begin(), matched.end());
  // A flag per term, kept by the thread, set for the matched terms and
  // cleared on return: a look-up is one load (rules have dozens of terms
  // each, all looked up), and the cost of a post still grows with what it
  // matched, not with the size of the rule set.
  static thread_local std::vector<unsigned char> flags;
  if (flags.size() < terms.size()) flags.resize(terms.size());
  struct ClearFlags {
    const std::vector<int>& set;
    ~ClearFlags() {
      for (int t : set) flags[t] = 0;
    }
  } clear_flags{matched};
  for (int t : matched) flags[t] = 1;
  auto in_set = [&](int t) { return flags[t] != 0; };
  // Which groups of which rules have a matched term; the rules touched.
  static thread_local std::vector<uint64_t> masks;
  if (masks.size() < rules.size()) masks.resize(rules.size());
  static thread_local std::vector<int> candidates;
  candidates.clear();
  struct ClearMasks {
    const std::vector<int>& rules;
    ~ClearMasks() {
      for (int r : rules) masks[r] = 0;
    }
  } clear_masks{candidates};
  for (int t : matched) {
    for (const auto& [r, bit] : uses_of_term[t]) {
      if (masks[r] == 0) candidates.push_back(r);
      masks[r] |= uint64_t{1} << bit;
    }
  }
  if (candidates.empty()) return out;
  std::sort(candidates.begin(), candidates.end());

  auto any_in_set = [&](const std::vector<int>& g) {
    for (int t : g) {
      if (in_set(t)) return true;
    }
    return false;
  };

  static thread_local std::vector<Span> tokens;
  bool have_tokens = false;
  auto token_list = [&]() -> const std::vector<Span>& {
    if (!have_tokens) {
      have_tokens = true;
      if (shared_tokens == nullptr) {
        tokens = Tokens(text);
      } else {
        tokens.clear();
        for (const Token& t : *shared_tokens) {
          tokens.emplace_back(t.begin, t.end);
        }
      }
    }
    return tokens;
  };
  // Index of the token containing or following byte `pos`.
  auto word_index = [&](size_t pos) -> int {
    const auto& tk = token_list();
    auto it =
        std::upper_bound(tk.begin(), tk.end(), pos,
                         [](size_t p, const Span& s) { return p < s.second; });
    return static_cast<int>(it - tk.begin());
  };
  std::map<int, std::vector<Span>> occ_cache;
  auto occurrences = [&](int t) -> const std::vector<Span>& {
    auto it = occ_cache.find(t);
    if (it != occ_cache.end()) return it->second;
    std::vector<Span>& v = occ_cache[t];
    if (!in_set(t)) return v;
    terms[t].Prepare();
    if (!terms[t].finder->ok()) return v;
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece m[2];
    size_t pos = 0;
    while (pos <= text.size() &&
           terms[t].finder->Match(input, pos, text.size(), RE2::UNANCHORED, m,
                                  2)) {
      if (m[1].data() == nullptr) break;
      size_t b = static_cast<size_t>(m[1].data() - text.data());
      size_t e = b + m[1].size();
      if (e > b && !(terms[t].reject && RE2::PartialMatch(text.substr(b, e - b),
                                                          *terms[t].reject))) {
        v.emplace_back(b, e);
      }
      size_t next = e > b ? e : e + 1;
      if (next <= pos) next = pos + 1;
      pos = next;
    }
    return v;
  };
  auto word_at = [&](int k) {
    const auto& tk = token_list();
    return text.substr(tk[k].first, tk[k].second - tk[k].first);
  };
  // A negator belongs to its own clause: the windows stop at , . ; ! ? and
  // line breaks between two words ("не могу молчать, травля в школе").
  auto clause_break = [&](int a, int b) {
    const auto& tk = token_list();
    for (size_t i = tk[a].second; i < tk[b].first; ++i) {
      switch (text[i]) {
        case ',':
        case '.':
        case ';':
        case '!':
        case '?':
        case '\n':
          return true;
        default:
          break;
      }
    }
    return false;
  };
  // Word k negates what follows it. "не" after пока, чуть, едва or ли
  // ("пока не оплатим взнос", "чуть не убили") and before только ("не
  // только травят, но и бьют") does not.
  auto negator_at = [&](int k) {
    const std::string_view w = word_at(k);
    if (!NegatorsBefore().count(w)) return false;
    if (w != "не") return true;
    static const WordSet kNotNegatingBefore = {"пока", "чуть", "едва", "ли"};
    if (k > 0 && !clause_break(k - 1, k) &&
        kNotNegatingBefore.count(word_at(k - 1))) {
      return false;
    }
    const int n = static_cast<int>(token_list().size());
    return !(k + 1 < n && word_at(k + 1) == "только");
  };
  // A negator just before word k, skipping transparent words.
  auto negator_before = [&](int k) {
    for (int j = k - 1; j >= 0 && !clause_break(j, j + 1); --j) {
      std::string_view w = word_at(j);
      if (negator_at(j)) return true;
      if (!Transparent().count(w)) return false;
    }
    return false;
  };
  auto negated = [&](const Span& s) {
    const int n = static_cast<int>(token_list().size());
    int first = word_index(s.first);
    int last = word_index(s.second - 1);
    int counted = 0;
    for (int k = first - 1; k >= 0 && counted < kNegationBefore; --k) {
      if (clause_break(k, k + 1)) break;
      std::string_view w = word_at(k);
      if (negator_at(k)) return true;
      if (!Transparent().count(w)) ++counted;
    }
    // "не видела, чтобы ... дрался": a negated verb of seeing followed by
    // чтобы negates its whole clause.
    for (int k = first - 1; k >= 0 && first - k <= kExperienceClause; --k) {
      if (clause_break(k, k + 1)) break;
      if (ExperienceVerb(word_at(k))) {
        const bool governs = first - k <= kExperienceVerbBefore ||
                             (k + 1 < first && (word_at(k + 1) == "чтобы" ||
                                                word_at(k + 1) == "чтоб"));
        if (governs && negator_before(k)) return true;
        break;
      }
    }
    counted = 0;
    for (int k = last + 1; k < n && counted < kNegationAfter; ++k) {
      if (clause_break(k - 1, k)) break;
      std::string_view w = word_at(k);
      if (NegatorsAfter().count(w)) return true;
      if (w == "не" && k + 1 < n && AfterNe().count(word_at(k + 1))) {
        return true;
      }
      if (!Transparent().count(w)) ++counted;
    }
    return false;
  };
  auto live = [&](const CompiledRule& r, const std::vector<int>& g) {
    std::vector<Span> spans;
    for (int t : g) {
      if (!in_set(t)) continue;  // no occurrence (and no cache entry)
      for (const Span& s : occurrences(t)) {
        if (r.negation && negated(s)) continue;
        spans.push_back(s);
      }
    }
    std::sort(spans.begin(), spans.end());
    return spans;
  };

  for (int ri : candidates) {
    const CompiledRule& r = rules[ri];
    if (masks[ri] != full_mask[ri]) continue;
    if (many_groups[ri]) {
      if (!r.any.empty() && !any_in_set(r.any)) continue;
      bool pre = true;
      for (const auto& g : r.all) pre = pre && any_in_set(g);
      for (const auto& n : r.near) {
        for (const auto& g : n.groups) pre = pre && any_in_set(g);
      }
      if (!pre) continue;
    }
    bool excluded = false;
    for (int t : r.exclude) {
      if (!in_set(t)) continue;
      for (const Span& s : occurrences(t)) {
        if (!negated(s)) {
          excluded = true;
          break;
        }
      }
      if (excluded) break;
    }
    if (excluded) continue;

    RuleHit hit;
    hit.rule = ri;
    bool ok = true;
    if (!r.any.empty()) {
      std::vector<Span> s = live(r, r.any);
      if (s.empty()) continue;
      hit.spans.insert(hit.spans.end(), s.begin(), s.end());
    }
    for (const auto& g : r.all) {
      std::vector<Span> s = live(r, g);
      if (s.empty()) {
        ok = false;
        break;
      }
      hit.spans.insert(hit.spans.end(), s.begin(), s.end());
    }
    if (!ok) continue;
    for (const auto& n : r.near) {
      // Word positions of each group's live occurrences.
      std::vector<std::vector<std::pair<int, Span>>> pos;
      for (const auto& g : n.groups) {
        pos.emplace_back();
        for (const Span& s : live(r, g)) {
          pos.back().emplace_back(word_index(s.first), s);
        }
        if (pos.back().empty()) ok = false;
      }
      if (!ok) break;
      // Try each occurrence of the first group as an anchor: for ordered,
      // later groups must follow in order; otherwise within a window.
      bool found = false;
      std::vector<Span> best;
      for (const auto& [w0, s0] : pos[0]) {
        if (n.ordered) {
          std::vector<Span> chain = {s0};
          int prev = w0;
          bool good = true;
          for (size_t gi = 1; gi < pos.size() && good; ++gi) {
            good = false;
            for (const auto& [w, s] : pos[gi]) {
              if (w > prev && w - w0 <= n.within) {
                chain.push_back(s);
                prev = w;
                good = true;
                break;
              }
            }
          }
          if (good) {
            found = true;
            best = chain;
            break;
          }
        } else {
          std::vector<Span> chain = {s0};
          bool good = true;
          int lo = w0, hi = w0;
          for (size_t gi = 1; gi < pos.size() && good; ++gi) {
            good = false;
            for (const auto& [w, s] : pos[gi]) {
              int nlo = std::min(lo, w), nhi = std::max(hi, w);
              if (nhi - nlo <= n.within) {
                chain.push_back(s);
                lo = nlo;
                hi = nhi;
                good = true;
                break;
              }
            }
          }
          if (good) {
            found = true;
            best = chain;
            break;
          }
        }
      }
      if (!found) {
        ok = false;
        break;
      }
      hit.spans.insert(hit.spans.end(), best.begin(), best.end());
    }
    if (!ok) continue;
    std::sort(hit.spans.begin(), hit.spans.end());
    hit.spans.erase(std::unique(hit.spans.begin(), hit.spans.end()),
                    hit.spans.end());
    out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace shagym::nlp
