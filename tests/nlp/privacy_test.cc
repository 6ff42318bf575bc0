#include "nlp/privacy.h"

#include <gtest/gtest.h>

#include <string>

namespace shagym::nlp {
namespace privacy_test {

TEST(PrivacyTest, MasksKazakhPhones) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"звоните +7 (701) 123-45-67", "звоните +* (***) ***-**-**"},
      {"тел. 8 777 123 45 67!", "тел. * *** *** ** **!"},
      {"+77011234567", "+***********"},
      {"87011234567 жазыңыз", "*********** жазыңыз"},
      {"city 8 (7172) 55-12-34", "city * (****) **-**-**"},
      {"вахта 123-45-67", "вахта ***-**-**"},
      {"intl +44 20 7946 0958", "intl +** ** **** ****"},
  };
  for (const auto& c : cases) EXPECT_EQ(MaskPersonalData(c.in), c.out) << c.in;
}

TEST(PrivacyTest, MasksEmailsAndIin) {
  EXPECT_EQ(MaskPersonalData("пишите aru.k-90@mail.kz срочно"),
            "пишите ***.****@****.** срочно");
  EXPECT_EQ(MaskPersonalData("ИИН 950115301234, ЖСН: 050203600123."),
            "ИИН ************, ЖСН: ************.");
  auto spans = FindPersonalData("a@b.kz 950115301234 +7 701 123 45 67");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].kind, PersonalDataKind::kEmail);
  EXPECT_EQ(spans[1].kind, PersonalDataKind::kIin);
  EXPECT_EQ(spans[2].kind, PersonalDataKind::kPhone);
  EXPECT_STREQ(PersonalDataKindName(spans[2].kind), "phone");
}

TEST(PrivacyTest, LeavesOtherNumbersAlone) {
  for (const char* s :
       {"школа №12, 5 класс", "13.05.2024 12:59", "2024-05-13", "в 2023 году",
        "сумма 150 000 тенге", "заказ 1234567890123.", "тел 12-34",
        "ИИН 9501153012345"}) {
    EXPECT_EQ(MaskPersonalData(s), s) << s;
  }
}

TEST(PrivacyTest, KeepsByteLengthAndUtf8) {
  const std::string text =
      "Мектеп директоры +7 (705) 000-11-22 нөміріне жауап бермейді, "
      "ата-ана@пошта.kz емес, aigul@mail.ru";
  std::string masked = MaskPersonalData(text);
  EXPECT_EQ(masked.size(), text.size());
  EXPECT_NE(masked.find("Мектеп директоры"), std::string::npos);
  EXPECT_EQ(masked.find("705"), std::string::npos);
  EXPECT_EQ(masked.find("aigul"), std::string::npos);
  EXPECT_EQ(MaskPersonalData(""), "");
}

}  // namespace privacy_test
}  // namespace shagym::nlp
