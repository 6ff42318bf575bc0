#include "nlp/entities.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/gazetteer_loader.h"
#include "nlp/analysis.h"
#include "tests/nlp/entity_fixture.h"
#include "tests/testing/sanitizers.h"
#include "tests/testing/temp_dir.h"

namespace shagym::nlp {
namespace entities_test {

class EntitiesTest : public EntityFixture {
 protected:
  Entities E(std::string_view s) {
    return extractor_->Extract(normalizer_->Normalize(s));
  }
  std::string Region(std::string_view s) { return E(s).region; }
  std::string School(std::string_view s) { return E(s).school_number; }
};

struct Case {
  const char* text;
  const char* want;
};

TEST_F(EntitiesTest, RegionCaseFormsKazakh) {
  const Case cases[] = {
      {"Таразда мектепте төбелес болды", "jambyl"},
      {"Таразға көшіп келдік", "jambyl"},
      {"Тараздағы 12 мектеп", "jambyl"},
      {"Шымкентте оқушыны ұрған", "shymkent"},
      {"Шымкенттегі мектептердің бірінде", "shymkent"},
      {"Алматыда балабақшада", "almaty"},
      {"Алматы облысында мектеп жабылды", "almaty_region"},
      {"Астанадағы мектепте", "astana"},
      {"Ақтөбеде оқушы жоғалып кетті", "aktobe"},
      {"Қарағанды облысының Теміртау қаласында", "karaganda"},
      {"Маңғыстау облысындағы мектепте", "mangystau"},
      {"Атыраудың мектептерінде", "atyrau"},
      {"Өскеменде", "east_kazakhstan"},
      {"Семейде мектеп", "abai"},
      {"Қызылордадағы мектеп", "kyzylorda"},
      {"Түркістан облысы Сарыағаш ауданы", "turkistan"},
      {"Жезқазғанда", "ulytau"},
      {"Талдықорғанда", "jetisu"},
      {"Көкшетауда", "akmola"},
      {"Павлодардағы", "pavlodar"},
      {"Петропавлда", "north_kazakhstan"},
      {"Қостанайда", "kostanay"},
  };
  for (const Case& c : cases) EXPECT_EQ(Region(c.text), c.want) << c.text;
}

TEST_F(EntitiesTest, RegionCaseFormsRussian) {
  const Case cases[] = {
      {"в Таразе избили школьника", "jambyl"},
      {"из Тараза пишут", "jambyl"},
      {"в школе Шымкента", "shymkent"},
      {"в Астане", "astana"},
      {"в Караганде", "karaganda"},
      {"из Караганды", "karaganda"},
      {"в Костанае", "kostanay"},
      {"в Жамбылской области", "jambyl"},
      {"Восточно-Казахстанской области", "east_kazakhstan"},
      {"в Усть-Каменогорске", "east_kazakhstan"},
      {"в ВКО", "east_kazakhstan"},
      {"в Алматинской области", "almaty_region"},
      {"в Алматы", "almaty"},
      {"в Нур-Султане", "astana"},
      {"в Семее", "abai"},
      {"в Уральске", "west_kazakhstan"},
      {"в Актау", "mangystau"},
      {"в Кызылорде", "kyzylorda"},
      {"в Петропавловске", "north_kazakhstan"},
      {"в Туркестанской области", "turkistan"},
  };
  for (const Case& c : cases) EXPECT_EQ(Region(c.text), c.want) << c.text;
}

TEST_F(EntitiesTest, RegionWithoutKazakhLettersAndLatin) {
  EXPECT_EQ(Region("Карагандыда мектепте"), "karaganda");
  EXPECT_EQ(Region("Актобеде"), "aktobe");
  EXPECT_EQ(Region("Shymkentte mektepte balalardy urady"), "shymkent");
  EXPECT_EQ(Region("Qaragandyda"), "karaganda");
  EXPECT_EQ(Region("School bullying in Almaty"), "almaty");
}

TEST_F(EntitiesTest, Traps) {
  // A district that shares a region's name is in another region.
  EXPECT_EQ(Region("Жамбыл ауданындағы мектепте"), "almaty_region");
  EXPECT_EQ(Region("Алматы облысы, Жамбыл ауданы"), "almaty_region");
  EXPECT_EQ(Region("Абай ауданы, Шымкент"), "shymkent");
  EXPECT_EQ(Region("Абай ауданы, Қарағанды облысы"), "karaganda");
  // "абай болыңыз" = "be careful"; schools named after people.
  EXPECT_EQ(Region("Абай болыңыз, балаларыңызға қараңыз"), "");
  EXPECT_EQ(Region("Абай атындағы мектепте"), "");
  EXPECT_EQ(Region("школа имени Абая"), "");
  // "семей" = "families" in Russian.
  EXPECT_EQ(Region("для многодетных семей"), "");
  // Almaty district of Astana.
  EXPECT_EQ(Region("Астана, Алматы ауданы"), "astana");
  EXPECT_EQ(Region("Алматы ауданындағы мектеп"), "astana");
  EXPECT_EQ(Region("Жетісу облысы"), "jetisu");
  EXPECT_EQ(Region("Жетісу ауданы"), "almaty");
}

// Common words, people and things named like places (found in KazNERD news
// sentences).
TEST_F(EntitiesTest, CommonWordsAndPeopleAreNotPlaces) {
  const char* cases[] = {
      "Өткен жылға қарағанда оқушылар көбейді",
      "Бұл шара — қазақ жұрты үшін де аса маңызды",
      "барлығы 452 шара іске асырылады",
      "Нұрсұлтан Назарбаев отыз жылдық қызметінде",
      "Нұрсұлтан Назарбаевтың көреген саясатын мойындады",
      "Бірлік Берікұлы, Азамат Әбілқайыр",
      "Темір жол үстінен өтетін жаңа өткел",
      "сырттан темірмен уақытша қаптап",
      "теңізден өзендерге шығатын жол ашылып",
      "достық қарым-қатынас орнағанын айтты",
      "алға қарай жылжыдық, ақша алғаны рас",
      "шаңырақтың тұңғышы он үш жасар",
      "іргелі зерттеу жүргізілді",
  };
  for (const char* c : cases) EXPECT_EQ(Region(c), "") << c;
  EXPECT_EQ(Region("Қарағанды қаласында мектеп жабылды"), "karaganda");
  EXPECT_EQ(Region("в Караганде закрыли школу"), "karaganda");
  EXPECT_EQ(Region("Бірлік ауылындағы мектеп"), "jambyl");
  EXPECT_EQ(Region("Нұр-Сұлтан қаласында"), "astana");
  EXPECT_EQ(Region("Нурсултан, школа №5"), "astana");
  EXPECT_EQ(Region("Темір ауданының мектебінде"), "aktobe");
  EXPECT_EQ(Region("Дәл осы сәтте Алматыда Денсаулық сақтау вице-министрі"),
            "almaty");
}

TEST_F(EntitiesTest, SchoolNumbers) {
  const Case cases[] = {
      {"№12 мектеп", "12"},
      {"№ 12 мектепте", "12"},
      {"12-мектеп", "12"},
      {"12 мектеп-лицей", "12"},
      {"мектеп-гимназия №5", "5"},
      {"школа №7", "7"},
      {"в школе № 7", "7"},
      {"СОШ 34", "34"},
      {"КГУ «Средняя школа №7»", "7"},
      {"гимназия 3", "3"},
      {"45-ші мектеп", "45"},
      {"45-ші мектепте", "45"},
      {"в 12-й школе", "12"},
      {"школа-гимназия №5", "5"},
      {"школа-лицей №8", "8"},
      {"№23 мектеп-интернат", "23"},
      {"Тараз қаласындағы №45 мектептің оқушысы", "45"},
      {"ученик 5 класса школы №12", "12"},
  };
  for (const Case& c : cases) EXPECT_EQ(School(c.text), c.want) << c.text;
}

TEST_F(EntitiesTest, NotSchoolNumbers) {
  const char* cases[] = {
      "5 сынып оқушысы",
      "ученик 7 класса",
      "№3 балабақша",
      "детский сад №5",
      "больница №3",
      "№2 аурухана",
      "дом 12, кв 5",
      "Батыс-2 мектебі",
      "5 шағын аудан",
      "мектепте 5 сынып оқушысы",
      "в школе 2 раза в неделю",
      "школа 2024 года",
  };
  for (const char* c : cases) EXPECT_EQ(School(c), "") << c;
}

TEST_F(EntitiesTest, Institutions) {
  EXPECT_EQ(E("№12 мектеп").institution, "school");
  EXPECT_EQ(E("№23 мектеп-интернат").institution, "boarding_school");
  EXPECT_EQ(E("школа-интернат №2").institution, "boarding_school");
  EXPECT_EQ(E("детский сад №5").institution, "kindergarten");
  EXPECT_EQ(E("балабақшада тәрбиеші").institution, "kindergarten");
  // Two-word names: the pair only, not either word alone.
  EXPECT_EQ(E("бала бақшада тәрбиеші").institution, "kindergarten");
  EXPECT_EQ(E("бала бакшада").institution, "kindergarten");
  EXPECT_EQ(E("в детском саду").institution, "kindergarten");
  EXPECT_EQ(E("бала сабаққа барды").institution, "");
  EXPECT_EQ(E("бақша бала").institution, "");
  EXPECT_EQ(E("детская площадка").institution, "");
  EXPECT_EQ(E("сад детский").institution, "");
  EXPECT_EQ(E("мой сад").institution, "");
  EXPECT_EQ(E("колледж студенттері").institution, "college");
  EXPECT_EQ(E("в летнем лагере").institution, "camp");
  EXPECT_EQ(E("жазғы лагерьде").institution, "camp");
  EXPECT_EQ(E("погода хорошая").institution, "");
}

TEST_F(EntitiesTest, SpansPointAtTheMention) {
  const std::string orig = "Вчера в ШКОЛЕ №12 города Тараза";
  NormalizedText t = normalizer_->Normalize(orig);
  Entities e = extractor_->Extract(t);
  ASSERT_EQ(e.region, "jambyl");
  auto [b, en] = t.ToOriginal(e.region_span.begin, e.region_span.end);
  EXPECT_EQ(orig.substr(b, en - b), "Тараза");
  auto [sb, se] = t.ToOriginal(e.school_span.begin, e.school_span.end);
  EXPECT_EQ(orig.substr(sb, se - sb), "ШКОЛЕ №12");
}

TEST(EntityExtractorTest, RejectsUnknownRegion) {
  Gazetteer g;
  g.places.push_back(
      {"Тараз", "zhambyl", PlaceKind::kCity, {}, false, "f:3:5"});
  auto ex = EntityExtractor::Create(g);
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find("f:3:5"), std::string::npos);
}

// Names of one, two and three letters are candidates for every token that
// starts with them, whatever follows: a token whose first letters are а..я
// finds them through the letter index, any other (Kazakh letters folded,
// Latin, digits) through the look-up by key; both give the same names.
TEST(EntityExtractorTest, ShortNamesWhateverFollowsThem) {
  Gazetteer g;
  g.places.push_back({"Т", "abai", PlaceKind::kTown, {}, false, "t"});
  g.places.push_back({"Ор", "atyrau", PlaceKind::kTown, {}, false, "or"});
  g.places.push_back({"Ойыл", "aktobe", PlaceKind::kTown, {}, false, "oiyl"});
  g.places.push_back(
      {"Орал", "west_kazakhstan", PlaceKind::kCity, {}, false, "oral"});
  auto ex = EntityExtractor::Create(g);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  auto region = [&](std::string_view s) {
    return (*ex)->Extract(Analyze(**normalizer, s)).region;
  };
  const Case cases[] = {
      {"т", "abai"},
      {"та", "abai"},
      {"тға", "abai"},
      {"Ор", "atyrau"},
      {"орда", "atyrau"},
      {"орға", "atyrau"},
      {"ор1", ""},
      {"орqa", ""},
      {"Ойыл", "aktobe"},
      {"Ойылда", "aktobe"},
      {"Ойылдa", "aktobe"},  // a Latin look-alike
      {"Ойылdа", ""},
      {"Орал", "west_kazakhstan"},
      {"Оралда", "west_kazakhstan"},
      {"оралға", "west_kazakhstan"},
      {"Оралға", "west_kazakhstan"},
      {"оралx", ""},
      {"ойылё", "aktobe"},  // ё is е
      {"ойыл2", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(region(c.text), c.want) << c.text;
}

// The letter prefilter (a Cyrillic token's first letters read off the
// token, its skeleton written only when a name may start there or a
// neighbour asks) finds what writing every skeleton first finds: every
// field of every text of tests/data, of the real corpora when present, and
// of every gazetteer name in forms that reach each path (inflected,
// capitalised, after a number, with a dropped ь or ъ among its first
// letters, with ё, Latin or digits glued on, in the kindergarten pairs).
TEST_F(EntitiesTest, LetterPrefilterFindsWhatSkeletonsFind) {
  std::vector<std::string> texts;
  const std::string root = SHAGYM_SOURCE_DIR;
  for (const char* f : {"rules_dev.jsonl", "rules_heldout.jsonl",
                        "text_labelled.jsonl", "text_heldout.jsonl"}) {
    std::ifstream in(root + "/tests/data/" + f);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("text") && j["text"].is_string()) {
        texts.push_back(j["text"].get<std::string>());
      }
    }
  }
  const std::string rw = testing::RealworldDir();
  const size_t max_corpus = testing::SanitizerScaled(20000);
  for (const char* f :
       {"kk_kaznerd_test_sentences.txt", "kk_kazsandra_sc_test.csv",
        "kk_ktb_ud_test_sentences.txt", "ru_taiga_ud_dev_test_sentences.tsv"}) {
    if (rw.empty()) break;
    std::ifstream in(rw + "/corpora/" + f);
    std::string line;
    for (size_t n = 0; n < max_corpus / 4 && std::getline(in, line); ++n) {
      texts.push_back(line);
    }
  }
  if (rw.empty()) std::printf("realworld corpora absent: tests/data only\n");
  auto g = config::LoadGazetteer("config/gazetteer/regions.yaml");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  size_t names = 0;
  for (const GazetteerPlace& p : g->places) {
    ++names;
    const std::string& n = p.name;
    texts.push_back(n);
    texts.push_back("Біз " + n + "да тұрамыз");
    texts.push_back("в " + n + "е, школа №12");
    texts.push_back("№12 мектеп " + n + "ға жақын");
    // A dropped letter at the start and after each of the first two
    // letters (two bytes each when Cyrillic), and letters that send the
    // token to the look-up by keys.
    texts.push_back("ь" + n);
    for (size_t at : {size_t{2}, size_t{4}}) {
      if (at < n.size()) {
        texts.push_back(n.substr(0, at) + "ь" + n.substr(at) + " қаласы");
        texts.push_back(n.substr(0, at) + "ъ" + n.substr(at));
        texts.push_back(n.substr(0, at) + "ё" + n.substr(at));
      }
    }
    texts.push_back("ё" + n);
    texts.push_back(n + "x");
    texts.push_back(n + "2");
  }
  ASSERT_GT(names, 100u);
  for (const char* t :
       {"бала бақша", "Бала бақшада тәрбиеші", "бәлә бақша", "бала бакша",
        "балабақша", "бала", "бал бақша", "детский сад №5", "детском саду",
        "Детьский сад", "дет сад", "детск сад", "детсад", "ДЕТСКИЙ САД"}) {
    texts.push_back(t);
  }
  auto same = [](const Entities& a, const Entities& b) {
    if (a.region != b.region || a.school_number != b.school_number ||
        a.institution != b.institution ||
        a.region_span.begin != b.region_span.begin ||
        a.region_span.end != b.region_span.end ||
        a.school_span.begin != b.school_span.begin ||
        a.school_span.end != b.school_span.end ||
        a.regions.size() != b.regions.size()) {
      return false;
    }
    for (size_t k = 0; k < a.regions.size(); ++k) {
      if (a.regions[k].region != b.regions[k].region ||
          a.regions[k].kind != b.regions[k].kind ||
          a.regions[k].span.begin != b.regions[k].span.begin ||
          a.regions[k].span.end != b.regions[k].span.end) {
        return false;
      }
    }
    return true;
  };
  size_t found = 0, differ = 0;
  for (const std::string& t : texts) {
    const AnalyzedText a = Analyze(*normalizer_, t);
    const Entities with = extractor_->Extract(a);
    EntityExtractor::SetLetterPrefilterForTesting(false);
    const Entities without = extractor_->Extract(a);
    EntityExtractor::SetLetterPrefilterForTesting(true);
    found += !with.regions.empty() || !with.institution.empty();
    if (!same(with, without) && ++differ <= 20) {
      ADD_FAILURE() << t << ": region '" << with.region << "' / '"
                    << without.region << "', institution '" << with.institution
                    << "' / '" << without.institution << "', mentions "
                    << with.regions.size() << " / " << without.regions.size();
    }
  }
  EXPECT_EQ(differ, 0u);
  // The texts do reach the names and institutions.
  EXPECT_GT(found, texts.size() / 4) << found << " of " << texts.size();
}

}  // namespace entities_test
}  // namespace shagym::nlp
