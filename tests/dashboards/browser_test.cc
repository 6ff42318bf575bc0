// The dashboard in a real browser: Debian's chromium, headless, driven by
// playwright-core (tests/e2e/dashboard.js) against a real server on
// 127.0.0.1 over a real store holding a month of generated posts. Saves
// screenshots of each page in tests/e2e/screenshots/.

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>

#include "common/time_util.h"
#include "config/rule_engine.h"
#include "config/rules_admin.h"
#include "dashboards/store_api.h"
#include "store/evidence.h"
#include "tests/dashboards/server_fixture.h"
#include "tests/testing/run_command.h"

namespace shagym::dashboards {
namespace browser_test {

namespace fs = std::filesystem;

struct Topic {
  const char* category;
  const char* word;
  const char* text;  // contains `word`
  const char* lang;
};

const Topic kTopics[] = {
    {"bullying", "буллинг",
     "мектепте балаларды буллинг жасайды, мұғалімдер үндемейді", "kk"},
    {"bullying", "травят",
     "в школе ребёнка травят одноклассники, классный руководитель молчит",
     "ru"},
    {"violence", "избили", "возле школы избили ученика седьмого класса", "ru"},
    {"food", "асхана", "асхана тамағы сапасыз, балалар ауырып қалды", "kk"},
    {"infrastructure", "протекает",
     "в школе протекает крыша, в классах холодно", "ru"},
    {"extortion_corruption", "поборы",
     "опять поборы на ремонт класса, по 5000 тенге", "ru"},
    {"mental_health", "күйзеліс",
     "оқушылар емтихан алдында қатты күйзеліс көріп жүр", "kk"},
    {"safety_security", "охраны", "в школе нет охраны, чужие заходят свободно",
     "ru"},
};

constexpr char kBullyingRules[] = R"(category: bullying
rules:
  - id: demo.bullying.1
    severity: medium
    any: [буллинг, травят]
examples:
  match: ["мектепте буллинг"]
  no_match: ["поздравляем учителей"]
)";

constexpr char kViolenceRules[] = R"(category: violence
rules:
  - id: demo.violence.1
    severity: medium
    any: [избили]
)";

const char* const kRegions[] = {"almaty",    "astana",    "shymkent", "jambyl",
                                "karaganda", "turkistan", "pavlodar"};
const char* const kSources[] = {"tg_taraz_news", "tg_almaty_parents",
                                "rss_zakon_kz", "forum_mamochki"};

Post Generated(int i, int64_t when, const Topic& topic, const char* region,
               const char* source) {
  Post p;
  p.id = "g" + std::to_string(i);
  p.source = source;
  p.url = "https://example.org/" + p.id;
  p.published_at = when;
  p.fetched_at = when + 120;
  p.author = "a" + std::to_string(i % 37);
  const int school = 3 + (i * 7) % 60;
  p.text = std::to_string(school) + "-мектеп: " + topic.text;
  p.labels.lang = topic.lang;
  p.labels.categories = {topic.category};
  p.labels.severity = i % 11 == 0 ? "high" : "medium";
  p.labels.region = region;
  p.labels.school_number = std::to_string(school);
  const int64_t s = static_cast<int64_t>(p.text.find(topic.word));
  p.labels.matches = {
      {std::string("demo.") + topic.category, topic.category, s,
       s + static_cast<int64_t>(std::string(topic.word).size())}};
  p.labels.rules_version = "v1";
  return p;
}

class BrowserTest : public ServerFixture {
 protected:
  void SetUp() override {
    const std::string root = SHAGYM_SOURCE_DIR;
    if (!fs::exists("/usr/bin/chromium")) {
      GTEST_SKIP() << "chromium not installed (apt-get install chromium)";
    }
    if (!fs::exists(root + "/dashboards/web/node_modules/playwright-core")) {
      GTEST_SKIP()
          << "dashboards/web/node_modules missing (run scripts/setup.sh)";
    }
    const int64_t now = std::time(nullptr);
    clock_.SetSeconds(now);
    OpenStore();
    std::vector<Post> posts;
    // A month of complaints; a burst of bullying in Almaty yesterday.
    uint32_t rng = 12345;
    auto next = [&rng] { return rng = rng * 1103515245u + 12345u, rng >> 8; };
    for (int i = 0; i < 400; ++i) {
      const int64_t when = now - static_cast<int64_t>(next() % (30 * 86400));
      posts.push_back(Generated(i, when, kTopics[next() % std::size(kTopics)],
                                kRegions[next() % std::size(kRegions)],
                                kSources[next() % std::size(kSources)]));
    }
    for (int i = 400; i < 430; ++i) {
      posts.push_back(Generated(i, now - 86400 - (i - 400) * 600, kTopics[0],
                                "almaty", "tg_almaty_parents"));
    }
    Post p1 =
        Generated(1000, now - 3600, kTopics[0], "jambyl", "tg_taraz_news");
    p1.id = "p1";
    p1.text = "Тел 87011234567: 12-мектепте балаларды буллинг жасайды";
    const int64_t s = static_cast<int64_t>(p1.text.find("буллинг"));
    p1.labels.matches = {{"kk.bullying.1", "bullying", s, s + 14}};
    // The page p1 was found on: hostile, with a tracker image and a phone.
    store::EvidenceStore evidence(store_->db());
    auto ev = evidence.Put(
        "https://t.me/s/taraz_news", now - 3500,
        "<!doctype html><html><body><h1>taraz_news</h1>"
        "<script>alert('evidence')</script>"
        "<img src=\"https://tracker.example/pixel.png\" onerror=\"alert(4)\">"
        "<div class=\"msg\">Тел 87011234567: 12-мектепте балаларды буллинг "
        "жасайды</div></body></html>");
    ASSERT_TRUE(ev.ok()) << ev.status().ToString();
    p1.evidence_id = *ev;
    posts.push_back(p1);
    // Kazakh letters (two bytes each) and an emoji (four) before the match.
    Post p4 =
        Generated(1002, now - 5400, kTopics[0], "turkistan", "tg_taraz_news");
    p4.id = "p4";
    p4.text =
        "Әкімдікке 😡 шағым: Түркістандағы 7-мектепте ақша жинайды, "
        "ұстаздар үндемейді";
    const int64_t k = static_cast<int64_t>(p4.text.find("ақша жинайды"));
    p4.labels.categories = {"extortion_corruption"};
    p4.labels.matches = {
        {"kk.extortion.1", "extortion_corruption", k,
         k + static_cast<int64_t>(std::string("ақша жинайды").size())}};
    posts.push_back(p4);
    Post p2 = p1;
    p2.evidence_id.clear();
    p2.id = "p2";
    p2.source = "tg_almaty_parents";
    p2.published_at += 600;
    p2.duplicate_of = "p1";
    posts.push_back(p2);
    Post p3 =
        Generated(1001, now - 7200, kTopics[2], "almaty", "forum_mamochki");
    p3.id = "p3";
    p3.text = "<script>alert(1)</script><img src=x onerror=alert(2)> избили";
    const int64_t h = static_cast<int64_t>(p3.text.find("избили"));
    p3.labels.matches = {{"ru.violence.1", "violence", h, h + 12}};
    posts.push_back(p3);
    auto r = store_->IngestBatch(posts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const char* src : kSources) {
      for (int k = 0; k < 6; ++k) {
        store::FetchOutcome o;
        o.source = src;
        o.at = now - k * 3600;
        o.ok = !(std::string(src) == "forum_mamochki" && k < 3);
        o.http_status = o.ok ? (k % 2 ? 304 : 200) : 503;
        o.not_modified = o.http_status == 304;
        o.error = o.ok ? "" : "HTTP 503";
        o.posts = o.ok ? 5 : 0;
        ASSERT_TRUE(store_->RecordFetch(o).ok());
      }
    }
    // The real rule engine over a small rules directory: the Rules page
    // edits, back-tests and saves it.
    dir_.Write("rules/bullying.yaml", kBullyingRules);
    dir_.Write("rules/violence.yaml", kViolenceRules);
    auto engine = config::RuleEngine::Load(dir_.File("rules"), "");
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    rules_ = std::make_unique<config::RulesAdmin>(engine_.get(), store_.get(),
                                                  &clock_);
    StoreApiOptions o;
    o.store = store_.get();
    o.clock = &clock_;
    o.rules = rules_.get();
    // Digits of phone numbers masked as the privacy settings require.
    o.mask = [](std::string_view text) {
      std::string out;
      int run = 0;
      std::string digits;
      auto flush = [&] {
        out += run >= 10 ? std::string("[phone]") : digits;
        run = 0;
        digits.clear();
      };
      for (char c : text) {
        if (c >= '0' && c <= '9') {
          ++run;
          digits.push_back(c);
        } else {
          flush();
          out.push_back(c);
        }
      }
      flush();
      return out;
    };
    api_ = std::make_unique<StoreApi>(o);
    web_dir_override_ = root + "/dashboards/web";
    StartServerWithWebDir(api_.get(), web_dir_override_);
  }

  void StartServerWithWebDir(DataApi* data, const std::string& web_dir) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.web_dir = web_dir;
    options.workers = 4;
    ServerDeps deps;
    deps.db = store_->db();
    deps.clock = &clock_;
    deps.data = data;
    deps.auth.argon2_t_cost = 1;
    deps.auth.argon2_m_cost_kib = 1024;  // tests only
    auto server = Server::Start(options, deps);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    for (const char* role : {"viewer", "analyst", "admin"}) {
      ASSERT_TRUE(
          server_->auth()
              ->AddUser(role, *ParseRole(role), std::string("pw-") + role)
              .ok());
    }
  }

  std::unique_ptr<config::RuleEngine> engine_;
  std::unique_ptr<config::RulesAdmin> rules_;
  std::unique_ptr<StoreApi> api_;
  std::string web_dir_override_;
};

TEST_F(BrowserTest, PressOfficerAnalystAndAdminFlows) {
  const std::string root = SHAGYM_SOURCE_DIR;
  auto result = testing::RunCommand(
      {"node", root + "/tests/e2e/dashboard.js",
       "http://127.0.0.1:" + std::to_string(server_->port()),
       root + "/tests/e2e/screenshots"},
      "", 180);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("e2e: all steps passed"), std::string::npos)
      << result.out << result.err;
  std::cout << result.out;
}

}  // namespace browser_test
}  // namespace shagym::dashboards
