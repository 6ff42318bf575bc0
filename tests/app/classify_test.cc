// End-to-end tests of `shagym classify` and `shagym rules check|test`,
// running the real binary with the shipped rules.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym {
namespace classify_test {

using testing::RunCommand;
using testing::ShagymBinary;

class ClassifyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ =
        dir_.Write("shagym.yaml", std::string("data_dir: data\nrules_dir: ") +
                                      SHAGYM_SOURCE_DIR + "/config/rules\n");
  }
  testing::TempDir dir_;
  std::string config_;
};

std::vector<nlohmann::json> Lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) v.push_back(nlohmann::json::parse(line));
  return v;
}

TEST_F(ClassifyCommandTest, JsonLinesInAndOutWithBadLinesSkipped) {
  std::string input =
      R"({"id":"a1","text":"В школе №12 сына избили одноклассники","extra":7})"
      "\n"
      "this is not json\n"
      R"({"id":"a2","text":"Поздравляем учителей с праздником!"})"
      "\n"
      R"({"id":"a3"})"
      "\n"
      R"({"id":"a4","text":"Мектепте жылу жоқ, балалар тоңып отыр"})"
      "\n";
  auto r = RunCommand({ShagymBinary(), "--config", config_, "classify"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = Lines(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_EQ(out[0]["id"], "a1");
  EXPECT_EQ(out[0]["extra"], 7);
  EXPECT_EQ(out[0]["lang"], "ru");
  EXPECT_EQ(out[0]["categories"], nlohmann::json::array({"violence"}));
  EXPECT_EQ(out[0]["severity"], "medium");
  ASSERT_FALSE(out[0]["matches"].empty());
  const auto& m = out[0]["matches"][0];
  std::string text = out[0]["text"];
  EXPECT_EQ(m["category"], "violence");
  EXPECT_LT(m["start"].get<int>(), m["end"].get<int>());
  EXPECT_LE(m["end"].get<size_t>(), text.size());
  EXPECT_TRUE(out[0].contains("review"));
  EXPECT_TRUE(out[0].contains("duplicate_of"));
  EXPECT_EQ(out[1]["id"], "a2");
  EXPECT_EQ(out[1]["categories"], nlohmann::json::array());
  EXPECT_EQ(out[1]["severity"], "none");
  EXPECT_EQ(out[2]["id"], "a4");
  EXPECT_EQ(out[2]["lang"], "kk");
  EXPECT_EQ(out[2]["categories"], nlohmann::json::array({"infrastructure"}));
  EXPECT_NE(r.err.find("<stdin>:2: not valid JSON"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("<stdin>:4: missing string field \"text\""),
            std::string::npos)
      << r.err;
}

TEST_F(ClassifyCommandTest, FilesInAndOut) {
  std::string in =
      dir_.Write("in.jsonl", R"({"id":"x","text":"В школе не топят"})"
                             "\n");
  std::string out = dir_.File("out.jsonl");
  auto r = RunCommand({ShagymBinary(), "--config", config_, "classify",
                       "--input", in, "--output", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(testing::ReadFile(out));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["categories"], nlohmann::json::array({"infrastructure"}));
}

TEST_F(ClassifyCommandTest, RulesCheckReportsEveryBadRuleAndFails) {
  std::string rules = dir_.path() + "/rules";
  dir_.Write("rules/a.yaml", R"(category: food
rules:
  - id: a.1
    any: [{re: "(bad"}]
  - id: a.2
    category: nope
    any: [x]
)");
  auto r = RunCommand(
      {ShagymBinary(), "--config", config_, "rules", "check", rules});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("a.yaml:6:15: rule 'a.2': unknown category 'nope'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("a.yaml:4:16: rule 'a.1': bad pattern"),
            std::string::npos)
      << r.err;

  auto ok = RunCommand({ShagymBinary(), "--config", config_, "rules", "check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok: "), std::string::npos);
}

TEST_F(ClassifyCommandTest, RulesTestShowsMatchesWithOriginalSpans) {
  std::string text = "Ужааас, в ШКОЛЕ травят моего сына";
  auto r = RunCommand(
      {ShagymBinary(), "--config", config_, "rules", "test", "--text", text});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["categories"], nlohmann::json::array({"bullying"}));
  EXPECT_EQ(j["severity"], "medium");
  bool found = false;
  for (const auto& m : j["matches"]) {
    EXPECT_EQ(m["rule"].get<std::string>().rfind("ru.bullying.", 0), 0u);
    size_t s = m["start"], e = m["end"];
    EXPECT_EQ(text.substr(s, e - s), m["text"].get<std::string>());
    if (m["text"] == "травят") found = true;
  }
  EXPECT_TRUE(found) << r.out;
}

}  // namespace classify_test
}  // namespace shagym
