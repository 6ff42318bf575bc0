#include "nlp/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <unordered_set>

#include "common/utf8.h"
#include "nlp/letters.h"

namespace shagym::nlp {

std::pair<size_t, size_t> NormalizedText::ToOriginal(size_t begin,
                                                     size_t end) const {
  size_t b = orig_begin[begin];
  size_t e = orig_end[begin];
  for (size_t i = begin; i < end; ++i) {
    if (orig_begin[i] < b) b = orig_begin[i];
    if (orig_end[i] > e) e = orig_end[i];
  }
  return {b, e};
}

bool NormalizedText::IsCapitalized(size_t offset) const {
  return std::binary_search(capitalized.begin(), capitalized.end(),
                            static_cast<uint32_t>(offset));
}

namespace {

// How it works. Pass 1 walks the original once, code point by code point:
// URLs, @mentions and emoji become one space (mapped to their whole original
// range); everything else is folded (NFKC + case folding; a fast path for
// ASCII and Cyrillic, ICU's NFKC_Casefold for the rest, one normalisation
// segment at a time so that every output code point knows its original
// bytes) and collected into words and gaps. Pass 2 decides, for the whole
// post, whether its Latin-script words are Kazakh (2021 alphabet, 2018
// apostrophes, chat Latin), then rewrites words (homoglyphs, Latin Kazakh →
// Cyrillic, elongations) and writes UTF-8 plus the offset map.

struct Cp {
  UChar32 c;      // folded code point
  UChar32 orig;   // first original code point of its segment (for case)
  uint32_t b, e;  // original byte range
};

struct Item {
  uint32_t first, last;  // [first, last) in the Cp buffer
  bool word;
  int cyrillic = 0, latin = 0, digits = 0;
};

bool IsAsciiAlnum(UChar32 c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}
bool IsCyrillicLetter(UChar32 c) {
  return c >= 0x0400 && c <= 0x04FF && !(c >= 0x0482 && c <= 0x0489);
}
bool IsLatinLetter(UChar32 c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}
bool IsApostrophe(UChar32 c) {
  return c == '\'' || c == 0x2019 || c == 0x02BC || c == 0x2018 || c == '`';
}
bool IsWordCp(UChar32 c) {
  if (c < 0x80) return IsAsciiAlnum(c);
  if (IsCyrillicLetter(c)) return true;
  return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

bool IsEmojiCp(UChar32 c) {
  if (c < 0xA9) return false;
  if (c == 0xA9 || c == 0xAE) return true;
  if (c < 0x2000) return false;
  if (c == 0x200D || c == 0xFE0F || c == 0xFE0E || c == 0x20E3) return true;
  if (c >= 0x1F1E6 && c <= 0x1F1FF) return true;  // regional indicators
  if (c >= 0x1F3FB && c <= 0x1F3FF) return true;  // skin tones
  if (c >= 0xE0020 && c <= 0xE007F) return true;  // tag sequences
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC);
}

// Latin look-alikes of Cyrillic letters, by the original code point (case
// matters: "B" looks like "В", "b" does not look like "в" but is used so).
UChar32 HomoglyphToCyrillic(UChar32 orig) {
  switch (orig) {
    case 'A':
    case 'a':
      return 0x0430;
    case 'B':
    case 'b':
      return 0x0432;
    case 'C':
    case 'c':
      return 0x0441;
    case 'E':
    case 'e':
      return 0x0435;
    case 'H':
      return 0x043D;
    case 'h':
      return 0x04BB;
    case 'K':
    case 'k':
      return 0x043A;
    case 'M':
    case 'm':
      return 0x043C;
    case 'O':
    case 'o':
      return 0x043E;
    case 'P':
    case 'p':
      return 0x0440;
    case 'T':
    case 't':
      return 0x0442;
    case 'X':
    case 'x':
      return 0x0445;
    case 'Y':
    case 'y':
      return 0x0443;
    case 'I':
    case 'i':
      return 0x0456;
    case 'n':
      return 0x043F;
    case 'u':
      return 0x0438;
    case 'r':
      return 0x0433;
    case 0xC0:
    case 0xE0:
      return 0x0430;  // à
    case 0xC9:
    case 0xE9:
      return 0x0435;  // é
    case 0xD3:
    case 0xF3:
      return 0x043E;  // ó
    default:
      return 0;
  }
}

bool IsLatinVowel(UChar32 c) {
  switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0xE4:
    case 0xF6:
    case 0xFC:
    case 0x131:
    case 0x16B:
    case 0xE1:
    case 0xF3:
    case 0xFA:
    case 0xFD:
      return true;
    default:
      return false;
  }
}

// Letters of Kazakh Latin (2021, 2018 acute, chat). A word with any other
// Latin letter (Turkmen ý, Turkish ç, ...) is not transliterated.
bool IsKazakhLatinLetter(UChar32 c) {
  if (c >= 'a' && c <= 'z') return true;
  switch (c) {
    case 0xE4:
    case 0x11F:
    case 0x131:
    case 0xF1:
    case 0xF6:
    case 0x15F:
    case 0x16B:
    case 0xFC:
    case 0xE1:
    case 0x1F5:
    case 0x144:
    case 0xF3:
    case 0xFA:
      return true;
    default:
      return false;
  }
}

bool IsKazakhLatinMarker(UChar32 c) {
  switch (c) {
    case 0xE4:
    case 0x11F:
    case 0x131:
    case 0xF1:
    case 0x15F:
    case 0x16B:
    case 0x1F5:
    case 0x144:  // ä ğ ı ñ ş ū ǵ ń
      return true;
    default:
      return false;
  }
}

struct LatinLexicon {
  std::unordered_set<std::string> kazakh;
  std::unordered_set<std::string> english;
  std::unordered_set<std::string> russian;
};

LatinLexicon BuildLatinLexicon() {
  LatinLexicon l;
  for (const char* w :
       {"men",       "sen",      "biz",         "siz",        "olar",
        "bar",       "joq",      "jok",         "zhok",       "zhoq",
        "jane",      "zhane",    "dep",         "edi",        "eken",
        "emes",      "kerek",    "boldy",       "bolyp",      "bolady",
        "bul",       "osy",      "sol",         "goi",        "gana",
        "ushin",     "uchun",    "ushun",       "turaly",     "kazir",
        "qazir",     "kazyr",    "bugin",       "keshe",      "nege",
        "biraq",     "birak",    "magan",       "sagan",      "ogan",
        "menin",     "menyn",    "senin",       "onyn",       "bizdin",
        "sizdin",    "kalai",    "qalai",       "kalay",      "qalay",
        "kandai",    "qandai",   "kaida",       "qaida",      "kim",
        "tagy",      "endi",     "bari",        "sebebi",     "eger",
        "jatyr",     "zhatyr",   "keldi",       "ketti",      "aitty",
        "berdi",     "aldy",     "oiyn",        "oin",        "oyin",
        "oiyny",     "oiny",     "bala",        "balalar",    "balam",
        "balany",    "balaga",   "mektep",      "mektepte",   "mektepke",
        "mektebi",   "mugalim",  "mugalimi",    "ustaz",      "okushy",
        "oqushy",    "synyp",    "sabak",       "sabaq",      "jaksy",
        "zhaksy",    "jaqsy",    "zhaqsy",      "jaman",      "zhaman",
        "ote",       "katty",    "qatty",       "kop",        "ulken",
        "rahmet",    "rakhmet",  "raqmet",      "salem",      "keremet",
        "tamak",     "tamaq",    "aksha",       "aqsha",      "adam",
        "kun",       "jyl",      "zhyl",        "uy",         "ui",
        "bir",       "eki",      "ush",         "bes",        "qazaq",
        "kazak",     "qazaqsha", "kazaksha",    "tili",       "til",
        "ma",        "me",       "ba",          "be",         "pa",
        "pe",        "qyz",      "kyz",         "ul",         "ata",
        "ana",       "apa",      "agai",        "apai",       "ne",
        "da",        "de",       "ta",          "te",         "tek",
        "tym",       "shynymen", "durys",       "durys",      "maskara",
        "masqara",   "uyat",     "qorqynyshty", "oqu",        "oku",
        "jerde",     "auyl",     "auylda",      "kelmeidi",   "bolmaidi",
        "istemeidi", "unaidy",   "unady",       "unamady",    "jasaidy",
        "qoldanba",  "qosymsha", "jukteu",      "ashylmaidy", "tuspeidi",
        "jumys",     "zhumys",   "isteidi",     "kep",        "koryp",
        "koredi",    "kunde",    "barlyk",      "barlyq",     "baska",
        "basqa",     "qajet",    "kajet",       "mumkin",     "akyl",
        "aqyl",      "kyzyk",    "qyzyq",       "zhok",       "keledi",
        "ketedi",    "bolsa",    "bolmasa",     "ishinde",    "sondai",
        "osyndai",   "zhane",    "tapsyrma",    "bagasy",     "baga",
        "sapasy",    "sapaly",   "arzan",       "kymbat",     "qymbat",
        "duken",     "satyp",    "aldym",       "aldyq",      "bolyp",
        "sizge",     "bizge",    "tolyq",       "toluq",      "zhauap",
        "jauap",     "suraq",    "surak",       "oryn",       "oryndy",
        "tur",       "jur",      "zhur",        "otyr",       "qoi"}) {
    l.kazakh.insert(w);
  }
  // Russian typed in Latin letters ("v shkole izbili rebenka"): function
  // words and the most frequent words of school posts. Evidence against
  // reading a post's Latin words as Kazakh.
  for (const char* w :
       {"v",         "vo",       "na",          "s",           "so",
        "po",        "ot",       "za",          "iz",          "u",
        "k",         "ko",       "chto",        "shto",        "cho",
        "eto",       "kak",      "vse",         "vsyo",        "vseh",
        "vsekh",     "uzhe",     "tak",         "zhe",         "ochen",
        "kogda",     "gde",      "ona",         "oni",         "vy",
        "ya",        "menya",    "mne",         "tebya",       "tebe",
        "segodnya",  "vchera",   "zavtra",      "tolko",       "esli",
        "ili",       "net",      "est",         "bylo",        "byl",
        "byla",      "byli",     "budet",       "mozhno",      "nado",
        "nuzhno",    "pochemu",  "zachem",      "tozhe",       "seichas",
        "sejchas",   "seychas",  "potom",       "eshe",        "eshche",
        "ego",       "ee",       "ikh",         "ih",          "nas",
        "vas",       "nam",      "vam",         "kto",         "chem",
        "chtoby",    "dazhe",    "vot",         "li",          "by",
        "pri",       "bez",      "nad",         "pod",         "posle",
        "cherez",    "etot",     "eta",         "eti",         "etom",
        "dlya",      "ni",       "nikto",       "nichego",     "shkola",
        "shkole",    "shkoly",   "shkolu",      "deti",        "detei",
        "detey",     "rebenok",  "rebenka",     "rebenku",     "uchitel",
        "uchitelya", "pomogite", "pozhaluista", "pozhaluysta", "spasibo",
        "uzhas",     "roditeli", "roditelei",   "klasse",      "kotoryi",
        "kotorye",   "prosto",   "vsem",        "svoi",        "moi",
        "moya",      "nash",     "nashi",       "syna",        "doch"}) {
    l.russian.insert(w);
  }
  for (const char* w :
       {"the",      "a",         "an",      "and",      "is",       "are",
        "to",       "of",        "in",      "on",       "for",      "with",
        "this",     "that",      "it",      "you",      "i",        "we",
        "they",     "my",        "your",    "be",       "have",     "has",
        "was",      "were",      "not",     "no",       "yes",      "but",
        "or",       "so",        "very",    "good",     "bad",      "great",
        "nice",     "best",      "app",     "game",     "love",     "like",
        "just",     "all",       "can",     "will",     "do",       "does",
        "did",      "get",       "got",     "from",     "by",       "at",
        "as",       "if",        "he",      "she",      "his",      "her",
        "our",      "what",      "when",    "where",    "why",      "how",
        "who",      "time",      "thanks",  "thank",    "please",   "ok",
        "okay",     "wow",       "lol",     "school",   "teacher",  "kids",
        "children", "help",      "news",    "video",    "photo",    "online",
        "top",      "super",     "cool",    "fake",     "like",     "share",
        "follow",   "link",      "bio",     "story",    "stories",  "update",
        "free",     "new",       "one",     "two",      "day",      "today",
        "now",      "here",      "there",   "about",    "more",     "most",
        "some",     "any",       "only",    "also",     "work",     "works",
        "working",  "please",    "problem", "price",    "quality",  "delivery",
        "fast",     "well",      "really",  "bank",     "kaspi",    "halyk",
        "telegram", "instagram", "tiktok",  "whatsapp", "youtube",  "facebook",
        "vk",       "iphone",    "android", "wifi",     "internet", "sms",
        "pdf",      "tv",        "hd",      "dj",       "pro",      "max",
        "plus",     "mini",      "shop",    "market",   "store",    "service",
        "team",     "club",      "city",    "star",     "style",    "beauty",
        "kids",     "family",    "people",  "world",    "english",  "russian",
        "kazakh",   "math",      "it",      "ai",       "ielts",    "sat",
        "ent",      "nis",       "don",     "t",        "s",        "m",
        "re",       "ve",        "ll",      "d",        "im",       "dont",
        "cant",     "its",       "thats",   "whats",    "omg",      "btw",
        "pls",      "plz",       "then",    "than",     "them",     "their",
        "these",    "those",     "would",   "could",    "should",   "must",
        "need",     "want",      "know",    "think",    "see",      "look",
        "make",     "made",      "take",    "come",     "go",       "going",
        "give",     "use",       "used",    "find",     "tell",     "ask",
        "feel",     "try",       "call",    "again",    "still",    "even",
        "back",     "after",     "before",  "never",    "always",   "every",
        "many",     "much",      "other",   "over",     "under",    "into",
        "out",      "up",        "down",    "off",      "same",     "such",
        "own",      "which",     "while",   "because",  "men",      "women",
        "man",      "woman",     "boy",     "girl",     "baby",     "home",
        "house",    "life",      "way",     "year",     "years",    "old",
        "big",      "small",     "long",    "first",    "last",     "next",
        "high",     "right",     "left",    "best",     "better",   "sorry",
        "hello",    "hi",        "bye",     "yeah",     "yep",      "nope",
        "haha",     "hahaha",    "xd"}) {
    l.english.insert(w);
  }
  // Words both lists claim are left to the rest of the post.
  l.english.erase("men");
  for (const std::string& w : l.kazakh) l.russian.erase(w);
  return l;
}

const LatinLexicon& GetLatinLexicon() {
  static const LatinLexicon lexicon = BuildLatinLexicon();
  return lexicon;
}

bool EndsWithAscii(const std::string& w, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return w.size() >= n + 2 && w.compare(w.size() - n, n, suffix) == 0;
}

// Frequent Uzbek words (and stems) in Latin script, apostrophes removed.
bool IsUzbekWord(const std::string& w) {
  static const char* const kStems[] = {
      "maktab", "oqituvchi", "oquvchi", "ogil",    "oglim",
      "xohla",  "uchrash",   "yaxshi",  "qalesan", "qalaysan"};
  static const std::unordered_set<std::string> kWords = {
      "mening",   "sening", "bolani", "bolam", "salom", "juda",    "nima",
      "qanday",   "bilan",  "ham",    "va",    "kerak", "ertaga",  "bugun",
      "dars",     "darsda", "emas",   "yoq",   "bor",   "ustoz",   "rahmat",
      "borishni", "uyga",   "qiz",    "qizim", "ozbek", "toshkent"};
  if (kWords.count(w)) return true;
  for (const char* s : kStems) {
    if (w.compare(0, std::strlen(s), s) == 0) return true;
  }
  return false;
}

// "q" not followed by "u" is Kazakh Latin (2021 and chat), not English.
bool QWithoutU(const std::string& w) {
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 'q' && (i + 1 >= w.size() || w[i + 1] != 'u')) return true;
  }
  return false;
}

// Weak evidence that an ASCII Latin word is Kazakh chat Latin.
bool LooksKazakhLatin(const std::string& w) {
  static const char* const kSuffixes[] = {
      "lar", "ler",  "dar",  "der",  "tar",  "ter",  "nyn", "nin", "dyn",
      "din", "tyn",  "tin",  "myz",  "miz",  "myn",  "min", "syz", "siz",
      "gan", "gen",  "qan",  "ken",  "yp",   "ip",   "dy",  "di",  "ty",
      "ti",  "ga",   "ge",   "qa",   "ke",   "da",   "de",  "ta",  "te",
      "ady", "edi",  "eidi", "aidy", "ymyz", "imiz", "ndy", "ndi", "nda",
      "nde", "dagy", "degi", "sy",   "si",   "ny",   "ni",  "lyq", "lik",
      "lyk", "shy",  "shi",  "pyn",  "byn",
  };
  for (const char* s : kSuffixes) {
    if (EndsWithAscii(w, s)) return true;
  }
  // "y" between consonants ("qyz", "kyzdar") or a "q" not before "u".
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 'y' && i > 0 && i + 1 < w.size() &&
        !IsLatinVowel(static_cast<unsigned char>(w[i - 1])) &&
        !IsLatinVowel(static_cast<unsigned char>(w[i + 1]))) {
      return true;
    }
  }
  return false;
}

// Kazakh suffixes, as chat Latin writes them, that end no English word and
// no Russian word typed in Latin: plural + case ("balalardy", "mektepterde"),
// the evidential past ("urypty", "kelipti"), the negative present
// ("bermeidi", "oqymaidy"), 1st person plural ("baramyz", "beremiz"),
// "-dagy"/"-degi", 2nd person polite ("balanyz").
struct KazakhSuffixes {
  std::unordered_set<std::string> strong;
  size_t shortest_strong = 100, longest_strong = 0;
  // Case, possessive and plural endings and their chains, for a known
  // word + ending ("balam" + "dy", "aksha" + "ny", "balalar" + "ga").
  std::unordered_set<std::string> endings;
  size_t longest_ending = 0;
};

KazakhSuffixes BuildKazakhSuffixes() {
  KazakhSuffixes k;
  const char* const kPlural[] = {"lar", "ler", "dar", "der", "tar", "ter"};
  const char* const kCase[] = {
      "dy",   "di",   "ty",   "ti",   "ny",   "ni",    "ga",   "ge",
      "ka",   "ke",   "qa",   "da",   "de",   "ta",    "te",   "nda",
      "nde",  "dan",  "den",  "tan",  "ten",  "nan",   "nen",  "dyn",
      "din",  "tyn",  "tin",  "nyn",  "nin",  "sy",    "si",   "ym",
      "im",   "myz",  "miz",  "ymyz", "imiz", "yn",    "in",   "ynda",
      "inde", "dagy", "degi", "tagy", "tegi", "ndagy", "ndegi"};
  for (const char* p : kPlural) {
    k.endings.insert(p);
    for (const char* c : kCase) {
      const std::string chain = std::string(p) + c;
      k.endings.insert(chain);
      k.strong.insert(chain);
    }
  }
  for (const char* c : kCase) k.endings.insert(c);
  for (const char* x : {"ypty",  "ipti",  "ypti",  "ipty",  "maidy", "meidi",
                        "baidy", "beidi", "paidy", "peidi", "maidi", "meidy",
                        "ymyz",  "imiz",  "amyz",  "emiz",  "dagy",  "degi",
                        "tagy",  "tegi",  "ngyz",  "ngiz",  "ynyz",  "iniz"}) {
    k.strong.insert(x);
  }
  for (const std::string& x : k.strong) {
    k.shortest_strong = std::min(k.shortest_strong, x.size());
    k.longest_strong = std::max(k.longest_strong, x.size());
  }
  for (const std::string& e : k.endings) {
    k.longest_ending = std::max(k.longest_ending, e.size());
  }
  return k;
}

const KazakhSuffixes& GetKazakhSuffixes() {
  static const KazakhSuffixes suffixes = BuildKazakhSuffixes();
  return suffixes;
}

// Strong evidence that an ASCII Latin word is Kazakh chat Latin: a suffix
// of KazakhSuffixes::strong, or a known Kazakh word of three letters or more
// with case, possessive or plural endings ("balalardy", "balamdy",
// "akshany").
bool SurelyKazakhLatin(const std::string& w,
                       const std::unordered_set<std::string>& lexicon) {
  const KazakhSuffixes& k = GetKazakhSuffixes();
  // Tails that leave a stem of two letters or more.
  for (size_t len = k.shortest_strong;
       len <= k.longest_strong && len + 2 <= w.size(); ++len) {
    if (k.strong.count(w.substr(w.size() - len))) return true;
  }
  for (size_t stem = 3; stem + 2 <= w.size(); ++stem) {
    if (w.size() - stem > k.longest_ending) continue;
    if (k.endings.count(w.substr(stem)) && lexicon.count(w.substr(0, stem))) {
      return true;
    }
  }
  return false;
}

// True when an apostrophe in the word reads as a 2018 Kazakh Latin letter
// ("g'", "n'", "s'") rather than an English contraction ("don't", "it's").
bool KazakhApostrophe(const Cp* w, size_t n) {
  for (size_t k = 1; k < n; ++k) {
    if (!IsApostrophe(w[k].c)) continue;
    UChar32 before = w[k - 1].c;
    if (!std::strchr("agiouynsck", static_cast<int>(before & 0x7F)) ||
        before > 0x7F) {
      continue;
    }
    std::string tail;
    for (size_t j = k + 1; j < n; ++j) {
      if (w[j].c < 0x80) tail.push_back(static_cast<char>(w[j].c));
    }
    if (tail == "t" || tail == "s" || tail == "re" || tail == "ve" ||
        tail == "ll" || tail == "d" || tail == "m") {
      continue;
    }
    if (tail.empty() && before == 's') continue;  // "kids'"
    return true;
  }
  return false;
}

}  // namespace

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc_cf = nullptr;
};

Normalizer::Normalizer() : impl_(std::make_unique<Impl>()) {}
Normalizer::~Normalizer() = default;

StatusOr<std::unique_ptr<Normalizer>> Normalizer::Create() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || n == nullptr) {
    return Internal(std::string("ICU NFKC_Casefold unavailable: ") +
                    u_errorName(status));
  }
  std::unique_ptr<Normalizer> normalizer(new Normalizer());
  normalizer->impl_->nfkc_cf = n;
  return normalizer;
}

namespace {

// The case fold of a Cyrillic letter standing alone, with ё → е.
UChar32 FoldCyrillicLetter(UChar32 c) {
  UChar32 f;
  if (c >= 0x0430 && c <= 0x045F) {
    f = c;  // already lower case
  } else if (c >= 0x0410 && c <= 0x042F) {
    f = c + 0x20;
  } else if (c >= 0x0400 && c <= 0x040F) {
    f = c + 0x50;
  } else {
    f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
  }
  return f == 0x0451 ? 0x0435 : f;  // ё → е
}

// NFKC_Casefold of the Cyrillic letters U+0400..U+04FF standing alone, with
// ё → е (what FoldSegment's Cyrillic path computes), by c - 0x0400; `upper`:
// whether the letter is a capital (EmitWord's test).
struct CyrillicFold {
  UChar32 of[256];
  bool upper[256];
  // Whether the fold of every Cyrillic letter (U+0482..U+0489 aside) is a
  // letter of the block, not a mark or U+0482: then a word of them is one
  // run of letters for TokenBuilder::AddLetters.
  bool letters_fold_to_letters = true;
  // `of` as the two bytes of its UTF-8, in memory order (for a letter when
  // letters_fold_to_letters).
  char utf8[256][2];
  // CyrillicGroups() of `of`.
  uint8_t groups[256];
  // For PutCyrillicLetters: utf8 in the low 16 bits (memory order), groups
  // in bits 16..23, kNotLetter for U+0482..U+0489.
  static constexpr uint32_t kNotLetter = uint32_t{1} << 24;
  uint32_t packed[256];
  CyrillicFold() {
    for (UChar32 c = 0x0400; c <= 0x04FF; ++c) {
      of[c - 0x0400] = FoldCyrillicLetter(c);
      utf8[c - 0x0400][0] = static_cast<char>(0xC0 | (of[c - 0x0400] >> 6));
      utf8[c - 0x0400][1] = static_cast<char>(0x80 | (of[c - 0x0400] & 0x3F));
      upper[c - 0x0400] = c <= 0x042F || (c > 0x045F && u_isupper(c));
      const UChar32 f = of[c - 0x0400];
      groups[c - 0x0400] =
          f >= 0x0400 && f <= 0x04FF ? kCyrillicGroups.of[f - 0x0400] : 0;
      uint16_t bytes;
      std::memcpy(&bytes, utf8[c - 0x0400], 2);
      packed[c - 0x0400] = bytes | (uint32_t{groups[c - 0x0400]} << 16) |
                           (IsCyrillicLetter(c) ? 0 : kNotLetter);
      if (IsCyrillicLetter(c) && !(IsCyrillicLetter(f) && u_isalpha(f))) {
        letters_fold_to_letters = false;
      }
    }
  }
};

const CyrillicFold& GetCyrillicFold() {
  static const CyrillicFold fold;
  return fold;
}

// Cuts the normalised text into tokens while it is written, by the rule of
// Tokenize() (nlp/tokenize.cc) applied to each code point written: a token
// is a maximal run of letters, digits and combining marks that does not
// start with a mark; it is numeric when all its code points are digits.
// Same tokens as Tokenize() on the finished text, without decoding it again.
class TokenBuilder {
 public:
  explicit TokenBuilder(std::vector<Token>* out) : out_(out) {}
  bool on() const { return out_ != nullptr; }
  // The code point `c` was written at output bytes [begin, end).
  void Add(UChar32 c, uint32_t begin, uint32_t end) {
    bool word, digit;
    if (c < 0x80) {
      word = IsAsciiAlnum(c);
      digit = c >= '0' && c <= '9';
    } else if (c >= 0x0400 && c <= 0x04FF) {
      // Marks U+0483..U+0489 continue a word but never start one.
      word = c != 0x0482 && (open_ || c < 0x0483 || c > 0x0489);
      digit = false;
    } else {
      const bool mark = (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
      word = (u_isalnum(c) || mark) && (open_ || c < 0x0300 || !mark);
      digit = u_isdigit(c);
    }
    if (word) {
      if (!open_) {
        cur_ = Token{begin, end, true, true, 0};
        open_ = true;
      }
      if (c >= 0x0400 && c <= 0x04FF) {
        cur_.letter_groups |= kCyrillicGroups.of[c - 0x0400];
      } else {
        cur_.cyrillic = false;
      }
      cur_.numeric = cur_.numeric && digit;
      cur_.end = end;
    } else if (open_) {
      out_->push_back(cur_);
      open_ = false;
    }
  }
  // [begin, end) is a run of Cyrillic letters (no mark, not U+0482) whose
  // CyrillicGroups() or-ed are `groups`.
  void AddLetters(uint32_t begin, uint32_t end, uint8_t groups) {
    if (!open_) {
      cur_ = Token{begin, end, false, true, 0};
      open_ = true;
    }
    cur_.letter_groups |= groups;
    cur_.numeric = false;
    cur_.end = end;
  }
  // A code point that is no word character was written.
  void EndWord() {
    if (open_) out_->push_back(cur_);
    open_ = false;
  }
  void Finish() { EndWord(); }

 private:
  std::vector<Token>* out_;
  Token cur_;
  bool open_ = false;
};

// Buffers a Pass needs only while it runs, kept per thread so that a post
// costs no allocation beyond its result.
struct Scratch {
  std::vector<Cp> cps;
  std::vector<Item> items;
  std::vector<Cp> word;
  // The offset map while it is written (copied into the result at the end:
  // a copy costs less than zero-filling the result ahead).
  std::vector<uint32_t> orig_begin, orig_end;
};

class Pass {
 public:
  // Writes the result into `*out` (its buffers reused; the offset map is
  // written in place when `map_in_place`, else in `scratch` and copied).
  // `tokens`: where to put the tokens of the result, or null.
  Pass(const icu::Normalizer2* nfkc_cf, std::string_view in, Scratch* scratch,
       NormalizedText* out, bool map_in_place, std::vector<Token>* tokens)
      : nfkc_cf_(nfkc_cf),
        s_(reinterpret_cast<const uint8_t*>(in.data())),
        n_(static_cast<int32_t>(in.size())),
        cps_(scratch->cps),
        items_(scratch->items),
        word_(scratch->word),
        ob_(map_in_place ? out->orig_begin : scratch->orig_begin),
        oe_(map_in_place ? out->orig_end : scratch->orig_end),
        cyrillic_(GetCyrillicFold()),
        fold_(cyrillic_.of),
        upper_(cyrillic_.upper),
        out_(*out),
        tokens_(tokens) {
    out_.capitalized.clear();
    if (tokens != nullptr) {
      tokens->clear();
      tokens->reserve(in.size() / 6 + 1);
    }
    if (cps_.size() < in.size() + 16) cps_.resize(in.size() + 16);
    items_.clear();
    word_.clear();
    const size_t cap = in.size() + 64;
    out_.text.resize(cap);
    if (ob_.size() < cap) {
      ob_.resize(cap);
      oe_.resize(cap);
    }
  }

  void Run();

 private:
  // ASCII and two-byte sequences (Latin-1 Supplement to Cyrillic) inline.
  UChar32 Peek(int32_t i, int32_t* next) const {
    const uint8_t b0 = s_[i];
    if (b0 < 0x80) {
      *next = i + 1;
      return b0;
    }
    if (b0 >= 0xC2 && b0 < 0xE0 && i + 1 < n_ && (s_[i + 1] & 0xC0) == 0x80) {
      *next = i + 2;
      return ((b0 & 0x1F) << 6) | (s_[i + 1] & 0x3F);
    }
    UChar32 c;
    U8_NEXT(s_, i, n_, c);
    *next = i;
    return c < 0 ? 0xFFFD : c;
  }
  bool BoundaryBefore(UChar32 c) const {
    if (c < 0x300) return true;
    if (IsCyrillicLetter(c)) return true;
    return nfkc_cf_->hasBoundaryBefore(c);
  }
  // Folds the segment starting at `i` and returns the end of the segment.
  int32_t FoldSegment(int32_t i);
  int32_t TryUrl(int32_t i);
  int32_t TryMention(int32_t i) const;
  void PushSpace(uint32_t b, uint32_t e) { AddCp(' ', ' ', b, e); }
  void AddCp(UChar32 c, UChar32 orig, uint32_t b, uint32_t e) {
    if (ncps_ == cps_.size()) cps_.resize(cps_.size() * 2 + 16);
    Cp& x = cps_[ncps_++];
    x.c = c;
    x.orig = orig;
    x.b = b;
    x.e = e;
    if (c < 0x80) {
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        ++cur_latin_;
      } else if (c >= '0' && c <= '9') {
        ++cur_digits_;
      }
    } else if (IsCyrillicLetter(c)) {
      ++cur_cyrillic_;
    } else if (IsLatinLetter(c)) {
      ++cur_latin_;
    }
  }
  // Ends the open item (a word when `word`), if any code point was added
  // since the last one ended (else the counts are zero already).
  void CloseItem(bool word) {
    if (ncps_ != item_start_) CloseOpenItem(word);
  }
  void CloseOpenItem(bool word);
  void DecideLatin();
  void EmitItem(const Item& item);
  void EmitWord(const Item& item);
  void Transliterate(const Cp* word, size_t n);
  // text, ob_ and oe_ are sized ahead, written up to len_ and trimmed (or
  // copied) at the end of Run().
  // Room for `bytes` more bytes of output.
  void Reserve(size_t bytes) {
    if (len_ + bytes > out_.text.size()) Grow(bytes);
  }
  // REQUIRES: Reserve(4) or more for each code point put since.
  // kTokens: whether to pass the code point to the token builder (false
  // when the caller tells it about a whole run).
  template <bool kTokens = true>
  void Put(UChar32 c, uint32_t b, uint32_t e) {
    char* p = out_.text.data() + len_;
    size_t n;
    UChar32 written = c;
    if (c < 0x80) {
      p[0] = static_cast<char>(c);
      n = 1;
    } else if (c < 0x800) {
      p[0] = static_cast<char>(0xC0 | (c >> 6));
      p[1] = static_cast<char>(0x80 | (c & 0x3F));
      n = 2;
    } else {
      int32_t len = 0;
      UBool err = false;
      U8_APPEND(reinterpret_cast<uint8_t*>(p), len, 4, c, err);
      if (err) {
        std::memcpy(p, "\xEF\xBF\xBD", 3);
        len = 3;
        written = 0xFFFD;
      }
      n = static_cast<size_t>(len);
    }
    uint32_t* ob = ob_.data() + len_;
    uint32_t* oe = oe_.data() + len_;
    for (size_t k = 0; k < n; ++k) {
      ob[k] = b;
      oe[k] = e;
    }
    if (kTokens && tokens_.on()) {
      tokens_.Add(written, static_cast<uint32_t>(len_),
                  static_cast<uint32_t>(len_ + n));
    }
    len_ += n;
  }
  void Grow(size_t bytes) {
    const size_t size = std::max(out_.text.size() * 2, len_ + bytes);
    out_.text.resize(size);
    if (ob_.size() < size) {
      ob_.resize(size);
      oe_.resize(size);
    }
  }
  // Takes a run of code points that need nothing but the fold of a table;
  // false when the one at `*i` needs the general path.
  bool FastRun(int32_t* i, bool* in_word, bool* prev_word_char);
  // Writes the word [from, to) of Cyrillic letters (two bytes each) as
  // EmitWord would write its records (when some letter folds to no
  // letter; else PutCyrillicLetters).
  void EmitCyrillicWord(int32_t from, int32_t to);
  template <bool kTokens>
  void PutCyrillicWord(int32_t from, int32_t to);
  // ASCII that is not a letter or digit, and none of the characters with
  // rules of their own (hashtags, mentions, apostrophes).
  static bool IsPlainGap(uint8_t b) {
    return b < 0x80 && !IsAsciiAlnum(b) && b != '#' && b != '@' && b != '\'' &&
           b != '`';
  }
  // Writes the input bytes [from, to), plain gap characters, as they are.
  void PutAscii(int32_t from, int32_t to) {
    Reserve(static_cast<size_t>(to - from));
    // Not word characters: the first ends the open token, if any.
    if (tokens_.on()) tokens_.EndWord();
    // Gaps are mostly a byte or two: a loop, not a memcpy call.
    const uint8_t* const in = s_;
    char* text = out_.text.data() + len_;
    uint32_t* ob = ob_.data() + len_;
    uint32_t* oe = oe_.data() + len_;
    for (int32_t k = from; k < to; ++k) {
      *text++ = static_cast<char>(in[k]);
      *ob++ = static_cast<uint32_t>(k);
      *oe++ = static_cast<uint32_t>(k + 1);
    }
    len_ += static_cast<size_t>(to - from);
  }
  // Writes the run of Cyrillic letters (CyrillicLetterAt) from `from` on,
  // when every letter folds to a letter (two bytes of UTF-8), without
  // telling the token builder; returns the end of the run and sets the
  // letters' groups. REQUIRES: Reserve(n_ - from).
  int32_t PutCyrillicLetters(int32_t from, uint8_t* groups);
  // Whether a Cyrillic letter (never combining) starts at `i`.
  bool CyrillicLetterAt(int32_t i) const {
    const uint8_t b0 = s_[i];
    if (b0 < 0xD0 || b0 > 0xD3 || i + 1 >= n_ || (s_[i + 1] & 0xC0) != 0x80) {
      return false;
    }
    const UChar32 c = ((b0 & 0x1F) << 6) | (s_[i + 1] & 0x3F);
    return !(c >= 0x0482 && c <= 0x0489);
  }

  const icu::Normalizer2* nfkc_cf_;
  const uint8_t* s_;
  int32_t n_;
  std::vector<Cp>& cps_;  // [0, ncps_) in use
  size_t ncps_ = 0;
  int cur_cyrillic_ = 0, cur_latin_ = 0, cur_digits_ = 0;  // open item
  std::vector<Item>& items_;
  uint32_t item_start_ = 0;
  bool kazakh_latin_post_ = false;
  int32_t scanned_until_ = 0;  // end of the last URL-character run scanned
  bool turkish_post_ = false;
  bool foreign_latin_post_ = false;  // Uzbek
  std::vector<Cp>& word_;            // scratch
  // The offset map being written: [0, len_) in use, at least as long as
  // out_.text.
  std::vector<uint32_t>& ob_;
  std::vector<uint32_t>& oe_;
  const CyrillicFold& cyrillic_;
  const UChar32* fold_;  // CyrillicFold::of
  const bool* upper_;    // CyrillicFold::upper
  // Items [0, emitted_) are written out already. Until the first word in
  // Latin letters only (whose form depends on the whole post's Latin words,
  // see DecideLatin) every item is written as soon as it closes, and a word
  // of plain Cyrillic letters is written straight from the input.
  size_t emitted_ = 0;
  bool deferred_ = false;
  NormalizedText& out_;
  size_t len_ = 0;  // bytes of out_.text written
  TokenBuilder tokens_;
};

// The bulk of real text: Cyrillic letters, ASCII letters and digits inside a
// word, ASCII spaces and punctuation, each alone in its normalisation
// segment (the code point after it cannot combine with it). These take the
// same steps as the general path of Run() and FoldSegment() without asking
// ICU, the emoji table or the URL scan.
bool Pass::FastRun(int32_t* pi, bool* in_word, bool* prev_word_char) {
  int32_t i = *pi;
  const int32_t start = i;
  while (i < n_) {
    const uint8_t b0 = s_[i];
    if (!*in_word && !deferred_ && cyrillic_.letters_fold_to_letters &&
        CyrillicLetterAt(i)) {
      // A whole word of Cyrillic letters ended by ASCII punctuation or
      // space (or the end): no record, no item. The letters are written
      // while they are read; when something else follows them they are
      // taken back and the general path writes the word. Whichever path
      // writes it, the gap item before it closes first.
      CloseItem(false);
      const size_t at = len_;
      Reserve(static_cast<size_t>(n_ - i));
      uint8_t groups;
      const int32_t j = PutCyrillicLetters(i, &groups);
      if (j == n_ || (s_[j] < 0x80 && !IsAsciiAlnum(s_[j]))) {
        if (upper_[(((b0 & 0x1F) << 6) | (s_[i + 1] & 0x3F)) - 0x0400]) {
          out_.capitalized.push_back(static_cast<uint32_t>(at));
        }
        if (tokens_.on()) {
          tokens_.AddLetters(static_cast<uint32_t>(at),
                             static_cast<uint32_t>(len_), groups);
        }
        *prev_word_char = true;
        i = j;
        continue;
      }
      len_ = at;
    } else if (!*in_word && !deferred_ && CyrillicLetterAt(i)) {
      // The same when some Cyrillic letter folds to something else.
      int32_t j = i + 2;
      while (j < n_ && CyrillicLetterAt(j)) j += 2;
      if (j == n_ || (s_[j] < 0x80 && !IsAsciiAlnum(s_[j]))) {
        CloseItem(false);
        EmitCyrillicWord(i, j);
        *prev_word_char = true;
        i = j;
        continue;
      }
    }
    if (!deferred_ && IsPlainGap(b0)) {
      // A run of ASCII spaces and punctuation, each alone in its segment:
      // written as it is, without a record or an item.
      if (*in_word) {
        CloseItem(true);
        *in_word = false;
      }
      if (!deferred_) {
        CloseItem(false);
        int32_t j = i;
        while (j < n_ && IsPlainGap(s_[j]) &&
               !(j + 1 < n_ && s_[j + 1] >= 0xCC && !CyrillicLetterAt(j + 1))) {
          ++j;
        }
        if (j > i) {
          PutAscii(i, j);
          *prev_word_char = false;
          i = j;
          continue;
        }
      }
    }
    int32_t next;
    UChar32 f, orig;
    bool word;
    if (b0 < 0x80) {
      if (IsAsciiAlnum(b0)) {
        // At a word start Run() looks for a URL first.
        if (!*prev_word_char) break;
        word = true;
        f = (b0 >= 'A' && b0 <= 'Z') ? b0 + 32 : b0;
      } else {
        // Hashtags, mentions and apostrophes have their own rules.
        if (b0 == '#' || b0 == '@' || b0 == '\'' || b0 == '`') break;
        word = false;
        f = b0;
      }
      orig = b0;
      next = i + 1;
    } else if (CyrillicLetterAt(i)) {
      orig = ((b0 & 0x1F) << 6) | (s_[i + 1] & 0x3F);
      f = fold_[orig - 0x0400];
      word = true;
      next = i + 2;
    } else {
      break;
    }
    // A lead byte below 0xCC starts a code point below U+0300, a boundary.
    if (next < n_ && s_[next] >= 0xCC && !CyrillicLetterAt(next)) break;
    if (word != *in_word) {
      CloseItem(*in_word);
      *in_word = word;
    }
    AddCp(f, orig, static_cast<uint32_t>(i), static_cast<uint32_t>(next));
    *prev_word_char = word;
    i = next;
  }
  *pi = i;
  return i > start;
}

int32_t Pass::FoldSegment(int32_t i) {
  int32_t next;
  UChar32 c = Peek(i, &next);
  int32_t end = next;
  // Extend over following code points that combine with this one. A lead
  // byte below 0xCC starts a code point below U+0300: always a boundary.
  while (end < n_ && s_[end] >= 0xCC) {
    int32_t after;
    UChar32 d = Peek(end, &after);
    if (BoundaryBefore(d)) break;
    end = after;
  }
  const uint32_t b = static_cast<uint32_t>(i);
  const uint32_t e = static_cast<uint32_t>(end);
  if (end == next) {
    // Single code point: fast paths.
    if (c < 0x80) {
      UChar32 f = (c >= 'A' && c <= 'Z') ? c + 32 : c;
      AddCp(f, c, b, e);
      return end;
    }
    if (IsCyrillicLetter(c)) {
      AddCp(FoldCyrillicLetter(c), c, b, e);
      return end;
    }
    if (c == 0x2116) {  // "№" stays itself (NFKC would make it "no")
      AddCp(c, c, b, e);
      return end;
    }
    if (c == 0x130) {  // "İ": plain i, not i + combining dot
      AddCp('i', c, b, e);
      return end;
    }
  }
  icu::UnicodeString seg;
  for (int32_t k = i; k < end;) {
    UChar32 d;
    U8_NEXT(s_, k, n_, d);
    seg.append(d < 0 ? static_cast<UChar32>(0xFFFD) : d);
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc_cf_->normalize(seg, status);
  if (U_FAILURE(status)) folded = seg;
  for (int32_t k = 0; k < folded.length();) {
    UChar32 f = folded.char32At(k);
    k += U16_LENGTH(f);
    if (f == 0x0451) f = 0x0435;
    if (f == 0x0307 && ncps_ > 0 && cps_[ncps_ - 1].c == 'i') continue;
    AddCp(f, c, b, e);
  }
  return end;
}

// http(s)://..., www...., or host.tld/... with a known top-level domain.
int32_t Pass::TryUrl(int32_t i) {
  auto url_char = [](uint8_t ch) {
    return IsAsciiAlnum(ch) ||
           (ch != 0 && std::strchr("-._~:/?#[]@!$&'()*+,;=%", ch));
  };
  // Inside a run already scanned ("a.b.c.d..."), only a scheme or "www."
  // can start a URL: this keeps the scan linear on hostile input.
  if (i < scanned_until_) {
    auto at = [&](const char* p) {
      size_t n = std::strlen(p);
      if (static_cast<size_t>(n_ - i) < n) return false;
      for (size_t k = 0; k < n; ++k) {
        if (std::tolower(s_[i + static_cast<int32_t>(k)]) != p[k]) return false;
      }
      return true;
    };
    if (!at("http://") && !at("https://") && !at("www.")) return i;
  }
  int32_t j = i;
  while (j < n_ && s_[j] < 0x80 && url_char(s_[j])) ++j;
  scanned_until_ = std::max(scanned_until_, j);
  if (j == i) return i;
  std::string_view run(reinterpret_cast<const char*>(s_ + i),
                       static_cast<size_t>(j - i));
  auto starts = [&](std::string_view p) {
    if (run.size() < p.size()) return false;
    for (size_t k = 0; k < p.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(run[k])) != p[k]) {
        return false;
      }
    }
    return true;
  };
  bool url = starts("http://") || starts("https://") || starts("www.");
  if (!url) {
    // host.tld followed by "/" or the end of the run.
    size_t slash = run.find('/');
    std::string_view host = run.substr(0, slash);
    size_t dot = host.rfind('.');
    if (dot != std::string_view::npos && dot > 0) {
      std::string tld(host.substr(dot + 1));
      for (char& ch : tld) ch = static_cast<char>(std::tolower(ch));
      static const std::unordered_set<std::string> kTlds = {
          "com", "ru", "kz", "org", "net", "me", "io", "info", "gov",
          "edu", "be", "ly", "gl",  "su",  "uz", "kg", "tv",   "co"};
      url = kTlds.count(tld) > 0 &&
            (slash != std::string_view::npos || dot + 1 < host.size());
    }
  }
  if (!url) return i;
  // Trailing punctuation belongs to the sentence.
  while (j > i && std::strchr(".,;:!?)]'", s_[j - 1])) --j;
  return j;
}

int32_t Pass::TryMention(int32_t i) const {
  int32_t j = i + 1;
  while (j < n_ && (IsAsciiAlnum(s_[j]) || s_[j] == '_' || s_[j] == '.')) ++j;
  while (j > i + 1 && s_[j - 1] == '.') --j;
  return j - i >= 3 ? j : i;
}

void Pass::CloseOpenItem(bool word) {
  const uint32_t end = static_cast<uint32_t>(ncps_);
  Item item{item_start_, end, word};
  if (word) {
    item.cyrillic = cur_cyrillic_;
    item.latin = cur_latin_;
    item.digits = cur_digits_;
  }
  items_.push_back(item);
  item_start_ = end;
  if (!deferred_) {
    if (word && item.latin > 0 && item.cyrillic == 0) {
      deferred_ = true;
    } else {
      if (word) {
        EmitWord(item);
      } else {
        EmitItem(item);
      }
      ++emitted_;
    }
  }
  cur_cyrillic_ = cur_latin_ = cur_digits_ = 0;
}

void Pass::EmitCyrillicWord(int32_t from, int32_t to) {
  auto at = [&](int32_t k) -> int {
    return (((s_[k] & 0x1F) << 6) | (s_[k + 1] & 0x3F)) - 0x0400;
  };
  Reserve(2 * static_cast<size_t>(to - from));
  if (upper_[at(from)]) {
    out_.capitalized.push_back(static_cast<uint32_t>(len_));
  }
  PutCyrillicWord<true>(from, to);
}

int32_t Pass::PutCyrillicLetters(int32_t from, uint8_t* groups_out) {
  const uint32_t* packed = cyrillic_.packed;
  char* text = out_.text.data();
  uint32_t* ob = ob_.data();
  uint32_t* oe = oe_.data();
  size_t len = len_;
  uint32_t prev = ~uint32_t{0};  // the fold's bytes of the letter before
  int run = 0;                   // letters so far with the fold `prev`
  size_t run_at = 0;             // where the first of them was written
  uint32_t groups = 0;
  // Locals: the stores through `text` may alias any member.
  const uint8_t* const in = s_;
  const int32_t n = n_;
  int32_t k = from;
  for (; k + 1 < n; k += 2) {
    // CyrillicLetterAt(k), reading each byte once.
    const unsigned b0 = in[k], b1 = in[k + 1];
    if (b0 - 0xD0u > 3 || (b1 & 0xC0) != 0x80) break;
    const uint32_t e = packed[((b0 & 3) << 6) | (b1 & 0x3F)];
    if (e & CyrillicFold::kNotLetter) break;
    const uint32_t f = e & 0xFFFF;
    groups |= e;
    const uint32_t b = static_cast<uint32_t>(k);
    if (f == prev) {
      // Elongations: three or more of the same letter become one, mapped
      // to the original bytes of them all.
      if (++run >= 3) {
        len = run_at + 2;
        oe[run_at] = oe[run_at + 1] = b + 2;
        continue;
      }
    } else {
      prev = f;
      run = 1;
      run_at = len;
    }
    const uint16_t bytes = static_cast<uint16_t>(f);
    std::memcpy(text + len, &bytes, 2);
    const uint64_t begins = b | (uint64_t{b} << 32);
    const uint64_t ends = begins + ((uint64_t{2} << 32) | 2);
    std::memcpy(ob + len, &begins, 8);
    std::memcpy(oe + len, &ends, 8);
    len += 2;
  }
  len_ = len;
  *groups_out = static_cast<uint8_t>(groups >> 16);
  return k;
}

template <bool kTokens>
void Pass::PutCyrillicWord(int32_t from, int32_t to) {
  auto at = [&](int32_t k) -> int {
    return (((s_[k] & 0x1F) << 6) | (s_[k + 1] & 0x3F)) - 0x0400;
  };
  // Elongations: three or more of the same letter become one.
  for (int32_t k = from; k < to;) {
    const UChar32 f = fold_[at(k)];
    int32_t r = k + 2;
    while (r < to && fold_[at(r)] == f) r += 2;
    const bool letter = !(f >= '0' && f <= '9') &&
                        (f < 0x80 || IsCyrillicLetter(f) || !u_isdigit(f));
    if (r - k >= 6 && letter) {
      Put<kTokens>(f, static_cast<uint32_t>(k), static_cast<uint32_t>(r));
    } else {
      for (int32_t m = k; m < r; m += 2) {
        Put<kTokens>(f, static_cast<uint32_t>(m), static_cast<uint32_t>(m + 2));
      }
    }
    k = r;
  }
}

void Pass::Run() {
  bool in_word = false;
  bool prev_word_char = false;
  int32_t i = 0;
  while (i < n_) {
    if (FastRun(&i, &in_word, &prev_word_char)) continue;
    const uint8_t ch = s_[i];
    if (!prev_word_char && (IsAsciiAlnum(ch) || ch == '@')) {
      int32_t end = ch == '@' ? TryMention(i) : TryUrl(i);
      if (ch != '@' && end == i) end = i;
      if (end > i) {
        CloseItem(in_word);
        in_word = false;
        PushSpace(static_cast<uint32_t>(i), static_cast<uint32_t>(end));
        CloseItem(false);
        i = end;
        prev_word_char = false;
        continue;
      }
    }
    if (ch == '#' && i + 1 < n_ && !prev_word_char) {
      // A hashtag keeps its word; the "#" itself becomes a space.
      int32_t after;
      if (IsWordCp(Peek(i + 1, &after))) {
        CloseItem(in_word);
        in_word = false;
        PushSpace(static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
        CloseItem(false);
        ++i;
        continue;
      }
    }
    int32_t next;
    UChar32 c = Peek(i, &next);
    if (IsEmojiCp(c) && c != 0x200D) {
      // One space for a whole emoji sequence (ZWJ, modifiers, flags).
      int32_t end = next;
      while (end < n_) {
        int32_t after;
        UChar32 d = Peek(end, &after);
        if (!IsEmojiCp(d)) break;
        end = after;
      }
      CloseItem(in_word);
      in_word = false;
      PushSpace(static_cast<uint32_t>(i), static_cast<uint32_t>(end));
      CloseItem(false);
      i = end;
      prev_word_char = false;
      continue;
    }
    bool word_char = IsWordCp(c);
    // Invisible characters inside a word (soft hyphen, zero-width space,
    // BOM) vanish in folding and must not split it: "шко\u00ADла".
    if (!word_char && in_word &&
        (c == 0xAD || c == 0x200B || c == 0x200C || c == 0x2060 ||
         c == 0xFEFF)) {
      word_char = true;
    }
    // An apostrophe between letters stays inside the word ("qazaq'", "g'").
    if (!word_char && IsApostrophe(c) && in_word && ncps_ > 0 &&
        IsLatinLetter(cps_[ncps_ - 1].c)) {
      word_char = true;
    }
    if (word_char != in_word) {
      CloseItem(in_word);
      in_word = word_char;
    }
    i = FoldSegment(i);
    prev_word_char = word_char;
  }
  CloseItem(in_word);
  DecideLatin();
  for (size_t k = emitted_; k < items_.size(); ++k) {
    const Item& item = items_[k];
    if (item.word) {
      EmitWord(item);
    } else {
      EmitItem(item);
    }
  }
  if (tokens_.on()) tokens_.Finish();
  out_.text.resize(len_);
  if (&ob_ == &out_.orig_begin) {
    ob_.resize(len_);
    oe_.resize(len_);
  } else {
    out_.orig_begin.assign(ob_.begin(),
                           ob_.begin() + static_cast<ptrdiff_t>(len_));
    out_.orig_end.assign(oe_.begin(),
                         oe_.begin() + static_cast<ptrdiff_t>(len_));
  }
}

// Decides whether the post's Latin words are Kazakh: at least one word that
// is Kazakh by lexicon, by its letters or by a Kazakh-only suffix, and more
// Kazakh than English and Russian (typed in Latin) evidence together. A
// Russian loanword ("vozhatyi", "remont") is evidence for neither.
void Pass::DecideLatin() {
  const LatinLexicon& lex = GetLatinLexicon();
  double kazakh = 0, english = 0, russian = 0;
  int sure = 0, uzbek = 0;
  std::string w;
  for (const Item& item : items_) {
    if (!item.word || item.latin == 0 || item.cyrillic > 0) continue;
    w.clear();
    bool marker = false;
    for (uint32_t k = item.first; k < item.last; ++k) {
      UChar32 c = cps_[k].c;
      if (c == 0xE7) turkish_post_ = true;  // ç
      if (IsKazakhLatinMarker(c)) marker = true;
      if (!IsApostrophe(c)) AppendUtf8(static_cast<uint32_t>(c), &w);
    }
    if (item.digits > 0) continue;
    if (IsUzbekWord(w)) ++uzbek;
    const bool apostrophe =
        KazakhApostrophe(cps_.data() + item.first, item.last - item.first);
    if (marker || apostrophe || QWithoutU(w)) {
      kazakh += 1;
      ++sure;
    } else if (lex.kazakh.count(w)) {
      kazakh += 1;
      ++sure;
    } else if (lex.english.count(w)) {
      english += 1;
    } else if (lex.russian.count(w)) {
      russian += 1;
    } else if (SurelyKazakhLatin(w, lex.kazakh)) {
      kazakh += 1;
      ++sure;
    } else if (LooksKazakhLatin(w)) {
      kazakh += 0.5;
    }
  }
  // Uzbek Latin ("o'qituvchi", "maktabga") looks like the 2018 Kazakh
  // apostrophe alphabet; a post with Uzbek words is left alone.
  if (uzbek > 0 && uzbek >= sure) foreign_latin_post_ = true;
  kazakh_latin_post_ = !turkish_post_ && !foreign_latin_post_ &&
                       ((sure > 0 && kazakh > english + russian) ||
                        (kazakh >= 2 && english + russian == 0));
}

void Pass::EmitItem(const Item& item) {
  Reserve(4 * size_t{item.last - item.first});
  for (uint32_t k = item.first; k < item.last; ++k) {
    const Cp& cp = cps_[k];
    Put(cp.c, cp.b, cp.e);
  }
}

// For a "y" or "i" at w[k] after a plain "u" inside a word: true when the
// "u" is the glide "у" and the letter the vowel "ы"/"і" ("tauy" = "тауы",
// "boluy" = "болуы", "kelui" = "келуі", "boluyn" = "болуын"), false when the
// "u" is the vowel "ұ"/"ү" and the letter "й" ("suyikti" = "сүйікті",
// "tuie" = "түйе"). After a vowel, "u" is always the glide; after a
// consonant, a vowel after the "y"/"i" makes it "й".
bool GlideU(const Cp* w, size_t n, size_t k) {
  if (k < 2) return false;
  if (IsLatinVowel(w[k - 2].c)) return true;
  return k + 1 >= n || !IsLatinVowel(w[k + 1].c);
}

// Latin → Cyrillic for a word already known to be Kazakh. Digraphs first
// (sh ch zh kh gh, apostrophe forms of 2018), then single letters; "i" and
// "y" after a vowel are "й" ("qalaiyn" → "қалайын", "kay" → "қай").
void Pass::Transliterate(const Cp* word, size_t n) {
  // A letter that writes nothing of its own: its bytes join the letter
  // written before it.
  constexpr UChar32 kJoinPrevious = -1;
  // Elongations first: three or more of one letter are one letter, so that
  // "oiiin" reads as "oin", not as "oi" + "i" + "in".
  const Cp* w = word;
  std::vector<Cp> squashed;  // only for elongated words
  for (size_t k = 0; k + 2 < n; ++k) {
    if (word[k].c == word[k + 1].c && word[k].c == word[k + 2].c &&
        IsLatinLetter(word[k].c)) {
      for (size_t j = 0; j < n;) {
        size_t run = 1;
        while (j + run < n && word[j + run].c == word[j].c) ++run;
        if (run >= 3 && IsLatinLetter(word[j].c)) {
          squashed.push_back(word[j]);
          squashed.back().e = word[j + run - 1].e;
        } else {
          squashed.insert(squashed.end(), word + j, word + j + run);
        }
        j += run;
      }
      w = squashed.data();
      n = squashed.size();
      break;
    }
  }
  auto at = [&](size_t k) -> UChar32 { return k < n ? w[k].c : 0; };
  size_t k = 0;
  std::vector<Cp>& out = word_;
  out.clear();
  while (k < n) {
    UChar32 c = w[k].c;
    UChar32 d = at(k + 1);
    uint32_t b = w[k].b;
    UChar32 r = 0;
    size_t used = 1;
    if (IsApostrophe(d)) {
      switch (c) {
        case 'a':
          r = 0x04D9;
          break;  // ә
        case 'g':
          r = 0x0493;
          break;  // ғ
        case 'i':
          r = 0x0439;
          break;  // й
        case 'n':
          r = 0x04A3;
          break;  // ң
        case 'o':
          r = 0x04E9;
          break;  // ө
        case 'u':
          r = 0x04B1;
          break;  // ұ
        case 'y':
          r = 0x04AF;
          break;  // ү
        case 's':
          r = 0x0448;
          break;  // ш
        case 'c':
          r = 0x0447;
          break;  // ч
        case 'k':
          r = 0x049B;
          break;  // қ
        default:
          break;
      }
      if (r) used = 2;
    }
    if (!r && d != 0) {
      if (c == 's' && d == 'h')
        r = 0x0448;
      else if (c == 'c' && d == 'h')
        r = 0x0447;
      else if (c == 'z' && d == 'h')
        r = 0x0436;
      else if (c == 'k' && d == 'h')
        r = 0x0445;
      else if (c == 'g' && d == 'h')
        r = 0x0493;
      else if (c == 'y' && d == 'a')
        r = 0x044F;
      else if (c == 'y' && d == 'u')
        r = 0x044E;
      else if (c == 'n' && d == 'g' &&
               (k + 2 >= n || !IsLatinVowel(at(k + 2)))) {
        r = 0x04A3;
      }
      if (r) used = 2;
    }
    if (!r) {
      const bool after_vowel = k > 0 && IsLatinVowel(w[k - 1].c);
      // The letter just written is "й", or "и" (itself a vowel and a "й"
      // glide): Kazakh never writes "йй" or "и" + "й", so an "i"/"y" after
      // it is the vowel "і"/"ы".
      const bool after_glide =
          !out.empty() && (out.back().c == 0x0439 || out.back().c == 0x0438);
      switch (c) {
        case 'a':
          r = 0x0430;
          break;
        case 0xE4:
        case 0xE1:
          r = 0x04D9;
          break;
        case 'b':
          r = 0x0431;
          break;
        case 'c':
          r = 0x0441;
          break;
        case 'd':
          r = 0x0434;
          break;
        case 'e':
          r = 0x0435;
          break;
        case 'f':
          r = 0x0444;
          break;
        case 'g':
          r = 0x0433;
          break;
        case 0x11F:
        case 0x1F5:
          r = 0x0493;
          break;
        case 'h':
          r = 0x0445;
          break;
        case 'i':
          if (after_glide) {
            // "keiin" = "кейін", "uiine" = "үйіне", "kiim" = "киім",
            // "suyikti" = "сүйікті": never "йй".
            r = 0x0456;
          } else if (after_vowel && !(w[k - 1].c == 'u' && GlideU(w, n, k))) {
            r = 0x0439;  // "ai", "ei", "oi": "й"
          } else if (k + 1 < n && IsLatinVowel(d)) {
            // "і" never stands before a vowel; "и" does ("kiim" = "киім",
            // "biyl" = "биыл", "tiis" = "тиіс", "iesi" = "иесі").
            r = 0x0438;
          } else {
            r = 0x0456;
          }
          break;
        case 0x131:
          r = 0x0456;
          break;
        case 'j':
          r = 0x0436;
          break;
        case 'k':
          r = 0x043A;
          break;
        case 'l':
          r = 0x043B;
          break;
        case 'm':
          r = 0x043C;
          break;
        case 'n':
          r = 0x043D;
          break;
        case 0xF1:
        case 0x144:
          r = 0x04A3;
          break;
        case 'o':
          r = 0x043E;
          break;
        case 0xF6:
        case 0xF3:
          r = 0x04E9;
          break;
        case 'p':
          r = 0x043F;
          break;
        case 'q':
          r = 0x049B;
          break;
        case 'r':
          r = 0x0440;
          break;
        case 's':
          r = 0x0441;
          break;
        case 0x15F:
          r = 0x0448;
          break;
        case 't':
          r = 0x0442;
          break;
        case 'u':
          // Chat Latin writes "ұ", "ү" and "у" all as "u" (and often "i"
          // for "ы"), so nothing in the word tells them apart reliably:
          // "у" is what Cyrillic patterns accept for all three.
          r = 0x0443;
          break;
        case 0x16B:
        case 0xFA:
          r = 0x04B1;
          break;
        case 0xFC:
          r = 0x04AF;
          break;
        case 'v':
          r = 0x0432;
          break;
        case 'w':
          r = 0x0443;
          break;
        case 'x':
          r = 0x0445;
          break;
        case 'y':
          // "y" after a vowel is "й" ("kalay", "oy", "uy" = "үй", "keyin" =
          // "кейін", "oyin" = "ойын"), except where the "u" before it is
          // the glide "у" ("boluy" = "болуы", "tauy" = "тауы"; see GlideU).
          // After "й" or "и" it is the vowel ("oyyn" = "ойын", "daiyn" =
          // "дайын", "biyl" = "биыл"), except that "iy" before a vowel is
          // one "и" ("tiyis" = "тиіс", "kiyim" = "киім") and a word-final
          // "iy" is "ий" ("vozhatiy" = "вожатий").
          if (after_glide && out.back().c == 0x0438 && k + 1 < n &&
              IsLatinVowel(d)) {
            r = kJoinPrevious;
          } else if (after_glide) {
            r = out.back().c == 0x0438 && k + 1 >= n ? 0x0439 : 0x044B;
          } else if (after_vowel && w[k - 1].c == 'u' && k >= 2) {
            r = GlideU(w, n, k) ? 0x044B : 0x0439;
          } else {
            r = after_vowel ? 0x0439 : 0x044B;
          }
          break;
        case 'z':
          r = 0x0437;
          break;
        default:
          r = c;
          break;  // apostrophes on their own, marks
      }
    }
    uint32_t e = w[k + used - 1].e;
    if (r == kJoinPrevious) {
      out.back().e = e;
    } else if (!IsApostrophe(r)) {
      out.push_back(Cp{r, w[k].orig, b, e});
    }
    k += used;
  }
}

void Pass::EmitWord(const Item& item) {
  const Cp* w = cps_.data() + item.first;
  size_t n = item.last - item.first;
  std::vector<Cp> buf;  // only for rewritten words
  if (item.cyrillic > 0 && item.latin > 0) {
    // Homoglyphs: every Latin letter must have a Cyrillic look-alike.
    bool all = true;
    for (size_t k = 0; k < n && all; ++k) {
      if (IsLatinLetter(w[k].c) && HomoglyphToCyrillic(w[k].orig) == 0) {
        all = false;
      }
    }
    if (all) {
      buf.assign(w, w + n);
      for (Cp& cp : buf) {
        if (IsLatinLetter(cp.c)) cp.c = HomoglyphToCyrillic(cp.orig);
      }
      w = buf.data();
    }
  } else if (item.latin > 0 && item.cyrillic == 0 && item.digits == 0 &&
             !turkish_post_ && !foreign_latin_post_) {
    bool kazakh_letters = true, marker = false;
    const bool apostrophe = KazakhApostrophe(w, n);
    std::string ascii;
    for (size_t k = 0; k < n; ++k) {
      UChar32 c = w[k].c;
      if (IsApostrophe(c)) continue;
      if (!IsKazakhLatinLetter(c)) kazakh_letters = false;
      if (IsKazakhLatinMarker(c)) marker = true;
      AppendUtf8(static_cast<uint32_t>(c), &ascii);
    }
    bool english = GetLatinLexicon().english.count(ascii) > 0;
    bool convert =
        kazakh_letters && !english &&
        (kazakh_latin_post_ || marker || apostrophe || QWithoutU(ascii));
    if (convert) {
      Transliterate(w, n);
      buf.swap(word_);
      w = buf.data();
      n = buf.size();
    }
  }
  auto is_upper = [](UChar32 c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    if (c >= 0x0400 && c <= 0x042F) return true;   // Ѐ..Я
    if (c >= 0x0430 && c <= 0x045F) return false;  // а..џ
    return static_cast<bool>(u_isupper(c));
  };
  if (n > 0 && is_upper(w[0].orig)) {
    out_.capitalized.push_back(static_cast<uint32_t>(len_));
  }
  // Elongations: three or more of the same letter become one.
  Reserve(4 * n);
  for (size_t k = 0; k < n;) {
    size_t run = 1;
    while (k + run < n && w[k + run].c == w[k].c) ++run;
    const UChar32 c0 = w[k].c;
    const bool letter = !(c0 >= '0' && c0 <= '9') &&
                        (c0 < 0x80 || IsCyrillicLetter(c0) || !u_isdigit(c0));
    if (run >= 3 && letter) {
      Put(w[k].c, w[k].b, w[k + run - 1].e);
    } else {
      for (size_t r = 0; r < run; ++r) Put(w[k + r].c, w[k + r].b, w[k + r].e);
    }
    k += run;
  }
}

}  // namespace

NormalizedText Normalizer::Normalize(std::string_view in) const {
  return Normalize(in, nullptr);
}

namespace {

// The Pass buffers of this thread.
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// A huge post should not pin its buffers for the thread's lifetime.
void TrimScratch(Scratch* scratch) {
  if (scratch->cps.size() > (size_t{1} << 18) ||
      scratch->orig_begin.size() > (size_t{1} << 18)) {
    *scratch = Scratch();
  }
}

}  // namespace

NormalizedText Normalizer::Normalize(std::string_view in,
                                     std::vector<Token>* tokens) const {
  Scratch& scratch = ThreadScratch();
  NormalizedText out;
  Pass(impl_->nfkc_cf, in, &scratch, &out, /*map_in_place=*/false, tokens)
      .Run();
  TrimScratch(&scratch);
  return out;
}

void Normalizer::Normalize(std::string_view in, NormalizedText* out,
                           std::vector<Token>* tokens) const {
  Scratch& scratch = ThreadScratch();
  Pass(impl_->nfkc_cf, in, &scratch, out, /*map_in_place=*/true, tokens).Run();
  TrimScratch(&scratch);
}

}  // namespace shagym::nlp
