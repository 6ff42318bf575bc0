// Inputs that fuzzing found to break an invariant; each stays fixed here.

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "crawler/adapter.h"
#include "crawler/url.h"

namespace shagym::crawler {
namespace fuzz_regression_test {

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

// "%2e" decoded after curl had removed the dot segments left "/." and "/.."
// in the canonical form, which the next canonicalisation removed.
TEST(FuzzRegressionTest, Url_DecodedDotSegmentsAreRemoved) {
  const std::pair<const char*, const char*> cases[] = {
      {"HTTPS://\xd0\x9f"
       "34a//./b/.www\xf7w//%2e#frag",
       "https://xn--34a-ved//b/.www%F7w//"},
      {"http://example.com/a/%2e%2e/b", "http://example.com/b"},
      {"http://example.com/a/%2E/b/%2e%2E", "http://example.com/a/"},
      {"http://example.com/%2e%2e/%2e%2e/x", "http://example.com/x"},
      {"http://example.com/a/.%2e./b", "http://example.com/a/.../b"},
      {"http://example.com/a/%2e.b", "http://example.com/a/..b"},
  };
  for (const auto& [in, want] : cases) {
    auto c = CanonicalUrl(in);
    ASSERT_TRUE(c.ok()) << in << ": " << c.status().message();
    EXPECT_EQ(*c, want) << in;
    EXPECT_EQ(*CanonicalUrl(*c), *c) << in;
  }
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

}  // namespace fuzz_regression_test
}  // namespace shagym::crawler
