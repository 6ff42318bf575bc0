#include "config/config.h"

#include <gtest/gtest.h>

#include "config/yaml_reader.h"
#include "tests/testing/temp_dir.h"

namespace shagym::config {
namespace config_test {

StatusOr<Config> FromText(const std::string& text) {
  return LoadFromString(text, "t.yaml", "/base");
}

TEST(ConfigTest, DefaultsAndResolvedPaths) {
  auto c = FromText("crawl: {max_connections: 8}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->crawl.max_connections, 8);
  EXPECT_EQ(c->crawl.per_host_delay_ms, 1000);
  EXPECT_EQ(c->store.data_dir, "/base/data");
  EXPECT_EQ(c->rules_dir, "/base/rules");
  EXPECT_EQ(c->gazetteer, "/base/gazetteer/regions.yaml");
  EXPECT_TRUE(c->sources.empty());
}

TEST(ConfigTest, ReadsEverySection) {
  auto c = FromText(R"(data_dir: /var/lib/shagym
retention_days: 365
rules_dir: ../rules
crawl:
  user_agent: "shagym-test/1.0"
  per_host_delay_ms: 250
  timeout_s: 2m
  max_page_bytes: 2MB
  allow_private_addresses: true
server: {listen: "0.0.0.0:9000", session_ttl: 1h}
privacy: {mask_personal_data: false}
log: {level: debug, format: json}
sources:
  - {id: tg_taraz, type: telegram, url: "https://t.me/s/taraz_news", region: jambyl, recrawl: 15m}
  - id: forum
    type: html
    seeds: ["https://forum.example.kz/f/1", "https://forum.example.kz/f/2"]
    follow: ['/t/\d+']
    max_depth: 2
    post: {item: ".post", text: ".body", author: ".author", time: "time@datetime", link: "a.permalink@href"}
    next_page: "a.next@href"
  - id: masto
    type: json
    url: "https://mastodon.example/api/v1/timelines/tag/school"
    fields: {id: id, text: content, time: created_at, author: account.acct, url: url}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.data_dir, "/var/lib/shagym");
  EXPECT_EQ(c->store.retention_days, 365);
  EXPECT_EQ(c->rules_dir, "/rules");
  EXPECT_EQ(c->crawl.user_agent, "shagym-test/1.0");
  EXPECT_EQ(c->crawl.per_host_delay_ms, 250);
  EXPECT_EQ(c->crawl.timeout_s, 120);
  EXPECT_EQ(c->crawl.max_page_bytes, 2000000);
  EXPECT_TRUE(c->crawl.allow_private_addresses);
  EXPECT_EQ(c->server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->server.session_ttl_s, 3600);
  EXPECT_FALSE(c->privacy.mask_personal_data);
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
  EXPECT_EQ(c->log.format, LogFormat::kJson);
  ASSERT_EQ(c->sources.size(), 3u);
  EXPECT_EQ(c->sources[0].type, crawler::SourceType::kTelegram);
  EXPECT_EQ(c->sources[0].recrawl_ms, 15 * 60 * 1000);
  EXPECT_EQ(c->sources[0].region, "jambyl");
  EXPECT_EQ(c->sources[0].origin, "t.yaml:14:5");
  EXPECT_EQ(c->sources[1].seeds.size(), 2u);
  EXPECT_EQ(c->sources[1].post.time, "time@datetime");
  EXPECT_EQ(c->sources[1].next_page, "a.next@href");
  EXPECT_EQ(c->sources[2].fields.author, "account.acct");
}

// Each kind of mistake gives exactly one line naming file, line and column.
TEST(ConfigTest, ErrorsAreOneLineWithPosition) {
  struct Case {
    const char* name;
    const char* yaml;
    const char* want;
  } cases[] = {
      {"unknown top key", "crawl: {}\nrules_dri: x\n",
       "t.yaml:2:1: unknown key 'rules_dri' in the configuration (did you "
       "mean 'rules_dir'?)"},
      {"unknown nested key", "crawl:\n  max_conections: 4\n",
       "t.yaml:2:3: unknown key 'max_conections' in crawl (did you mean "
       "'max_connections'?)"},
      {"unknown key, nothing close", "crawl:\n  zzzzzzzzzz: 4\n",
       "t.yaml:2:3: unknown key 'zzzzzzzzzz' in crawl"},
      {"wrong type", "crawl:\n  max_connections: lots\n",
       "t.yaml:2:20: crawl.max_connections: expected an integer, got 'lots'"},
      {"out of range", "crawl:\n  max_connections: 0\n",
       "t.yaml:2:20: crawl.max_connections: 0 is out of range [1, 10000]"},
      {"bool", "crawl:\n  respect_robots: maybe\n",
       "t.yaml:2:19: crawl.respect_robots: expected true or false, got "
       "'maybe'"},
      {"bad duration",
       "sources:\n  - {id: a, type: rss, url: 'https://x.kz/feed', recrawl: 15 "
       "minutes}\n",
       "t.yaml:2:59: source 'a' recrawl: bad duration '15 minutes' (use e.g. "
       "30s, 15m, 2h, 1d)"},
      {"bad size", "crawl:\n  max_page_bytes: 5 parsecs\n",
       "t.yaml:2:19: crawl.max_page_bytes: bad size '5 parsecs' (use e.g. "
       "512KB, 5MB, 1GiB or a number of bytes)"},
      {"missing required",
       "sources:\n  - {type: rss, url: 'https://x.kz/feed'}\n",
       "t.yaml:2:5: source is missing required key 'id'"},
      {"missing url", "sources:\n  - {id: a, type: rss}\n",
       "t.yaml:2:5: source 'a' is missing required key 'url' (or 'seeds')"},
      {"duplicate id",
       "sources:\n  - {id: a, type: rss, url: 'https://x.kz/1'}\n"
       "  - {id: a, type: rss, url: 'https://x.kz/2'}\n",
       "t.yaml:3:10: duplicate source id 'a' (first defined at t.yaml:2:10)"},
      {"yaml syntax", "crawl:\n  max_connections: [1, 2\n",
       "t.yaml:3:1: YAML syntax error: end of sequence flow not found"},
      {"duplicate key", "crawl:\n  retries: 1\n  retries: 2\n",
       "t.yaml:3:3: duplicate key 'retries' in crawl"},
      {"unknown source type",
       "sources:\n  - {id: a, type: rsss, url: 'https://x.kz/1'}\n",
       "t.yaml:2:19: source 'a': unknown type 'rsss' (expected telegram, rss, "
       "html, json or sitemap); did you mean 'rss'?"},
      {"unknown region",
       "sources:\n  - {id: a, type: rss, url: 'https://x.kz/1', region: "
       "jambil}\n",
       "t.yaml:2:55: source 'a': unknown region 'jambil' (did you mean "
       "'jambyl'?)"},
      {"bad follow regex",
       "sources:\n  - id: a\n    type: html\n    url: 'https://x.kz/'\n"
       "    follow: ['/t/(\\d+']\n    post: {item: .p}\n",
       "t.yaml:5:14: source 'a': bad follow pattern '/t/(\\d+': missing ): "
       "/t/(\\d+"},
      {"not a url", "sources:\n  - {id: a, type: rss, url: 'ftp://x.kz/1'}\n",
       "t.yaml:2:29: source 'a': 'ftp://x.kz/1' is not an http:// or https:// "
       "URL"},
      {"json without fields",
       "sources:\n  - {id: a, type: json, url: 'https://x.kz/api'}\n",
       "t.yaml:2:5: source 'a' (json) is missing required key 'fields'"},
      {"html without item selector",
       "sources:\n  - {id: a, type: html, url: 'https://x.kz/'}\n",
       "t.yaml:2:5: source 'a' is missing required key 'post.item'"},
      {"top level not a map", "- a\n- b\n",
       "t.yaml:1:1: the configuration must be a mapping of key: value"},
      {"empty", "", "t.yaml: configuration is empty"},
  };
  for (const auto& c : cases) {
    auto got = FromText(c.yaml);
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(got.status().message(), c.want) << c.name;
    EXPECT_EQ(got.status().message().find('\n'), std::string::npos) << c.name;
  }
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto c = Load("/nonexistent/shagym.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      c.status().message(),
      "/nonexistent/shagym.yaml: cannot read configuration: no such file");
}

TEST(ConfigTest, SourcesDirErrorsNameTheirFile) {
  testing::TempDir dir;
  dir.Write("sources/a.yaml",
            "- {id: one, type: rss, url: 'https://x.kz/feed'}\n");
  dir.Write("sources/b.yaml",
            "sources:\n  - {id: two, type: telegram, url: 'https://t.me/s/x', "
            "lang: en}\n");
  std::string main = dir.Write("shagym.yaml", "sources_dir: sources\n");
  auto c = Load(main);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            dir.File("sources/b.yaml") +
                ":2:62: source 'two': lang must be kk or ru, got 'en'");
  dir.Write(
      "sources/b.yaml",
      "sources:\n  - {id: two, type: telegram, url: 'https://t.me/s/x'}\n");
  c = Load(main);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->sources.size(), 2u);
  EXPECT_EQ(c->sources[0].id, "one");
  EXPECT_EQ(c->sources[1].id, "two");
}

TEST(ConfigTest, ShippedConfigLoads) {
  auto c = Load(std::string(SHAGYM_SOURCE_DIR) + "/config/shagym.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
}

TEST(ConfigTest, SuggestsCloseWords) {
  EXPECT_EQ(Suggest("max_conections", {"max_connections", "retries"}),
            "max_connections");
  EXPECT_EQ(Suggest("xyz", {"max_connections", "retries"}), "");
}

}  // namespace config_test
}  // namespace shagym::config

namespace shagym::config {
namespace config_test {

// Found by fuzzing: a multi-line scalar echoed into an error made it span
// several lines.
TEST(ConfigTest, ErrorsStayOneLineWithMultiLineValues) {
  auto c = LoadFromString("server:\n  listen: '127.0.0.1:80\n\n  more text'\n",
                          "t.yaml", "/base");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find('\n'), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message(),
            "t.yaml:2:11: server.listen: expected ADDRESS:PORT, got "
            "'127.0.0.1:80\\nmore text'");
  std::string long_value(1000, 'x');
  c = LoadFromString("crawl:\n  retries: " + long_value + "\n", "t.yaml", "/b");
  ASSERT_FALSE(c.ok());
  EXPECT_LT(c.status().message().size(), 400u);
}

}  // namespace config_test
}  // namespace shagym::config
