// Inputs that fuzzing found to break an invariant; each stays fixed here.

#include <gtest/gtest.h>

#include <string>

#include "crawler/adapter.h"
#include "crawler/url.h"

namespace shagym::crawler {
namespace {

// A host with '%' survived IDNA as "xn--%d1-j4d", whose canonical form was
// then rejected: canonicalisation must be idempotent.
TEST(FuzzRegressionTest, Url_PercentInHostIsInvalid) {
  auto c = CanonicalUrl(
      "HTTPS:///%d\xd4\x9f"
      "1/x");
  EXPECT_FALSE(c.ok());
  auto ok = CanonicalUrl("http://my_host.example.kz/");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*CanonicalUrl(*ok), *ok);
}

// A view counter of "." made the telegram adapter throw from std::stod,
// ending the process. A counter that is not a number is unknown (-1).
TEST(FuzzRegressionTest, Telegram_ViewsThatAreNotANumberAreUnknown) {
  SourceConfig s;
  s.id = "tg";
  s.type = SourceType::kTelegram;
  s.seeds = {"https://t.me/s/taraz_news"};
  auto adapter = MakeAdapter(s);
  ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
  for (const char* views : {".", "..K", "1.2.3", "1.5K", "950"}) {
    FetchedPage page;
    page.url = page.final_url = "https://t.me/s/taraz_news";
    page.http_status = 200;
    page.content_type = "text/html";
    page.fetched_at = 1677600000;
    page.body = std::string(
                    "<div class=\"tgme_widget_message\" "
                    "data-post=\"taraz_news/7\"><div "
                    "class=\"tgme_widget_message_bubble\"><div "
                    "class=\"tgme_widget_message_text\">Мектепте "
                    "буллинг</div><span class=\"tgme_widget_message_views\">") +
                views + "</span></div></div>";
    ExtractResult r = (*adapter)->Extract(page);
    ASSERT_EQ(r.posts.size(), 1u) << views;
    const std::string v = views;
    const int64_t want = v == "1.5K" ? 1500 : v == "950" ? 950 : -1;
    EXPECT_EQ(r.posts[0].views, want) << views;
  }
}

}  // namespace
}  // namespace shagym::crawler
