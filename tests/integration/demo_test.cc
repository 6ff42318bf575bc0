// `shagym demo` end to end, as the README's first command runs it but
// non-interactive: the real binary serves the sample site, crawls it, stores,
// serves the dashboard for a while and ends cleanly on SIGINT. Then the demo
// data is checked against config/demo/expected.json with the real `export`
// and `trends --spikes` commands.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/demo_config.h"
#include "crawler/adapter.h"
#include "crawler/charset.h"
#include "dashboards/demo_site.h"
#include "tests/testing/child_process.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym {
namespace demo_test {

namespace fs = std::filesystem;
using testing::RunCommand;
using testing::ShagymBinary;
using testing::TempDir;

const std::string kDemoDir = std::string(SHAGYM_SOURCE_DIR) + "/config/demo";

nlohmann::json Expected() {
  std::ifstream in(kDemoDir + "/expected.json");
  return nlohmann::json::parse(in);
}

// The commands a run reported as "'X' is not available in this build yet":
// pieces of the product that have not landed.
std::string MissingCommands(const std::string& output) {
  const std::string tail = "' is not available in this build yet";
  std::string missing;
  for (size_t p = output.find(tail); p != std::string::npos;
       p = output.find(tail, p + 1)) {
    size_t q = output.rfind('\'', p - 1);
    if (q == std::string::npos) continue;
    std::string name = output.substr(q + 1, p - q - 1);
    if (missing.find("'" + name + "'") == std::string::npos) {
      missing += (missing.empty() ? "'" : ", '") + name + "'";
    }
  }
  return missing;
}

TEST(DemoTest, TemplateBecomesALoopbackConfigForOneRun) {
  config::DemoOverrides o;
  o.site_base = "http://127.0.0.1:4321";
  o.data_dir = "/tmp/shagym-demo-x/data";
  o.listen = "127.0.0.1:9999";
  auto yaml = config::MakeDemoConfig(kDemoDir + "/shagym.yaml", o);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  EXPECT_EQ(yaml->find("demo.invalid"), std::string::npos);
  auto c = config::LoadFromString(*yaml, "run.yaml", "/elsewhere");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->crawl.allow_private_addresses);
  EXPECT_EQ(c->store.data_dir, "/tmp/shagym-demo-x/data");
  EXPECT_EQ(c->server.listen, "127.0.0.1:9999");
  EXPECT_EQ(
      c->rules_dir,
      fs::path(SHAGYM_SOURCE_DIR "/config/rules").lexically_normal().string());
  std::set<std::string> ids;
  for (const auto& s : c->sources) {
    ids.insert(s.id);
    for (const auto& u : s.seeds) {
      EXPECT_EQ(u.rfind("http://127.0.0.1:4321/", 0), 0u) << u;
    }
  }
  // Every source the expected counts name is configured.
  // Keep the document alive: a range over a temporary's member dangles.
  const auto expected = Expected();
  for (const auto& [id, src] : expected["sources"].items()) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  // The template alone never allows private addresses.
  auto plain = config::Load(kDemoDir + "/shagym.yaml");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(plain->crawl.allow_private_addresses);
}

TEST(DemoTest, BrokenTemplateNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.Write("shagym.yaml", "crawl:\n  - [unclosed\n");
  config::DemoOverrides o;
  auto yaml = config::MakeDemoConfig(path, o);
  ASSERT_FALSE(yaml.ok());
  EXPECT_EQ(yaml.status().message().rfind(path + ":", 0), 0u)
      << yaml.status().message();
}

TEST(DemoTest, RefusesADataDirItDidNotMake) {
  TempDir dir;
  dir.Write("data/precious.txt", "keep me");
  auto r = RunCommand({ShagymBinary(), "demo", "--exit-after-crawl",
                       "--data-dir", dir.File("data")},
                      "", 30);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not a demo data directory"), std::string::npos)
      << r.err;
  EXPECT_EQ(testing::ReadFile(dir.File("data/precious.txt")), "keep me");
}

TEST(DemoTest, RealSourcesExampleIsValidAndDisabled) {
  TempDir dir;
  std::string cfg = dir.Write(
      "shagym.yaml", "sources_dir: " SHAGYM_SOURCE_DIR "/config/sources\n");
  auto c = config::Load(cfg);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_GE(c->sources.size(), 8u);
  std::set<crawler::SourceType> types;
  for (const auto& s : c->sources) {
    EXPECT_FALSE(s.enabled) << s.id << " must be off until a user enables it";
    types.insert(s.type);
    for (const auto& u : s.seeds) {
      EXPECT_EQ(u.rfind("https://", 0), 0u) << u;
    }
  }
  EXPECT_TRUE(types.count(crawler::SourceType::kTelegram));
  EXPECT_TRUE(types.count(crawler::SourceType::kRss));
}

// The sample site and the real source adapters agree: following every start
// URL, link and next page the adapters give (a crawl without the engine's
// politeness and storage), each source yields exactly its expected posts,
// the windows-1251 page decodes, and the page behind robots.txt is only
// reached because nothing here reads robots.txt.
TEST(DemoTest, AdaptersExtractEveryDemoPost) {
  auto site = dashboards::DemoSite::Start(kDemoDir + "/site");
  ASSERT_TRUE(site.ok()) << site.status().message();
  config::DemoOverrides o;
  o.site_base = (*site)->base_url();
  o.data_dir = "/nonexistent";
  auto yaml = config::MakeDemoConfig(kDemoDir + "/shagym.yaml", o);
  ASSERT_TRUE(yaml.ok()) << yaml.status().message();
  auto c = config::LoadFromString(*yaml, "run.yaml", "/");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const nlohmann::json expected = Expected();
  httplib::Client client("127.0.0.1", (*site)->port());
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  std::string all_text;
  for (const auto& source : c->sources) {
    auto adapter = crawler::MakeAdapter(source);
    ASSERT_TRUE(adapter.ok()) << adapter.status().message();
    std::vector<std::pair<std::string, int>> queue;
    for (const auto& u : (*adapter)->StartUrls()) queue.push_back({u, 0});
    std::set<std::string> fetched, native_ids, urls;
    int posts = 0;
    for (size_t i = 0; i < queue.size() && i < 500; ++i) {
      auto [url, depth] = queue[i];
      if (!fetched.insert(url).second) continue;
      if (url.find("/forum/admin/") != std::string::npos) continue;  // robots
      ASSERT_EQ(url.rfind(o.site_base, 0), 0u) << url;
      auto r = client.Get(url.substr(o.site_base.size()));
      ASSERT_TRUE(r) << url;
      if (r->status == 302) {
        queue.push_back({r->get_header_value("Location"), depth});
        continue;
      }
      if (r->status != 200) continue;  // the broken pages
      crawler::FetchedPage page;
      page.url = page.final_url = url;
      page.http_status = r->status;
      std::string type = r->get_header_value("Content-Type");
      page.content_type = crawler::MediaType(type);
      page.body = crawler::DecodeToUtf8(r->body, type).utf8;
      page.link_header = r->get_header_value("Link");
      page.fetched_at = 1795000000;
      page.depth = depth;
      crawler::ExtractResult x = (*adapter)->Extract(page);
      for (const auto& p : x.posts) {
        std::string key = p.native_id.empty() ? p.url : p.native_id;
        if (!native_ids.insert(key).second) continue;  // seen on another URL
        ++posts;
        urls.insert(p.url);
        EXPECT_GT(p.published_at, 1777000000) << p.url;  // May 2026 or later
        EXPECT_FALSE(p.text.empty()) << p.url;
        all_text += p.text + "\n";
      }
      for (const auto& l : x.links) queue.push_back({l, depth + 1});
      for (const auto& l : x.next_pages) queue.push_back({l, depth + 1});
    }
    int want = expected["sources"].contains(source.id)
                   ? expected["sources"][source.id]["posts"].get<int>()
                   : 0;
    EXPECT_EQ(posts, want) << "source " << source.id;
    EXPECT_EQ(static_cast<int>(urls.size()), posts)
        << "source " << source.id << ": permalinks must be distinct";
  }
  for (const auto& m : expected["must_find"]) {
    EXPECT_NE(all_text.find(m["text"].get<std::string>()), std::string::npos)
        << m["what"];
  }
}

// The dashboard part alone, on kept (here: empty) demo data: it answers, the
// printed login works, and SIGINT (Ctrl-C) ends everything with exit 0.
TEST(DemoTest, ServesTheDashboardUntilCtrlC) {
  TempDir dir;
  dir.Write("demo-data/.shagym-demo", "");
  fs::create_directories(dir.File("demo-data/data"));
  testing::ChildProcess demo({ShagymBinary(), "demo", "--keep-data",
                              "--data-dir", dir.File("demo-data"), "--listen",
                              "127.0.0.1:0", "--serve-seconds", "120"});
  std::string line =
      demo.WaitForLine("dashboard: http://", std::chrono::seconds(60));
  if (line.empty()) {
    int code = demo.Wait(std::chrono::seconds(5));
    if (std::string missing = MissingCommands(demo.output());
        !missing.empty()) {
      GTEST_SKIP() << "not in this build yet: " << missing;
    }
    FAIL() << "no dashboard (exit " << code << "):\n" << demo.output();
  }
  std::string url = line.substr(line.find("http://"));
  int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::string login = demo.WaitForLine("login: ", std::chrono::seconds(5));
  ASSERT_FALSE(login.empty()) << demo.output();
  std::string creds = login.substr(login.find("login: ") + 7);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(20);
  auto health = client.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto anonymous = client.Get("/api/posts");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  nlohmann::json body = {{"user", creds.substr(0, creds.find(" / "))},
                         {"password", creds.substr(creds.find(" / ") + 3)}};
  auto session = client.Post("/api/login", body.dump(), "application/json");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200) << session->body;
  std::string cookie = session->get_header_value("Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto posts = client.Get("/api/posts", {{"Cookie", cookie}});
  ASSERT_TRUE(posts);
  EXPECT_EQ(posts->status, 200) << posts->body;
  demo.Signal(SIGINT);
  EXPECT_EQ(demo.Wait(std::chrono::seconds(30)), 0) << demo.output();
  EXPECT_NE(demo.output().find("demo: stopped"), std::string::npos)
      << demo.output();
  // The port is free again: nothing was left running.
  EXPECT_EQ(client.Get("/api/health"), nullptr);
}

// The acceptance test of the demo: every post crawled, the spikes found,
// the dashboard up, Ctrl-C ends it cleanly.
TEST(DemoTest, CrawlsEverythingFindsTheSpikesAndServes) {
  TempDir dir;
  const nlohmann::json expected = Expected();
  const std::string data = dir.File("demo-data");
  testing::ChildProcess demo({ShagymBinary(), "demo", "--data-dir", data,
                              "--listen", "127.0.0.1:0", "--serve-seconds",
                              "120"});
  std::string line =
      demo.WaitForLine("dashboard: http://", std::chrono::seconds(240));
  if (line.empty()) {
    int code = demo.Wait(std::chrono::seconds(5));
    if (std::string missing = MissingCommands(demo.output());
        !missing.empty()) {
      GTEST_SKIP() << "not in this build yet: " << missing
                   << "; the demo stopped there. Output:\n"
                   << demo.output();
    }
    FAIL() << "the demo never served the dashboard (exit " << code
           << "); its output:\n"
           << demo.output();
  }
  // "demo: dashboard: http://127.0.0.1:PORT/"
  std::string url = line.substr(line.find("http://"));
  int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::string login = demo.WaitForLine("login: ", std::chrono::seconds(5));
  ASSERT_FALSE(login.empty()) << demo.output();
  std::string creds = login.substr(login.find("login: ") + 7);
  std::string user = creds.substr(0, creds.find(" / "));
  std::string password = creds.substr(creds.find(" / ") + 3);

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(20);
  auto health = client.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto root = client.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  nlohmann::json body = {{"user", user}, {"password", password}};
  auto session = client.Post("/api/login", body.dump(), "application/json");
  ASSERT_TRUE(session);
  if (session->status != 200 && !MissingCommands(demo.output()).empty()) {
    GTEST_SKIP() << "dashboard up, but not in this build yet: "
                 << MissingCommands(demo.output()) << "\n"
                 << demo.output();
  }
  EXPECT_EQ(session->status, 200) << session->body << "\n" << demo.output();
  EXPECT_FALSE(session->get_header_value("Set-Cookie").empty());

  demo.Signal(SIGINT);  // what Ctrl-C sends
  EXPECT_EQ(demo.Wait(std::chrono::seconds(30)), 0) << demo.output();
  EXPECT_NE(demo.output().find("demo: stopped"), std::string::npos);

  // Every demo post is in the store, once.
  const std::string cfg = data + "/shagym.yaml";
  auto exported = RunCommand(
      {ShagymBinary(), "--config", cfg, "export", "--format", "jsonl"}, "",
      120);
  if (exported.exit_code != 0 &&
      exported.err.find("not available in this build") != std::string::npos) {
    GTEST_SKIP() << "crawl and dashboard ran; export not in this build yet: "
                 << exported.err;
  }
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::map<std::string, int> by_source;
  std::set<std::string> ids;
  std::string all_text;
  std::istringstream lines(exported.out);
  for (std::string l; std::getline(lines, l);) {
    if (l.empty()) continue;
    auto post = nlohmann::json::parse(l);
    ids.insert(post["id"].get<std::string>());
    ++by_source[post["source"].get<std::string>()];
    all_text += post["text"].get<std::string>() + "\n";
  }
  EXPECT_EQ(static_cast<int>(ids.size()), expected["total_posts"].get<int>());
  for (const auto& [id, src] : expected["sources"].items()) {
    EXPECT_EQ(by_source[id], src["posts"].get<int>()) << "source " << id;
  }
  for (const auto& m : expected["must_find"]) {
    EXPECT_NE(all_text.find(m["text"].get<std::string>()), std::string::npos)
        << m["what"];
  }
  for (const auto& m : expected["must_not_find"]) {
    EXPECT_EQ(all_text.find(m["text"].get<std::string>()), std::string::npos)
        << m["what"];
  }

  // The stories that went around are flagged on their days.
  std::string from = expected["first_post"].get<std::string>().substr(0, 10);
  std::string to = expected["last_post"].get<std::string>().substr(0, 10);
  auto spikes = RunCommand({ShagymBinary(), "--config", cfg, "trends", "--from",
                            from, "--to", to, "--spikes", "--format", "json"},
                           "", 120);
  ASSERT_EQ(spikes.exit_code, 0) << spikes.err;
  auto flagged = nlohmann::json::parse(spikes.out, nullptr, false);
  ASSERT_TRUE(flagged.is_array()) << spikes.out;
  for (const auto& want : expected["spikes"]) {
    bool found = false;
    for (const auto& s : flagged) {
      std::string date = s.value("date", "");
      if (s.value("category", "") == want["category"] && s.contains("region") &&
          s["region"] == want["region"] && date >= want["from"] &&
          date <= want["to"]) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "spike " << want["id"] << " (" << want["category"]
                       << " in " << want["region"] << ", " << want["from"]
                       << ".." << want["to"] << ") not flagged; flagged:\n"
                       << spikes.out;
  }
}

}  // namespace demo_test
}  // namespace shagym
