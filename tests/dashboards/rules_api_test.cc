// The rules endpoints over real HTTP on 127.0.0.1 with the real rule engine
// (config::RuleEngine over a temp rules directory), the real store in a temp
// dir and config::RulesAdmin behind them: list, validate inline, save
// (atomic write, swap, audit), test a text, back-test, hot reload.

#include <gtest/gtest.h>

#include <filesystem>

#include "config/rule_engine.h"
#include "config/rules_admin.h"
#include "dashboards/store_api.h"
#include "tests/dashboards/server_fixture.h"

namespace shagym::dashboards {
namespace rules_api_test {

namespace fs = std::filesystem;

constexpr char kRules[] = R"(category: bullying
lang: ru
rules:
  - id: t.bullying.1
    severity: medium
    any: [травля, буллинг]
examples:
  match: ["в школе травля"]
  no_match: ["поздравляем учителей"]
)";

constexpr char kOther[] = R"(category: violence
lang: ru
rules:
  - id: t.violence.1
    any: [избили]
)";

// Drops "буллинг", adds food.
constexpr char kEdited[] = R"(category: bullying
lang: ru
rules:
  - id: t.bullying.1
    severity: medium
    any: [травля]
  - id: t.food.1
    category: food
    any: [еда]
examples:
  match: ["в школе травля", "плохая еда в столовой"]
  no_match: ["поздравляем учителей"]
)";

class RulesApiTest : public ServerFixture {
 protected:
  void SetUp() override {
    rules_dir_ = dir_.File("rules");
    dir_.Write("rules/school.ru.yaml", kRules);
    dir_.Write("rules/violence.ru.yaml", kOther);
    std::vector<std::string> errors;
    auto engine = config::RuleEngine::Load(rules_dir_, "", &errors);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    OpenStore();
    const int64_t now = clock_.NowSeconds();
    std::vector<Post> posts = {
        MakePost("p1", now - 3600, "в школе травля"),
        MakePost("p2", now - 7200, "в школе буллинг, тел 87011234567"),
        MakePost("p3", now - 9000, "в школе плохая еда"),
        MakePost("p4", now - 200 * 86400, "буллинг давно"),
    };
    for (Post& p : posts) p.labels = engine_->Classify(p.text);
    ASSERT_TRUE(store_->IngestBatch(posts).ok());
    admin_ = std::make_unique<config::RulesAdmin>(engine_.get(), store_.get(),
                                                  &clock_);
    StoreApiOptions o;
    o.store = store_.get();
    o.clock = &clock_;
    o.rules = admin_.get();
    o.mask = [](std::string_view t) {
      std::string s(t);
      size_t at = s.find("87011234567");
      if (at != std::string::npos) s.replace(at, 11, "[phone]");
      return s;
    };
    api_ = std::make_unique<StoreApi>(o);
    StartServer(api_.get());
  }

  static Post MakePost(const std::string& id, int64_t when,
                       const std::string& text) {
    Post p;
    p.id = id;
    p.source = "src";
    p.url = "https://example.org/" + id;
    p.published_at = when;
    p.fetched_at = when;
    p.text = text;
    return p;
  }

  httplib::Result Put(const std::string& file, const std::string& text,
                      const Login& l) {
    nlohmann::json body = {{"text", text}};
    return Client()->Put("/api/rules/" + file, Headers(l), body.dump(),
                         "application/json");
  }
  httplib::Result PostJson(const std::string& path, const nlohmann::json& body,
                           const Login& l) {
    return Client()->Post(path, Headers(l), body.dump(), "application/json");
  }
  // Categories of `text` with the server's running rules.
  nlohmann::json Categories(const std::string& text, const Login& l) {
    auto r = PostJson("/api/rules/test", {{"text", text}}, l);
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << r->body;
    return Json(r)["categories"];
  }
  std::vector<std::string> DirEntries() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(rules_dir_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string rules_dir_;
  std::unique_ptr<config::RuleEngine> engine_;
  std::unique_ptr<config::RulesAdmin> admin_;
  std::unique_ptr<StoreApi> api_;
};

const nlohmann::json kBullying = nlohmann::json::array({"bullying"});
const nlohmann::json kNone = nlohmann::json::array();

TEST_F(RulesApiTest, ListsFilesWithTheirTextAndRuleStatistics) {
  Login analyst = LoginAs("analyst");
  auto r = Client()->Get("/api/rules", Headers(analyst));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  nlohmann::json j = Json(r);
  ASSERT_EQ(j["files"].size(), 2u);
  EXPECT_EQ(j["files"][0]["name"], "school.ru.yaml");
  EXPECT_EQ(j["files"][0]["text"], kRules);
  EXPECT_EQ(j["files"][1]["name"], "violence.ru.yaml");
  bool found = false;
  for (const auto& s : j["stats"]) {
    if (s["rule"] == "t.bullying.1") {
      found = true;
      EXPECT_EQ(s["hits"], 3);  // p1, p2, p4
    }
  }
  EXPECT_TRUE(found) << j["stats"].dump();
}

TEST_F(RulesApiTest, TestShowsCategoriesAndMatchesAtOriginalBytes) {
  Login analyst = LoginAs("analyst");
  const std::string text = "В ШКОЛЕ ТРАВЛЯ!";
  auto r = PostJson("/api/rules/test", {{"text", text}}, analyst);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  nlohmann::json j = Json(r);
  EXPECT_EQ(j["categories"], kBullying);
  EXPECT_EQ(j["severity"], "medium");
  ASSERT_EQ(j["matches"].size(), 1u);
  const auto& m = j["matches"][0];
  EXPECT_EQ(m["rule"], "t.bullying.1");
  EXPECT_EQ(text.substr(m["start"].get<size_t>(),
                        m["end"].get<size_t>() - m["start"].get<size_t>()),
            "ТРАВЛЯ");
}

TEST_F(RulesApiTest, InvalidEditChangesNothingAndNamesFileAndLine) {
  Login admin = LoginAs("admin");
  std::string bad = kRules;
  bad.insert(bad.find("examples:"),
             "  - id: t.bullying.2\n    category: bulying\n    any: [x]\n");
  auto r = Put("school.ru.yaml", bad, admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  nlohmann::json j = Json(r);
  const std::string error = j["error"];
  EXPECT_EQ(error.rfind("school.ru.yaml:", 0), 0u) << error;
  EXPECT_NE(error.find("unknown category 'bulying'"), std::string::npos);
  EXPECT_NE(error.find("did you mean 'bullying'"), std::string::npos);
  EXPECT_EQ(error.find('\n'), std::string::npos);
  ASSERT_FALSE(j["errors"].empty());
  EXPECT_EQ(j["errors"][0]["file"], "school.ru.yaml");
  EXPECT_EQ(j["errors"][0]["line"].get<int>(), 8);
  EXPECT_GT(j["errors"][0]["column"].get<int>(), 0);
  EXPECT_EQ(testing::ReadFile(rules_dir_ + "/school.ru.yaml"), kRules);

  // A rule set whose examples fail is not loaded either.
  std::string failing = kRules;
  failing.replace(failing.find("[травля, буллинг]"),
                  std::string("[травля, буллинг]").size(), "[буллинг]");
  r = Put("school.ru.yaml", failing, admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  EXPECT_NE(Json(r)["error"].get<std::string>().find("в школе травля"),
            std::string::npos)
      << r->body;
  EXPECT_EQ(testing::ReadFile(rules_dir_ + "/school.ru.yaml"), kRules);
  EXPECT_EQ(Categories("в школе буллинг", admin), kBullying);
  EXPECT_EQ(DirEntries(),
            (std::vector<std::string>{"school.ru.yaml", "violence.ru.yaml"}));
}

TEST_F(RulesApiTest, SaveWritesTheFileSwapsTheRulesAndIsAudited) {
  Login admin = LoginAs("admin");
  const std::string before = engine_->rules()->version();
  EXPECT_EQ(Categories("плохая еда", admin), kNone);
  auto r = Put("school.ru.yaml", kEdited, admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(testing::ReadFile(rules_dir_ + "/school.ru.yaml"), kEdited);
  // No temporary file left behind.
  EXPECT_EQ(DirEntries(),
            (std::vector<std::string>{"school.ru.yaml", "violence.ru.yaml"}));
  EXPECT_NE(engine_->rules()->version(), before);
  EXPECT_EQ(Categories("плохая еда", admin), nlohmann::json::array({"food"}));
  EXPECT_EQ(Categories("в школе буллинг", admin), kNone);
  // The poller does not compile the saved files again.
  const int reloads = engine_->reloads();
  EXPECT_TRUE(engine_->ReloadIfChanged().ok());
  EXPECT_EQ(engine_->reloads(), reloads);
  bool audited = false;
  for (const auto& e : server_->auth()->RecentAudit(20)) {
    if (e.action == "rules.put" && e.user == "admin" &&
        e.detail.find("school.ru.yaml") != std::string::npos) {
      audited = true;
    }
  }
  EXPECT_TRUE(audited);

  // A new file of the directory may be added.
  r = Put("food.ru.yaml",
          "category: food\nrules:\n  - id: t.food.2\n    any: [столовая]\n",
          admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Categories("грязная столовая", admin),
            nlohmann::json::array({"food"}));
}

TEST_F(RulesApiTest, FileNamesCannotLeaveTheRulesDirectory) {
  Login admin = LoginAs("admin");
  for (const char* name :
       {"..%2Fescape.yaml", "%2E%2E%2Fescape.yaml", ".hidden.yaml", "x.yml",
        "notes.txt", "a%00b.yaml", "..yaml"}) {
    auto r = Put(name, kRules, admin);
    ASSERT_TRUE(r) << name;
    EXPECT_TRUE(r->status == 400 || r->status == 422 || r->status == 404)
        << name << " " << r->status << " " << r->body;
  }
  EXPECT_FALSE(fs::exists(dir_.File("escape.yaml")));
  EXPECT_EQ(DirEntries(),
            (std::vector<std::string>{"school.ru.yaml", "violence.ru.yaml"}));
  // The service itself refuses such names, whatever calls it.
  for (const char* name :
       {"../escape.yaml", "/tmp/x.yaml", "a/b.yaml", "", ".yaml", "x.yaml/"}) {
    EXPECT_FALSE(admin_->Save(name, kRules).ok()) << name;
    EXPECT_FALSE(admin_->Validate(name, kRules).empty()) << name;
  }
  EXPECT_FALSE(fs::exists(dir_.File("escape.yaml")));
}

TEST_F(RulesApiTest, BacktestShowsWhatAnEditAddsAndDrops) {
  Login analyst = LoginAs("analyst");
  auto r = PostJson(
      "/api/rules/backtest",
      {{"file", "school.ru.yaml"}, {"text", kEdited}, {"days", 30}}, analyst);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  nlohmann::json j = Json(r);
  EXPECT_EQ(j["posts_scanned"], 3);  // p4 is older than 30 days
  EXPECT_EQ(j["added"], 1);          // p3: food
  EXPECT_EQ(j["dropped"], 1);        // p2: буллинг
  EXPECT_EQ(j["changed"], 0);
  std::map<std::string, nlohmann::json> examples;
  for (const auto& e : j["examples"]) examples[e["id"]] = e;
  ASSERT_EQ(examples.size(), 2u) << j.dump();
  EXPECT_EQ(examples["p3"]["after"], nlohmann::json::array({"food"}));
  EXPECT_EQ(examples["p2"]["before"], kBullying);
  EXPECT_EQ(examples["p2"]["text"], "в школе буллинг, тел [phone]");
  bool food = false;
  for (const auto& c : j["categories"]) {
    if (c["category"] == "food") {
      food = true;
      EXPECT_EQ(c["added"], 1);
    }
  }
  EXPECT_TRUE(food) << j["categories"].dump();
  bool rule = false;
  for (const auto& x : j["rules"]) {
    if (x["rule"] == "t.bullying.1") {
      rule = true;
      EXPECT_EQ(x["before"], 2);
      EXPECT_EQ(x["after"], 1);
    }
  }
  EXPECT_TRUE(rule) << j["rules"].dump();
  // Nothing was saved.
  EXPECT_EQ(testing::ReadFile(rules_dir_ + "/school.ru.yaml"), kRules);

  r = PostJson("/api/rules/backtest",
               {{"file", "school.ru.yaml"}, {"text", "rules: [1, 2"}}, analyst);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(Json(r)["error"].get<std::string>().rfind("school.ru.yaml:", 0),
            0u);
}

TEST_F(RulesApiTest, EditsOnDiskAreReloadedAndBrokenOnesKeepTheRunningSet) {
  Login analyst = LoginAs("analyst");
  dir_.Write("rules/school.ru.yaml", kEdited);
  ASSERT_TRUE(engine_->ReloadIfChanged().ok());
  EXPECT_EQ(Categories("плохая еда", analyst), nlohmann::json::array({"food"}));
  const std::string running = engine_->rules()->version();
  dir_.Write("rules/school.ru.yaml", "rules:\n  - id: [unclosed\n");
  Status s = engine_->ReloadIfChanged();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("school.ru.yaml:3:1: YAML syntax error"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(engine_->failures(), 1);
  EXPECT_EQ(engine_->rules()->version(), running);
  EXPECT_EQ(Categories("плохая еда", analyst), nlohmann::json::array({"food"}));
}

TEST(ParseRuleErrorTest, SplitsFileLineAndColumn) {
  RuleError e = config::ParseRuleError("kk.yaml:14:5: rule 'x': bad");
  EXPECT_EQ(e.file, "kk.yaml");
  EXPECT_EQ(e.line, 14);
  EXPECT_EQ(e.column, 5);
  EXPECT_EQ(e.message, "kk.yaml:14:5: rule 'x': bad");
  e = config::ParseRuleError("kk.yaml:3: bad");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 0);
  e = config::ParseRuleError("kk.yaml: empty rule file");
  EXPECT_EQ(e.file, "kk.yaml");
  EXPECT_EQ(e.line, 0);
  e = config::ParseRuleError("no position");
  EXPECT_EQ(e.file, "");
}

}  // namespace rules_api_test
}  // namespace shagym::dashboards
