#include "nlp/rules/stem.h"

#include <re2/re2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace shagym::nlp {
namespace {

std::u32string Decode(std::string_view s) {
  std::u32string out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    out.push_back(c < 0 ? 0xFFFD : static_cast<char32_t>(c));
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(static_cast<uint32_t>(c), &out);
  return out;
}

// Kazakh letters and what people type instead (the Russian look-alike;
// chat spellings of я and ю). The first alternative is the letter itself.
const std::vector<std::string>* KazakhLookAlikes(char32_t c) {
  static const auto* table =
      new std::vector<std::pair<char32_t, std::vector<std::string>>>{
          {U'қ', {"қ", "к"}},
          {U'ғ', {"ғ", "г"}},
          {U'ң', {"ң", "н"}},
          {U'ә', {"ә", "а"}},
          {U'ө', {"ө", "о"}},
          {U'ұ', {"ұ", "у"}},
          {U'ү', {"ү", "у"}},
          {U'і', {"і", "и", "ы"}},
          // Chat Latin writes one "i" for ы, і and и.
          {U'ы', {"ы", "і"}},
          {U'и', {"и", "і"}},
          {U'я', {"я", "йа", "иа", "ја"}},
          {U'ю', {"ю", "йу", "иу"}},
          {U'һ', {"һ", "х"}},
      };
  for (const auto& [letter, alternatives] : *table) {
    if (letter == c) return &alternatives;
  }
  return nullptr;
}

// The RE2 of a letter's look-alikes: a class when each is one letter.
const char* KazakhLookAlike(char32_t c) {
  static const auto* regexes = [] {
    auto* m = new std::vector<std::pair<char32_t, std::string>>;
    for (char32_t k : std::u32string(U"қғңәөұүіыияюһ")) {
      const std::vector<std::string>& alts = *KazakhLookAlikes(k);
      bool single = true;
      for (const auto& a : alts) single = single && Decode(a).size() == 1;
      std::string re = single ? "[" : "(?:";
      for (size_t i = 0; i < alts.size(); ++i) {
        if (!single && i > 0) re += "|";
        re += alts[i];
      }
      re += single ? "]" : ")";
      m->emplace_back(k, re);
    }
    return m;
  }();
  for (const auto& [letter, re] : *regexes) {
    if (letter == c) return re.c_str();
  }
  return nullptr;
}

bool AllLetters(const std::u32string& s) {
  for (char32_t c : s) {
    if (!u_isalpha(static_cast<UChar32>(c))) return false;
  }
  return true;
}

// Alternation of literals, longest first, each through `quote`.
template <typename Quote>
std::string Alternation(std::vector<std::string> items, Quote quote) {
  std::sort(items.begin(), items.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() != b.size() ? a.size() > b.size() : a < b;
            });
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out = "(?:";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += "|";
    out += quote(items[i]);
  }
  return out + ")";
}

// ---- Kazakh ----------------------------------------------------------------

enum class Harmony { kBack, kFront, kBoth };

Harmony KazakhHarmony(const std::u32string& stem) {
  for (auto it = stem.rbegin(); it != stem.rend(); ++it) {
    switch (*it) {
      case U'а':
      case U'о':
      case U'ұ':
      case U'ы':
      case U'я':
        return Harmony::kBack;
      case U'ә':
      case U'е':
      case U'ө':
      case U'ү':
      case U'і':
      case U'э':
        return Harmony::kFront;
      default:
        break;
    }
  }
  return Harmony::kBoth;
}

bool IsKazakhVowel(char32_t c) {
  return std::u32string_view(U"аәеэоөұүыіиюяу").find(c) !=
         std::u32string_view::npos;
}

// Kazakh stem-final consonant alternation: п/б, к/г, қ/ғ (мектеп →
// мектебі; шық+у is written шығу). Other letters map to themselves.
constexpr std::pair<char32_t, char32_t> kVoicing[] = {
    {U'п', U'б'}, {U'к', U'г'}, {U'қ', U'ғ'}};

char32_t Voiced(char32_t c) {
  for (auto [voiceless, voiced] : kVoicing) {
    if (c == voiceless) return voiced;
  }
  return c;
}

char32_t Devoiced(char32_t c) {
  for (auto [voiceless, voiced] : kVoicing) {
    if (c == voiced) return voiceless;
  }
  return c;
}

// Back-vowel allomorph → front-vowel allomorph.
std::string Fronted(const std::string& back) {
  std::u32string s = Decode(back);
  for (char32_t& c : s) {
    switch (c) {
      case U'а':
        c = U'е';
        break;
      case U'ы':
        c = U'і';
        break;
      case U'ұ':
        c = U'ү';
        break;
      case U'о':
        c = U'ө';
        break;
      case U'ғ':
        c = U'г';
        break;
      case U'қ':
        c = U'к';
        break;
      default:
        break;
    }
  }
  return Encode(s);
}

// Suffix slots in back-vowel form, in morphotactic order.
const std::vector<std::vector<std::string>>& KazakhSlots() {
  static const auto* slots = new std::vector<std::vector<std::string>>{
      // voice (verbs): passive, reflexive, reciprocal, causative
      {"ыл", "л", "ын", "н", "ыс", "с", "дыр", "тыр", "ғыз", "қыз", "т"},
      // tense, participles, converbs, verbal nouns, derivation
      {"ған",  "қан",   "ды",   "ты",  "ып",  "п",    "а",    "й",     "ады",
       "йды",  "атын",  "йтын", "у",   "уы",  "ушы",  "ар",   "р",     "мақ",
       "бақ",  "пақ",   "са",   "сын", "шы",  "ғалы", "қалы", "ғанша", "қанша",
       "лық",  "дық",   "тық",  "лы",  "сыз", "дай",  "тай",  "ша",    "дағы",
       "тағы", "ндағы", "ғы",   "қы",  "ған", "атын"},
      // plural
      {"лар", "дар", "тар"},
      // possessive
      {"ы", "сы", "ым", "м", "ың", "ң", "ымыз", "мыз", "ыңыз", "ңыз"},
      // case (and the relative -дағы after a possessive)
      {"ның", "дың", "тың", "ны",   "ды",   "ты",   "н",
       "ға",  "қа",  "а",   "на",   "да",   "та",   "нда",
       "дан", "тан", "нан", "дағы", "тағы", "ндағы"},
      // substantive genitive (мектептікі), 2nd person plural
      {"ныкы", "дыкы", "тыкы", "дар", "тар", "лар", "сыңдар", "сыздар"},
      // person (predicates)
      {"мын", "бын", "пын", "мыз", "быз", "пыз", "сың", "сыз", "м", "ң", "қ"},
  };
  return *slots;
}

// Suffixes that do not follow vowel harmony.
const std::vector<std::string>& KazakhNeutralCase() {
  static const auto* v =
      new std::vector<std::string>{"мен", "бен", "пен", "менен", "бенен"};
  return *v;
}

}  // namespace

std::string KazakhLiteral(std::string_view word) {
  std::string out;
  for (char32_t c : Decode(word)) {
    if (const char* cls = KazakhLookAlike(c)) {
      out += cls;
    } else {
      out += RE2::QuoteMeta(Encode(std::u32string(1, c)));
    }
  }
  return out;
}

bool KazakhLiteralForms(std::string_view word, size_t limit,
                        std::vector<std::string>* forms) {
  forms->assign(1, std::string());
  for (char32_t c : Decode(word)) {
    const std::vector<std::string>* alts = KazakhLookAlikes(c);
    if (alts == nullptr) {
      const std::string letter = Encode(std::u32string(1, c));
      for (std::string& f : *forms) f += letter;
      continue;
    }
    if (forms->size() * alts->size() > limit) return false;
    std::vector<std::string> next;
    next.reserve(forms->size() * alts->size());
    for (const std::string& f : *forms) {
      for (const std::string& a : *alts) next.push_back(f + a);
    }
    forms->swap(next);
  }
  return true;
}

bool HasKazakhLetter(std::string_view text) {
  for (char32_t c : Decode(text)) {
    if (c != U'ы' && c != U'и' && c != U'я' && c != U'ю' &&
        KazakhLookAlike(c) != nullptr)
      return true;
  }
  return false;
}

StatusOr<StemPattern> ExpandKazakhStem(std::string_view stem_text) {
  std::u32string stem = Decode(stem_text);
  if (stem.size() < 3 || !AllLetters(stem)) {
    return InvalidArgument("stem '" + std::string(stem_text) +
                           "' must be at least 3 letters and letters only");
  }
  // A verb named by its verbal noun in -у (құттықтау, жинау, сабау, жазу,
  // шығу) stands for the verb stem, and its forms are the verb's:
  // құттықтаймыз, құттықтады, құттықтап, құттықтаған, and the verbal noun's
  // own (құттықтауға), since -у is one of the suffixes after the stem. The
  // first suffix after a verb stem is a verbal one (voice, tense, converb,
  // participle, verbal noun), so the noun сабақ (lesson) is not a form of
  // сабау (to beat). After a consonant the stem may have lost a closing ы/і
  // (оқы+у → оқу) and voiced its final consonant (шық+у → шығу): both are
  // generated. The stem given must still be 3 letters (ұру, оқу).
  bool verb = false;
  bool lost_vowel = false;
  if (stem.back() == U'у') {
    std::u32string v = stem.substr(0, stem.size() - 1);
    const bool consonant = !IsKazakhVowel(v.back());
    if (consonant) v.back() = Devoiced(v.back());
    // Two letters are enough before a consonant (ұр+у, оқ(ы)+у); a short
    // stem before a vowel is a noun (тау, жау).
    if (v.size() >= (consonant ? 2u : 3u)) {
      stem = v;
      verb = true;
      lost_vowel = consonant;
    }
  }
  std::vector<std::string> variants = {Encode(stem)};
  std::u32string voiced = stem;
  voiced.back() = Voiced(stem.back());
  if (voiced != stem) variants.push_back(Encode(voiced));

  const Harmony h = KazakhHarmony(stem);
  auto harmonised = [h](std::initializer_list<const char*> backs) {
    std::vector<std::string> out;
    for (const char* back : backs) {
      if (h != Harmony::kFront) out.push_back(back);
      if (h != Harmony::kBack) out.push_back(Fronted(back));
    }
    return out;
  };
  // Suffixes combine freely in the stem's harmony: the paradigm has
  // thousands of orders (мектебіңдерсің, мектептікілерден) that fixed slots
  // would miss.
  std::vector<std::string> items;
  for (const auto& slot : KazakhSlots()) {
    for (const std::string& back : slot) {
      if (h != Harmony::kFront) items.push_back(back);
      if (h != Harmony::kBack) items.push_back(Fronted(back));
    }
  }
  for (const auto& n : KazakhNeutralCase()) items.push_back(n);
  const std::string chain = Alternation(items, KazakhLiteral) + "*";
  const std::string verbal = Alternation(
      harmonised({"ыл",  "ын",  "ыс",   "дыр",  "тыр",   "ғыз",  "қыз",
                  "ған", "қан", "ды",   "ты",   "ып",    "п",    "а",
                  "й",   "ады", "йды",  "атын", "йтын",  "у",    "уы",
                  "ушы", "ар",  "р",    "мақ",  "бақ",   "пақ",  "са",
                  "сын", "шы",  "ғалы", "қалы", "ғанша", "қанша"}),
      KazakhLiteral);

  // Each branch: a head and what may follow it.
  std::vector<std::string> branches;
  std::vector<std::string> stems = variants;
  const std::string head = Alternation(variants, KazakhLiteral);
  branches.push_back(verb ? head + "(?:" + verbal + chain + ")?"
                          : head + chain);
  // A stem closing in ы/і merges it with the present tense's -й into и
  // (оқы+йды → оқиды, оқы+йтын → оқитын). The closing vowel a verbal noun
  // lost comes back only before a verbal suffix (оқыды, but not the noun
  // ұры from ұру).
  std::u32string merged;
  if (lost_vowel) {
    const std::u32string closing = stem + (h == Harmony::kFront ? U"і" : U"ы");
    stems.push_back(Encode(closing));
    branches.push_back(KazakhLiteral(Encode(closing)) + verbal + chain);
    merged = closing;
  } else if (stem.size() >= 4 && (stem.back() == U'ы' || stem.back() == U'і') &&
             !IsKazakhVowel(stem[stem.size() - 2])) {
    merged = stem;
  }
  if (!merged.empty()) {
    merged.back() = U'и';
    stems.push_back(Encode(merged));
    branches.push_back(KazakhLiteral(Encode(merged)) +
                       Alternation(harmonised({"ды", "тын", "мын", "мыз", "сың",
                                               "сыз", "м", "ң"}),
                                   KazakhLiteral) +
                       chain);
  }
  std::string exact = branches[0];
  if (branches.size() > 1) {
    exact = "(?:" + branches[0];
    for (size_t i = 1; i < branches.size(); ++i) exact += "|" + branches[i];
    exact += ")";
  }
  StemPattern p;
  p.prefilter = Alternation(stems, KazakhLiteral);
  p.starts = stems;
  p.look_alike = true;
  p.exact = exact;
  // The negative -ма-/-ме- (-ба-, -па-) right after a verb stem: "does not
  // insult" is not a form of "insult".
  p.reject = "^" + p.prefilter + "[мбп][аеә](?:[йдтсшғгқкң]|$)";
  return p;
}

// ---- Russian ---------------------------------------------------------------

StatusOr<StemPattern> ExpandRussianStem(std::string_view lemma_text) {
  std::u32string lemma = Decode(lemma_text);
  if (!AllLetters(lemma)) {
    return InvalidArgument("stem '" + std::string(lemma_text) +
                           "' must be letters only");
  }
  auto ends_with = [&](std::u32string_view suffix) {
    return lemma.size() > suffix.size() &&
           std::u32string_view(lemma).substr(lemma.size() - suffix.size()) ==
               suffix;
  };

  static const std::vector<std::string> kNominal = {
      "а",    "я",    "у",     "ю",    "е",    "и",    "ы",     "о",    "ь",
      "ом",   "ем",   "ой",    "ей",   "ою",   "ею",   "ам",    "ям",   "ами",
      "ями",  "ах",   "ях",    "ов",   "ев",   "ью",   "ия",    "ии",   "ию",
      "ией",  "ие",   "ий",    "ием",  "иям",  "иями", "иях",   "ый",   "ая",
      "ое",   "ые",   "ого",   "его",  "ому",  "ему",  "ым",    "им",   "ых",
      "их",   "ыми",  "ими",   "ую",   "юю",   "яя",   "ее",    "ин",   "ина",
      "ины",  "ину",  "ой",    "ство", "ства", "ству", "ством", "ский", "ская",
      "ское", "ские", "ского", "ской", "ским", "ских", "ную",   "ная",  "ное",
      "ные",  "ный",  "ного",  "ной"};
  static const std::vector<std::string> kAdjTail = {
      "ий", "ая", "ее", "ие", "его", "ей", "ему", "им", "их", "ими",
      "ую", "ый", "ое", "ые", "ого", "ой", "ому", "ым", "ых", "ыми"};
  // After the infinitive stem (ends in a vowel): past, participles.
  static const std::vector<std::string> kVerbPast = {
      "л",   "ла", "ло",  "ли", "ть",    "в",   "вши", "н",   "на",   "но",
      "ны",  "т",  "та",  "то", "ты",    "ю",   "ют",  "ет",  "ешь",  "ем",
      "ете", "й",  "йте", "я",  "ешься", "ние", "ния", "нию", "нием", "нии"};
  // After the present stem of -ить/-еть verbs (ends in a consonant).
  static const std::vector<std::string> kVerbPresentI = {
      "ю", "у",   "ят", "ат",  "ит",  "ишь", "им",   "ите",  "я",    "и",
      "ь", "ьте", "ен", "ена", "ено", "ены", "ение", "ения", "ению", "ением"};

  auto quote = [](const std::string& s) { return RE2::QuoteMeta(s); };
  auto with_adj = [&](const std::vector<std::string>& stems) {
    std::vector<std::string> out;
    for (const auto& s : stems) {
      for (const auto& t : kAdjTail) out.push_back(s + t);
    }
    return out;
  };

  std::vector<std::string> variants;
  std::string exact;
  bool verb = false;
  std::u32string base;
  for (std::u32string_view inf : {U"ться", U"тись", U"ть", U"ти", U"чь"}) {
    if (ends_with(inf)) {
      base = lemma.substr(0, lemma.size() - inf.size());
      verb = true;
      break;
    }
  }
  if (verb) {
    if (base.size() < 3) {
      return InvalidArgument("stem '" + std::string(lemma_text) +
                             "' is too short to expand");
    }
    std::vector<std::string> past = kVerbPast;
    for (auto& p : with_adj({"вш", "ющ", "ем", "нн", "енн", "ащ", "ящ"})) {
      past.push_back(p);
    }
    std::string b = Encode(base);
    variants.push_back(b);
    exact = "(?:" + quote(b) + Alternation(past, quote) + "?";
    if (base.size() >= 4 && (base.back() == U'и' || base.back() == U'е')) {
      // травить: трав-ят, трав-ит, травл-ю, травл-ен.
      std::u32string cons = base.substr(0, base.size() - 1);
      std::vector<std::string> pres = kVerbPresentI;
      for (auto& p : with_adj({"ящ", "ащ", "енн", "ённ", "им"})) {
        pres.push_back(p);
      }
      std::vector<std::string> heads = {Encode(cons)};
      if (std::u32string_view(U"бпвфм").find(cons.back()) !=
          std::u32string::npos) {
        heads.push_back(Encode(cons + U"л"));
      }
      for (const auto& h : heads) {
        variants.push_back(h);
        exact += "|" + quote(h) + Alternation(pres, quote);
      }
    }
    exact += ")(?:ся|сь)?";
  } else {
    static const std::vector<std::u32string> kStrip = {
        U"ия", U"ие", U"ий", U"ый", U"ой", U"ая", U"яя", U"ое", U"ее", U"ые",
        U"а",  U"я",  U"о",  U"е",  U"ь",  U"ы",  U"и",  U"у",  U"ю",  U"й"};
    base = lemma;
    for (const auto& e : kStrip) {
      if (ends_with(e) && lemma.size() - e.size() >= 3) {
        base = lemma.substr(0, lemma.size() - e.size());
        break;
      }
    }
    if (base.size() < 3) {
      return InvalidArgument("stem '" + std::string(lemma_text) +
                             "' is too short to expand");
    }
    std::string b = Encode(base);
    variants.push_back(b);
    exact = quote(b) + Alternation(kNominal, quote) + "?";
  }
  StemPattern p;
  p.prefilter = Alternation(variants, quote);
  p.exact = exact;
  p.starts = variants;
  return p;
}

}  // namespace shagym::nlp
