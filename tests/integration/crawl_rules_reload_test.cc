// Hot reload of the rules in a running `shagym crawl` (the real binary, a
// loopback site, a real store and rules directory in a temp dir): the site
// holds its second page back until the test has edited the rules; a broken
// edit is logged with file:line and refused, a good one is swapped in, and
// the post fetched afterwards is labelled by the new rules.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include "config/rule_engine.h"
#include "store/store.h"
#include "tests/testing/child_process.h"
#include "tests/testing/reload_rules.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym {
namespace crawl_rules_reload_test {

using std::chrono::milliseconds;

using testing::kReloadRules;
using testing::kReloadRulesWithFood;

// A gate the site's handler waits on (bounded), opened by the test.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait(milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, limit, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(CrawlRulesReloadTest, PostsFetchedAfterAnEditUseTheNewRules) {
  Gate gate;
  testing::TestServer server;
  server.SetRobots("User-agent: *\nAllow: /\n");
  server.SetPage(
      "/p/0",
      "<html><body><div class=\"post\"><p>в школе плохая еда, "
      "первый пост</p></div><a href=\"/p/1\">next</a></body></html>");
  server.Set("/p/1", [&gate](const testing::ServedRequest&) {
    gate.Wait(milliseconds(60000));
    testing::CannedResponse r;
    r.body =
        "<html><body><div class=\"post\"><p>в школе плохая еда, второй "
        "пост</p></div></body></html>";
    return r;
  });

  testing::TempDir dir;
  dir.Write("rules/school.yaml", kReloadRules);
  const std::string config = dir.Write(
      "shagym.yaml",
      "data_dir: data\nrules_dir: rules\ngazetteer: none.yaml\n"
      "crawl:\n  user_agent: \"shagym-test/1.0\"\n  per_host_delay_ms: 0\n"
      "  timeout_s: 90\n  retries: 0\n  allow_private_addresses: true\n"
      "sources:\n  - id: site\n    type: html\n    seeds: [\"" +
          server.Url("/p/0") +
          "\"]\n    follow: [\"/p/\"]\n"
          "    post: {item: \"div.post\", text: \"p\"}\n"
          "log: {level: info}\n");
  auto edit = [&dir](const std::string& text) {
    dir.Write("rules/.edit.tmp", text);
    return std::rename(dir.File("rules/.edit.tmp").c_str(),
                       dir.File("rules/school.yaml").c_str()) == 0;
  };

  testing::ChildProcess crawl(
      {testing::ShagymBinary(), "--config", config, "crawl", "--until-idle"});
  ASSERT_TRUE(crawl.started());
  ASSERT_TRUE(server.WaitForRequests(3, milliseconds(60000)))  // robots, 0, 1
      << crawl.output();
  ASSERT_TRUE(edit("rules:\n  - id: [unclosed\n"));
  std::string line =
      crawl.WaitForLine("event=rules_reload_rejected", milliseconds(30000));
  EXPECT_NE(line.find("school.yaml:3:1: YAML syntax error"), std::string::npos)
      << crawl.output();
  ASSERT_TRUE(edit(kReloadRulesWithFood));
  line = crawl.WaitForLine("event=rules_reloaded", milliseconds(30000));
  EXPECT_FALSE(line.empty()) << crawl.output();
  gate.Open();
  ASSERT_EQ(crawl.Wait(milliseconds(60000)), 0) << crawl.output();

  auto engine = config::RuleEngine::Load(dir.File("rules"), "");
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const std::string new_version = (*engine)->rules()->version();
  store::StoreOptions so;
  so.data_dir = dir.File("data");
  auto st = store::Store::Open(so);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  int seen = 0;
  ASSERT_TRUE(
      (*st)
          ->ForEachPost({},
                        [&](const Post& p) {
                          if (p.text.find("второй") != std::string::npos) {
                            ++seen;
                            EXPECT_EQ(p.labels.categories,
                                      std::vector<std::string>{"food"});
                            EXPECT_EQ(p.labels.rules_version, new_version);
                          }
                          return Status::Ok();
                        })
          .ok());
  EXPECT_EQ(seen, 1) << crawl.output();
}

}  // namespace crawl_rules_reload_test
}  // namespace shagym
