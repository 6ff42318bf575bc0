#include "nlp/entities.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_set>

#include "nlp/analysis.h"
#include "nlp/letters.h"
#include "nlp/tokenize.h"
#include "nlp/word_table.h"

namespace shagym::nlp {

const std::vector<std::string>& SpecRegionIds() {
  static const std::vector<std::string> ids = {
      "abai",          "akmola",    "aktobe",           "almaty",
      "almaty_region", "astana",    "atyrau",           "east_kazakhstan",
      "jambyl",        "jetisu",    "karaganda",        "kostanay",
      "kyzylorda",     "mangystau", "north_kazakhstan", "pavlodar",
      "shymkent",      "turkistan", "ulytau",           "west_kazakhstan"};
  return ids;
}

namespace {

// Matching works on a "skeleton" of each token: Kazakh letters folded to
// their Russian look-alikes (қ→к, ғ→г, ң→н, ә→а, ө→о, ұ/ү→у, һ→х, і→и),
// э→е, ь and ъ dropped. So "Қарағанды", "Караганды" (Kazakh typed with
// Russian letters, or the Russian genitive) and "Karagandy" (chat Latin the
// Normalizer turned into Cyrillic) all meet one entry. A gazetteer name
// matches a token when the token is the name plus an inflection suffix of
// Kazakh (-да, -ға, -дағы, -ның, ...) or Russian (-е, -а, -ом, ...), or the
// Russian stem change of names in -а/-я/-й and of adjectives
// ("Жамбылская" → "жамбылской").

// The skeleton of U+0400..U+04FF: the replacement code point, 0 to drop.
struct SkeletonTable {
  UChar32 of[256];
  SkeletonTable() {
    for (UChar32 c = 0x0400; c <= 0x04FF; ++c) {
      UChar32 r = c;
      switch (c) {
        case 0x04D9:
          r = 0x0430;
          break;  // ә
        case 0x0493:
          r = 0x0433;
          break;  // ғ
        case 0x049B:
          r = 0x043A;
          break;  // қ
        case 0x04A3:
          r = 0x043D;
          break;  // ң
        case 0x04E9:
          r = 0x043E;
          break;  // ө
        case 0x04B1:
        case 0x04AF:
          r = 0x0443;
          break;  // ұ ү
        case 0x04BB:
          r = 0x0445;
          break;  // һ
        case 0x0456:
          r = 0x0438;
          break;  // і
        case 0x044D:
          r = 0x0435;
          break;  // э
        case 0x044C:
        case 0x044A:
          r = 0;
          break;  // ь ъ
        default:
          break;
      }
      of[c - 0x0400] = r;
    }
  }
};

const SkeletonTable& Skeletons() {
  static const SkeletonTable table;
  return table;
}

// The skeleton of U+0400..U+04FF as UTF-8: `len` is 2, or 0 to drop.
struct SkeletonBytes {
  char b0[256], b1[256];
  uint8_t len[256];
  SkeletonBytes() {
    const SkeletonTable& t = Skeletons();
    for (int k = 0; k < 256; ++k) {
      const UChar32 r = t.of[k];
      b0[k] = static_cast<char>(0xC0 | (r >> 6));
      b1[k] = static_cast<char>(0x80 | (r & 0x3F));
      len[k] = r == 0 ? 0 : 2;
    }
  }
};

const SkeletonBytes& GetSkeletonBytes() {
  static const SkeletonBytes table;
  return table;
}

// Writes the skeleton of `s` at `out` (room for s.size() bytes: a skeleton
// is never longer than its text) and returns its length. `table`:
// GetSkeletonBytes(), fetched once by callers that write many.
size_t WriteSkeleton(std::string_view s, char* out,
                     const SkeletonBytes& table = GetSkeletonBytes()) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  size_t o = 0;
  for (int32_t i = 0; i < n;) {
    const uint8_t b0 = p[i];
    if (b0 < 0x80) {
      out[o++] = static_cast<char>(b0);
      ++i;
      continue;
    }
    // Cyrillic is two bytes, lead 0xD0..0xD3: table look-up.
    if (b0 >= 0xD0 && b0 <= 0xD3 && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      const int k = (((b0 & 0x1F) << 6) | (p[i + 1] & 0x3F)) - 0x0400;
      out[o] = table.b0[k];
      out[o + 1] = table.b1[k];
      o += table.len[k];
      i += 2;
      continue;
    }
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    (void)c;
    std::memcpy(out + o, p + start, static_cast<size_t>(i - start));
    o += static_cast<size_t>(i - start);
  }
  return o;
}

// Same for a token of Cyrillic code points only (Token::cyrillic: two
// bytes each), one table read per code point.
size_t WriteCyrillicSkeleton(std::string_view s, char* out,
                             const SkeletonBytes& table) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  char* o = out;
  for (size_t i = 0; i + 1 < n; i += 2) {
    const int k = (((p[i] & 0x1F) << 6) | (p[i + 1] & 0x3F)) - 0x0400;
    o[0] = table.b0[k];
    o[1] = table.b1[k];
    o += table.len[k];
  }
  return static_cast<size_t>(o - out);
}

void AppendSkeleton(std::string_view s, std::string* out) {
  const size_t at = out->size();
  out->resize(at + s.size());
  out->resize(at + WriteSkeleton(s, out->data() + at));
}

std::string Skeleton(std::string_view s) {
  std::string out;
  AppendSkeleton(s, &out);
  return out;
}

// Looked up for every token that starts like a place name: no allocation.
class SuffixSet {
 public:
  SuffixSet(std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) {
      table_.Insert(w, true);
      longest_ = std::max(longest_, w.size());
    }
  }
  size_t count(std::string_view w) const {
    return w.size() <= longest_ && table_.Contains(w);
  }

 private:
  WordTable<bool> table_;
  size_t longest_ = 0;
};

// The number (1..32) of the letter а..я at `p` (two bytes of UTF-8), else
// 0. REQUIRES: two bytes readable at `p`.
int SkeletonLetter(const char* p) {
  const unsigned v = (static_cast<unsigned>(static_cast<uint8_t>(p[0])) << 8) |
                     static_cast<uint8_t>(p[1]);
  if (v - 0xD0B0u < 16) return static_cast<int>(v - 0xD0B0u) + 1;   // а..п
  if (v - 0xD180u < 16) return static_cast<int>(v - 0xD180u) + 17;  // р..я
  return 0;
}

// What a code point of U+0400..U+04FF adds to the first letters of a
// skeleton, by c - 0x0400: 0 nothing (dropped: ь ъ), 1..32 the letter а..я
// of its skeleton (SkeletonLetter's number), kOtherLetter a skeleton code
// point that is not one of а..я (ё, ў, ...).
constexpr uint8_t kOtherLetter = 33;
struct SkeletonLetterTable {
  uint8_t of[256];
  SkeletonLetterTable() {
    const SkeletonTable& t = Skeletons();
    for (int k = 0; k < 256; ++k) {
      const UChar32 r = t.of[k];
      of[k] = r == 0 ? 0
              : r >= 0x0430 && r <= 0x044F
                  ? static_cast<uint8_t>(r - 0x0430 + 1)
                  : kOtherLetter;
    }
  }
};

const SkeletonLetterTable& GetSkeletonLetters() {
  static const SkeletonLetterTable table;
  return table;
}

// Kazakh inflection suffixes as skeletons (see above), so "ға" is written
// "га", in a trie by letter (all of them are letters а..я): a split of a
// word's tail into suffixes walks it instead of looking up every prefix.
class KazakhSuffixTrie {
 public:
  KazakhSuffixTrie(std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) {
      assert(w.size() % 2 == 0);
      int node = 0;
      for (size_t at = 0; at < w.size(); at += 2) {
        const int l = SkeletonLetter(w.data() + at);
        assert(l > 0);
        if (nodes_[static_cast<size_t>(node)].next[static_cast<size_t>(l)] <
            0) {
          nodes_[static_cast<size_t>(node)].next[static_cast<size_t>(l)] =
              static_cast<int16_t>(nodes_.size());
          nodes_.emplace_back();
        }
        node = nodes_[static_cast<size_t>(node)].next[static_cast<size_t>(l)];
      }
      nodes_[static_cast<size_t>(node)].end = true;
    }
  }
  // Whether `rest` is a chain of at most `depth` suffixes (empty: zero).
  bool Splits(std::string_view rest, int depth) const {
    if (rest.empty()) return true;
    if (depth == 0) return false;
    int node = 0;
    for (size_t at = 0; at + 1 < rest.size(); at += 2) {
      const int l = SkeletonLetter(rest.data() + at);
      if (l == 0) return false;
      node = nodes_[static_cast<size_t>(node)].next[static_cast<size_t>(l)];
      if (node < 0) return false;
      if (nodes_[static_cast<size_t>(node)].end &&
          Splits(rest.substr(at + 2), depth - 1)) {
        return true;
      }
    }
    return false;
  }

 private:
  struct Node {
    bool end = false;  // a suffix ends here
    std::array<int16_t, 33> next;
    Node() { next.fill(-1); }
  };
  std::vector<Node> nodes_ = std::vector<Node>(1);
};

const KazakhSuffixTrie& KazakhSuffixes() {
  static const KazakhSuffixTrie s = {
      "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан",
      "нен", "га", "ге", "ка", "ке", "на", "не", "нын", "нин", "дын", "дин",
      "тын", "тин", "дагы", "деги", "тагы", "теги", "ндагы", "ндеги", "дай",
      "дей", "лык", "лик", "тык", "тик", "дык", "дик", "лар", "лер", "дар",
      "дер", "тар", "тер", "мен", "бен", "пен", "нан", "ына", "ине", "ында",
      "инде", "ынан", "инен", "ынын", "инин", "ындагы", "индеги", "лыктар",
      "ликтер", "тыктар", "тиктер", "дыктар", "диктер", "ша", "ше", "ндагы",
      "ны", "ни",
      // An inserted vowel after a Russian consonant cluster: "Уральскіде".
      "иде", "ыда", "ига", "иге", "ыга", "ынын", "инин", "иден", "ыдан",
      "идеги", "ыдагы"};
  return s;
}

const SuffixSet& RussianSuffixes() {
  static const SuffixSet s = {
      "а",    "у",    "е",     "ом",   "ой",   "ою",   "ы",    "и",    "ей",
      "ем",   "ю",    "я",     "ам",   "ах",   "ами",  "ов",   "ский", "ская",
      "ское", "ские", "ского", "ской", "ском", "скую", "ских", "цы",   "цев"};
  return s;
}

// After dropping a final -а/-я (Астана → Астане, Караганда → Караганды).
const SuffixSet& VowelStemSuffixes() {
  static const SuffixSet s = {"ы", "и", "е", "у", "ой", "ою", "ей", "ю", "я"};
  return s;
}

// After dropping a final -й (Костанай → Костанае, Семей → Семее).
const SuffixSet& YotStemSuffixes() {
  static const SuffixSet s = {"я", "е", "ю", "ем", "и"};
  return s;
}

// Russian adjectives after dropping their two-letter ending.
const SuffixSet& AdjectiveSuffixes() {
  static const SuffixSet s = {"ий",  "ый",  "ой",  "ая",  "ое",  "ые", "ие",
                              "ого", "ему", "ому", "ом",  "ым",  "им", "ую",
                              "ей",  "их",  "ых",  "ыми", "ими", "яя"};
  return s;
}

enum class StemKind { kFull, kVowel, kYot, kAdjective };

struct Stem {
  std::string text;  // skeleton
  StemKind kind;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// Drops the last code point.
std::string_view DropLast(std::string_view s, int count) {
  size_t end = s.size();
  for (int k = 0; k < count && end > 0; ++k) {
    do {
      --end;
    } while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80);
  }
  return s.substr(0, end);
}

std::vector<Stem> StemsOf(const std::string& skel) {
  std::vector<Stem> stems{{skel, StemKind::kFull}};
  const size_t cps = CodePoints(skel);
  if (cps >= 4) {
    static const char* const kAdj[] = {"ая", "ий", "ый", "ой",
                                       "ое", "ие", "ые"};
    bool adjective = false;
    for (const char* a : kAdj) {
      if (EndsWith(skel, a) && (EndsWith(DropLast(skel, 2), "ск") ||
                                EndsWith(DropLast(skel, 2), "цк") ||
                                EndsWith(DropLast(skel, 2), "н") ||
                                EndsWith(DropLast(skel, 2), "в"))) {
        stems.push_back({std::string(DropLast(skel, 2)), StemKind::kAdjective});
        adjective = true;
        break;
      }
    }
    if (!adjective) {
      if (EndsWith(skel, "а") || EndsWith(skel, "я")) {
        stems.push_back({std::string(DropLast(skel, 1)), StemKind::kVowel});
      } else if (EndsWith(skel, "й")) {
        stems.push_back({std::string(DropLast(skel, 1)), StemKind::kYot});
      }
    }
  }
  return stems;
}

bool SplitsIntoKazakhSuffixes(std::string_view rest, int depth) {
  return KazakhSuffixes().Splits(rest, depth);
}

bool StemMatches(const Stem& stem, std::string_view token) {
  if (token.size() < stem.text.size() ||
      token.compare(0, stem.text.size(), stem.text) != 0) {
    return false;
  }
  std::string_view rest = token.substr(stem.text.size());
  switch (stem.kind) {
    case StemKind::kFull:
      return rest.empty() || RussianSuffixes().count(rest) ||
             SplitsIntoKazakhSuffixes(rest, 2);
    case StemKind::kVowel:
      return VowelStemSuffixes().count(rest) > 0;
    case StemKind::kYot:
      return YotStemSuffixes().count(rest) > 0;
    case StemKind::kAdjective:
      return AdjectiveSuffixes().count(rest) > 0;
  }
  return false;
}

struct CompiledName {
  std::vector<std::vector<Stem>> tokens;  // per name token
  std::string region;                     // empty for not_places
  PlaceKind kind = PlaceKind::kTown;
  std::vector<std::string> also;
  bool capitalized_only = false;
  bool blocker = false;
  std::string first_text;  // normalised (not skeleton) first token
};

// "Берікұлы", "Серікқызына", "Ахметович", "Ахметовна" (skeletons).
bool IsPatronymic(std::string_view t) {
  if (CodePoints(t) < 6) return false;
  for (std::string_view p : {"улы", "кызы"}) {
    for (size_t at = t.find(p); at != std::string_view::npos;
         at = t.find(p, at + 1)) {
      if (at >= 4 && SplitsIntoKazakhSuffixes(t.substr(at + p.size()), 2)) {
        return true;
      }
    }
  }
  for (std::string_view p : {"ович", "евич", "овна", "евна", "ична"}) {
    size_t at = t.find(p);
    if (at != std::string_view::npos && at >= 4 &&
        t.size() - at - p.size() <= 4) {
      return true;
    }
  }
  return false;
}

// True when `token` writes a Kazakh letter where the place name `name` has
// another letter: the word matches the name only through folding Kazakh
// letters to Russian ones ("қарағанда" = "compared to" vs Караганда,
// "темір" = "iron" vs Темир). Such a word is the place only with a capital.
bool KazakhLetterWhereNameHasNone(std::string_view name,
                                  std::string_view token) {
  const auto* a = reinterpret_cast<const uint8_t*>(name.data());
  const auto* b = reinterpret_cast<const uint8_t*>(token.data());
  const int32_t na = static_cast<int32_t>(name.size());
  const int32_t nb = static_cast<int32_t>(token.size());
  int32_t i = 0, j = 0;
  while (i < na && j < nb) {
    UChar32 x, y;
    U8_NEXT(a, i, na, x);
    U8_NEXT(b, j, nb, y);
    if (x != y && IsKazakhLetter(y) && !IsKazakhLetter(x)) return true;
  }
  return false;
}

double KindWeight(PlaceKind k) {
  switch (k) {
    case PlaceKind::kRegion:
      return 3;
    case PlaceKind::kCity:
      return 2.5;
    case PlaceKind::kDistrict:
      return 2;
    case PlaceKind::kTown:
      return 1.5;
  }
  return 1;
}

bool GapJoinsName(std::string_view gap) {
  if (gap.empty() || gap.size() > 6) return false;
  for (unsigned char ch : gap) {
    if (ch != ' ' && ch != '-' && ch != '.' && ch != '\t' && ch != '\n') {
      return false;
    }
  }
  return true;
}

// School-related vocabulary on normalised (not skeleton) tokens.
// Called for every token with many prefixes: compare the second byte (the
// letter of a two-byte Cyrillic code point) before calling memcmp.
inline bool StartsWith(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  if (p.size() >= 2 && s[1] != p[1]) return false;
  return std::memcmp(s.data(), p.data(), p.size()) == 0;
}

enum class Inst {
  kNone,
  kSchool,
  kBoarding,
  kKindergarten,
  kCollege,
  kCamp,
  kUniversity
};

// What the letter index told of a token's first letters.
enum class Institution : uint8_t { kAsk, kNo, kMaybe };

const char* InstName(Inst i) {
  switch (i) {
    case Inst::kSchool:
      return "school";
    case Inst::kBoarding:
      return "boarding_school";
    case Inst::kKindergarten:
      return "kindergarten";
    case Inst::kCollege:
      return "college";
    case Inst::kCamp:
      return "camp";
    case Inst::kUniversity:
      return "university";
    case Inst::kNone:
      return "";
  }
  return "";
}

// The institution vocabulary in the order it is tried: the first pattern
// that matches decides. `prefix`: the token starts with `text`; otherwise it
// equals it.
struct InstPattern {
  std::string_view text;
  bool prefix;
  Inst inst;
};
constexpr InstPattern kInstPatterns[] = {
    {"интернат", true, Inst::kBoarding},
    {"мектеп", true, Inst::kSchool},
    {"мектеб", true, Inst::kSchool},
    {"школ", true, Inst::kSchool},  // but not "школьн..", "школот.."
    {"сош", false, Inst::kSchool},
    {"оош", false, Inst::kSchool},
    {"ксш", false, Inst::kSchool},
    {"осш", false, Inst::kSchool},
    {"сш", false, Inst::kSchool},
    {"ниш", false, Inst::kSchool},
    {"нзм", false, Inst::kSchool},
    {"ксош", false, Inst::kSchool},
    {"сопш", false, Inst::kSchool},
    {"жоббм", false, Inst::kSchool},
    {"жббм", false, Inst::kSchool},
    {"ооббм", false, Inst::kSchool},
    {"school", false, Inst::kSchool},
    {"schools", false, Inst::kSchool},
    {"mektep", false, Inst::kSchool},
    {"гимнази", true, Inst::kSchool},
    {"лицей", true, Inst::kSchool},
    {"лицея", true, Inst::kSchool},
    {"лицее", true, Inst::kSchool},
    {"балабақша", true, Inst::kKindergarten},
    {"балабакша", true, Inst::kKindergarten},
    {"детсад", true, Inst::kKindergarten},
    {"садик", true, Inst::kKindergarten},
    {"ясли", true, Inst::kKindergarten},
    {"колледж", true, Inst::kCollege},
    {"техникум", true, Inst::kCollege},
    {"лагер", true, Inst::kCamp},
    {"университет", true, Inst::kUniversity},
    {"универ", true, Inst::kUniversity},
    {"вуз", false, Inst::kUniversity},
    {"вуза", false, Inst::kUniversity},
    {"вузе", false, Inst::kUniversity},
    {"жоо", false, Inst::kUniversity},
};

// First `n` code points of `s`.
std::string_view Prefix(std::string_view s, size_t n) {
  size_t i = 0, cps = 0;
  while (i < s.size() && cps < n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
      ++i;
    }
    ++cps;
  }
  return s.substr(0, i);
}

// The first three code points of every pattern (the whole pattern when
// shorter; a prefix pattern always has three or more): a token that starts
// otherwise is no institution word, which most tokens show with one bit
// test instead of trying every pattern.
const KeyFilter& InstFilter() {
  static const KeyFilter filter = [] {
    KeyFilter f;
    for (const InstPattern& p : kInstPatterns) {
      assert(!p.prefix || CodePoints(p.text) >= 3);
      f.Add(Prefix(p.text, 3));
    }
    return f;
  }();
  return filter;
}

// `head`: the first three code points of `t` (all of it when shorter),
// followed in memory by at least 8 readable bytes; `filter`: whether to
// test it against InstFilter() (false when that was answered already).
Inst InstitutionWord(std::string_view t, std::string_view head,
                     bool filter = true) {
  if (filter && !InstFilter().MayContainPadded(head.data(), head.size())) {
    return Inst::kNone;
  }
  for (const InstPattern& p : kInstPatterns) {
    if (p.prefix ? !StartsWith(t, p.text) : t != p.text) continue;
    if (p.inst == Inst::kSchool && p.text == "школ" &&
        (StartsWith(t, "школьн") || StartsWith(t, "школот"))) {
      continue;
    }
    return p.inst;
  }
  return Inst::kNone;
}

// Words after a number that make it a count, a grade or a year rather than
// a school number ("школе 2 раза", "мектеп 5 сынып").
bool IsCounterWord(std::string_view t) {
  static const char* const kWords[] = {
      "сынып", "класс", "раз",  "час",   "год",   "лет",    "жыл",     "рет",
      "сағат", "сагат", "адам", "оқушы", "окушы", "бала",   "человек", "ученик",
      "минут", "күн",   "кун",  "дн",    "день",  "тенге",  "тг",      "млн",
      "мың",   "тыс",   "этаж", "қабат", "кабат", "метр",   "км",      "ші",
      "шы",    "інші",  "ыншы", "нші",   "ншы",   "ауысым", "смен",    "орын"};
  for (const char* w : kWords) {
    if (StartsWith(t, w)) return true;
  }
  return false;
}

// Plural forms of school words ("школах", "мектептерде", "schools"), as
// skeletons: a number before one counts schools ("в 3 школах").
bool IsPluralSchoolWord(std::string_view t) {
  if (StartsWith(t, "мектептер") || StartsWith(t, "мектебтер") ||
      StartsWith(t, "школалар") || StartsWith(t, "гимназиялар") ||
      StartsWith(t, "лицейлер")) {
    return true;
  }
  static const char* const kWords[] = {
      "школ",      "школах",    "школам",     "школами", "гимназий",
      "гимназиях", "гимназиям", "гимназиями", "лицеев",  "лицеях",
      "лицеям",    "лицеями",   "schools"};
  for (const char* w : kWords) {
    if (t == w) return true;
  }
  return false;
}

// Russian singular genitive after 2, 3, 4 (22, 33, ...): "3 школы" counts
// schools unless a word before governs the genitive ("ученик 3 школы",
// "из 23 школы").
bool IsFewForm(std::string_view number, std::string_view t) {
  if (t != "школы" && t != "гимназии" && t != "лицея") return false;
  const char last = number.back();
  const bool teen = number.size() >= 2 && number[number.size() - 2] == '1';
  return !teen && last >= '2' && last <= '4';
}

bool GovernsGenitive(std::string_view t) {
  static const char* const kStems[] = {
      "учени",     "учител",   "педагог",     "директор",  "завуч",
      "родител",   "выпускни", "администрац", "коллектив", "здани",
      "территори", "двор",     "столов",      "класс",     "спортзал",
      "библиотек", "охран",    "бухгалтер"};
  for (const char* w : kStems) {
    if (StartsWith(t, w)) return true;
  }
  static const char* const kWords[] = {"из",   "у",      "от",       "для",
                                       "до",   "после",  "возле",    "около",
                                       "мимо", "против", "напротив", "с"};
  for (const char* w : kWords) {
    if (t == w) return true;
  }
  return false;
}

// Words just before a bare number that make it a count of schools rather
// than a school's number ("облыстағы 45 мектепте", "тағы 2 мектепке",
// "ещё 3 школы"), as skeletons.
bool IsCountCue(std::string_view t) {
  static const char* const kStems[] = {
      "облыстаг", "облысындаг", "облыс",   "онирдег", "онирде", "елимизде",
      "елдег",    "республик",  "бойынша", "барлык",  "барлыг", "жалпы",
      "тагы",     "шамамен",    "жуык",    "жана",    "всего",  "еще",
      "более",    "свыше",      "почти",   "порядка", "лишь",   "области",
      "стране",   "сразу",      "нескольк"};
  for (const char* w : kStems) {
    if (StartsWith(t, w)) return true;
  }
  return t == "тек" || t == "только";
}

// "no12", "n12", "nr12" (a Latin "No" glued to the number): the digits.
std::string_view LatinNumeroDigits(std::string_view t) {
  for (std::string_view p : {"no", "nr", "n"}) {
    if (t.size() > p.size() && t.substr(0, p.size()) == p) {
      std::string_view d = t.substr(p.size());
      for (char c : d) {
        if (c < '0' || c > '9') return {};
      }
      return d;
    }
  }
  return {};
}

bool IsNumeroWord(std::string_view t) {
  return t == "no" || t == "nr" || t == "number" || t == "номер" || t == "n" ||
         t == "н" || t == "нөмір" || t == "нөмірлі";
}

// Words that stand between a school's number and the school word ("№12
// орта мектеп", "нөмір 4-інші арнайы мектепте", "№5 средняя школа"), as
// skeletons.
bool IsSchoolAdjective(std::string_view t) {
  static const char* const kStems[] = {
      "орта",        "арнайы",   "жалпы",     "билим",     "беретин",
      "мамандандыр", "облыстык", "калалык",   "мемлекет",  "коммунал",
      "кешкы",       "средн",    "общеобраз", "специализ", "городск",
      "областн",     "коррекц",  "вечерн",    "основн",    "начальн"};
  for (const char* w : kStems) {
    if (StartsWith(t, w)) return true;
  }
  return false;
}

// Words right after a bare "N мектеп" that make N a count ("51 мектеп бар",
// "3 мектеп салынды", "5 мектеп жабылды"), as skeletons.
bool IsCountAfterCue(std::string_view t) {
  return t == "бар" || t == "болса" || StartsWith(t, "салын") ||
         StartsWith(t, "ашыл") || StartsWith(t, "жабыл");
}

bool IsOrdinalSuffix(std::string_view t) {
  static const char* const kSuffixes[] = {
      "ші", "шы", "інші", "ыншы", "нші", "ншы", "я",  "й",  "ой", "ая",
      "ую", "ю",  "ом",   "ей",   "го",  "ого", "ый", "ий", "ая", "ой"};
  for (const char* s : kSuffixes) {
    if (t == s) return true;
  }
  return false;
}

bool AllDigits(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "12ші" (digits glued to an ordinal suffix): the digits, else "".
std::string_view GluedOrdinalDigits(std::string_view t) {
  size_t k = 0;
  while (k < t.size() && t[k] >= '0' && t[k] <= '9') ++k;
  if (k == 0 || k == t.size()) return {};
  return IsOrdinalSuffix(t.substr(k)) ? t.substr(0, k) : std::string_view{};
}

bool GapOnly(std::string_view gap, std::string_view allowed_ascii,
             bool allow_numero) {
  size_t i = 0;
  while (i < gap.size()) {
    unsigned char ch = static_cast<unsigned char>(gap[i]);
    if (ch < 0x80) {
      if (allowed_ascii.find(static_cast<char>(ch)) == std::string_view::npos) {
        return false;
      }
      ++i;
      continue;
    }
    std::string_view rest = gap.substr(i);
    if (allow_numero && StartsWith(rest, "\xE2\x84\x96")) {  // №
      i += 3;
    } else if (StartsWith(rest, "\xC2\xAB") || StartsWith(rest, "\xC2\xBB")) {
      i += 2;  // « »
    } else if (StartsWith(rest, "\xE2\x80\x93") ||
               StartsWith(rest, "\xE2\x80\x9C") ||
               StartsWith(rest, "\xE2\x80\x9D")) {
      i += 3;  // – “ ”
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

struct EntityExtractor::Impl {
  std::unique_ptr<Normalizer> normalizer;
  std::vector<CompiledName> names;
  // First three code points of a first-token stem (the whole stem when
  // shorter) -> names.
  // A name under a key, with the first bytes (up to 8) of what all stems of
  // its first token start with: a token that does not start with them
  // matches none of the stems.
  struct Candidate {
    uint64_t head = 0;  // LoadShort8(stem_prefix[id], min(len, 8))
    uint32_t id = 0;
    uint32_t len = 0;  // stem_prefix[id].size()
  };
  WordTable<std::vector<Candidate>> index;
  // Whether any key has 1, 2 or 3 code points (short keys are rare).
  bool has_key_length[4] = {false, false, false, false};
  // The same keys, to skip the look-up of a prefix no name has.
  KeyFilter index_filter;
  // By name id: the bytes all stems of the name's first token start with.
  std::vector<std::string> stem_prefix;

  // The candidates of a token whose first three code points (all of them
  // when fewer) are letters а..я, as nearly all skeletons start: the
  // candidates of its keys of one, two and three letters in the order the
  // loop over key lengths meets them, found with one read by the first two
  // letters and one by the third instead of up to three filter tests and
  // hash probes. Letters are numbered 1..32; 0 is "no more letters". The
  // same cell tells whether an institution word starts with these letters
  // (InstFilter's question, answered exactly).
  static constexpr int kLetters = 33;
  struct Cell {
    uint16_t begin = 0;  // candidates [begin, begin + count) in `merged`
    uint8_t count = 0;
    bool institution = false;
    // Whether the skeleton may be "бала" or start with "детск" (the first
    // words of the two-word kindergarten names): its first three letters
    // are those of one of them.
    bool kinder = false;
  };
  // False when a gazetteer too large for the 16-bit cells left the index
  // unbuilt: then every token takes the look-up by keys.
  bool has_letter_index = false;
  // [first * kLetters + second] -> block (0: nothing whatever follows).
  std::vector<uint16_t> pair_block;
  std::vector<Cell> cells;  // [block * kLetters + third]
  std::vector<Candidate> merged;

  static std::string LetterText(int letter) {
    const unsigned cp = 0x0430u + static_cast<unsigned>(letter) - 1;
    return {static_cast<char>(0xC0 | (cp >> 6)),
            static_cast<char>(0x80 | (cp & 0x3F))};
  }

  // Fills pair_block, cells and merged from `index` and kInstPatterns;
  // after the last Add(). (The gazetteer of config/ needs 140 blocks, 970
  // candidates.)
  void BuildLetterIndex() {
    pair_block.assign(kLetters * kLetters, 0);
    cells.assign(kLetters, Cell{});  // block 0: all empty
    merged.clear();
    // The letters of the institution patterns' first three code points
    // (all of them when fewer), when they are а..я.
    std::unordered_set<int> institution;
    for (const InstPattern& p : kInstPatterns) {
      const std::string_view head = Prefix(p.text, 3);
      int l[3] = {0, 0, 0};
      bool letters = head.size() == 2 * CodePoints(head);
      for (size_t k = 0; letters && 2 * k < head.size(); ++k) {
        l[k] = SkeletonLetter(head.data() + 2 * k);
        letters = l[k] != 0;
      }
      if (letters)
        institution.insert((l[0] * kLetters + l[1]) * kLetters + l[2]);
    }
    std::unordered_set<int> kinder;
    for (std::string_view w :
         {std::string_view("бала"), std::string_view("детск")}) {
      kinder.insert(
          (SkeletonLetter(w.data()) * kLetters + SkeletonLetter(w.data() + 2)) *
              kLetters +
          SkeletonLetter(w.data() + 4));
    }
    // Equal candidate lists share their place in `merged`, equal blocks
    // their cells: the index stays small enough for the cache.
    std::map<std::vector<uint32_t>, uint32_t> list_at;
    std::map<std::vector<uint64_t>, uint16_t> block_of;
    auto append = [&](const std::string& key, std::vector<Candidate>* list) {
      if (const std::vector<Candidate>* c = index.Find(key)) {
        list->insert(list->end(), c->begin(), c->end());
      }
    };
    for (int a = 1; a < kLetters; ++a) {
      const std::string k1 = LetterText(a);
      for (int b = 0; b < kLetters; ++b) {
        const std::string k2 = b == 0 ? std::string() : k1 + LetterText(b);
        std::vector<Cell> block(kLetters);
        std::vector<uint64_t> content;
        bool any = false;
        for (int c = 0; c < kLetters; ++c) {
          if (b == 0 && c > 0) break;  // one letter: nothing after it
          std::vector<Candidate> list;
          append(k1, &list);
          if (b > 0) append(k2, &list);
          if (b > 0 && c > 0) append(k2 + LetterText(c), &list);
          std::vector<uint32_t> ids;
          for (const Candidate& x : list) ids.push_back(x.id);
          auto [it, fresh] =
              list_at.emplace(ids, static_cast<uint32_t>(merged.size()));
          if (fresh) merged.insert(merged.end(), list.begin(), list.end());
          if (it->second > 0xFFFF || list.size() > 0xFF) return;
          Cell& cell = block[static_cast<size_t>(c)];
          cell.begin = static_cast<uint16_t>(it->second);
          cell.count = static_cast<uint8_t>(list.size());
          cell.institution =
              institution.count((a * kLetters + b) * kLetters + c) > 0;
          cell.kinder = kinder.count((a * kLetters + b) * kLetters + c) > 0;
          any = any || cell.count > 0 || cell.institution || cell.kinder;
          content.push_back(uint64_t{cell.begin} << 32 |
                            uint64_t{cell.count} << 2 |
                            uint64_t{cell.kinder} << 1 | cell.institution);
        }
        if (!any) continue;
        auto [it, fresh] = block_of.emplace(
            content, static_cast<uint16_t>(cells.size() / kLetters));
        if (fresh) cells.insert(cells.end(), block.begin(), block.end());
        pair_block[static_cast<size_t>(a * kLetters + b)] = it->second;
      }
    }
    has_letter_index = true;
  }

  // The cell of a skeleton with `cps` (1..3) code points counted and their
  // byte ends `end`, or null when the token needs the look-up by keys.
  const Cell* LetterCell(std::string_view sk, size_t cps,
                         const uint8_t* end) const {
    if (!has_letter_index) return nullptr;
    int l[3] = {0, 0, 0};
    for (size_t k = 0; k < cps; ++k) {
      if (end[k + 1] != 2 * (k + 1)) return nullptr;
      l[k] = SkeletonLetter(sk.data() + 2 * k);
      if (l[k] == 0) return nullptr;
    }
    return CellOf(l);
  }
  // The cell of the first three letters (1..32, 0 past the skeleton's end).
  const Cell* CellOf(const int* l) const {
    const uint16_t block =
        pair_block[static_cast<size_t>(l[0] * kLetters + l[1])];
    return &cells[static_cast<size_t>(block) * kLetters +
                  static_cast<size_t>(l[2])];
  }

  void Add(CompiledName name) {
    uint32_t id = static_cast<uint32_t>(names.size());
    std::string_view common = name.tokens[0][0].text;
    for (const Stem& s : name.tokens[0]) {
      size_t n = 0;
      while (n < common.size() && n < s.text.size() && common[n] == s.text[n]) {
        ++n;
      }
      common = common.substr(0, n);
    }
    stem_prefix.emplace_back(common);
    const Candidate cand{
        LoadShort8(common.data(), std::min<size_t>(common.size(), 8)), id,
        static_cast<uint32_t>(common.size())};
    std::unordered_set<std::string> keys;
    for (const Stem& s : name.tokens[0])
      keys.insert(std::string(Prefix(s.text, 3)));
    for (const std::string& k : keys) {
      const std::vector<Candidate>* have = index.Find(k);
      std::vector<Candidate> ids = have ? *have : std::vector<Candidate>{};
      ids.push_back(cand);
      index.Insert(k, std::move(ids));
      index_filter.Add(k);
      has_key_length[std::min<size_t>(CodePoints(k), 3)] = true;
    }
    names.push_back(std::move(name));
  }

  bool Compile(const std::string& raw, CompiledName* out) const {
    NormalizedText t = normalizer->Normalize(raw);
    for (const Token& tok : Tokenize(t.text)) {
      if (out->tokens.empty()) {
        out->first_text = t.text.substr(tok.begin, tok.end - tok.begin);
      }
      std::string skel = Skeleton(
          std::string_view(t.text).substr(tok.begin, tok.end - tok.begin));
      out->tokens.push_back(StemsOf(skel));
    }
    return !out->tokens.empty();
  }
};

namespace {
std::atomic<bool> g_letter_prefilter{true};
}  // namespace

void EntityExtractor::SetLetterPrefilterForTesting(bool on) {
  g_letter_prefilter.store(on);
}

EntityExtractor::EntityExtractor() : impl_(std::make_unique<Impl>()) {}
EntityExtractor::~EntityExtractor() = default;

StatusOr<std::unique_ptr<EntityExtractor>> EntityExtractor::Create(
    const Gazetteer& gazetteer) {
  auto normalizer = Normalizer::Create();
  if (!normalizer.ok()) return normalizer.status();
  std::unique_ptr<EntityExtractor> ex(new EntityExtractor());
  ex->impl_->normalizer = std::move(*normalizer);
  const auto& ids = SpecRegionIds();
  auto known = [&](const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  for (const GazetteerPlace& p : gazetteer.places) {
    const std::string where = p.where.empty() ? "gazetteer" : p.where;
    if (!known(p.region)) {
      return InvalidArgument(where + ": unknown region id '" + p.region + "'");
    }
    for (const std::string& a : p.also) {
      if (!known(a)) {
        return InvalidArgument(where + ": unknown region id '" + a + "'");
      }
    }
    CompiledName c;
    c.region = p.region;
    c.kind = p.kind;
    c.also = p.also;
    c.capitalized_only = p.capitalized_only;
    if (!ex->impl_->Compile(p.name, &c)) {
      return InvalidArgument(where + ": place name '" + p.name +
                             "' has no letters");
    }
    ex->impl_->Add(std::move(c));
  }
  for (const std::string& phrase : gazetteer.not_places) {
    CompiledName c;
    c.blocker = true;
    if (!ex->impl_->Compile(phrase, &c)) {
      return InvalidArgument("gazetteer: not_places phrase '" + phrase +
                             "' has no letters");
    }
    ex->impl_->Add(std::move(c));
  }
  ex->impl_->BuildLetterIndex();
  return ex;
}

Entities EntityExtractor::Extract(const NormalizedText& text) const {
  return Extract(text, Tokenize(text.text));
}

Entities EntityExtractor::Extract(const AnalyzedText& text) const {
  return Extract(text.normalized, text.tokens);
}

Entities EntityExtractor::Extract(const NormalizedText& text,
                                  const std::vector<Token>& tokens) const {
  Entities out;
  const std::string_view s = text.text;
  auto tok = [&](size_t i) {
    return s.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  };
  auto gap = [&](size_t i) {  // text between token i-1 and token i
    size_t from = i == 0 ? 0 : tokens[i - 1].end;
    return s.substr(from, tokens[i].begin - from);
  };

  // --- Places ---
  // Skeletons of the tokens in one buffer per thread, each at its token's
  // offset (a skeleton is never longer than its token) with 8 spare bytes
  // after the last for the padded filter look-ups; written when first read
  // (empty for numbers): most tokens start like no name and need none.
  struct Skel {
    uint32_t from = 0, len = 0;
    uint8_t cps = 0;                // code points, at most 3 counted
    uint8_t end[4] = {0, 0, 0, 0};  // byte end of the first 1..3
    bool written = false;
    // Whether an institution word starts like it, when the letter index
    // told (else InstitutionWord asks its filter).
    Institution institution = Institution::kAsk;
    // False when the letter index told that it is neither "бала" nor a
    // "детск" word.
    bool kinder = true;
  };
  thread_local std::string arena;
  thread_local std::vector<Skel> skel_at;
  const SkeletonBytes& skeleton_bytes = GetSkeletonBytes();
  const SkeletonLetterTable& skeleton_letters = GetSkeletonLetters();
  if (arena.size() < s.size() + 16) arena.resize(s.size() + 16);
  skel_at.assign(tokens.size(), Skel{});
  const bool prefilter = impl_->has_letter_index &&
                         g_letter_prefilter.load(std::memory_order_relaxed);
  auto write_skel = [&](size_t i) {
    Skel& k = skel_at[i];
    k.written = true;
    if (tokens[i].numeric) return;
    const size_t at = tokens[i].begin;
    k.from = static_cast<uint32_t>(at);
    size_t len;
    if (tokens[i].cyrillic) {
      // Two bytes per code point, in and out.
      len = WriteCyrillicSkeleton(tok(i), arena.data() + at, skeleton_bytes);
      k.cps = static_cast<uint8_t>(std::min<size_t>(len / 2, 3));
      for (uint8_t c = 1; c <= k.cps; ++c) {
        k.end[c] = static_cast<uint8_t>(2 * c);
      }
    } else {
      len = WriteSkeleton(tok(i), arena.data() + at, skeleton_bytes);
      const char* sk = arena.data() + at;
      for (size_t b = 0; b < len && k.cps < 3;) {
        ++b;
        while (b < len && (static_cast<unsigned char>(sk[b]) & 0xC0) == 0x80) {
          ++b;
        }
        k.end[++k.cps] = static_cast<uint8_t>(std::min<size_t>(b, 255));
      }
    }
    k.len = static_cast<uint32_t>(len);
  };
  auto skel = [&](size_t i) {
    if (!skel_at[i].written) write_skel(i);
    return std::string_view(arena.data() + skel_at[i].from, skel_at[i].len);
  };
  // First three code points of skel(i), for InstitutionWord().
  auto head = [&](size_t i) {
    if (!skel_at[i].written) write_skel(i);
    return std::string_view(arena.data() + skel_at[i].from,
                            skel_at[i].end[skel_at[i].cps]);
  };
  struct Hit {
    size_t first, last;  // token range [first, last)
    uint32_t name;
  };
  std::vector<Hit> hits, blocks;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.numeric) continue;
    // A Cyrillic token's cell of the letter index, from the first three
    // letters of its skeleton read off the token itself.
    const Impl::Cell* cell = nullptr;
    if (token.cyrillic && prefilter) {
      int l[3] = {0, 0, 0};
      int n = 0;
      const auto* p = reinterpret_cast<const uint8_t*>(s.data());
      auto letter = [&](uint32_t j) {
        return skeleton_letters
            .of[((p[j] & 0x1F) << 6 | (p[j + 1] & 0x3F)) - 0x0400];
      };
      const uint32_t b0 = token.begin;
      if (token.end - b0 >= 6) {
        // Most tokens: three letters а..я, none dropped, at the start.
        const uint8_t a = letter(b0), b = letter(b0 + 2), c = letter(b0 + 4);
        if (a - 1u < 32 && b - 1u < 32 && c - 1u < 32) {
          l[0] = a;
          l[1] = b;
          l[2] = c;
          n = 3;
        }
      }
      for (uint32_t j = b0; j + 1 < token.end && n < 3; j += 2) {
        const uint8_t v = letter(j);
        if (v == 0) continue;  // dropped
        if (v == kOtherLetter) {
          n = -1;  // the look-up by keys
          break;
        }
        l[n++] = v;
      }
      if (n == 0) continue;  // an empty skeleton
      if (n > 0) {
        cell = impl_->CellOf(l);
        skel_at[i].kinder = cell->kinder;
        skel_at[i].institution =
            cell->institution ? Institution::kMaybe : Institution::kNo;
        if (cell->count == 0) continue;
      }
    }
    const std::string_view sk = skel(i);
    const Skel& ref = skel_at[i];
    if (ref.len == 0) continue;
    const Hit* best = nullptr;
    Hit cand{};
    const size_t cps = ref.cps;
    const uint8_t* prefix_end = ref.end;
    // Tries one candidate name at token i.
    auto consider = [&](const Impl::Candidate& c) {
      // The skeleton arena has 8 spare bytes after every skeleton.
      if (sk.size() < c.len ||
          LoadPadded8(sk.data(), std::min<size_t>(c.len, 8)) != c.head ||
          (c.len > 8 &&
           std::memcmp(sk.data() + 8, impl_->stem_prefix[c.id].data() + 8,
                       c.len - 8) != 0)) {
        return;
      }
      const uint32_t id = c.id;
      const CompiledName& name = impl_->names[id];
      const size_t k = name.tokens.size();
      if (i + k > tokens.size()) return;
      // Checked again below; first here because it is cheap.
      if (name.capitalized_only && !text.IsCapitalized(tokens[i].begin)) {
        return;
      }
      bool ok = true;
      for (size_t j = 0; j < k && ok; ++j) {
        if (j > 0 && !GapJoinsName(gap(i + j))) ok = false;
        if (!ok) break;
        ok = std::any_of(
            name.tokens[j].begin(), name.tokens[j].end(),
            [&](const Stem& st) { return StemMatches(st, skel(i + j)); });
      }
      if (!ok) return;
      // "Бірлік Берікұлы", "Темірлан Ахметович": a person's name.
      if (!name.blocker && k == 1 && i + 1 < tokens.size() &&
          GapOnly(gap(i + 1), " ", false) && IsPatronymic(skel(i + 1))) {
        return;
      }
      if ((name.capitalized_only ||
           (!name.blocker &&
            KazakhLetterWhereNameHasNone(name.first_text, tok(i)))) &&
          !text.IsCapitalized(tokens[i].begin)) {
        return;
      }
      if (name.blocker) {
        blocks.push_back(Hit{i, i + k, id});
        return;
      }
      if (best == nullptr || k > cand.last - cand.first) {
        cand = Hit{i, i + k, id};
        best = &cand;
      }
    };
    if (cell == nullptr) {
      cell = impl_->LetterCell(sk, cps, prefix_end);
      if (cell != nullptr) {
        if (prefilter) skel_at[i].kinder = cell->kinder;
        skel_at[i].institution =
            cell->institution ? Institution::kMaybe : Institution::kNo;
      }
    }
    if (cell != nullptr) {
      const Impl::Candidate* const from = impl_->merged.data() + cell->begin;
      for (const Impl::Candidate* c = from; c != from + cell->count; ++c) {
        consider(*c);
      }
    } else {
      for (size_t plen = 1; plen <= cps; ++plen) {
        if (!impl_->has_key_length[plen]) continue;
        const std::string_view key = sk.substr(0, prefix_end[plen]);
        if (!impl_->index_filter.MayContainPadded(key.data(), key.size())) {
          continue;
        }
        const std::vector<Impl::Candidate>* ids = impl_->index.Find(key);
        if (ids == nullptr) continue;
        for (const Impl::Candidate& c : *ids) consider(c);
      }
    }
    if (best) hits.push_back(cand);
  }
  // Longest match wins; a blocked span yields nothing.
  std::vector<Hit> kept;
  size_t covered = 0;
  for (const Hit& h : hits) {
    if (h.first < covered) continue;
    bool blocked = std::any_of(blocks.begin(), blocks.end(), [&](const Hit& b) {
      return b.first < h.last && h.first < b.last;
    });
    // A longer match starting later inside this one is handled by order:
    // hits are in token order and each is the longest at its start.
    if (blocked) continue;
    kept.push_back(h);
    covered = h.last;
  }
  // Scored only when a place was found (most posts name none).
  if (!kept.empty()) {
    std::map<std::string, double> score;
    std::map<std::string, size_t> first_seen;
    for (const Hit& h : kept) {
      const CompiledName& name = impl_->names[h.name];
      RegionMention m;
      m.region = name.region;
      m.kind = name.kind;
      m.span = TextSpan{tokens[h.first].begin, tokens[h.last - 1].end};
      out.regions.push_back(m);
      if (name.also.empty()) {
        score[name.region] += KindWeight(name.kind);
        first_seen.emplace(name.region, out.regions.size() - 1);
      }
    }
    // Ambiguous names go to whichever of their regions the post supports.
    for (size_t i = 0; i < kept.size(); ++i) {
      const CompiledName& name = impl_->names[kept[i].name];
      if (name.also.empty()) continue;
      std::string pick = name.region;
      double best = score.count(pick) ? score[pick] : 0;
      for (const std::string& a : name.also) {
        double v = score.count(a) ? score[a] : 0;
        if (v > best) {
          best = v;
          pick = a;
        }
      }
      out.regions[i].region = pick;
      score[pick] += 1;
      first_seen.emplace(pick, i);
    }
    double best = 0;
    for (const auto& [region, v] : score) {
      if (v > best ||
          (v == best && first_seen[region] < first_seen[out.region])) {
        best = v;
        out.region = region;
      }
    }
    if (!out.region.empty())
      out.region_span = out.regions[first_seen[out.region]].span;
  }

  // --- School number and institution ---
  Inst first_inst = Inst::kNone;
  for (size_t i = 0; i < tokens.size(); ++i) {
    // Skeletons, so that "гімназия" (Kazakh Latin "gimnaziya" folded) and
    // "балабакша" meet the same words.
    Inst inst =
        tokens[i].numeric || skel_at[i].institution == Institution::kNo
            ? Inst::kNone
            : InstitutionWord(skel(i), head(i),
                              skel_at[i].institution == Institution::kAsk);
    // "бала бақша", "детский сад", "детском саду".
    // The next token's skeleton only when this one can start such a pair.
    if (inst == Inst::kNone && i + 1 < tokens.size() && skel_at[i].kinder) {
      const std::string_view t = skel(i);
      const bool bala = t == "бала";
      if (bala || StartsWith(t, "детск")) {
        const std::string_view u = skel(i + 1);
        if (bala ? StartsWith(u, "бақша") || StartsWith(u, "бакша")
                 : StartsWith(u, "сад")) {
          inst = Inst::kKindergarten;
        }
      }
    }
    if (inst != Inst::kNone && first_inst == Inst::kNone) first_inst = inst;
    if (inst != Inst::kSchool && inst != Inst::kBoarding) continue;
    if (!out.school_number.empty()) continue;
    // Compound school words: "мектеп-лицей", "школа-гимназия", "интернат".
    size_t last = i;
    Inst kind = inst;
    while (last + 1 < tokens.size() && !tokens[last + 1].numeric &&
           GapOnly(gap(last + 1), "-", false)) {
      Inst next = InstitutionWord(skel(last + 1), head(last + 1));
      if (next != Inst::kSchool && next != Inst::kBoarding) break;
      if (next == Inst::kBoarding) kind = Inst::kBoarding;
      ++last;
    }
    // (A) number before: "№12 мектеп", "12-мектеп", "45-ші мектеп",
    // "12-я школа", "12ші мектеп".
    std::string_view number;
    size_t num_token = SIZE_MAX;
    // Adjectives between the number and the school word.
    size_t head = i;
    for (int steps = 0;
         steps < 4 && head >= 2 && !tokens[head - 1].numeric &&
         IsSchoolAdjective(skel(head - 1)) && GapOnly(gap(head), " ", false);
         ++steps) {
      --head;
    }
    if (head >= 1) {
      size_t j = head - 1;
      std::string_view g = gap(head);
      if (!tokens[j].numeric && IsOrdinalSuffix(tok(j)) && j >= 1 &&
          tokens[j - 1].numeric && GapOnly(g, " -", false) &&
          GapOnly(gap(j), " -", false)) {
        num_token = j - 1;
      } else if (tokens[j].numeric && GapOnly(g, " -", false)) {
        num_token = j;
      } else if (!tokens[j].numeric && GapOnly(g, " -", false) &&
                 !GluedOrdinalDigits(tok(j)).empty()) {
        number = GluedOrdinalDigits(tok(j));
        num_token = j;
      } else if (!tokens[j].numeric && GapOnly(g, " -", false) &&
                 !LatinNumeroDigits(tok(j)).empty()) {
        // "No12 mektep".
        number = LatinNumeroDigits(tok(j));
        num_token = j;
      }
      if (num_token == j && tokens[j].numeric) {
        // "12-мектеп", "№12 мектеп", "No 12 mektep": a school's number.
        // A bare "12 мектепте" / "в 12 школе" is one too, unless the form
        // or the word before make it a count ("в 3 школах", "облыстағы 45
        // мектепте", "ещё 2 школы").
        std::string_view before = gap(j);
        const bool marked =
            g.find('-') != std::string_view::npos ||
            before.find("\xE2\x84\x96") != std::string_view::npos ||
            (j >= 1 && GapOnly(before, " .", false) &&
             IsNumeroWord(tok(j - 1)));
        if (!marked) {
          const std::string_view word = skel(i);
          const bool counted = IsPluralSchoolWord(word) ||
                               (word == "мектеп" && last + 1 < tokens.size() &&
                                IsCountAfterCue(skel(last + 1))) ||
                               (IsFewForm(tok(j), word) &&
                                !(j >= 1 && GovernsGenitive(skel(j - 1)))) ||
                               (j >= 1 && GapOnly(before, " ", false) &&
                                IsCountCue(skel(j - 1)));
          if (counted) num_token = SIZE_MAX;
        }
      }
      if (num_token != SIZE_MAX) {
        if (number.empty()) number = tok(num_token);
        // "Батыс-2 мектебі": a micro-district, not a school number.
        std::string_view before = gap(num_token);
        if (num_token > 0 && !before.empty() && before.back() == '-' &&
            !tokens[num_token - 1].numeric) {
          number = {};
        }
        // "5 сынып" / "2024 жыл" never reach here; years are too long.
        if (number.size() > 3) number = {};
      }
    }
    // (B) number after: "школа №7", "СОШ 34", "гимназия 3",
    // "мектеп-гимназия №5", "КГУ «Средняя школа №7»".
    // "школе N12" / "школа No12": a Latin N standing for "№".
    // Never after a plural ("мектептердің 1-інің": one of the schools).
    const bool plural = IsPluralSchoolWord(skel(last));
    if (!plural && number.empty() && last + 1 < tokens.size() &&
        !tokens[last + 1].numeric && GapOnly(gap(last + 1), " ", false)) {
      std::string_view t1 = tok(last + 1);
      std::string_view digits = StartsWith(t1, "no")  ? t1.substr(2)
                                : StartsWith(t1, "n") ? t1.substr(1)
                                                      : std::string_view{};
      if (AllDigits(digits) && digits.size() <= 3) {
        number = digits;
        num_token = last + 1;
      }
    }
    // "school No. 12", "school number 12", "школа номер 12".
    if (!plural && number.empty() && last + 2 < tokens.size() &&
        !tokens[last + 1].numeric && tokens[last + 2].numeric &&
        IsNumeroWord(tok(last + 1)) && GapOnly(gap(last + 1), " ", false) &&
        GapOnly(gap(last + 2), " .:#", false) && tok(last + 2).size() <= 3) {
      number = tok(last + 2);
      num_token = last + 2;
    }
    if (!plural && number.empty() && last + 1 < tokens.size() &&
        tokens[last + 1].numeric) {
      std::string_view g = gap(last + 1);
      const bool numero = g.find("\xE2\x84\x96") != std::string_view::npos;
      if (GapOnly(g, " -:\"'#", true) && tok(last + 1).size() <= 3) {
        bool counter = last + 2 < tokens.size() && !numero &&
                       IsCounterWord(tok(last + 2)) &&
                       GapOnly(gap(last + 2), " -", false);
        bool grade = last + 2 < tokens.size() && IsCounterWord(tok(last + 2)) &&
                     (StartsWith(tok(last + 2), "сынып") ||
                      StartsWith(tok(last + 2), "класс"));
        if (!counter && !grade) {
          number = tok(last + 1);
          num_token = last + 1;
        }
      }
    }
    if (!number.empty() && AllDigits(number)) {
      size_t k = 0;
      while (k + 1 < number.size() && number[k] == '0') ++k;
      if (number.substr(k) != "0") {
        out.school_number = std::string(number.substr(k));
        size_t b = std::min(tokens[num_token].begin, tokens[i].begin);
        size_t e = std::max(tokens[num_token].end, tokens[last].end);
        // Include a "№" just before the number.
        if (b >= 3 && s.substr(b - 3, 3) == "\xE2\x84\x96") b -= 3;
        if (b >= 4 && s.substr(b - 4, 4) == "\xE2\x84\x96 ") b -= 4;
        out.school_span =
            TextSpan{static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
        out.institution = InstName(kind);
      }
    }
  }
  if (out.institution.empty() && first_inst != Inst::kNone) {
    out.institution = InstName(first_inst);
  }
  // A huge post should not pin its buffers for the thread's lifetime.
  if (arena.size() > (size_t{1} << 20)) {
    arena = std::string();
    skel_at = std::vector<Skel>();
  }
  return out;
}

}  // namespace shagym::nlp
