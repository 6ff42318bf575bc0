#include "common/post.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shagym {
namespace post_test {

TEST(PostTest, JsonHasSpecFieldsInOrder) {
  Post p;
  p.id = "abc";
  p.source = "tg_taraz";
  p.url = "https://t.me/s/taraz_news/5";
  p.published_at = 1715594400;
  p.fetched_at = 1715594460;
  p.author = "u_1f2e";
  p.text = "12-мектепте қорлайды";
  p.labels.lang = "kk";
  p.labels.categories = {"bullying"};
  p.labels.severity = "medium";
  p.labels.region = "jambyl";
  p.labels.school_number = "12";
  p.labels.matches = {{"kk.bullying.1", "bullying", 10, 22}};
  std::string line = PostToJsonLine(p);
  EXPECT_EQ(
      line.rfind(
          "{\"id\":\"abc\",\"source\":\"tg_taraz\",\"url\":\"https://t.me/"
          "s/taraz_news/5\",\"published_at\":\"2024-05-13T10:00:00Z\","
          "\"fetched_at\":\"2024-05-13T10:01:00Z\",\"author\":\"u_1f2e\","
          "\"text\":\"12-мектепте қорлайды\",\"lang\":\"kk\","
          "\"categories\":[\"bullying\"],\"severity\":\"medium\","
          "\"region\":\"jambyl\",\"school_number\":\"12\","
          "\"duplicate_of\":null,\"matches\":[{\"rule\":\"kk.bullying.1\","
          "\"category\":\"bullying\",\"start\":10,\"end\":22}],"
          "\"review\":\"new\"",
          0),
      0u)
      << line;
}

TEST(PostTest, RoundTripsThroughJson) {
  Post p;
  p.id = "x";
  p.text = "text";
  p.published_at = 1715594400;
  p.labels.categories = {"food", "safety_security"};
  p.labels.matches = {{"r", "food", 0, 4}};
  p.duplicate_of = "y";
  Post back;
  ASSERT_TRUE(PostFromJson(nlohmann::json::parse(PostToJsonLine(p)), &back));
  EXPECT_EQ(back, p);
}

TEST(PostTest, RejectsWrongTypes) {
  Post p;
  EXPECT_FALSE(PostFromJson(nlohmann::json::parse(R"({"id": 5})"), &p));
  EXPECT_FALSE(PostFromJson(nlohmann::json::parse(R"([1])"), &p));
  EXPECT_FALSE(PostFromJson(
      nlohmann::json::parse(R"({"published_at":"yesterday"})"), &p));
}

}  // namespace post_test
}  // namespace shagym
