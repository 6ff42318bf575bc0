// `shagym rules backtest` end to end: posts stored in a real RocksDB store
// in a temp dir, the real binary run against a running and a candidate rule
// directory, the diff read back from its table and JSON output.

#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym {
namespace rules_backtest_test {

using testing::RunCommand;
using testing::ShagymBinary;

constexpr char kRunning[] = R"(category: bullying
lang: ru
rules:
  - id: t.bullying.1
    severity: medium
    any: [травля, буллинг]
  - id: t.violence.1
    category: violence
    any: [избили]
examples:
  match: ["в школе травля"]
  no_match: ["поздравляем учителей"]
)";

// Drops "буллинг", moves "драка" to violence, adds a food rule.
constexpr char kCandidate[] = R"(category: bullying
lang: ru
rules:
  - id: t.bullying.1
    severity: medium
    any: [травля]
  - id: t.violence.1
    category: violence
    any: [избили, драка]
  - id: t.food.1
    category: food
    any: [еда]
examples:
  match: ["в школе травля", "в столовой плохая еда"]
  no_match: ["поздравляем учителей"]
)";

class RulesBacktestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = std::time(nullptr);
    dir_.Write("rules/school.ru.yaml", kRunning);
    dir_.Write("candidate/school.ru.yaml", kCandidate);
    config_ = dir_.Write("shagym.yaml",
                         "data_dir: data\nrules_dir: rules\n"
                         "privacy: {mask_personal_data: true}\n");
    store::StoreOptions so;
    so.data_dir = dir_.File("data");
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    std::vector<Post> posts = {
        MakePost("p1", 5, "в школе травля", {"bullying"}),
        MakePost("p2", 4, "в школе буллинг, звоните 87011234567", {"bullying"}),
        MakePost("p3", 3, "в школе плохая еда", {}),
        MakePost("p4", 2, "в школе буллинг и драка", {"bullying"}),
        MakePost("p5", 1, "поздравляем учителей", {}),
        MakePost("old", 800, "буллинг в школе", {"bullying"}),
    };
    ASSERT_TRUE((*st)->IngestBatch(posts).ok());
  }

  Post MakePost(const std::string& id, int days_ago, const std::string& text,
                std::vector<std::string> categories) {
    Post p;
    p.id = id;
    p.source = "src";
    p.url = "https://example.org/" + id;
    p.published_at = now_ - days_ago * 86400;
    p.fetched_at = p.published_at;
    p.text = text;
    p.labels.lang = "ru";
    p.labels.categories = std::move(categories);
    p.labels.severity = p.labels.categories.empty() ? "none" : "medium";
    for (const std::string& c : p.labels.categories) {
      p.labels.matches.push_back({"stored." + c, c, 0, 5});
    }
    return p;
  }

  testing::CommandResult Backtest(std::vector<std::string> args) {
    std::vector<std::string> argv = {ShagymBinary(), "--config", config_,
                                     "rules", "backtest"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, "", 120);
  }

  static nlohmann::json Parse(const testing::CommandResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }

  static std::vector<std::string> Ids(const nlohmann::json& posts) {
    std::vector<std::string> ids;
    for (const auto& p : posts) ids.push_back(p["id"]);
    return ids;
  }

  static nlohmann::json Find(const nlohmann::json& list, const char* key,
                             const std::string& value) {
    for (const auto& x : list) {
      if (x[key] == value) return x;
    }
    ADD_FAILURE() << "no " << key << "=" << value << " in " << list.dump();
    return nlohmann::json::object();
  }

  int64_t now_ = 0;
  testing::TempDir dir_;
  std::string config_;
};

TEST_F(RulesBacktestTest, JsonListsAddedDroppedChangedPerCategoryAndRule) {
  auto r = Backtest({dir_.File("candidate"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = Parse(r);
  EXPECT_EQ(j["posts_scanned"], 6);
  EXPECT_EQ(j["complaints_before"], 4);  // p1 p2 p4 old
  EXPECT_EQ(j["complaints_after"], 3);   // p1 p3 p4
  EXPECT_EQ(j["added"], 1);
  EXPECT_EQ(j["dropped"], 2);
  EXPECT_EQ(j["changed"], 1);
  EXPECT_EQ(Ids(j["added_posts"]), std::vector<std::string>{"p3"});
  // Newest first.
  EXPECT_EQ(Ids(j["dropped_posts"]), (std::vector<std::string>{"p2", "old"}));
  EXPECT_EQ(Ids(j["changed_posts"]), std::vector<std::string>{"p4"});
  EXPECT_EQ(j["changed_posts"][0]["before"],
            nlohmann::json::array({"bullying"}));
  EXPECT_EQ(j["changed_posts"][0]["after"],
            nlohmann::json::array({"violence"}));
  // Personal data stays masked in what is shown.
  const std::string p2 = j["dropped_posts"][0]["text"];
  EXPECT_EQ(p2.find("87011234567"), std::string::npos) << p2;

  nlohmann::json bullying = Find(j["categories"], "category", "bullying");
  EXPECT_EQ(bullying["before"], 4);
  EXPECT_EQ(bullying["after"], 1);
  EXPECT_EQ(bullying["dropped"], 3);
  EXPECT_EQ(bullying["added"], 0);
  nlohmann::json food = Find(j["categories"], "category", "food");
  EXPECT_EQ(food["before"], 0);
  EXPECT_EQ(food["added"], 1);
  nlohmann::json violence = Find(j["categories"], "category", "violence");
  EXPECT_EQ(violence["added"], 1);

  nlohmann::json rb = Find(j["rules"], "rule", "t.bullying.1");
  EXPECT_EQ(rb["before"], 4);
  EXPECT_EQ(rb["after"], 1);
  nlohmann::json rf = Find(j["rules"], "rule", "t.food.1");
  EXPECT_EQ(rf["before"], 0);
  EXPECT_EQ(rf["after"], 1);
  EXPECT_EQ(rf["in_before"], false);
  EXPECT_EQ(rf["in_after"], true);
  EXPECT_NE(j["version_before"], j["version_after"]);
}

TEST_F(RulesBacktestTest, SinceDaysAndMaxPostsBoundTheScan) {
  auto since =
      Backtest({dir_.File("candidate"), "--format", "json", "--days", "30"});
  ASSERT_EQ(since.exit_code, 0) << since.err;
  nlohmann::json j = Parse(since);
  EXPECT_EQ(j["posts_scanned"], 5);  // not the 800-day-old post
  EXPECT_EQ(j["dropped"], 1);

  auto newest = Backtest(
      {dir_.File("candidate"), "--format", "json", "--max-posts", "2"});
  ASSERT_EQ(newest.exit_code, 0) << newest.err;
  j = Parse(newest);
  EXPECT_EQ(j["posts_scanned"], 2);  // p5 and p4, the newest
  EXPECT_EQ(j["changed"], 1);
  EXPECT_EQ(j["added"], 0);
  EXPECT_EQ(j["dropped"], 0);
}

TEST_F(RulesBacktestTest, TableShowsTotalsCategoriesRulesAndExamples) {
  auto r = Backtest({dir_.File("candidate")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("backtest: 6 posts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("complaints: 4 -> 3 (added 1, dropped 2, category "
                       "changes 1)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("t.food.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("new rule"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("p3 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[-] -> [food]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("87011234567"), std::string::npos) << r.out;
}

TEST_F(RulesBacktestTest, WithoutDirComparesStoredLabelsWithRunningRules) {
  auto r = Backtest({"--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = Parse(r);
  EXPECT_EQ(j["version_before"], "stored");
  // Stored labels match the running rules' categories everywhere.
  EXPECT_EQ(j["added"], 0);
  EXPECT_EQ(j["dropped"], 0);
  EXPECT_EQ(j["changed"], 0);
  nlohmann::json stored = Find(j["rules"], "rule", "stored.bullying");
  EXPECT_EQ(stored["before"], 4);
  EXPECT_EQ(stored["after"], 0);
}

TEST_F(RulesBacktestTest, BrokenCandidateFailsWithEveryProblemOnItsLine) {
  dir_.Write("broken/a.yaml",
             "category: bullying\nrules:\n  - id: x.1\n    any: [травля]\n"
             "  - id: x.2\n    category: nope\n    any: [y]\n"
             "examples:\n  match: [\"поздравляем\"]\n");
  auto r = Backtest({dir_.File("broken")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken/a.yaml:6:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown category 'nope'"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");

  auto missing = Backtest({dir_.File("nowhere")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nowhere: rule directory not found"),
            std::string::npos)
      << missing.err;
  auto bad_flag = Backtest({"--format", "xml"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.err.find("--format"), std::string::npos);
}

}  // namespace rules_backtest_test
}  // namespace shagym
