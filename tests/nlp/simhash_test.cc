#include "nlp/simhash.h"

#include <gtest/gtest.h>

#include <string>

#include "nlp/normalize.h"

namespace shagym::nlp {
namespace simhash_test {

TEST(SimHashTest, StableAndSensitive) {
  const char* a =
      "в школе номер 12 старшеклассники отбирают деньги у младших каждый день "
      "после уроков родители просят помочь";
  EXPECT_EQ(SimHash(a), SimHash(a));
  EXPECT_NE(SimHash(a), 0u);
  EXPECT_EQ(SimHash(""), 0u);
  EXPECT_EQ(SimHash(" ,.!? "), 0u);
  EXPECT_EQ(CountWords(a), 16);
  // Punctuation and spacing do not matter.
  EXPECT_EQ(SimHash(a), SimHash(std::string(a) + " !!!"));
}

TEST(SimHashTest, NearCopiesAreCloseOthersFar) {
  const std::string base =
      "В школе №12 города Тараз старшеклассники уже месяц отбирают деньги у "
      "младших учеников и снимают это на телефон. Каждый день после уроков они "
      "ждут детей у ворот школы, а учителя и охрана делают вид, что ничего не "
      "происходит. Мой сын боится идти на занятия, плачет по утрам и просит "
      "перевести его в другую школу. Директор на наши жалобы отвечает, что это "
      "детские шалости. Родители просят акимат, отдел образования и полицию "
      "вмешаться и наконец защитить детей.";
  const std::string other =
      "в детском саду на улице абая третью неделю нет горячей воды и "
      "отопления дети мерзнут а заведующая говорит что денег нет";
  auto normalizer = Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  auto fp = [&](const std::string& s) {
    return SimHash((*normalizer)->Normalize(s).text);
  };
  // Post-sized rewrites of normalised text: a word added at either end.
  EXPECT_LE(HammingDistance(fp(base), fp(base + " Репост.")), 3);
  EXPECT_LE(HammingDistance(fp(base), fp("Срочно! " + base)), 3);
  EXPECT_GT(HammingDistance(fp(base), fp(other)), 10);
}

}  // namespace simhash_test
}  // namespace shagym::nlp
