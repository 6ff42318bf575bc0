#include "nlp/langid.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "nlp/analysis.h"
#include "nlp/letters.h"
#include "nlp/tokenize.h"
#include "nlp/word_table.h"

namespace shagym::nlp {
namespace {

// Why words and suffixes rather than a trained model: posts are short and
// often code-switched, so every word has to carry its own evidence. A word
// with a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) is Kazakh; function words and
// frequent words of either language (including Kazakh typed with Russian
// letters only: "жаксы", "балалар") decide the rest; suffixes and letters
// that one language lacks (щ ъ ь э; -лар, -ның, -ого, -ться) weigh less.

bool IsCyrillic(UChar32 c) { return c >= 0x0400 && c <= 0x04FF; }
bool IsLatin(UChar32 c) {
  return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0x24F);
}

constexpr uint8_t kKkSuffix = 1;
constexpr uint8_t kRuSuffix = 2;

struct Lexicon {
  std::unordered_map<std::string, double> kk;  // word -> weight
  std::unordered_map<std::string, double> ru;
  std::unordered_set<std::string> neutral;  // proper nouns of both languages
  struct Entry {
    double kk = 0, ru = 0;
    bool neutral = false;
  };
  // The three above merged, for one lookup per word without allocating.
  WordTable<Entry> all;
  // The same, for the look-up per word: keys of up to 24 bytes (12 Cyrillic
  // letters) in `inline_words`, longer ones in `long_words`.
  InlineKeyTable<Entry> inline_words;
  WordTable<Entry> long_words;
  const Entry* Find(std::string_view word) const {
    return word.size() <= InlineKeyTable<Entry>::kMaxKey
               ? inline_words.Find(word)
               : long_words.Find(word);
  }
  // The suffixes of both languages reversed, letter by letter, so that the
  // tails of a word are looked up in one walk from its end.
  struct SuffixTrie {
    // Compact letter index: а..я, ё, then the nine Kazakh letters; -1 for
    // anything else (no suffix has it).
    static int Letter(UChar32 c) {
      if (c >= 0x0430 && c <= 0x044F) return c - 0x0430;
      switch (c) {
        case 0x0451:
          return 32;
        case 0x04D9:
          return 33;
        case 0x0493:
          return 34;
        case 0x049B:
          return 35;
        case 0x04A3:
          return 36;
        case 0x04E9:
          return 37;
        case 0x04B1:
          return 38;
        case 0x04AF:
          return 39;
        case 0x04BB:
          return 40;
        case 0x0456:
          return 41;
        default:
          return -1;
      }
    }
    static constexpr int kLetters = 42;
    struct Node {
      uint8_t flags = 0;  // kKkSuffix | kRuSuffix: a suffix ends here
      std::array<int16_t, kLetters> next;
      Node() { next.fill(-1); }
    };
    std::vector<Node> nodes = std::vector<Node>(1);

    void Add(std::string_view suffix, uint8_t flag) {
      std::vector<UChar32> cps;
      const auto* p = reinterpret_cast<const uint8_t*>(suffix.data());
      const int32_t n = static_cast<int32_t>(suffix.size());
      for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        cps.push_back(c);
      }
      int node = 0;
      for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
        const int l = Letter(*it);
        assert(l >= 0);
        if (nodes[node].next[l] < 0) {
          nodes[node].next[l] = static_cast<int16_t>(nodes.size());
          nodes.emplace_back();
        }
        node = nodes[node].next[l];
      }
      nodes[node].flags |= flag;
    }
    // The node after `c` from `node`, or -1.
    int Next(int node, UChar32 c) const {
      const int l = Letter(c);
      return l < 0 ? -1 : nodes[node].next[l];
    }
  };
  SuffixTrie suffixes;
};

const char* const kKkSuffixes[] = {
    "лар",   "лер",   "дар",  "дер",  "тар",  "тер",  "ның",   "нің",   "дың",
    "дің",   "тың",   "тің",  "нын",  "дын",  "тын",  "мыз",   "міз",   "ныз",
    "ңыз",   "ңіз",   "сыз",  "сіз",  "ға",   "ге",   "қа",    "ған",   "ген",
    "қан",   "кен",   "ып",   "іп",   "йды",  "йді",  "ады",   "еді",   "ейді",
    "атын",  "етін",  "ында", "інде", "ынан", "інен", "сын",   "сің",   "мын",
    "мін",   "пын",   "пін",  "бын",  "бін",  "ымыз", "імыз",  "ларды", "лерді",
    "ларға", "лерге", "дағы", "дегі", "тағы", "тегі", "ді",    "ты",    "ті",
    "нда",   "нде",   "мыс",  "ды",   "пыз",  "ғы",   "гы",    "қы",    "лық",
    "лік",   "лык",   "лик",  "уге",  "уға",  "уга",  "ады",   "ейді",  "йды",
    "ипті",  "ыпты",  "са",   "се",   "ша",   "ше",   "ларын", "лерін", "ында",
    "інде",
};
const char* const kRuSuffixes[] = {
    "ого",  "его",  "ому",  "ему",  "ых",   "ими",  "ыми",  "ться",  "тся",
    "ешь",  "ает",  "яет",  "ует",  "ость", "ение", "ание", "ний",   "ния",
    "ся",   "ый",   "ий",   "ая",   "яя",   "ое",   "ые",   "ов",    "ами",
    "ями",  "ую",   "ют",   "ят",   "ить",  "ать",  "еть",  "ешь",   "ишь",
    "ала",  "ило",  "ели",  "ыли",  "ому",  "ной",  "ных",  "ная",   "ное",
    "ском", "ской", "ство", "ства", "тель", "ется", "ются", "ились", "ался",
    "ела",  "али",  "или",  "ыли",  "ают",  "яют",  "ешь",  "ете",   "ите",
    "ого",  "ит",   "ут",   "ют",   "ил",   "ила",  "ать",  "ция",   "ции",
    "ии",   "ия",   "ие",   "ых",   "ов",   "ев",   "ам",
};

Lexicon BuildLexicon() {
  Lexicon lexicon;
  Lexicon* l = &lexicon;
  {
    const char* kk_strong[] = {
        "мен",        "сен",       "біз",        "сіз",        "биз",
        "сиз",        "олар",      "бар",        "жоқ",        "жок",
        "және",       "жане",      "деп",        "еді",        "еди",
        "екен",       "емес",      "керек",      "болды",      "болып",
        "болса",      "болады",    "болмайды",   "бұл",        "бул",
        "осы",        "сол",       "мына",       "мынау",      "анау",
        "ғой",        "гой",       "ғана",       "гана",       "үшін",
        "ушин",       "учун",      "ушін",       "туралы",     "арқылы",
        "аркылы",     "бойынша",   "кейін",      "кейин",      "дейін",
        "дейин",      "шейін",     "шейин",      "қазір",      "казир",
        "казыр",      "бүгін",     "бугин",      "бугін",      "кеше",
        "ертең",      "ертен",     "неге",       "немесе",     "бірақ",
        "бирак",      "бірак",     "маған",      "маган",      "саған",
        "саган",      "оған",      "оган",       "бізге",      "бизге",
        "сізге",      "сизге",     "менің",      "менин",      "сенің",
        "сенин",      "оның",      "онын",       "біздің",     "биздин",
        "сіздің",     "сиздин",    "қалай",      "калай",      "қандай",
        "кандай",     "қайда",     "кайда",      "кім",        "ким",
        "нәрсе",      "нарсе",     "тағы",       "тагы",       "енді",
        "енди",       "әлі",       "ғой",        "бәрі",       "бари",
        "барі",       "себебі",    "себеби",     "сондықтан",  "сондыктан",
        "егер",       "жатыр",     "жатқан",     "жаткан",     "отыр",
        "келді",      "келди",     "кетті",      "кетти",      "айтты",
        "берді",      "берди",     "алды",       "жасады",     "ойын",
        "ойнау",      "ұрып",      "урып",       "ұрды",       "урды",
        "соқты",      "сокты",     "балам",      "баламды",    "баламыз",
        "ұлым",       "улым",      "қызым",      "кызым",      "бала",
        "балалар",    "балаларды", "балаларға",  "балаларга",  "баланы",
        "баласы",     "балаға",    "балага",     "мектеп",     "мектепте",
        "мектепке",   "мектептің", "мектептин",  "мектептен",  "мектептегі",
        "мектептеги", "оқушы",     "окушы",      "оқушылар",   "окушылар",
        "оқушыны",    "мұғалім",   "мугалим",    "мұғалімі",   "мугалими",
        "мұғалімдер", "сынып",     "сыныпта",    "сабақ",      "сабак",
        "сабақта",    "жақсы",     "жаксы",      "жаман",      "өте",
        "оте",        "қатты",     "катты",      "көп",        "коп",
        "үлкен",      "улкен",     "рахмет",     "рақмет",     "сәлем",
        "салем",      "иә",        "ата",        "әке",        "аке",
        "апа",        "ағай",      "агай",       "апай",       "жыл",
        "жылы",       "күн",       "кун",        "уақыт",      "уакыт",
        "адам",       "адамдар",   "халық",      "халык",      "ақша",
        "акша",       "тамақ",     "тамак",      "үй",         "уй",
        "бір",        "бир",       "екі",        "еки",        "үш",
        "уш",         "бес",       "алты",       "жеті",       "жети",
        "сегіз",      "тоғыз",     "жүз",        "жуз",        "мың",
        "мын",        "жоғары",    "төмен",      "ішінде",     "ишинде",
        "қарсы",      "карсы",     "кезде",      "кезінде",    "кезинде",
        "ешкім",      "ешким",     "ешқашан",    "тек",        "дейді",
        "дейди",      "деді",      "деди",       "ма",         "ме",
        "ба",         "бе",        "па",         "пе",         "шығар",
        "шыгар",      "екенін",    "екенин",     "барма",      "жатыр",
        "жатырмыз",   "келеді",    "келеди",     "тұр",        "қажет",
        "кажет",      "мүмкін",    "мумкин",     "болмайды",   "ешқандай",
        "ешкандай",   "барлық",    "барлык",     "басқа",      "баска",
        "ана",        "әр",        "ар",         "тым",        "әбден",
        "шынымен",    "шыныменде", "ойнагым",    "келеди",     "кеп",
        "сияқты",     "сиякты",    "секілді",    "секилди",    "жерде",
        "жерге",      "қыз",       "кыз",        "ұл",         "ұстаз",
        "устаз",      "директоры", "мектебі",    "мектеби",    "мектебінде",
        "мектебинде", "балабақша", "балабакша",  "ауыл",       "ауылда",
        "ауданы",     "облысы",    "қаласы",     "каласы",     "қаласында",
        "каласында",  "біреу",     "биреу",      "бірде",      "күнде",
        "кунде",      "дұрыс",     "дурыс",      "ұят",        "уят",
        "масқара",    "маскара",   "қорқынышты", "коркынышты", "неліктен",
        "неликтен",   "қашан",     "кашан",      "ештеңе",     "ештене",
        "әлде",       "алде",      "әйтеуір",    "айтеуир",    "оқу",
        "оку",        "оқиға",     "окига",      "бастап",     "дейінгі",
        "соң",        "кейінгі",   "бүкіл",      "букил",      "өз",
        "өзі",        "өзін",      "кейбір",     "кейбир",     "тұрғындар",
        "ата-аналар", "аналар",    "ата-ана",    "атааналар",
    };
    for (const char* w : kk_strong) l->kk[w] = 1.5;
    const char* ru_strong[] = {
        "и",         "в",           "во",        "на",       "не",
        "что",       "это",         "с",         "со",       "по",
        "у",         "как",         "а",         "но",       "к",
        "ко",        "из",          "за",        "от",       "для",
        "до",        "так",         "же",        "уже",      "все",
        "его",       "ее",          "они",       "мы",       "вы",
        "я",         "он",          "она",       "оно",      "было",
        "был",       "была",        "были",      "есть",     "нет",
        "когда",     "если",        "или",       "только",   "очень",
        "еще",       "мне",         "меня",      "нас",      "вас",
        "их",        "там",         "тут",       "здесь",    "где",
        "почему",    "зачем",       "кто",       "чем",      "чтобы",
        "даже",      "вот",         "ли",        "бы",       "ни",
        "при",       "про",         "без",       "над",      "под",
        "после",     "через",       "можно",     "нужно",    "надо",
        "будет",     "быть",        "этот",      "эта",      "эти",
        "этом",      "этой",        "того",      "тоже",     "также",
        "который",   "которые",     "которая",   "просто",   "сейчас",
        "сегодня",   "вчера",       "завтра",    "школа",    "школе",
        "школы",     "школу",       "школой",    "дети",     "детей",
        "детям",     "ребенок",     "ребенка",   "ребенку",  "сын",
        "сына",      "сыну",        "дочь",      "дочери",   "учитель",
        "учителя",   "учительница", "учителей",  "классе",   "классом",
        "помогите",  "пожалуйста",  "спасибо",   "ужас",     "родители",
        "родителей", "всех",        "весь",      "вся",      "своих",
        "свой",      "свою",        "нам",       "вам",      "им",
        "ему",       "ей",          "себя",      "такой",    "такие",
        "какой",     "какие",       "каждый",    "больше",   "меньше",
        "хорошо",    "плохо",       "много",     "мало",     "года",
        "лет",       "день",        "дня",       "раз",      "два",
        "три",       "пять",        "сколько",   "никто",    "ничего",
        "никогда",   "опять",       "снова",     "пока",     "потом",
        "тогда",     "теперь",      "всегда",    "сам",      "сама",
        "сами",      "мой",         "моя",       "мои",      "моего",
        "моей",      "твой",        "наш",       "наши",     "нашей",
        "ваш",       "ваши",        "либо",      "хотя",     "потому",
        "поэтому",   "вообще",      "конечно",   "правда",   "случилось",
        "произошло", "говорит",     "сказал",    "сказала",  "избили",
        "бьют",      "обижают",     "директора", "уроке",    "уроки",
        "урок",      "ученик",      "ученики",   "учеников", "ученика",
        "учеников",  "этого",       "этому",     "такое",    "очередной",
        "опять",     "мама",        "маму",      "папа",     "город",
        "города",    "городе",      "области",   "область",  "район",
        "района",    "районе",      "села",      "селе",     "поселке",
        "класса",    "сегодняшний", "просим",    "прошу",    "требуем",
        "куда",      "смотрит",     "смотрят",   "делать",   "делают",
        "знает",     "знают",       "знаю",      "хочу",     "хочет",
        "могут",     "может",       "никак",     "вместо",   "между",
        "против",    "всё",         "её",        "ещё",      "чего",
        "нибудь",    "либо",        "кого",      "кому",     "свои",
        "своей",     "своего",      "своим",     "самое",    "самый",
        "где-то",    "кто-то",      "что-то",    "как-то",   "почти",
        "около",     "возле",       "утром",     "вечером",  "ночью",
        "неделю",    "месяц",       "наших",     "ваших",    "таких",
        "этих",      "тех",         "тем",       "том",      "той",
        "ту",        "те",          "тот",       "будут",    "стало",
        "стал",      "стала",       "стали",     "пришел",   "пришла",
        "пришли",    "ушел",        "ушла",      "нашего",   "вашего",
        "детский",   "детском",     "садик",     "садике",   "сад",
        "саду",
    };
    for (const char* w : ru_strong) l->ru[w] = 1.5;
    // Place and state names with Kazakh letters appear in Russian posts
    // too ("в школе г. Қарағанды"): no evidence either way.
    const char* neutral[] = {
        "қазақстан",   "казахстан",  "қр",        "рк",        "қарағанды",
        "ақтөбе",      "өскемен",    "қостанай",  "қызылорда", "түркістан",
        "маңғыстау",   "ақмола",     "ақтау",     "көкшетау",  "жезқазған",
        "талдықорған", "петропавл",  "семей",     "орал",      "атырау",
        "тараз",       "шымкент",    "астана",    "алматы",    "павлодар",
        "қонаев",      "абай",       "ұлытау",    "жетісу",    "жамбыл",
        "сәтбаев",     "екібастұз",  "теміртау",  "балқаш",    "ақсу",
        "қаскелең",    "нұр-сұлтан", "нұрсұлтан", "есік",      "кентау",
        "түркістанда",
    };
    for (const char* w : neutral) l->neutral.insert(w);
  }
  auto add = [](std::string_view words, auto* set, double weight) {
    size_t i = 0;
    while (i < words.size()) {
      size_t j = words.find(' ', i);
      if (j == std::string_view::npos) j = words.size();
      if (j > i) (*set)[std::string(words.substr(i, j - i))] = weight;
      i = j + 1;
    }
  };
  add("кошмар просто блин короче вообще реально нормально жесть позор "
      "всем помог помогла помогли найти подарок подарки очередь очереди дети "
      "детям учатся учится смены смена администрация молчит молчат цены "
      "цена космос фото видео снимали снимают сняли телефон телефоны деньги "
      "денег собирают собирали требует требуют говорят сказали пишут пишет "
      "знаете слышали ребята ребят срочно внимание кто-нибудь подскажите "
      "спасибо родители родителям учителю учителям директору школьник "
      "школьники ученица ученицы девочка девочку мальчик мальчика сегодня "
      "вчера опять снова уже ещё пока почему зачем куда откуда никто ничего "
      "надо нужно можно нельзя будет было были есть нет да нет ну вот так "
      "тоже сейчас потом тогда после перед между через около возле против "
      "одна один одно одни весь вся все всё каждый каждая какой какая какие "
      "этот эта это эти тот та то те свой своя своё свои наш наша наше наши "
      "ваш ваша ваше ваши его её их мой моя моё мои твой твоя меня мне мной "
      "тебя тебе нас нам вас вам им ими него неё нему ней них "
      "случилось произошло пропал пропала пропали избили избил ударил "
      "ударила бьют бьёт травят травля обижают унижают кричит кричат плачет "
      "боится боятся стоял стояли сидел сидели сидят ходит ходят пришёл "
      "ничего страшно ужасно плохо хорошо отлично правда конечно наверное",
      &l->ru, 1.5);
  add("бар жоқ жок емес екен еді керек болды болып бол болса болмаса "
      "ол олар оны оған онда одан осы сол мына анау бұл бул мен сен біз "
      "сіз сендер сіздер балам балалар баланы балаға баласы бала ұл қыз "
      "ата ана әке шеше апа аға апай ағай мұғалім мұғалімі мұғалімдер "
      "оқушы оқушылар оқушыны сынып сыныпта сыныптағы мектеп мектепте "
      "мектепке мектептің мектептен мектептегі мектебі мектебінде "
      "тағы да де та те ғой қой ғана қана тек әлі енді сонда мұнда онда "
      "қазір бүгін кеше ертең жаңа ескі үлкен кіші жақсы жаман қатты "
      "өте тым көп аз бәрі барлығы ешкім ештеңе ешқашан әрқашан кейде "
      "керемет рахмет рақмет сәлем аман есен табылды табылған жоғалды жоғалып "
      "кетті келді келмеді барды бармады айтты айтпады дейді деді деп "
      "жатыр жатырмыз отыр отырады тұр тұрады жүр жүреді орын орны "
      "ақша тамақ су жылу жарық шатыр есік терезе асхана дәретхана "
      "ұрды ұрып ұрады соқты соққан төбелес төбелесті қорлады қорлайды "
      "мазақтайды айғайлайды жылады жылап қорқады қорқып көмек көмектесіңіз "
      "көмектесіңіздер қараңыз қараңыздар таратыңыз таратыңыздар "
      "маған саған оған бізге сізге менің сенің оның біздің сіздің "
      "не неге қалай қандай қайда қашан кім неше қанша ма ме ба бе па пе",
      &l->kk, 1.5);
  for (const char* w :
       {"караганда",       "караганде", "караганды",  "актобе",
        "кызылорда",       "кызылорде", "костанай",   "костанае",
        "шымкент",         "шымкента",  "шымкенте",   "тараз",
        "таразе",          "тараза",    "астане",     "астаны",
        "семее",           "атырау",    "павлодаре",  "талдыкорган",
        "талдыкоргане",    "кокшетау",  "жезказган",  "жезказгане",
        "уральск",         "уральске",  "актау",      "жанаозен",
        "жанаозене",       "туркестан", "туркестане", "экибастуз",
        "экибастузе",      "темиртау",  "сош",        "кгу",
        "енбекшиказахский"}) {
    l->neutral.insert(w);
  }
  auto entry = [&](const std::string& w) -> Lexicon::Entry& {
    if (const Lexicon::Entry* e = lexicon.all.Find(w)) {
      return const_cast<Lexicon::Entry&>(*e);
    }
    return lexicon.all.Insert(w, Lexicon::Entry{});
  };
  for (const auto& [w, v] : lexicon.kk) entry(w).kk = v;
  for (const auto& [w, v] : lexicon.ru) entry(w).ru = v;
  for (const auto& w : lexicon.neutral) entry(w).neutral = true;
  for (const auto& [w, e] : lexicon.all.entries()) {
    if (w.size() <= InlineKeyTable<Lexicon::Entry>::kMaxKey) {
      lexicon.inline_words.Insert(w, e);
    } else {
      lexicon.long_words.Insert(w, e);
    }
  }
  for (const char* x : kKkSuffixes) lexicon.suffixes.Add(x, kKkSuffix);
  for (const char* x : kRuSuffixes) lexicon.suffixes.Add(x, kRuSuffix);
  return lexicon;
}

const Lexicon& GetLexicon() {
  static const Lexicon lexicon = BuildLexicon();
  return lexicon;
}

bool IsRussianVowel(UChar32 c) {
  switch (c) {
    case 0x0430:
    case 0x0435:
    case 0x0438:
    case 0x043E:
    case 0x0443:
    case 0x044B:
    case 0x044D:
    case 0x044E:
    case 0x044F:
    case 0x0451:
      return true;
    default:
      return false;
  }
}

// Weak evidence from suffixes and letters one language lacks. Kazakh native
// words never start with two consonants and have no в ф ц щ ъ ь э; Russian
// words do ("старшеклассники", "смены", "вообще").
const Lexicon& GetLexicon();

// Decodes a two-byte UTF-8 sequence (all of Cyrillic) inline; anything
// else through U8_NEXT.
inline UChar32 NextCp(const uint8_t* p, int32_t* i, int32_t n) {
  const uint8_t b0 = p[*i];
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0 && *i + 1 < n && (p[*i + 1] & 0xC0) == 0x80 &&
      b0 >= 0xC2) {
    UChar32 c = ((b0 & 0x1F) << 6) | (p[*i + 1] & 0x3F);
    *i += 2;
    return c;
  }
  UChar32 c;
  U8_NEXT(p, *i, n, c);
  return c;
}

// `two_byte`: every code point of `w` is two bytes (Token::cyrillic); `c0`,
// `c1`: the word's first two code points (0 when absent); `foreign`:
// whether it has one of в ф ц э.
void SuffixEvidence(const Lexicon& lex, std::string_view w, bool two_byte,
                    UChar32 c0, UChar32 c1, bool foreign, double* kk,
                    double* ru) {
  // Tails of 1 to 5 code points (at least 4 bytes left before them), one
  // trie step per code point from the end.
  const auto* p = reinterpret_cast<const uint8_t*>(w.data());
  const int32_t n = static_cast<int32_t>(w.size());
  uint8_t hits = 0;
  size_t kk_tail = 0;  // code points of the longest Kazakh suffix
  size_t pos = w.size(), cps = 0;
  int node = 0;
  while (pos > 0 && cps < 5) {
    UChar32 c;
    if (two_byte) {
      // Token::cyrillic: every code point is two bytes.
      pos -= 2;
      c = ((p[pos] & 0x1F) << 6) | (p[pos + 1] & 0x3F);
    } else {
      do {
        --pos;
      } while (pos > 0 && (p[pos] & 0xC0) == 0x80);
      int32_t i = static_cast<int32_t>(pos);
      c = NextCp(p, &i, n);
    }
    ++cps;
    if (pos < 4) break;  // keep a stem of two or more letters
    node = lex.suffixes.Next(node, c);
    if (node < 0) break;
    hits |= lex.suffixes.nodes[node].flags;
    if (lex.suffixes.nodes[node].flags & kKkSuffix) kk_tail = cps;
  }
  if (hits & kKkSuffix) *kk += 0.6;
  if (hits & kRuSuffix) *ru += 0.6;
  // A Russian stem with a Kazakh suffix of three letters or more and no
  // Russian one is a loanword inflected in Kazakh ("спортзалдын",
  // "вожатыйлар", "классты" aside): its consonant cluster and foreign
  // letters are no evidence for Russian.
  if (kk_tail >= 3 && !(hits & kRuSuffix)) return;
  if (c0 > 0 && c1 > 0 && IsCyrillic(c0) && IsCyrillic(c1) &&
      !IsRussianVowel(c0) && !IsRussianVowel(c1) && c0 != 0x0439 &&
      c1 != 0x044C && c1 != 0x044A) {
    *ru += 0.8;
  }
  if (foreign) *ru += 0.5;
}

}  // namespace

std::string_view LanguageCode(Language lang) {
  switch (lang) {
    case Language::kKazakh:
      return "kk";
    case Language::kRussian:
      return "ru";
    case Language::kMixed:
      return "mixed";
    case Language::kOther:
      return "other";
  }
  return "other";
}

namespace {

Language Detect(std::string_view normalized, const std::vector<Token>& tokens,
                LanguageScores* scores) {
  const Lexicon& lex = GetLexicon();
  LanguageScores local;
  LanguageScores& sc = scores ? *scores : local;
  sc = LanguageScores{};
  // Words decided by a letter or the lexicon weigh 1, by suffixes only 0.5
  // (loanwords such as "автобусы", "минут" are often Russian-looking).
  double kk_words = 0, ru_words = 0;
  int unknown_cyr = 0;
  double weak_kk = 0, weak_ru = 0;
  for (const Token& t : tokens) {
    if (t.numeric) continue;
    const std::string_view word = normalized.substr(t.begin, t.end - t.begin);
    const auto* s = reinterpret_cast<const uint8_t*>(word.data());
    const int32_t n = static_cast<int32_t>(word.size());
    int cyr = 0, lat = 0, letters = 0;
    uint8_t classes = 0;
    UChar32 c0 = 0, c1 = 0;
    if (t.cyrillic) {
      // Two bytes per code point, all Cyrillic; the normaliser or Tokenize()
      // gathered the letter groups while cutting the token.
      cyr = letters = n / 2;
      classes = t.letter_groups;
      c0 = ((s[0] & 0x1F) << 6) | (s[1] & 0x3F);
      if (n >= 4) c1 = ((s[2] & 0x1F) << 6) | (s[3] & 0x3F);
    } else {
      for (int32_t i = 0; i < n;) {
        const uint8_t b0 = s[i];
        UChar32 c;
        if (b0 >= 0xD0 && b0 <= 0xD3 && i + 1 < n &&
            (s[i + 1] & 0xC0) == 0x80) {
          // Cyrillic (the bulk of the text) decoded inline.
          c = ((b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
          i += 2;
          ++cyr;
          classes |= kCyrillicGroups.of[c - 0x0400];
        } else {
          c = NextCp(s, &i, n);
          if (IsCyrillic(c)) {
            ++cyr;
            classes |= kCyrillicGroups.of[c - 0x0400];
          } else if (IsLatin(c)) {
            ++lat;
          }
        }
        if (letters == 0) {
          c0 = c;
        } else if (letters == 1) {
          c1 = c;
        }
        ++letters;
      }
    }
    const bool kk_letters = (classes & kKazakhOnlyLetter) != 0;
    // щ ъ э, and ь: Russian and loanwords only.
    const bool ru_letters = (classes & kRussianOnlyLetter) != 0;
    if (lat > cyr) {
      if (letters >= 2) ++sc.latin_words;
      continue;
    }
    if (cyr == 0) continue;
    ++sc.cyrillic_words;
    double kk = 0, ru = 0;
    if (const Lexicon::Entry* e = lex.Find(word)) {
      if (e->neutral) continue;
      kk += e->kk;
      ru += e->ru;
    }
    if (kk_letters) kk += 2.0;
    if (ru_letters) ru += 1.0;
    const bool strong = kk >= 1.5 || ru >= 1.0;
    if (!strong) {
      SuffixEvidence(lex, word, t.cyrillic, c0, c1,
                     (classes & kNonNativeLetter) != 0, &kk, &ru);
    }
    const double weight = strong ? 1.0 : 0.5;
    sc.kazakh += kk;
    sc.russian += ru;
    if (kk >= ru + 0.5) {
      kk_words += weight;
    } else if (ru >= kk + 0.5) {
      ru_words += weight;
    } else {
      ++unknown_cyr;
      weak_kk += kk;
      weak_ru += ru;
    }
  }
  const double known = kk_words + ru_words;
  if (sc.cyrillic_words == 0) return Language::kOther;
  if (sc.latin_words >= 3 && sc.latin_words > 2 * sc.cyrillic_words) {
    return Language::kOther;
  }
  if (known <= 0) {
    return weak_kk > weak_ru ? Language::kKazakh : Language::kRussian;
  }
  const double minority = std::min(kk_words, ru_words);
  const double share = minority / known;
  if ((minority >= 1 && share >= 0.34) || (minority >= 1.5 && share >= 0.2)) {
    return Language::kMixed;
  }
  return kk_words > ru_words ? Language::kKazakh : Language::kRussian;
}

}  // namespace

Language DetectLanguage(const NormalizedText& text) {
  return Detect(text.text, Tokenize(text.text), nullptr);
}

Language DetectLanguage(const AnalyzedText& text, LanguageScores* scores) {
  return Detect(text.normalized.text, text.tokens, scores);
}

Language DetectLanguage(std::string_view normalized, LanguageScores* scores) {
  return Detect(normalized, Tokenize(normalized), scores);
}

Language DetectLanguage(std::string_view normalized,
                        const std::vector<Token>& tokens,
                        LanguageScores* scores) {
  return Detect(normalized, tokens, scores);
}

}  // namespace shagym::nlp
