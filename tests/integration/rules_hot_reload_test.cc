// Hot reload of the rules in a running `shagym serve` (the real binary on
// 127.0.0.1, a real store and rules directory in a temp dir): an edited rule
// file is picked up while serving, a broken edit is logged with its
// file:line and the running rules stay, a save through the API is written
// to the directory.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/testing/child_process.h"
#include "tests/testing/reload_rules.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym {
namespace rules_hot_reload_test {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

using testing::kReloadRules;
using testing::kReloadRulesWithFood;

class ServeRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("rules/school.yaml", kReloadRules);
    config_ = dir_.Write("shagym.yaml",
                         "data_dir: data\nrules_dir: rules\n"
                         "gazetteer: none.yaml\n");
    std::string pw = dir_.Write("pw", "secret-pw\n");
    auto r = testing::RunCommand({testing::ShagymBinary(), "--config", config_,
                                  "users", "add", "admin", "--role", "admin",
                                  "--password-file", pw});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Replaces a rule file the way editors and deploy tools do (a complete
  // new file renamed over the old one), so the poller never sees half.
  void Edit(const std::string& name, const std::string& text) {
    dir_.Write("rules/.edit.tmp", text);
    ASSERT_EQ(std::rename(dir_.File("rules/.edit.tmp").c_str(),
                          dir_.File("rules/" + name).c_str()),
              0);
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(ServeRulesTest, EditedRulesAreReloadedAndBrokenEditsKeepTheRunningSet) {
  testing::ChildProcess serve({testing::ShagymBinary(), "--config", config_,
                               "serve", "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.started());
  std::string line =
      serve.WaitForLine("serving on http://", milliseconds(60000));
  ASSERT_FALSE(line.empty()) << serve.output();
  const std::string address = line.substr(line.find("http://") + 7);
  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);

  auto login =
      client.Post("/api/login", R"({"user":"admin","password":"secret-pw"})",
                  "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  std::string cookie = login->get_header_value("Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  const std::string csrf = nlohmann::json::parse(login->body).value("csrf", "");
  httplib::Headers headers = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  auto categories = [&](const std::string& text) {
    nlohmann::json body = {{"text", text}};
    auto r = client.Post("/api/rules/test", headers, body.dump(),
                         "application/json");
    if (!r || r->status != 200) return nlohmann::json("error");
    return nlohmann::json::parse(r->body)["categories"];
  };
  // Polls until `text` gets `want` with the server's running rules.
  auto wait_for = [&](const std::string& text, const nlohmann::json& want) {
    auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    nlohmann::json got;
    while (SteadyClock::now() < deadline) {
      got = categories(text);
      if (got == want) return true;
      serve.WaitForLine("\x01never", milliseconds(100));
    }
    ADD_FAILURE() << text << ": " << got.dump() << " != " << want.dump();
    return false;
  };

  const nlohmann::json food = nlohmann::json::array({"food"});
  EXPECT_EQ(categories("плохая еда"), nlohmann::json::array());
  Edit("school.yaml", kReloadRulesWithFood);
  ASSERT_TRUE(wait_for("плохая еда", food)) << serve.output();
  // Logged (the line may have been read while polling).
  EXPECT_TRUE(
      serve.output().find("event=rules_reloaded") != std::string::npos ||
      !serve.WaitForLine("event=rules_reloaded", milliseconds(5000)).empty())
      << serve.output();

  // A broken edit: one log line naming file and line; the rules stay.
  Edit("school.yaml", "rules:\n  - id: [unclosed\n");
  line = serve.WaitForLine("event=rules_reload_rejected", milliseconds(30000));
  ASSERT_FALSE(line.empty()) << serve.output();
  EXPECT_NE(line.find("school.yaml:3:1: YAML syntax error"), std::string::npos)
      << line;
  EXPECT_EQ(categories("плохая еда"), food);
  EXPECT_EQ(categories("в школе травля"), nlohmann::json::array({"bullying"}));

  // A save through the API puts a valid file back and runs it at once.
  nlohmann::json body = {{"text", kReloadRules}};
  auto put = client.Put("/api/rules/school.yaml", headers, body.dump(),
                        "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(testing::ReadFile(dir_.File("rules/school.yaml")), kReloadRules);
  EXPECT_EQ(categories("плохая еда"), nlohmann::json::array());

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(milliseconds(30000)), 0) << serve.output();
}

}  // namespace rules_hot_reload_test
}  // namespace shagym
