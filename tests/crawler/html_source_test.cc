#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"

namespace shagym::crawler {
namespace html_source_test {

constexpr char kThreadPage1[] = R"(<!doctype html>
<html><head><title>Форум: школа №12</title></head><body>
<nav><a href="/forum/">Форум</a> <a href="/forum/t/1?page=2">2</a>
  <a href="/profile/5">профиль</a> <a href="https://elsewhere.kz/t/9">x</a></nav>
<div class="post" id="p101">
  <div class="meta"><a class="user" href="/u/aset">Асет</a>
    <span class="date" title="13.05.2024 09:15">вчера</span>
    <a class="num" href="/forum/t/1#p101">#1</a></div>
  <div class="content">В 12-й школе старшеклассники<br>отбирают деньги.
    <blockquote class="quote">старая цитата</blockquote></div>
</div>
<div class="post" id="p102">
  <div class="meta"><a class="user" href="/u/dana">Дана</a>
    <span class="date">13 мая 2024, 10:40</span>
    <a class="num" href="/forum/t/1#p102">#2</a></div>
  <div class="content"><p>Подтверждаю.</p><p>Директор молчит.</p>
    <script>track()</script></div>
</div>
<div class="post ad" id="ad1"><div class="content">Реклама</div></div>
<a class="next" rel="next" href="/forum/t/1?page=2">Дальше</a>
</body></html>)";

SourceConfig ForumSource() {
  SourceConfig s;
  s.id = "forum";
  s.type = SourceType::kHtml;
  s.seeds = {"https://forum.kz/forum/t/1"};
  s.post.item = "div.post:not(.ad)";
  s.post.text = ".content";
  s.post.author = ".meta .user";
  s.post.time = ".date";
  s.post.link = "a.num@href";
  s.next_page = "a.next";
  s.follow = {"^https://forum\\.kz/forum/t/\\d+"};
  s.max_depth = 2;
  return s;
}

ExtractResult Extract(const SourceAdapter& a, const std::string& body,
                      const std::string& url, int depth = 0) {
  FetchedPage p;
  p.url = p.final_url = url;
  p.body = body;
  p.fetched_at = 1715594400;  // 2024-05-13T10:00:00Z
  p.depth = depth;
  return a.Extract(p);
}

TEST(HtmlSourceTest, ForumThreadGolden) {
  auto a = MakeAdapter(ForumSource());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->StartUrls(),
            std::vector<std::string>{"https://forum.kz/forum/t/1"});
  ExtractResult r = Extract(**a, kThreadPage1, "https://forum.kz/forum/t/1");
  ASSERT_EQ(r.posts.size(), 2u);
  EXPECT_EQ(r.posts[0].native_id, "https://forum.kz/forum/t/1#p101");
  EXPECT_EQ(r.posts[0].url, "https://forum.kz/forum/t/1#p101");
  EXPECT_EQ(r.posts[0].author, "Асет");
  EXPECT_EQ(r.posts[0].text,
            "В 12-й школе старшеклассники\nотбирают деньги.\n\nстарая цитата");
  // "вчера" without a time is vaguer than the title's full date, but the
  // element text wins when it parses: yesterday, local midnight.
  EXPECT_EQ(FormatIso8601Utc(r.posts[0].published_at), "2024-05-11T19:00:00Z");
  EXPECT_EQ(r.posts[1].text, "Подтверждаю.\n\nДиректор молчит.");
  EXPECT_EQ(FormatIso8601Utc(r.posts[1].published_at), "2024-05-13T05:40:00Z");
  EXPECT_EQ(r.next_pages,
            std::vector<std::string>{"https://forum.kz/forum/t/1?page=2"});
  // Only links matching `follow` (fragment dropped, each once).
  EXPECT_EQ(r.links,
            std::vector<std::string>{"https://forum.kz/forum/t/1?page=2"});
}

TEST(HtmlSourceTest, SamePostUnderTwoUrlsKeepsItsId) {
  auto a = MakeAdapter(ForumSource());
  ASSERT_TRUE(a.ok());
  ExtractResult r1 = Extract(**a, kThreadPage1, "https://forum.kz/forum/t/1");
  ExtractResult r2 =
      Extract(**a, kThreadPage1, "https://forum.kz/forum/t/1?page=1");
  ASSERT_EQ(r1.posts.size(), r2.posts.size());
  for (size_t i = 0; i < r1.posts.size(); ++i) {
    EXPECT_EQ(r1.posts[i].native_id, r2.posts[i].native_id);
  }
}

TEST(HtmlSourceTest, DefaultsWithoutFieldSelectors) {
  SourceConfig s;
  s.id = "comments";
  s.seeds = {"https://news.kz/a/1"};
  s.post.item = ".comment";
  auto a = MakeAdapter(s);
  ASSERT_TRUE(a.ok());
  ExtractResult r =
      Extract(**a, R"(<div class="comment" id="c1">Бір <b>екі</b></div>
<div class="comment"> </div><div class="comment">үш</div>
<a href="/a/2">next article</a>)",
              "https://news.kz/a/1?utm=x");
  ASSERT_EQ(r.posts.size(), 2u);  // the blank one is skipped
  EXPECT_EQ(r.posts[0].text, "Бір екі");
  EXPECT_EQ(r.posts[0].native_id, "#c1");
  EXPECT_EQ(r.posts[0].url, "https://news.kz/a/1?utm=x#c1");
  EXPECT_EQ(r.posts[1].native_id, "");  // identity comes from url + text
  EXPECT_EQ(r.posts[1].url, "https://news.kz/a/1?utm=x");
  EXPECT_TRUE(r.links.empty());  // no follow patterns
  EXPECT_TRUE(r.next_pages.empty());
}

TEST(HtmlSourceTest, MaxDepthStopsLinks) {
  auto a = MakeAdapter(ForumSource());
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(Extract(**a, kThreadPage1, "https://forum.kz/forum/t/1", 1)
                   .links.empty());
  ExtractResult deep =
      Extract(**a, kThreadPage1, "https://forum.kz/forum/t/1", 2);
  EXPECT_TRUE(deep.links.empty());
  EXPECT_EQ(deep.next_pages.size(), 1u);  // pagination is not depth
}

TEST(MakeAdapterTest, BadSelectorsNameTheOrigin) {
  struct Case {
    void (*mutate)(SourceConfig*);
    const char* field;
  } cases[] = {
      {[](SourceConfig* s) { s->post.item = "div["; }, "post.item"},
      {[](SourceConfig* s) { s->post.text = ".a >"; }, "post.text"},
      {[](SourceConfig* s) { s->post.author = "a:hover"; }, "post.author"},
      {[](SourceConfig* s) { s->post.time = "time@"; }, "post.time"},
      {[](SourceConfig* s) { s->post.link = "a[href"; }, "post.link"},
      {[](SourceConfig* s) { s->next_page = "a..next"; }, "next_page"},
      {[](SourceConfig* s) { s->follow = {"(unclosed"}; }, "follow"},
  };
  for (const auto& c : cases) {
    SourceConfig s = ForumSource();
    s.origin = "config/sources/forum.yaml:7:3";
    c.mutate(&s);
    for (SourceType t : {SourceType::kHtml, SourceType::kSitemap}) {
      s.type = t;
      auto a = MakeAdapter(s);
      ASSERT_FALSE(a.ok()) << c.field;
      const std::string& m = a.status().message();
      EXPECT_EQ(m.rfind("config/sources/forum.yaml:7:3: source 'forum': ", 0),
                0u)
          << m;
      EXPECT_NE(m.find(c.field), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
  SourceConfig rss = ForumSource();
  rss.type = SourceType::kRss;
  rss.follow_items = true;
  rss.post.item = "..";
  EXPECT_FALSE(MakeAdapter(rss).ok());
  SourceConfig json = ForumSource();
  json.type = SourceType::kJson;
  EXPECT_FALSE(MakeAdapter(json).ok());  // fields.text missing
  json.fields.text = "t";
  EXPECT_TRUE(MakeAdapter(json).ok());
}

}  // namespace html_source_test
}  // namespace shagym::crawler
