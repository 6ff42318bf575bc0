#include "nlp/rules/rule_set.h"

#include <openssl/evp.h>
#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "nlp/rules/literal_filter.h"
#include "nlp/rules/pattern_set.h"
#include "nlp/rules/stem.h"
#include "nlp/rules/word_index.h"

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
#define SHAGYM_WORD_CHARS SHAGYM_RULE_WORD_CHARS
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

// Words that end with a full stop without ending the sentence ("ул.
// Абая", "Жамбыл обл. 12-мектеп"); any one-letter word is one too.
const WordSet& SentenceAbbreviations() {
  static const auto* s =
      new WordSet{"ул", "обл", "им", "кл", "мкр", "кв", "каб", "шк", "тел",
                  "млн", "тыс", "тг", "руб", "пр", "пер", "просп", "ауд", "стр",
                  "рис", "проф", "доц", "зав", "зам", "нач", "мин", "гор",
                  "пос", "көш", "мед", "сош", "гимн", "напр", "см", "ср", "etc",
                  // Places, measures and titles.
                  "гг", "др", "ст", "корп", "пгт", "мкрн", "млрд", "км", "кг",
                  "мм", "сек", "шт", "дир", "уч", "упр", "отд", "обр", "пред",
                  "акад", "ред", "прим", "тов",
                  // School subjects ("англ. яз", "физ. культура", "каз. тілі").
                  "англ", "каз", "қаз", "рус", "орыс", "яз", "лит", "физ",
                  "мат", "матем", "ист", "геогр", "биол", "информ", "шет"};
  return *s;
}

// Whether a sentence ends between the word `prev` and the word starting at
// byte `next` of `text` (see the near: check in Match).
bool SentenceBreak(std::string_view text, std::pair<size_t, size_t> prev,
                   size_t next) {
  for (size_t i = prev.second; i < next; ++i) {
    const char c = text[i];
    if (c == '!' || c == '?' || c == '\n' || c == '\r') return true;
    // U+2026 HORIZONTAL ELLIPSIS (NFKC makes it "...", but be safe).
    if (c == '\xE2' && i + 2 < next && text[i + 1] == '\x80' &&
        text[i + 2] == '\xA6') {
      return true;
    }
    if (c != '.') continue;
    if (i + 1 < next && text[i + 1] == '.') return true;  // "..."
    const bool space_after = i + 1 >= text.size() || text[i + 1] == ' ' ||
                             text[i + 1] == '\t' || text[i + 1] == ')' ||
                             text[i + 1] == '"';
    if (!space_after) continue;         // "12.05", "т.к" inner stop
    if (i != prev.second) return true;  // "школе ). Учитель"
    const std::string_view word =
        text.substr(prev.first, prev.second - prev.first);
    size_t letters = 0;
    for (size_t j = 0; j < word.size(); ++j) {
      if ((static_cast<unsigned char>(word[j]) & 0xC0) != 0x80) ++letters;
    }
    const bool digits =
        word.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits && (letters <= 1 || SentenceAbbreviations().count(word))) {
      continue;
    }
    return true;
  }
  return false;
}

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
// Negative pronouns and adverbs ("никто", "никогда", "ешкім", "ешқашан"):
// they open a negated clause that runs to its negated verb ("никто в школе
// денег не требует", "ешкім мектепте ақша талап етпейді").
const WordSet& NegativePronouns() {
  static const auto* s =
      new WordSet{"никто",   "никогда", "ничего",   "ни",      "ешкім",
                  "ешқашан", "ешбір",   "ешкимде",  "ешким",   "ешкашан",
                  "ешкімде", "еш",      "ешқандай", "ешкандай"};
  return *s;
}
// A Kazakh negative verb form: the negative -ма-/-ме- (-ба-, -па-) before a
// tense or participle ending (бермейді, сұрамаған, етпеді, төлемейміз).
bool KazakhNegativeVerb(std::string_view w) {
  static const RE2* re = new RE2(
      "^.+[мбп][аәе](?:[йи](?:ды|ді|ди|тын|тін|тин|мын|мін|мин|мыз|міз|миз|"
      "сың|сің|сыз|сіз)|ған|ген|ды|ді|ди|ңыз|ңіз|сын|сін)$");
  return RE2::FullMatch(w, *re);
}
// Russian "нет", "отсутствует" open their own predicate ("в школе нет
// охраны"); they deny what comes before only where they end the clause.
const WordSet& OpensPredicate() {
  static const auto* s =
      new WordSet{"нет", "нету", "отсутствует", "отсутствуют"};
  return *s;
}
// Words of a time phrase that may follow a denial of existence and close
// its clause: "поборов в школе нет уже три года", "травли у нас нет давно",
// "мектепте ондай жоқ екі жыл болды". Digits count as well.
const WordSet& TimeTail() {
  static const auto* s = new WordSet{
      "уже",      "давно",     "больше",   "совсем", "вообще",    "почти",
      "целый",    "год",       "года",     "лет",    "годы",      "месяц",
      "месяца",   "месяцев",   "неделю",   "недели", "недель",    "два",
      "две",      "три",       "четыре",   "пять",   "несколько", "второй",
      "третий",   "четвертый", "пятый",    "с",      "тех",       "пор",
      "прошлого", "этого",     "учебного", "жыл",    "жылдан",    "ай",
      "айдан",    "бері",      "болды",    "екі",    "үш",        "төрт",
      "бес",      "көп",       "баяғыда",  "қазір",  "мүлде",     "енді"};
  return *s;
}
// Prepositions that open a place phrase ("в нашей школе", "на уроках").
const WordSet& PlacePrepositions() {
  static const auto* s =
      new WordSet{"в", "во", "на", "у", "при", "среди", "внутри"};
  return *s;
}
// A Kazakh word of a place phrase: a locative ("мектепте", "сыныпта",
// "бізде") or a possessive pronoun ("біздің").
bool KazakhPlaceWord(std::string_view w) {
  static const WordSet kPossessive = {"біздің",  "біздин", "сіздің", "сиздин",
                                      "олардың", "бізде",  "бизде"};
  if (kPossessive.count(w)) return true;
  if (w.size() <= 6) return false;  // 3+ letters before a 2-letter ending
  for (std::string_view end : {"да", "де", "та", "те"}) {
    if (w.ends_with(end)) return true;
  }
  return false;
}
constexpr int kPlacePhrase = 4;     // words between a term and its denial
constexpr int kNegationBefore = 2;  // words, not counting transparent ones
constexpr int kNegationAfter = 2;
constexpr int kExperienceVerbBefore = 3;  // words back to the governing verb
constexpr int kExperienceClause = 8;   // ... when чтобы follows the verb
constexpr int kClauseScopeBefore = 6;  // words back to a negative pronoun
constexpr int kClauseScopeAfter = 4;   // words on to the negated verb

// One distinct pattern. The finder (which locates occurrences) is compiled
// on first use: most terms never hit, and compiling thousands of large
// Kazakh suffix patterns up front would make loading slow. The Set has
// already validated the same pattern. Most terms never need it: the word
// index stands for their set pattern (see Match).
enum class Indexed {
  kNo,         // RE2 only
  kWords,      // the index finds the occurrences (the finder is not used)
  kStemStart,  // the index finds the stem's starts; the finder has the last
               // word
};

struct Term {
  std::string set_pattern;
  std::string finder_pattern;  // group 1 is the occurrence
  // kStemStart: the finder's group 1 alone; a run of word characters is
  // an occurrence when it matches this whole (see FindAllInRuns).
  std::string whole_pattern;
  std::string reject_pattern;  // optional: occurrences that are not forms
  bool wrapped = false;        // set_pattern runs on " " + text + " "
  // The finder is "(" + pattern + ")": group 1 is the whole match, which
  // RE2 finds with its DFAs alone (no submatch pass).
  bool group_is_match = false;
  Indexed indexed = Indexed::kNo;
  // kWords: the term's pieces are consecutive runs of word characters
  // (the words of a phrase, the parts of "ұрып-соғып"). The index holds the
  // anchor piece (the one with the longest forms: "шторы" of "на шторы");
  // the others are checked against the neighbouring runs.
  struct Piece {
    std::vector<std::string> forms;  // sorted
    bool prefix = false;
    // What stands between the previous run and this one: empty for any
    // non-word characters (between words), else exactly this ("-").
    std::string gap;
  };
  std::vector<Piece> pieces;
  int anchor = 0;

  // True when `run` of `text` is (prefix: starts with) a form of piece j.
  bool PieceMatches(size_t j, std::string_view run) const {
    const Piece& p = pieces[j];
    if (!p.prefix) {
      return std::binary_search(p.forms.begin(), p.forms.end(), run,
                                std::less<>());
    }
    for (const std::string& f : p.forms) {
      if (run.starts_with(f)) return true;
    }
    return false;
  }
  // Each compiled on first use, apart: the index's terms need no finder
  // (FindAllInRuns), the others no whole-run pattern.
  mutable std::once_flag finder_once, reject_once, whole_once;
  mutable std::unique_ptr<RE2> finder;
  mutable std::unique_ptr<RE2> reject;
  mutable std::unique_ptr<RE2> whole;  // kStemStart only

  static RE2::Options FinderOptions() {
    RE2::Options opt;
    opt.set_log_errors(false);
    opt.set_max_mem(64 << 20);
    return opt;
  }
  void PrepareReject() const {
    std::call_once(reject_once, [this] {
      if (!reject_pattern.empty()) {
        reject = std::make_unique<RE2>(reject_pattern, FinderOptions());
      }
    });
  }
  void Prepare() const {
    std::call_once(finder_once, [this] {
      finder = std::make_unique<RE2>(finder_pattern, FinderOptions());
    });
    PrepareReject();
  }
  void PrepareWhole() const {
    std::call_once(whole_once, [this] {
      whole = std::make_unique<RE2>(whole_pattern, FinderOptions());
    });
    PrepareReject();
  }
};

struct NearClause {
  std::vector<std::vector<int>> groups;
  int within = 5;
  bool ordered = false;
  bool across_sentences = false;
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
        s += "W" + std::to_string(n.within) + (n.ordered ? "o" : "u") +
             (n.across_sentences ? "x" : "");
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

namespace {

// Sets compiled from now on use the word index (testing switch).
std::atomic<bool> g_word_index{true};

// Forms of one word, at most this many (Kazakh look-alikes multiply): a
// word with more stays with RE2.
constexpr size_t kMaxFormsPerWord = 4096;

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

  // Which terms occur, in two steps (see Match):
  //  1. the word index over the runs of word characters: plain words,
  //     prefixes and phrases (their occurrences too) and stem starts;
  //  2. RE2 for the rest (`rest_set`: word and stem terms the index cannot
  //     hold, over the text with a space at both ends; `raw_set`: raw RE2
  //     terms over the text), only when a rule that can still fire needs
  //     one of those terms.
  // A text the index cannot judge (Segment() false) and a set compiled
  // without the index use `all_set`: every word and stem term, as before.
  // The sets and the index only say which terms may occur; each term's
  // finder (or the index, for kWords terms) has the last word.
  bool use_index = true;
  WordIndex word_index;
  PatternSet rest_set;
  std::vector<int> rest_term;  // rest_set pattern index -> term
  PatternSet raw_set;
  std::vector<int> raw_term;
  // Every wrapped term; built on first need when the index is in use.
  mutable std::once_flag all_once;
  mutable std::unique_ptr<PatternSet> all_set;  // null: build failed
  mutable std::vector<int> all_term;
  // The raw terms' required literals (see literal_filter.h): a raw term
  // whose literals are missing from a text cannot occur in it.
  LiteralFilter raw_filter;
  std::vector<int> filter_of_term;  // [term]: id in raw_filter, or -1
  std::vector<int> filtered_terms;  // terms with a filter id
  // Per rule: its filtered terms, with the bits of the groups holding
  // them (0: only in not:).
  std::vector<std::vector<std::pair<int, uint64_t>>> filtered_of_rule;
  // Rules that can fire without any index hit.
  std::vector<int> rest_only_rules;
  // Per rule: its raw terms (groups and not:), each once. With the index,
  // a raw term is decided by its own finder, and only for the rules that
  // can still fire: one RE2::Set of all of them builds DFA states for
  // every combination of their windows ("[^.!?]{0,80}"), and most posts
  // need none of them.
  std::vector<std::vector<int>> raw_of_rule;
  // Per rule: groups holding a term the index does not stand for (same
  // bits as full_mask), and whether any term of the rule (groups or not:)
  // is such a term. `all_`: every such term; without it: the filtered raw
  // terms left out (they count only when their literals are found).
  std::vector<uint64_t> rest_mask, all_rest_mask;
  std::vector<unsigned char> has_rest, all_has_rest;
  // Some rule needs RE2 whatever the index finds.
  bool always_rest = false, all_always_rest = false;
  std::string version;

  // Compiles one term; returns its index or -1 with `error` set.
  int AddTerm(const TermSpec& t, const std::string& lang,
              const Normalizer& normalizer, std::map<std::string, int>* index,
              std::string* error);
  // Builds all_set (once).
  const PatternSet* AllSet() const;
  // Whether some rule that can still fire, counting the filtered raw
  // terms whose literals occur in the text (st->char_map from Segment,
  // st->memo reset for this text), uses one of them or a term RE2 must
  // decide anyway. `masks`: the index hits per rule.
  template <typename State>
  bool NeedFilteredRaw(const std::vector<uint64_t>& masks, State* st) const;

  // Appends the occurrences of term t in `text` (its finder, less what
  // its reject pattern refuses).
  void FindAll(int t, std::string_view text,
               std::vector<std::pair<size_t, size_t>>* out) const;
  // The same for a kStemStart term, on a text the index cut into `runs`
  // with `hits`: only the runs the index reports for t are tried, each
  // matched whole without a search or submatches (see the definition).
  void FindAllInRuns(int t, std::string_view text,
                     const std::vector<WordIndex::Run>& runs,
                     const std::vector<WordIndex::Hit>& hits,
                     std::vector<std::pair<size_t, size_t>>* out) const;

  std::vector<RuleHit> Match(std::string_view text,
                             const std::vector<Token>* shared_tokens) const;
};

namespace {

bool AllWordChars(const std::string& word) {
  const auto* p = reinterpret_cast<const uint8_t*>(word.data());
  const int32_t n = static_cast<int32_t>(word.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0 || !IsRuleWordChar(static_cast<char32_t>(c))) return false;
  }
  return !word.empty();
}

// A word of a term cut into runs of word characters and what stands
// between them ("ұрып-соғып": "ұрып", "-", "соғып"). False when the word
// does not start and end with a word character.
bool Pieces(const std::string& word, std::vector<std::string>* runs,
            std::vector<std::string>* gaps) {
  runs->clear();
  gaps->clear();
  const auto* p = reinterpret_cast<const uint8_t*>(word.data());
  const int32_t n = static_cast<int32_t>(word.size());
  std::string gap;
  bool in_run = false;
  for (int32_t i = 0; i < n;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
    const std::string_view ch(word.data() + at, i - at);
    if (IsRuleWordChar(static_cast<char32_t>(c))) {
      if (!in_run) {
        if (runs->empty() && !gap.empty()) return false;
        runs->emplace_back();
        gaps->push_back(gap);
        gap.clear();
        in_run = true;
      }
      runs->back() += ch;
    } else {
      gap += ch;
      in_run = false;
    }
  }
  return !runs->empty() && gap.empty();
}

// Sets `forms` to the literal strings a word's pattern matches (Kazakh
// look-alikes expanded). False when the index cannot stand for the word:
// a character that is no word character, or too many forms. Forms holding
// ј (U+0458, from a look-alike of я) are left out: a text with ј never
// uses the index.
bool WordForms(const std::string& word, bool kk,
               std::vector<std::string>* forms) {
  if (!AllWordChars(word)) return false;
  if (!kk) {
    forms->assign(1, word);
    return true;
  }
  if (!KazakhLiteralForms(word, kMaxFormsPerWord, forms)) return false;
  std::erase_if(*forms, [](const std::string& f) {
    return f.find("\xD1\x98") != std::string::npos;  // ј
  });
  for (const std::string& f : *forms) {
    if (!AllWordChars(f)) return false;
  }
  return true;
}

}  // namespace

int RuleSet::Impl::AddTerm(const TermSpec& t, const std::string& lang,
                           const Normalizer& normalizer,
                           std::map<std::string, int>* index,
                           std::string* error) {
  std::string set_pattern, exact, reject;
  bool bounded = true;
  bool wrapped = true;
  // What the word index would stand for: each piece's forms, whether it is
  // a prefix, the gap before it; empty when the index cannot stand for the
  // term.
  using Piece = Term::Piece;
  std::vector<Piece> pieces;
  Indexed indexed = Indexed::kNo;
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
      bool indexable = true;
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
        std::vector<std::string> runs, gaps;
        indexable = indexable && Pieces(norm, &runs, &gaps);
        for (size_t k = 0; indexable && k < runs.size(); ++k) {
          pieces.emplace_back();
          pieces.back().prefix = prefix && k + 1 == runs.size();
          pieces.back().gap = gaps[k];
          indexable = WordForms(runs[k], kk, &pieces.back().forms);
        }
      }
      if (words == 0) {
        *error = "empty term";
        return -1;
      }
      set_pattern = kSetBoundary + joined + kSetBoundary;
      exact = joined;
      if (indexable) {
        indexed = Indexed::kWords;
      } else {
        pieces.clear();
      }
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
      // The prefilter is [^W](?:start|...): a run that starts with a form of
      // one of the starts.
      std::vector<std::string> all, forms;
      bool indexable = !p->starts.empty();
      for (const std::string& start : p->starts) {
        if (!WordForms(start, p->look_alike, &forms)) {
          indexable = false;
          break;
        }
        all.insert(all.end(), forms.begin(), forms.end());
      }
      if (indexable) {
        indexed = Indexed::kStemStart;
        pieces.emplace_back();
        pieces.back().forms = std::move(all);
        pieces.back().prefix = true;
      }
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
  Term& term = terms.back();
  term.set_pattern = set_pattern;
  term.finder_pattern = finder;
  term.reject_pattern = reject;
  term.wrapped = wrapped;
  term.group_is_match = !bounded;
  if (use_index && indexed != Indexed::kNo) {
    term.indexed = indexed;
    if (indexed == Indexed::kStemStart) {
      term.whole_pattern = "(?:" + exact + ")";
    }
    // The anchor: the piece whose shortest form is longest.
    size_t best = 0;
    int anchor = 0;
    for (size_t k = 0; k < pieces.size(); ++k) {
      std::sort(pieces[k].forms.begin(), pieces[k].forms.end());
      size_t shortest = SIZE_MAX;
      for (const auto& f : pieces[k].forms) {
        shortest = std::min(shortest, f.size());
      }
      if (k == 0 || shortest > best) {
        best = shortest;
        anchor = static_cast<int>(k);
      }
    }
    word_index.Add(pieces[anchor].forms, pieces[anchor].prefix,
                   static_cast<uint32_t>(id));
    term.anchor = anchor;
    term.pieces = std::move(pieces);
    // The index reports the anchor only.
    term.pieces[anchor].forms.clear();
    term.pieces[anchor].forms.shrink_to_fit();
  }
  uses_of_term.emplace_back();
  (*index)[finder] = id;
  return id;
}

const PatternSet* RuleSet::Impl::AllSet() const {
  std::call_once(all_once, [this] {
    auto set = std::make_unique<PatternSet>();
    std::vector<int> term_of;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (!terms[i].wrapped) continue;
      std::string error;
      if (set->Add(terms[i].set_pattern, &error) < 0) return;
      term_of.push_back(static_cast<int>(i));
    }
    std::string error;
    if (!set->Compile(&error)) return;
    all_term = std::move(term_of);
    all_set = std::move(set);
  });
  return all_set.get();
}

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;

size_t RuleSet::rule_count() const { return impl_->rules.size(); }
const RuleInfo& RuleSet::rule(int i) const { return impl_->rules[i].info; }
size_t RuleSet::pattern_count() const { return impl_->terms.size(); }
size_t RuleSet::indexed_count() const {
  size_t n = 0;
  for (const Term& t : impl_->terms) n += t.indexed != Indexed::kNo;
  return n;
}
void RuleSet::SetWordIndexForTesting(bool on) { g_word_index.store(on); }
const std::string& RuleSet::version() const { return impl_->version; }

StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Compile(
    const RuleSetSpec& spec, const Normalizer& normalizer,
    std::vector<std::string>* errors) {
  std::shared_ptr<RuleSet> rs(new RuleSet());
  Impl& im = *rs->impl_;
  im.use_index = g_word_index.load();
  size_t first_error = errors->size();
  std::map<std::string, int> index;
  std::unordered_map<std::string, int> compiled;  // lang, kind, value -> term
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
      if (!IsCategoryId(r.category) && r.category != kSeverityCategory) {
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
          // A shared list ("@school") puts the same terms into dozens of
          // rules: each is compiled once per language.
          std::string key = r.lang + '\x1f';
          key += static_cast<char>('0' + static_cast<int>(t.kind));
          key += t.value;
          if (auto it = compiled.find(key); it != compiled.end()) {
            out->push_back(it->second);
            continue;
          }
          std::string error;
          int id = im.AddTerm(t, r.lang, normalizer, &index, &error);
          if (id < 0) {
            fail(t.where.empty() ? r.where : t.where, error);
          } else {
            compiled.emplace(std::move(key), id);
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
        nc.across_sentences = n.across_sentences;
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
    if (im.use_index && t.indexed != Indexed::kNo) continue;
    std::string error;
    PatternSet& ps = t.wrapped ? im.rest_set : im.raw_set;
    if (ps.Add(t.set_pattern, &error) < 0) {
      errors->push_back("pattern '" + t.set_pattern + "': " + error);
      continue;
    }
    (t.wrapped ? im.rest_term : im.raw_term).push_back(static_cast<int>(i));
  }
  for (PatternSet* ps : {&im.rest_set, &im.raw_set}) {
    std::string error;
    if (!ps->Compile(&error)) errors->push_back("rule set: " + error);
  }
  im.word_index.Build();
  im.filter_of_term.assign(im.terms.size(), -1);
  if (im.use_index) {
    for (int t : im.raw_term) {
      im.filter_of_term[t] = im.raw_filter.Add(im.terms[t].set_pattern);
    }
    im.raw_filter.Build();
    for (int t : im.raw_term) {
      if (!im.raw_filter.filtered(im.filter_of_term[t])) {
        im.filter_of_term[t] = -1;
      } else {
        im.filtered_terms.push_back(t);
      }
    }
  }
  // Without the index the rest is everything: all_set is rest_set.
  for (size_t r = 0; r < im.rules.size(); ++r) {
    const CompiledRule& cr = im.rules[r];
    {
      std::vector<int> raw;
      auto add = [&](const std::vector<int>& terms) {
        for (int t : terms) {
          if (!im.terms[t].wrapped) raw.push_back(t);
        }
      };
      add(cr.any);
      for (const auto& a : cr.all) add(a);
      for (const auto& n : cr.near) {
        for (const auto& ng : n.groups) add(ng);
      }
      add(cr.exclude);
      std::sort(raw.begin(), raw.end());
      raw.erase(std::unique(raw.begin(), raw.end()), raw.end());
      im.raw_of_rule.push_back(std::move(raw));
    }
    {
      std::map<int, uint64_t> filtered;  // term -> group bits
      int g = 0;
      auto group = [&](const std::vector<int>& terms, bool positive) {
        for (int t : terms) {
          if (im.filter_of_term[t] < 0) continue;
          filtered[t] |= positive ? uint64_t{1} << std::min(g, 63) : 0;
        }
        g += positive;
      };
      group(cr.exclude, false);
      if (!cr.any.empty()) group(cr.any, true);
      for (const auto& a : cr.all) group(a, true);
      for (const auto& n : cr.near) {
        for (const auto& ng : n.groups) group(ng, true);
      }
      im.filtered_of_rule.emplace_back(filtered.begin(), filtered.end());
    }
    for (const bool all : {true, false}) {
      auto rest = [&](const std::vector<int>& g) {
        for (int t : g) {
          if (im.terms[t].indexed == Indexed::kNo &&
              (all || im.filter_of_term[t] < 0)) {
            return true;
          }
        }
        return false;
      };
      uint64_t mask = 0;
      bool any_rest = rest(cr.exclude);
      int g = 0;
      auto group = [&](const std::vector<int>& terms) {
        if (rest(terms)) {
          mask |= uint64_t{1} << std::min(g, 63);
          any_rest = true;
        }
        ++g;
      };
      if (!cr.any.empty()) group(cr.any);
      for (const auto& a : cr.all) group(a);
      for (const auto& n : cr.near) {
        for (const auto& ng : n.groups) group(ng);
      }
      (all ? im.all_rest_mask : im.rest_mask).push_back(mask);
      (all ? im.all_has_rest : im.has_rest).push_back(any_rest);
      if (any_rest && (mask & im.full_mask[r]) == im.full_mask[r]) {
        (all ? im.all_always_rest : im.always_rest) = true;
        if (all) im.rest_only_rules.push_back(static_cast<int>(r));
      }
    }
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

namespace {

// Per-thread buffers of Match: a post costs no allocation once they have
// grown. Every per-term and per-rule entry is reset before Match returns.
struct MatchState {
  std::vector<int> matched;           // terms that may occur
  std::vector<unsigned char> flags;   // [term]: in matched
  std::vector<uint64_t> masks;        // [rule]: groups with a matched term
  std::vector<int> candidates;        // rules with a non-zero mask
  std::vector<int> full;              // of those, rules with a full mask
  std::vector<int> occ_slot;          // [term]: index in occ, or -1
  std::deque<std::vector<Span>> occ;  // occurrences of the terms in use
  size_t occ_used = 0;
  std::vector<int> occ_terms;  // terms with a slot
  std::vector<int> raw_found;  // raw terms found, not yet counted
  std::vector<WordIndex::Run> runs;
  std::vector<uint32_t> ids;
  std::vector<WordIndex::Hit> hits;  // (run, term)
  std::string wrapped;
  std::vector<int> set_ids;
  std::vector<Span> tokens;
  std::vector<uint32_t> facts;  // [token]: see `fact` in Match
  WordIndex::CharMap char_map;
  LiteralFilter::Memo memo;
};

MatchState& State() {
  static thread_local MatchState state;
  return state;
}

}  // namespace

void RuleSet::Impl::FindAll(int t, std::string_view text,
                            std::vector<Span>* out) const {
  const Term& term = terms[t];
  term.Prepare();
  if (!term.finder->ok()) return;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece m[2];
  const int groups = term.group_is_match ? 1 : 2;
  const re2::StringPiece& found = m[groups - 1];
  size_t pos = 0;
  while (pos <= text.size() && term.finder->Match(input, pos, text.size(),
                                                  RE2::UNANCHORED, m, groups)) {
    if (found.data() == nullptr) break;
    size_t b = static_cast<size_t>(found.data() - text.data());
    size_t e = b + found.size();
    if (e > b && !(term.reject &&
                   RE2::PartialMatch(text.substr(b, e - b), *term.reject))) {
      out->emplace_back(b, e);
    }
    size_t next = e > b ? e : e + 1;
    if (next <= pos) next = pos + 1;
    pos = next;
  }
}

// Equal to FindAll on a text for which the index's Segment() held (valid
// UTF-8, no ј), for these reasons:
//  - a stem's finder is kBegin(exact)kEnd, and exact (the stem's variants
//    and their suffixes, letters of kWordChars or ј) matches only word
//    characters of such a text, so an occurrence starts at the start of a
//    run (kBegin) and ends at its end (kEnd): it is a whole run, and a run
//    is one when exact matches all of it, whichever alternative RE2 would
//    prefer;
//  - every alternative of exact starts with one of the stem's starts, whose
//    forms the index holds as prefixes for t, so every such run is a hit;
//  - runs do not overlap and hits come in run order, as the finder's
//    matches come in text order.
// A search per occurrence asks RE2 for group 1: a forward and a reverse
// DFA pass and then a submatch pass (BitState over the whole program, one
// bit per instruction and byte), ~18,000 instructions for one word of a
// shipped stem; the whole match of a run is one anchored DFA pass.
void RuleSet::Impl::FindAllInRuns(int t, std::string_view text,
                                  const std::vector<WordIndex::Run>& runs,
                                  const std::vector<WordIndex::Hit>& hits,
                                  std::vector<Span>* out) const {
  const Term& term = terms[t];
  term.PrepareWhole();
  if (!term.whole->ok()) {  // too large for its budget: as the finder does
    FindAll(t, text, out);
    return;
  }
  const uint32_t id = static_cast<uint32_t>(t);
  for (const WordIndex::Hit& h : hits) {
    if (h.id != id) continue;
    const WordIndex::Run& run = runs[h.run];
    const std::string_view word = text.substr(run.begin, run.end - run.begin);
    if (!RE2::FullMatch(word, *term.whole)) continue;
    if (term.reject && RE2::PartialMatch(word, *term.reject)) continue;
    out->emplace_back(run.begin, run.end);
  }
}

template <typename State>
bool RuleSet::Impl::NeedFilteredRaw(const std::vector<uint64_t>& masks,
                                    State* st) const {
  auto possible = [&](int t) {
    return raw_filter.MayMatch(filter_of_term[t], st->char_map, &st->memo);
  };
  // Rule r can fire counting the filtered terms that may occur, and then
  // uses a term that RE2 must decide.
  auto needs = [&](int r) __attribute__((always_inline)) {
    if (!all_has_rest[r] || (masks[r] | all_rest_mask[r]) != full_mask[r]) {
      return false;
    }
    uint64_t missing = full_mask[r] & ~(masks[r] | rest_mask[r]);
    bool uses = has_rest[r];
    for (const auto& [t, bits] : filtered_of_rule[r]) {
      if ((bits & missing) != 0 && possible(t)) {
        missing &= ~bits;
        uses = true;
      }
    }
    if (missing != 0) return false;
    for (size_t k = 0; !uses && k < filtered_of_rule[r].size(); ++k) {
      uses = possible(filtered_of_rule[r][k].first);
    }
    return uses;
  };
  for (int r : st->candidates) {
    if (needs(r)) return true;
  }
  for (int r : rest_only_rules) {
    if (masks[r] == 0 && needs(r)) return true;
  }
  return false;
}

std::vector<RuleHit> RuleSet::Impl::Match(
    std::string_view text, const std::vector<Token>* shared_tokens) const {
  std::vector<RuleHit> out;
  if (text.empty() || terms.empty()) return out;
  MatchState& st = State();
  if (st.flags.size() < terms.size()) st.flags.resize(terms.size(), 0);
  if (st.occ_slot.size() < terms.size()) st.occ_slot.resize(terms.size(), -1);
  if (st.masks.size() < rules.size()) st.masks.resize(rules.size(), 0);
  // The cost of a post grows with what it matched, not with the size of
  // the rule set: only what was set is cleared.
  struct Reset {
    MatchState& st;
    ~Reset() {
      for (int t : st.matched) st.flags[t] = 0;
      for (int r : st.candidates) st.masks[r] = 0;
      for (int t : st.occ_terms) st.occ_slot[t] = -1;
      st.matched.clear();
      st.candidates.clear();
      st.occ_terms.clear();
      st.occ_used = 0;
    }
  } reset{st};
  std::vector<uint64_t>& masks = st.masks;

  // A term that may occur: flagged (a look-up is one load; rules have
  // dozens of terms each, all looked up) and counted in the masks of the
  // rules using it.
  auto add_matched = [&](int t) {
    if (st.flags[t] != 0) return;
    st.flags[t] = 1;
    st.matched.push_back(t);
    for (const auto& [r, bit] : uses_of_term[t]) {
      if (masks[r] == 0) st.candidates.push_back(r);
      masks[r] |= uint64_t{1} << bit;
    }
  };
  auto in_set = [&](int t) { return st.flags[t] != 0; };
  // The occurrences of term t, computed once per post.
  auto occ_of = [&](int t) -> std::vector<Span>& {
    int& slot = st.occ_slot[t];
    if (slot < 0) {
      slot = static_cast<int>(st.occ_used++);
      if (st.occ.size() < st.occ_used) st.occ.emplace_back();
      st.occ[slot].clear();
      st.occ_terms.push_back(t);
    }
    return st.occ[slot];
  };
  auto scan = [&](const PatternSet& set, const std::vector<int>& term_of,
                  bool wrap) {
    if (set.size() == 0) return;
    if (wrap) {
      st.wrapped.clear();
      st.wrapped += ' ';
      st.wrapped += text;
      st.wrapped += ' ';
      set.Match(st.wrapped, &st.set_ids);
    } else {
      set.Match(text, &st.set_ids);
    }
    for (int i : st.set_ids) add_matched(term_of[i]);
  };

  const bool match_all = PatternSet::MatchAllForTesting();
  // 1. The index, run by run, while the text is cut into runs: which
  // words match where.
  const bool fast =
      use_index && !match_all &&
      word_index.SegmentAndLookup(
          text, &st.runs, filtered_terms.empty() ? nullptr : &st.char_map,
          &st.hits, &st.ids);
  if (fast) {
    const auto& runs = st.runs;
    // Terms whose anchor matched: a stem may occur (its finder decides); a
    // word or phrase occurs where its other pieces match the runs around
    // the anchor. Like the finder's search, a phrase's occurrences do not
    // overlap: the next starts after the previous one ends.
    for (const auto& [r, id] : st.hits) {
      const int t = static_cast<int>(id);
      const Term& term = terms[t];
      if (term.indexed == Indexed::kStemStart) {
        add_matched(t);
        continue;
      }
      const size_t k = term.pieces.size();
      const size_t a = static_cast<size_t>(term.anchor);
      if (r < a || r - a + k > runs.size()) continue;
      const size_t first = r - a;
      bool ok = true;
      for (size_t j = 0; j < k && ok; ++j) {
        const WordIndex::Run& run = runs[first + j];
        if (j != a) {
          ok =
              term.PieceMatches(j, text.substr(run.begin, run.end - run.begin));
        }
        const std::string& gap = term.pieces[j].gap;
        if (ok && j > 0 && !gap.empty()) {
          const uint32_t prev_end = runs[first + j - 1].end;
          ok = text.substr(prev_end, run.begin - prev_end) == gap;
        }
      }
      if (!ok) continue;
      const Span span(runs[first].begin, runs[first + k - 1].end);
      std::vector<Span>& occ = occ_of(t);
      if (!occ.empty() && span.first < occ.back().second) continue;
      occ.push_back(span);
      add_matched(t);
    }
    // 2. RE2 for the terms the index does not hold, when a rule that can
    // still fire (each of its groups has a hit or such a term) uses one.
    // A raw term whose literals are missing from the text counts as
    // absent: first without those terms, then, when they could matter,
    // with those whose literals are found.
    bool need_rest = always_rest;
    for (size_t i = 0; i < st.candidates.size() && !need_rest; ++i) {
      const int r = st.candidates[i];
      need_rest = has_rest[r] && (masks[r] | rest_mask[r]) == full_mask[r];
    }
    // Each atom is judged once per text.
    if (!filtered_terms.empty()) st.memo.Reset(raw_filter);
    if (!need_rest && !filtered_terms.empty()) {
      bool could = all_always_rest;
      for (size_t i = 0; i < st.candidates.size() && !could; ++i) {
        const int r = st.candidates[i];
        could =
            all_has_rest[r] && (masks[r] | all_rest_mask[r]) == full_mask[r];
      }
      if (could) need_rest = NeedFilteredRaw(masks, &st);
    }
    if (need_rest) {
      scan(rest_set, rest_term, true);
      // The raw terms of the rules that can still fire, counting every
      // term the index does not stand for as possible (the others cannot
      // fire whatever those terms do, nor can the terms make them), each
      // by its finder when its literals are in the text. A raw term with
      // a slot was decided.
      auto decide = [&](int r) {
        if (!all_has_rest[r] || (masks[r] | all_rest_mask[r]) != full_mask[r]) {
          return;
        }
        for (int t : raw_of_rule[r]) {
          if (st.occ_slot[t] >= 0) continue;
          std::vector<Span>& occ = occ_of(t);
          if (filter_of_term[t] >= 0 &&
              !raw_filter.MayMatch(filter_of_term[t], st.char_map, &st.memo)) {
            continue;
          }
          FindAll(t, text, &occ);
          if (!occ.empty()) st.raw_found.push_back(t);
        }
      };
      // Rules made possible by a found raw term were possible before it
      // was found (its uses are counted in all_rest_mask): deciding the
      // candidates known now decides every term that matters.
      const size_t known = st.candidates.size();
      for (size_t i = 0; i < known; ++i) decide(st.candidates[i]);
      for (int r : rest_only_rules) {
        if (masks[r] == 0) decide(r);
      }
      for (int t : st.raw_found) add_matched(t);
      st.raw_found.clear();
    }
  } else if (match_all) {
    for (size_t t = 0; t < terms.size(); ++t) add_matched(static_cast<int>(t));
  } else {
    const PatternSet* all = use_index ? AllSet() : &rest_set;
    if (all != nullptr) {
      scan(*all, use_index ? all_term : rest_term, true);
    } else {
      // The set did not build: every word and stem term may occur, and
      // the finders decide.
      for (size_t t = 0; t < terms.size(); ++t) {
        if (terms[t].wrapped) add_matched(static_cast<int>(t));
      }
    }
    scan(raw_set, raw_term, false);
  }
  // The rules each of whose groups has a matched term, in rule order
  // (most candidates share a context term and miss a group).
  std::vector<int>& candidates = st.full;
  candidates.clear();
  for (int r : st.candidates) {
    if (masks[r] == full_mask[r]) candidates.push_back(r);
  }
  if (candidates.empty()) return out;
  std::sort(candidates.begin(), candidates.end());

  auto any_in_set = [&](const std::vector<int>& g) {
    for (int t : g) {
      if (in_set(t)) return true;
    }
    return false;
  };

  std::vector<Span>& tokens = st.tokens;
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
      st.facts.assign(tokens.size(), 0);
    }
    return tokens;
  };
  // Index of the token containing or following byte `pos`.
  auto token_at = [&](size_t pos) -> int {
    const auto& tk = token_list();
    auto it =
        std::upper_bound(tk.begin(), tk.end(), pos,
                         [](size_t p, const Span& s) { return p < s.second; });
    return static_cast<int>(it - tk.begin());
  };
  auto occurrences = [&](int t) -> const std::vector<Span>& {
    if (st.occ_slot[t] >= 0) return st.occ[st.occ_slot[t]];
    std::vector<Span>& v = occ_of(t);
    // Not matched, or (fast) a word term the index found nowhere.
    if (!in_set(t) || (fast && terms[t].indexed == Indexed::kWords)) {
      return v;
    }
    if (fast && terms[t].indexed == Indexed::kStemStart) {
      FindAllInRuns(t, text, st.runs, st.hits, &v);
    } else {
      FindAll(t, text, &v);
    }
    return v;
  };
  auto word_at = [&](int k) {
    const auto& tk = token_list();
    return text.substr(tk[k].first, tk[k].second - tk[k].first);
  };
  // A negator belongs to its own clause: the windows stop at , . ; ! ? and
  // line breaks between two words ("не могу молчать, травля в школе").
  // b may be one past the last token (a term after every word): the gap
  // then runs to the end of the text.
  auto clause_break = [&](int a, int b) {
    const auto& tk = token_list();
    const size_t end =
        b < static_cast<int>(tk.size()) ? tk[b].first : text.size();
    for (size_t i = tk[a].second; i < end; ++i) {
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
  // near: stays inside one sentence: "...высмеивают. Учитель говорит..."
  // pairs no words across the full stop. A sentence ends at ! ? a line
  // break, an ellipsis, or a full stop followed by a space (or the end),
  // unless the word before the stop is an abbreviation: one letter ("г.",
  // "ш.", "А.Б. Иванова", "т.к.") or one of SentenceAbbreviations() ("ул.",
  // "обл.", "им.", "кл."). "12.05" and "т.к." have no space after their
  // inner stops. Sentence number of each token, computed once per text.
  std::vector<int> sentence;
  auto sentence_of = [&](int k) {
    const auto& tk = token_list();
    if (sentence.size() != tk.size()) {
      sentence.assign(tk.size(), 0);
      for (size_t j = 1; j < tk.size(); ++j) {
        sentence[j] = sentence[j - 1] +
                      (SentenceBreak(text, tk[j - 1], tk[j].first) ? 1 : 0);
      }
    }
    return sentence[k];
  };
  // What the negation checks ask of word k, each decided once per text: a
  // post that matched much (every "мектеп" of a long post is a span) has
  // the same neighbouring words read for span after span. Two bits per
  // fact: decided, and its value.
  enum Fact : int {
    kFactTransparent,
    kFactNegator,
    kFactNegatorAfter,
    kFactPronoun,
    kFactExperienceVerb,
    kFactKazakhNegativeVerb,
    kFactPlacePreposition,
    kFactKazakhPlace,
  };
  auto fact = [&](int k, Fact f, auto&& decide) -> bool {
    token_list();
    uint32_t& facts = st.facts[static_cast<size_t>(k)];
    const uint32_t known = uint32_t{1} << (2 * f);
    if ((facts & known) == 0) facts |= known | (decide() ? known << 1 : 0);
    return (facts & (known << 1)) != 0;
  };
  auto transparent = [&](int k) {
    return fact(k, kFactTransparent,
                [&] { return Transparent().count(word_at(k)) != 0; });
  };
  auto negator_after = [&](int k) {
    return fact(k, kFactNegatorAfter,
                [&] { return NegatorsAfter().count(word_at(k)) != 0; });
  };
  // Word k negates what follows it. "не" after пока, чуть, едва or ли
  // ("пока не оплатим взнос", "чуть не убили") and before только ("не
  // только травят, но и бьют") does not.
  auto decide_negator = [&](int k) {
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
  // Word k ends its clause, or only a time phrase follows it there ("нет
  // уже три года", "жоқ екі жыл болды").
  auto time_tail_closes = [&](int k) {
    const int n = static_cast<int>(token_list().size());
    for (int j = k + 1;; ++j) {
      if (j >= n || clause_break(j - 1, j)) return true;
      const std::string_view w = word_at(j);
      if (j - k > 4 ||
          (!TimeTail().count(w) &&
           w.find_first_not_of("0123456789") != std::string_view::npos)) {
        return false;
      }
    }
  };
  auto negator_at = [&](int k) {
    return fact(k, kFactNegator, [&] { return decide_negator(k); });
  };
  // A negator just before word k, skipping transparent words.
  auto negator_before = [&](int k) {
    for (int j = k - 1; j >= 0 && !clause_break(j, j + 1); --j) {
      if (negator_at(j)) return true;
      if (!transparent(j)) return false;
    }
    return false;
  };
  // The word after a place phrase that starts at word k ("в нашей школе",
  // "на уроках", "біздің мектепте"): a Russian preposition of place with
  // up to two words after it, or Kazakh words in the locative or a
  // possessive pronoun; k itself when none starts there.
  auto place_phrase_end = [&](int k) {
    const int n = static_cast<int>(token_list().size());
    int after_preposition = 0;
    for (int words = 0; k < n && words < kPlacePhrase; ++k, ++words) {
      if (clause_break(k - 1, k)) break;
      const std::string_view w = word_at(k);
      // The denial is not part of the place ("в классе нет").
      if (w == "не" || negator_after(k)) break;
      if (fact(k, kFactPlacePreposition,
               [&] { return PlacePrepositions().count(w) != 0; })) {
        after_preposition = 2;
      } else if (after_preposition > 0) {
        --after_preposition;
      } else if (!fact(k, kFactKazakhPlace,
                       [&] { return KazakhPlaceWord(word_at(k)); })) {
        break;
      }
    }
    return k;
  };
  auto negated = [&](const Span& s, bool clause_scope = true) {
    const int n = static_cast<int>(token_list().size());
    int first = token_at(s.first);
    int last = token_at(s.second - 1);
    int counted = 0;
    for (int k = first - 1; k >= 0 && counted < kNegationBefore; --k) {
      if (clause_break(k, k + 1)) break;
      if (negator_at(k)) return true;
      if (!transparent(k)) ++counted;
    }
    // "не видела, чтобы ... дрался": a negated verb of seeing followed by
    // чтобы negates its whole clause.
    for (int k = first - 1; k >= 0 && first - k <= kExperienceClause; --k) {
      if (clause_break(k, k + 1)) break;
      if (fact(k, kFactExperienceVerb,
               [&] { return ExperienceVerb(word_at(k)); })) {
        const bool governs = first - k <= kExperienceVerbBefore ||
                             (k + 1 < first && (word_at(k + 1) == "чтобы" ||
                                                word_at(k + 1) == "чтоб"));
        if (governs && negator_before(k)) return true;
        break;
      }
    }
    // Inside a negated clause: a negative pronoun before the term and the
    // clause's negated verb after it, with no negated verb between the
    // pronoun and the term ("никто в школе денег не требует"; but not
    // "никто не помогает в классе, травят").
    auto negated_verb = [&](int k) {
      return (word_at(k) == "не" && k + 1 < n && negator_at(k)) ||
             fact(k, kFactKazakhNegativeVerb,
                  [&] { return KazakhNegativeVerb(word_at(k)); });
    };
    bool opened = false;
    for (int k = first - 1; k >= 0 && first - k <= kClauseScopeBefore; --k) {
      if (clause_break(k, k + 1) || negated_verb(k)) break;
      if (fact(k, kFactPronoun,
               [&] { return NegativePronouns().count(word_at(k)) != 0; })) {
        opened = true;
        break;
      }
    }
    if (opened && clause_scope) {
      for (int k = last + 1; k < n && k - last <= kClauseScopeAfter; ++k) {
        if (clause_break(k - 1, k)) break;
        if (negated_verb(k)) return true;
      }
    }
    counted = 0;
    for (int k = last + 1; k < n && counted < kNegationAfter; ++k) {
      if (clause_break(k - 1, k)) break;
      if (negator_after(k)) return true;
      if (word_at(k) == "не" && k + 1 < n && AfterNe().count(word_at(k + 1))) {
        return true;
      }
      if (!transparent(k)) ++counted;
    }
    // A place between the term and the denial: "травли в нашей школе не
    // было", "буллинг біздің мектепте жоқ". Russian "нет" counts only
    // where it ends the clause ("бьют в школе нет охраны" stays).
    const int denial = place_phrase_end(last + 1);
    if (denial > last + 1 && denial < n && !clause_break(denial - 1, denial)) {
      const std::string_view w = word_at(denial);
      if (w == "не" && denial + 1 < n && AfterNe().count(word_at(denial + 1))) {
        return true;
      }
      if (negator_after(denial) &&
          (!OpensPredicate().count(w) || time_tail_closes(denial))) {
        return true;
      }
    }
    return false;
  };
  // An `all:` group names where it happened (a school, a class, children),
  // not what happened: a negator before it belongs to the verb of its
  // clause ("никто не помогает в классе", "ешкім көмектеспейді сыныпта"),
  // and one after it to what follows ("в школе нет охраны"). A context term
  // is cancelled only when it is negated itself: "не"/"ни" just before it
  // ("не в школе, а во дворе"), емес just after it ("мектепте емес"), or a
  // negator of existence after it that closes the clause, which denies the
  // whole clause, place included ("поборов в нашей школе нет", "травли в
  // школе не было", "мектепте мұндай жағдай жоқ": Kazakh жоқ and емес end
  // their clause even without a comma).
  auto context_negated = [&](const Span& s) {
    const int n = static_cast<int>(token_list().size());
    const int first = token_at(s.first);
    const int last = token_at(s.second - 1);
    if (first > 0 && !clause_break(first - 1, first)) {
      const std::string_view w = word_at(first - 1);
      if ((w == "не" || w == "ни") && negator_at(first - 1)) return true;
    }
    if (last + 1 < n && !clause_break(last, last + 1) &&
        word_at(last + 1).starts_with("емес")) {
      return true;
    }
    auto closes_clause = [&](int k) { return time_tail_closes(k); };
    // Russian "нет", "отсутствует" open their own predicate ("в школе нет
    // охраны"); a Kazakh жоқ or емес ends one, with or without a comma.
    int counted = 0;
    for (int k = last + 1; k < n && counted < kNegationAfter; ++k) {
      if (clause_break(k - 1, k)) break;
      const std::string_view w = word_at(k);
      if (negator_after(k) &&
          (!OpensPredicate().count(w) || closes_clause(k))) {
        return true;
      }
      if (w == "не" && k + 1 < n && AfterNe().count(word_at(k + 1)) &&
          closes_clause(k + 1)) {
        return true;
      }
      if (!transparent(k)) ++counted;
    }
    return false;
  };
  auto live = [&](const CompiledRule& r, const std::vector<int>& g,
                  bool context) {
    std::vector<Span> spans;
    for (int t : g) {
      if (!in_set(t)) continue;  // no occurrence (and no cache entry)
      for (const Span& s : occurrences(t)) {
        if (r.negation && (context ? context_negated(s) : negated(s))) {
          continue;
        }
        spans.push_back(s);
      }
    }
    std::sort(spans.begin(), spans.end());
    return spans;
  };

  for (int ri : candidates) {
    const CompiledRule& r = rules[ri];
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
        if (!negated(s, false)) {
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
      std::vector<Span> s = live(r, r.any, false);
      if (s.empty()) continue;
      hit.spans.insert(hit.spans.end(), s.begin(), s.end());
    }
    for (const auto& g : r.all) {
      std::vector<Span> s = live(r, g, true);
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
        for (const Span& s : live(r, g, false)) {
          pos.back().emplace_back(token_at(s.first), s);
        }
        if (pos.back().empty()) ok = false;
      }
      if (!ok) break;
      // Try each occurrence of the first group as an anchor: for ordered,
      // later groups must follow in order; otherwise within a window.
      bool found = false;
      std::vector<Span> best;
      for (const auto& [w0, s0] : pos[0]) {
        const int sent0 = n.across_sentences ? 0 : sentence_of(w0);
        if (n.ordered) {
          std::vector<Span> chain = {s0};
          int prev = w0;
          bool good = true;
          for (size_t gi = 1; gi < pos.size() && good; ++gi) {
            good = false;
            for (const auto& [w, s] : pos[gi]) {
              if (w > prev && w - w0 <= n.within &&
                  (n.across_sentences || sentence_of(w) == sent0)) {
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
              if (nhi - nlo <= n.within &&
                  (n.across_sentences || sentence_of(w) == sent0)) {
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
