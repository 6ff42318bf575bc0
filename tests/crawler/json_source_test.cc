#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace json_source_test {

std::unique_ptr<SourceAdapter> Make(JsonFields fields,
                                    std::string cursor_param = "") {
  SourceConfig s;
  s.id = "api";
  s.type = SourceType::kJson;
  s.seeds = {"https://mastodon.example/api/v1/timelines/tag/мектеп"};
  s.fields = std::move(fields);
  s.cursor_param = std::move(cursor_param);
  auto a = MakeAdapter(s);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? std::move(a).value() : nullptr;
}

ExtractResult Extract(
    const SourceAdapter& a, const std::string& body,
    const std::string& link_header = "",
    const std::string& url =
        "https://mastodon.example/api/v1/timelines/tag/school") {
  FetchedPage p;
  p.url = p.final_url = url;
  p.body = body;
  p.link_header = link_header;
  p.fetched_at = 1715594400;
  return a.Extract(p);
}

JsonFields Mastodon() {
  JsonFields f;
  f.id = "id";
  f.text = "content";
  f.time = "created_at";
  f.author = "account.acct";
  f.url = "url";
  return f;
}

TEST(JsonSourceTest, MastodonTimelineWithLinkPaging) {
  auto a = Make(Mastodon());
  ExtractResult r = Extract(*a, R"([
    {"id": "112", "created_at": "2024-05-13T09:30:00.000Z",
     "content": "<p>Мектепте <a href=\"https://m.example/tags/буллинг\">#буллинг</a></p><p>көмектесіңіздер</p>",
     "url": "https://mastodon.example/@aru/112",
     "account": {"acct": "aru@mastodon.example", "id": 7}},
    {"id": 111, "created_at": "2024-05-12T09:30:00Z", "content": "plain &amp; simple",
     "account": {"acct": "bek"}},
    {"id": "110", "content": ""},
    "junk", 5, null
  ])",
                            "<https://mastodon.example/api/v1/timelines/tag/"
                            "school?max_id=111>; rel=\"next\", "
                            "<https://mastodon.example/api/v1/timelines/tag/"
                            "school?min_id=112>; rel=\"prev\"");
  EXPECT_EQ(r.problem, PageProblem::kNone);
  ASSERT_EQ(r.posts.size(), 2u);
  EXPECT_EQ(r.posts[0].native_id, "112");
  EXPECT_EQ(r.posts[0].text, "Мектепте #буллинг\n\nкөмектесіңіздер");
  EXPECT_EQ(r.posts[0].author, "aru@mastodon.example");
  EXPECT_EQ(r.posts[0].url, "https://mastodon.example/@aru/112");
  EXPECT_EQ(FormatIso8601Utc(r.posts[0].published_at), "2024-05-13T09:30:00Z");
  EXPECT_EQ(r.posts[1].native_id, "111");
  EXPECT_EQ(r.posts[1].text, "plain & simple");
  EXPECT_EQ(r.posts[1].author, "bek");
  EXPECT_EQ(r.next_pages,
            std::vector<std::string>{"https://mastodon.example/api/v1/"
                                     "timelines/tag/school?max_id=111"});
  // An empty page ends the paging even with a Link header.
  ExtractResult empty =
      Extract(*a, "[]", "<https://x.example/?max_id=1>; rel=next");
  EXPECT_TRUE(empty.posts.empty());
  EXPECT_TRUE(empty.next_pages.empty());
  EXPECT_EQ(empty.problem, PageProblem::kNone);
}

TEST(JsonSourceTest, NestedItemsAndCursor) {
  JsonFields f;
  f.items = "data.items";
  f.id = "meta.0.id";
  f.text = "body";
  f.time = "ts";
  f.cursor = "data.next";
  auto a = Make(f, "cursor");
  ExtractResult r = Extract(*a, R"({"data": {"next": "abc 1",
      "items": [{"meta": [{"id": 9}], "body": "hello", "ts": 1715594400}]}})",
                            "", "https://api.example/v1/posts?cursor=old&n=5");
  ASSERT_EQ(r.posts.size(), 1u);
  EXPECT_EQ(r.posts[0].native_id, "9");
  EXPECT_EQ(r.posts[0].published_at, 1715594400);
  EXPECT_EQ(r.posts[0].url, "https://api.example/v1/posts?cursor=old&n=5");
  EXPECT_EQ(r.next_pages, std::vector<std::string>{
                              "https://api.example/v1/posts?n=5&cursor=abc+1"});
}

TEST(JsonSourceTest, BadInputIsReported) {
  JsonFields f;
  f.items = "data";
  f.text = "t";
  auto a = Make(f);
  for (const char* body : {"", "{", "<html>", "{\"data\": {}}", "[1,2]"}) {
    ExtractResult r = Extract(*a, body);
    EXPECT_TRUE(r.posts.empty()) << body;
    EXPECT_EQ(r.problem, PageProblem::kUnparseable) << body;
  }
}

TEST(JsonSourceTest, TengrinewsHeadlines) {
  std::string dir = testing::RealworldDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/realworld is absent";
  JsonFields f;
  f.text = "title";
  f.time = "date";
  auto a = Make(f);
  ExtractResult r =
      Extract(*a, testing::ReadFile(dir + "/feeds/tengrinews_headlines.json"),
              "", "https://tengrinews.kz/news/");
  ASSERT_EQ(r.posts.size(), 56u);
  EXPECT_EQ(r.posts[0].text,
            "Депутат недоволен расходами на оборону Казахстана");
  // "Сегодня | 12:59" against 2024-05-13 (UTC+5).
  EXPECT_EQ(FormatIso8601Utc(r.posts[0].published_at), "2024-05-13T07:59:00Z");
  int yesterday = 0;
  for (const auto& p : r.posts) {
    EXPECT_GT(p.published_at, 0) << p.text;
    if (p.published_at < 1715540400) ++yesterday;
  }
  EXPECT_GT(yesterday, 0);
  EXPECT_LT(yesterday, 56);
}

}  // namespace json_source_test
}  // namespace shagym::crawler
