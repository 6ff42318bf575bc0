#include "nlp/word_table.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace shagym::nlp {
namespace word_table_test {

// InlineKeyTable against std::unordered_map: keys of every length up to
// kMaxKey, keys that differ from a stored one in a single byte at every
// position (what the overlapping loads must tell apart), prefixes and
// extensions of stored keys, and longer keys that are never found.
TEST(InlineKeyTableTest, AgreesWithAMapOnNearMisses) {
  std::mt19937 rng(11);
  auto random_key = [&](size_t len) {
    std::string k(len, '\0');
    for (char& ch : k)
      ch = static_cast<char>(
          "\xD0\xD1\xB0\xBA"
          "ab\x00 "[rng() % 8]);
    return k;
  };
  InlineKeyTable<int> table;
  std::unordered_map<std::string, int> want;
  for (int i = 0; i < 3000; ++i) {
    std::string k = random_key(rng() % (InlineKeyTable<int>::kMaxKey + 1));
    table.Insert(k, i);
    want[k] = i;  // a repeated key takes the last value in both
  }
  EXPECT_EQ(table.size(), want.size());
  auto check = [&](const std::string& k) {
    const int* got = table.Find(k);
    auto it = want.find(k);
    if (it == want.end()) {
      ASSERT_EQ(got, nullptr) << "found absent key of " << k.size() << " bytes";
    } else {
      ASSERT_NE(got, nullptr) << "lost key of " << k.size() << " bytes";
      ASSERT_EQ(*got, it->second);
    }
  };
  for (const auto& [k, v] : want) {
    check(k);
    for (size_t pos = 0; pos < k.size(); ++pos) {
      std::string near = k;
      near[pos] = static_cast<char>(near[pos] ^ 0x01);
      check(near);
    }
    if (!k.empty()) check(k.substr(0, k.size() - 1));
    check(k + "a");
  }
  for (int i = 0; i < 20000; ++i) {
    check(random_key(rng() % (InlineKeyTable<int>::kMaxKey + 1)));
  }
  // Over kMaxKey bytes: never stored, never found.
  EXPECT_EQ(table.Find(std::string(InlineKeyTable<int>::kMaxKey + 1, 'a')),
            nullptr);
}

TEST(InlineKeyTableTest, EmptyTableAndEmptyKey) {
  InlineKeyTable<int> table;
  EXPECT_EQ(table.Find(""), nullptr);
  EXPECT_EQ(table.Find("мектеп"), nullptr);
  table.Insert("", 7);
  table.Insert("мектеп", 8);
  table.Insert("мектеп", 9);
  ASSERT_NE(table.Find(""), nullptr);
  EXPECT_EQ(*table.Find(""), 7);
  EXPECT_EQ(*table.Find("мектеп"), 9);
  EXPECT_EQ(table.Find("мектепте"), nullptr);
  EXPECT_EQ(table.size(), 2u);
}

}  // namespace word_table_test
}  // namespace shagym::nlp
