#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace rss_test {

std::unique_ptr<SourceAdapter> Make(SourceConfig s) {
  s.type = SourceType::kRss;
  if (s.id.empty()) s.id = "feed";
  if (s.seeds.empty()) s.seeds = {"https://news.example.kz/feed/"};
  auto a = MakeAdapter(s);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? std::move(a).value() : nullptr;
}

ExtractResult Extract(const SourceAdapter& a, const std::string& body,
                      const std::string& url = "https://news.example.kz/feed/",
                      int depth = 0) {
  FetchedPage p;
  p.url = p.final_url = url;
  p.body = body;
  p.fetched_at = 1789200000;
  p.depth = depth;
  return a.Extract(p);
}

TEST(RssTest, UlpressaFeedGolden) {
  std::string dir = testing::RealworldDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/realworld is absent";
  auto a = Make({});
  ExtractResult r =
      Extract(*a, testing::ReadFile(dir + "/feeds/rss_ulpressa_ru_excerpt.xml"),
              "https://ulpressa.ru/feed/");
  EXPECT_EQ(r.problem, PageProblem::kNone);
  ASSERT_EQ(r.posts.size(), 8u);
  const ExtractedPost& first = r.posts[0];
  EXPECT_EQ(first.title, "Имя убийцы Хобота раскрыл испуганный свидетель");
  EXPECT_EQ(first.url,
            "https://ulpressa.ru/2026/09/11/"
            "imya-ubijczy-hobota-raskryl-ispugannyj-svidetel/");
  EXPECT_EQ(first.native_id, "https://ulpressa.ru/?p=1937645");
  EXPECT_EQ(first.author, "Ольга Турковская");
  EXPECT_EQ(FormatIso8601Utc(first.published_at), "2026-09-11T10:32:15Z");
  // Title, then the description stripped of its HTML (the <img> is gone).
  EXPECT_EQ(first.text.rfind(first.title + "\n\nВ Ульяновске спустя 26 лет", 0),
            0u)
      << first.text;
  for (const auto& p : r.posts) {
    EXPECT_EQ(p.text.find('<'), std::string::npos) << p.text;
    EXPECT_EQ(p.text.find("srcset"), std::string::npos);
    EXPECT_EQ(p.text.find("&#"), std::string::npos);
    EXPECT_GT(p.published_at, 0);
    EXPECT_FALSE(p.author.empty());
  }
  // The school item, with its percent-encoded № link.
  const ExtractedPost& school = r.posts[6];
  EXPECT_EQ(school.title, "В лицее №40 ученику проткнули руку карандашом");
  EXPECT_EQ(school.url,
            "https://ulpressa.ru/2026/09/11/"
            "v-liczee-%e2%84%9640-ucheniku-protknuli-ruku-karandashom/");
  EXPECT_NE(school.text.find("лицее №40"), std::string::npos);
  EXPECT_EQ(FormatIso8601Utc(school.published_at), "2026-09-11T07:53:34Z");
  // Entities decoded in titles (&#171; &#187;).
  EXPECT_EQ(r.posts[5].title.rfind("Регоператор «Контракт плюс»", 0), 0u);
  EXPECT_TRUE(r.links.empty());  // follow_items is off
}

TEST(RssTest, AtomFeed) {
  auto a = Make({});
  ExtractResult r = Extract(*a, R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Мектеп жаңалықтары</title>
  <entry>
    <title type="html">Ата-аналар &lt;b&gt;шағымы&lt;/b&gt;</title>
    <link rel="alternate" href="/news/1"/>
    <link rel="replies" href="/news/1/comments"/>
    <id>tag:example.kz,2024:1</id>
    <published>2024-05-13T10:00:00+05:00</published>
    <author><name>Айгүл</name></author>
    <summary type="html">&lt;p&gt;Бірінші&lt;/p&gt;&lt;p&gt;Екінші&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Plain</title>
    <link href="https://other.kz/x"/>
    <updated>2024-05-12T08:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Body text</div></content>
  </entry>
</feed>)");
  ASSERT_EQ(r.posts.size(), 2u);
  EXPECT_EQ(r.posts[0].title, "Ата-аналар шағымы");
  EXPECT_EQ(r.posts[0].url, "https://news.example.kz/news/1");
  EXPECT_EQ(r.posts[0].native_id, "tag:example.kz,2024:1");
  EXPECT_EQ(r.posts[0].author, "Айгүл");
  EXPECT_EQ(r.posts[0].text, "Ата-аналар шағымы\n\nБірінші\n\nЕкінші");
  EXPECT_EQ(FormatIso8601Utc(r.posts[0].published_at), "2024-05-13T05:00:00Z");
  EXPECT_EQ(r.posts[1].native_id, "https://other.kz/x");
  EXPECT_EQ(r.posts[1].text, "Plain\n\nBody text");
  EXPECT_EQ(FormatIso8601Utc(r.posts[1].published_at), "2024-05-12T08:00:00Z");
}

TEST(RssTest, BrokenFeedsNeverFail) {
  auto a = Make({});
  // Unclosed elements, stray end tags, unknown entities, a bare '&'.
  ExtractResult r = Extract(*a, R"(<rss><channel><item><title>A &unknown; & B
</item></foo><item><title><![CDATA[C <i>x</i>]]></title><link>/c</link>)");
  ASSERT_EQ(r.posts.size(), 2u);
  EXPECT_EQ(r.posts[0].text, "A &unknown; & B");
  EXPECT_EQ(r.posts[1].text, "C x");
  EXPECT_EQ(r.posts[1].url, "https://news.example.kz/c");
  for (const char* junk : {"", "not xml", "<html><body>hi</body></html>",
                           "<<<>>>&&&", "\xff\xfe\x00"}) {
    ExtractResult j = Extract(*a, junk);
    EXPECT_TRUE(j.posts.empty()) << junk;
    EXPECT_EQ(j.problem, PageProblem::kUnparseable) << junk;
  }
}

TEST(RssTest, FollowItemsExtractsComments) {
  SourceConfig s;
  s.follow_items = true;
  s.post.item = ".comment";
  s.post.text = ".body";
  s.post.author = ".who";
  s.post.time = "time";
  s.post.link = "a.perma@href";
  auto a = Make(s);
  ExtractResult feed = Extract(*a, R"(<rss><channel>
<item><title>T1</title><link>https://news.example.kz/a/1</link></item>
<item><title>T2</title><link>https://news.example.kz/a/2#x</link></item>
</channel></rss>)");
  ASSERT_EQ(feed.posts.size(), 2u);
  EXPECT_EQ(feed.links,
            (std::vector<std::string>{"https://news.example.kz/a/1",
                                      "https://news.example.kz/a/2"}));
  ExtractResult page = Extract(*a, R"(<html><body><article>Story</article>
<div class="comment" id="c7"><span class="who">Дана</span>
<time datetime="2024-05-13T12:00:00+05:00">13 мая</time>
<p class="body">Мектепте буллинг!</p><a class="perma" href="#c7">link</a></div>
<div class="comment"><span class="who">Нұр</span><p class="body">Иә</p></div>
</body></html>)",
                               "https://news.example.kz/a/1", 1);
  ASSERT_EQ(page.posts.size(), 2u);
  EXPECT_EQ(page.posts[0].text, "Мектепте буллинг!");
  EXPECT_EQ(page.posts[0].author, "Дана");
  EXPECT_EQ(page.posts[0].url, "https://news.example.kz/a/1#c7");
  EXPECT_EQ(page.posts[0].native_id, "https://news.example.kz/a/1#c7");
  EXPECT_EQ(FormatIso8601Utc(page.posts[0].published_at),
            "2024-05-13T07:00:00Z");
  EXPECT_EQ(page.posts[1].text, "Иә");
  EXPECT_EQ(page.posts[1].published_at, 0);
}

}  // namespace rss_test
}  // namespace shagym::crawler
