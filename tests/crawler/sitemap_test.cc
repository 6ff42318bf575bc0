#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"

namespace shagym::crawler {
namespace sitemap_test {

std::string Gzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(
      deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::unique_ptr<SourceAdapter> Make() {
  SourceConfig s;
  s.id = "site";
  s.type = SourceType::kSitemap;
  s.seeds = {"https://news.kz/sitemap.xml"};
  s.follow = {"/news/"};
  s.post.item = ".comment";
  auto a = MakeAdapter(s);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return std::move(a).value();
}

ExtractResult Extract(const SourceAdapter& a, const std::string& body,
                      const std::string& url = "https://news.kz/sitemap.xml") {
  FetchedPage p;
  p.url = p.final_url = url;
  p.body = body;
  p.fetched_at = 1715594400;
  return a.Extract(p);
}

constexpr char kUrlset[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.kz/news/1</loc><lastmod>2024-05-13</lastmod></url>
  <url><loc> https://news.kz/news/2#top </loc>
       <lastmod>2024-05-12T10:00:00+00:00</lastmod></url>
  <url><loc>https://news.kz/about</loc></url>
  <url><loc>https://news.kz/news/3</loc></url>
</urlset>)";

TEST(SitemapTest, UrlsetGivesPagesWithLastmod) {
  auto a = Make();
  ExtractResult r = Extract(*a, kUrlset);
  EXPECT_TRUE(r.posts.empty());
  EXPECT_EQ(r.links, (std::vector<std::string>{"https://news.kz/news/1",
                                               "https://news.kz/news/2",
                                               "https://news.kz/news/3"}));
  ASSERT_EQ(r.link_lastmod.size(), 3u);
  EXPECT_EQ(FormatIso8601Utc(r.link_lastmod[0]), "2024-05-12T19:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(r.link_lastmod[1]), "2024-05-12T10:00:00Z");
  EXPECT_EQ(r.link_lastmod[2], 0);
}

TEST(SitemapTest, GzipAndIndex) {
  auto a = Make();
  ExtractResult gz = Extract(*a, Gzip(kUrlset), "https://news.kz/s.xml.gz");
  EXPECT_EQ(gz.links.size(), 3u);
  ExtractResult index = Extract(*a, R"(<sitemapindex>
  <sitemap><loc>/sitemap-1.xml.gz</loc></sitemap>
  <sitemap><loc>https://news.kz/sitemap-2.xml</loc></sitemap>
</sitemapindex>)");
  EXPECT_EQ(index.next_pages,
            (std::vector<std::string>{"https://news.kz/sitemap-1.xml.gz",
                                      "https://news.kz/sitemap-2.xml"}));
  ExtractResult broken = Extract(*a, std::string("\x1f\x8b garbage", 10));
  EXPECT_EQ(broken.problem, PageProblem::kUnparseable);
}

TEST(SitemapTest, ListedPagesAreReadWithPostSelectors) {
  auto a = Make();
  ExtractResult r = Extract(*a, "<div class=comment id=c1>Пікір</div>",
                            "https://news.kz/news/1");
  ASSERT_EQ(r.posts.size(), 1u);
  EXPECT_EQ(r.posts[0].text, "Пікір");
}

}  // namespace sitemap_test
}  // namespace shagym::crawler
