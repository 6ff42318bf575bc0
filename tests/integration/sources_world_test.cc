// A loopback fixture world crawled through the source adapters and ingest:
// a Telegram-like channel with 3 pages, an RSS feed whose articles carry
// comments, a two-page forum thread and a JSON API with Link paging. The
// fetch loop here is a plain libcurl loop (fetch -> adapter -> ingest ->
// follow next pages and links) against the loopback server.

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"
#include "crawler/ingest.h"
#include "nlp/normalize.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym {
namespace sources_world_test {

constexpr char kStory[] =
    "В школе №12 города Тараз старшеклассники уже месяц отбирают деньги у "
    "младших учеников и снимают это на телефон. Каждый день после уроков они "
    "ждут детей у ворот школы, а учителя и охрана делают вид, что ничего не "
    "происходит. Мой сын боится идти на занятия, плачет по утрам и просит "
    "перевести его в другую школу. Директор на наши жалобы отвечает, что это "
    "детские шалости. Родители просят акимат, отдел образования и полицию "
    "вмешаться и наконец защитить детей.";

std::string TgMessage(int id, const std::string& text) {
  return "<div class=\"tgme_widget_message_wrap\"><div "
         "class=\"tgme_widget_message\" data-post=\"chan/" +
         std::to_string(id) +
         "\"><div class=\"tgme_widget_message_bubble\"><div "
         "class=\"tgme_widget_message_author\"><a "
         "class=\"tgme_widget_message_owner_name\"><span>Канал</span></a></"
         "div><div class=\"tgme_widget_message_text\">" +
         text +
         "</div><div class=\"tgme_widget_message_footer\"><span "
         "class=\"tgme_widget_message_views\">1.2K</span><a "
         "class=\"tgme_widget_message_date\" href=\"/chan/" +
         std::to_string(id) + "\"><time datetime=\"2024-05-1" +
         std::to_string(id % 10) +
         "T10:00:00+00:00\">10:00</time></a></div></div></div></div>";
}

std::string TgPage(int before) {
  // Newest page: 5, 6; then 3, 4; then 1, 2 (2 reposts the forum story).
  int first = before == 0 ? 5 : before - 2;
  std::string html = "<html><body><section class=\"tgme_channel_history\">";
  if (first > 1) {
    html += "<a class=\"tme_messages_more\" data-before=\"" +
            std::to_string(first) +
            "\" href=\"/s/chan?before=" + std::to_string(first) + "\"></a>";
  }
  for (int id = first; id < first + 2; ++id) {
    html += TgMessage(id, id == 2 ? std::string(kStory)
                                  : "Сообщение номер " + std::to_string(id) +
                                        "<br>вторая строка");
  }
  return html + "</section></body></html>";
}

struct Fetched {
  long status = 0;
  std::string body, link, final_url;
};

size_t OnBody(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

size_t OnHeader(char* p, size_t s, size_t n, void* out) {
  std::string line(p, s * n);
  if (line.size() > 5 && strncasecmp(line.c_str(), "link:", 5) == 0) {
    std::string v = line.substr(5);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    *static_cast<std::string*>(out) = v;
  }
  return s * n;
}

Fetched Get(const std::string& url) {
  Fetched f;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &f.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &f.link);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f.status);
    char* eff = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    if (eff) f.final_url = eff;
  }
  curl_easy_cleanup(c);
  return f;
}

TEST(SourcesWorldTest, CrawlsTheFixtureWorld) {
  testing::TestServer server;
  // Telegram-like channel, 3 pages.
  server.Set("/s/chan", [](const testing::ServedRequest& r) {
    testing::CannedResponse resp;
    size_t q = r.target.find("before=");
    resp.body =
        TgPage(q == std::string::npos ? 0 : std::stoi(r.target.substr(q + 7)));
    return resp;
  });
  // RSS feed whose articles carry comments.
  server.SetPage("/feed.xml",
                 "<?xml version=\"1.0\"?><rss><channel>"
                 "<item><title>Мектепте тамақ нашар</title><link>/news/1</link>"
                 "<guid>n1</guid><pubDate>Mon, 13 May 2024 08:00:00 "
                 "+0000</pubDate><description>&lt;p&gt;Асхана туралы "
                 "шағым&lt;/p&gt;</description></item>"
                 "<item><title>Школьный автобус</title><link>/news/2</link>"
                 "<guid>n2</guid></item></channel></rss>",
                 "application/rss+xml");
  server.SetPage("/news/1",
                 "<article>Мақала</article><div class=comment id=c1><b "
                 "class=who>Әли</b><p class=body>Біздің мектепте де солай</p>"
                 "</div><div class=comment id=c2><b class=who>Аня</b><p "
                 "class=body>Жалоба в акимат уже подана</p></div>");
  server.SetPage("/news/2",
                 "<article>Статья</article><div class=comment id=c3><b "
                 "class=who>Нұр</b><p class=body>Автобус опять не "
                 "пришёл</p></div>");
  // Two-page forum thread.
  server.Set("/forum/t/1", [](const testing::ServedRequest& r) {
    testing::CannedResponse resp;
    if (r.target.find("page=2") != std::string::npos) {
      resp.body =
          "<div class=post id=p3><a class=user>Ерлан</a><div "
          "class=content>Третий пост</div></div>";
    } else {
      resp.body = std::string(
                      "<div class=post id=p1><a class=user>Асель</a><span "
                      "class=date>12.05.2024 09:00</span><div class=content>") +
                  kStory +
                  "</div></div><div class=post id=p2><a "
                  "class=user>Дана</a><div class=content>Второй "
                  "пост</div></div><a class=next href=\"?page=2\">»</a>";
    }
    return resp;
  });
  // JSON API with Link paging.
  server.Set("/api/tag", [&server](const testing::ServedRequest& r) {
    testing::CannedResponse resp;
    resp.content_type = "application/json";
    if (r.target.find("max_id=5") != std::string::npos) {
      resp.body = "[]";
    } else if (r.target.find("max_id=10") != std::string::npos) {
      resp.body =
          R"([{"id":"7","content":"<p>үшінші</p>","account":{"acct":"c"}}])";
      resp.headers = {
          {"Link", "<" + server.Url("/api/tag?max_id=5") + ">; rel=\"next\""}};
    } else {
      resp.body =
          R"([{"id":"12","content":"<p>бірінші</p>","account":{"acct":"a"}},)"
          R"({"id":"11","content":"екінші","account":{"acct":"b"}}])";
      resp.headers = {
          {"Link", "<" + server.Url("/api/tag?max_id=10") + ">; rel=\"next\""}};
    }
    return resp;
  });

  using crawler::SourceConfig;
  using crawler::SourceType;
  std::vector<SourceConfig> sources(4);
  sources[0].id = "forum";
  sources[0].type = SourceType::kHtml;
  sources[0].seeds = {server.Url("/forum/t/1")};
  sources[0].post.item = ".post";
  sources[0].post.text = ".content";
  sources[0].post.author = ".user";
  sources[0].post.time = ".date";
  sources[0].next_page = "a.next";
  sources[1].id = "tg";
  sources[1].type = SourceType::kTelegram;
  sources[1].seeds = {server.Url("/s/chan")};
  sources[2].id = "news";
  sources[2].type = SourceType::kRss;
  sources[2].seeds = {server.Url("/feed.xml")};
  sources[2].follow_items = true;
  sources[2].post.item = ".comment";
  sources[2].post.text = ".body";
  sources[2].post.author = ".who";
  sources[3].id = "api";
  sources[3].type = SourceType::kJson;
  sources[3].seeds = {server.Url("/api/tag")};
  sources[3].fields.id = "id";
  sources[3].fields.text = "content";
  sources[3].fields.author = "account.acct";

  testing::TempDir dir;
  store::StoreOptions so;
  so.data_dir = dir.path();
  auto st = store::Store::Open(so);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto keys = crawler::Pseudonymizer::Open(PrivacyOptions{}, dir.path());
  ASSERT_TRUE(keys.ok());
  auto normalizer = nlp::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  store::EvidenceStore evidence((*st)->db());
  store::DedupeIndex dedupe((*st)->db());
  crawler::Ingestor ingest(&*keys, normalizer->get(), &evidence, &dedupe,
                           nullptr, crawler::StoreHook(st->get()));

  int fetches = 0;
  for (const auto& source : sources) {
    auto adapter = crawler::MakeAdapter(source);
    ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
    std::deque<std::pair<std::string, int>> queue;
    for (const auto& u : (*adapter)->StartUrls()) queue.push_back({u, 0});
    std::set<std::string> seen;
    while (!queue.empty() && fetches < 50) {
      auto [url, depth] = queue.front();
      queue.pop_front();
      if (!seen.insert(url).second) continue;
      Fetched f = Get(url);
      ++fetches;
      ASSERT_EQ(f.status, 200) << url;
      crawler::FetchedPage page;
      page.url = url;
      page.final_url = f.final_url;
      page.http_status = static_cast<int>(f.status);
      page.body = f.body;
      page.link_header = f.link;
      page.fetched_at = 1715600000;
      page.depth = depth;
      crawler::ExtractResult r = (*adapter)->Extract(page);
      EXPECT_EQ(r.problem, crawler::PageProblem::kNone) << url;
      auto stats = ingest.Ingest(source, page, r);
      ASSERT_TRUE(stats.ok()) << stats.status().ToString();
      for (const auto& n : r.next_pages) queue.push_back({n, depth});
      for (const auto& l : r.links) queue.push_back({l, depth + 1});
    }
  }
  // 3 + 3 pages of forum and channel, 3 feed pages, 3 API pages.
  EXPECT_EQ(fetches, 2 + 3 + 3 + 3);

  auto count = [&](const std::string& source) {
    store::PostQuery q;
    q.source = source;
    return (*st)->CountPosts(q).value();
  };
  EXPECT_EQ(count("forum"), 3);
  EXPECT_EQ(count("tg"), 6);
  EXPECT_EQ(count("news"), 2 + 3);
  EXPECT_EQ(count("api"), 3);

  // Forum posts without permalinks are identified by their element id.
  const std::string story_id = crawler::PostId("forum", "#p1");
  auto original = (*st)->GetPost(story_id);
  ASSERT_TRUE(original.ok() && original->has_value());
  EXPECT_EQ((*original)->duplicate_of, "");
  auto repost = (*st)->GetPost(crawler::PostId("tg", "chan/2"));
  ASSERT_TRUE(repost.ok() && repost->has_value());
  EXPECT_EQ((*repost)->duplicate_of, story_id);
  EXPECT_EQ((*repost)->incident_id, (*original)->incident_id);
  EXPECT_EQ((*repost)->text, kStory);
  // Exactly one duplicate in the whole world.
  store::PostQuery all;
  all.originals_only = true;
  EXPECT_EQ((*st)->CountPosts(all).value(), 3 + 6 + 5 + 3 - 1);
  // Comments keep their permalinks; evidence of the page is kept.
  auto comment = (*st)->GetPost(crawler::PostId("news", "#c2"));
  ASSERT_TRUE(comment.ok() && comment->has_value());
  EXPECT_EQ((*comment)->url, server.Url("/news/1#c2"));
  EXPECT_TRUE(evidence.Get((*comment)->evidence_id).value().has_value());
}

}  // namespace sources_world_test
}  // namespace shagym
