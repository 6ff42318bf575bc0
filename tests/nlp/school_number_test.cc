// School numbers (SPEC "Text" → entities): every common way a post names a
// numbered school, in Kazakh, Russian, Latin-script Kazakh and English, and
// the numbers next to school words that are counts, grades, years, phone
// numbers or addresses rather than a school's number.

#include <gtest/gtest.h>

#include "nlp/analysis.h"
#include "nlp/entities.h"
#include "tests/nlp/entity_fixture.h"

namespace shagym::nlp {
namespace school_number_test {

class SchoolNumberTest : public EntityFixture {
 protected:
  static Entities E(std::string_view s) {
    return extractor_->Extract(Analyze(*normalizer_, s));
  }
};

struct Case {
  const char* text;
  const char* want;  // "" = no school number
};

// Each form as the whole post and inside a sentence.
const Case kCases[] = {
    // Kazakh, number before.
    {"№12 мектеп", "12"},
    {"№ 12 мектепте", "12"},
    {"12-мектеп", "12"},
    {"12 мектепте", "12"},
    {"12 мектептің мұғалімі", "12"},
    {"12-мектепте балалар тамақ ішпейді", "12"},
    {"Біздің 7 мектепте асхана жоқ", "7"},
    {"45-ші мектеп", "45"},
    {"45 ші мектепте", "45"},
    {"45ші мектеп", "45"},
    {"12 мектеп-лицей", "12"},
    {"№23 мектеп-интернат", "23"},
    {"Тараз қаласындағы №45 мектептің оқушысы", "45"},
    // Kazakh, number after.
    {"мектеп-гимназия №5", "5"},
    {"ЖОББМ №3", "3"},
    {"№3 ЖОББМ", "3"},
    {"ЖББМ №14 мұғалімдері", "14"},
    {"Абай атындағы №8 ЖОББМ", "8"},
    // Russian.
    {"школа-гимназия №5", "5"},
    {"СОШ 34", "34"},
    {"СОШ №34", "34"},
    {"СШ №7", "7"},
    {"ОСШ №9", "9"},
    {"в ОСШ 15 нет отопления", "15"},
    {"школа № 12", "12"},
    {"школа №12", "12"},
    {"школе №12", "12"},
    {"в школе №12 опять поборы", "12"},
    {"в 12-й школе", "12"},
    {"в 12 школе", "12"},
    {"12-я школа", "12"},
    {"из 25-ой школы", "25"},
    {"школа-лицей 8", "8"},
    {"школа-лицей №8", "8"},
    {"гимназия 3", "3"},
    {"гимназии №3", "3"},
    {"лицей №2", "2"},
    {"КГУ «Средняя школа №7»", "7"},
    {"КГУ \"Общеобразовательная школа №18\"", "18"},
    {"ученик 5 класса школы №12", "12"},
    {"школа N12", "12"},
    // Latin: English and Kazakh chat Latin.
    {"school No. 12", "12"},
    {"school No12", "12"},
    {"school #12", "12"},
    {"school number 12", "12"},
    {"школа номер 12", "12"},
    {"No12 mektep", "12"},
    {"12-mektepte", "12"},
    {"12 mektepte balalar", "12"},
    {"№5 mektepte", "5"},
    // Adjectives between the number and the school word.
    {"№12 орта мектеп", "12"},
    {"№ 45 жалпы білім беретін орта мектеп", "45"},
    {"Қаладағы нөмір 4-інші арнайы мектепте оқитын Дамир", "4"},
    {"№5 средняя школа", "5"},
    // Sentences of the KazNERD corpus (news).
    {"30-ыншы мектепке 6000000 теңге бөлді", "30"},
    {"Бүгінде шаһарда 51 мектеп болса, соның 5-еуінде сабақ 3 ауысымда", ""},
    {"Алдағы оқу жылында өңірдегі 34 мектеп 3 ауысымда жұмыс істейді", ""},
    {"Президент алматылық мектептердің 1-інің оқушысы", ""},
    {"Мұнда 1600 орындық 4 мектеп бар", ""},
    {"биыл 3 мектеп салынды", ""},
    // Not school numbers: counts.
    {"20 школ", ""},
    {"в области 20 школ закрыли на карантин", ""},
    {"Облыстағы 45 мектепте жөндеу жүріп жатыр", ""},
    {"тағы 45 мектепте жөндеу", ""},
    {"в 3 школах нет отопления", ""},
    {"в 3-х школах нет отопления", ""},
    {"в 120 школах района", ""},
    {"5 школам выделили деньги", ""},
    {"тағы 2 мектепке жаңа жиһаз", ""},
    {"облыстағы 10 мектептің оқушылары", ""},
    {"Елімізде 100 мектеп салынады", ""},
    {"жаңа 3 мектеп ашылды", ""},
    {"12 мектептерде", ""},
    {"ещё 3 школы закрыли", ""},
    {"3 школы закрыли", ""},
    {"over 20 schools", ""},
    // Genitive of one school after 2-4: "ученик 3 школы" is school 3.
    {"ученик 3 школы", "3"},
    {"директор 22 школы уволен", "22"},
    {"из 12 школы", "12"},
    // Grades.
    {"2 сынып", ""},
    {"2 сынып оқушысы", ""},
    {"мектепте 5 сынып оқушысы", ""},
    {"5 класс", ""},
    {"школа 5 класс", ""},
    {"ученик 7 класса", ""},
    {"в школе 2 раза в неделю", ""},
    // Years, phones, addresses, other institutions.
    {"школа 2024 года", ""},
    {"в 2023 году школа", ""},
    {"мектеп 2022 жылы салынған", ""},
    {"школа тел. 87771234567", ""},
    {"мектеп +7 701 123 45 67", ""},
    {"школа на ул. Абая 12", ""},
    {"школа по улице Абая, 12", ""},
    {"мектеп Абай көшесі 12", ""},
    {"№3 балабақша", ""},
    {"детский сад №5", ""},
    {"больница №3", ""},
    {"дом 12, кв 5", ""},
    {"Батыс-2 мектебі", ""},
    {"5 шағын аудан", ""},
};

TEST_F(SchoolNumberTest, ReadsSchoolNumbersAndNotCounts) {
  int wrong = 0;
  for (const Case& c : kCases) {
    Entities e = E(c.text);
    EXPECT_EQ(e.school_number, c.want) << c.text;
    if (e.school_number != c.want) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
}

// The span of a found number covers the number in the original text.
TEST_F(SchoolNumberTest, SpanCoversTheNumber) {
  for (const Case& c : kCases) {
    if (*c.want == '\0') continue;
    std::string_view orig = c.text;
    AnalyzedText a = Analyze(*normalizer_, orig);
    Entities e = extractor_->Extract(a);
    if (e.school_number.empty()) continue;  // reported above
    ASSERT_FALSE(e.school_span.empty()) << c.text;
    auto [b, en] =
        a.normalized.ToOriginal(e.school_span.begin, e.school_span.end);
    ASSERT_LE(en, orig.size());
    EXPECT_NE(orig.substr(b, en - b).find(c.want), std::string_view::npos)
        << c.text;
  }
}

}  // namespace school_number_test
}  // namespace shagym::nlp
