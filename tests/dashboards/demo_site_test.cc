// The demo site serves every generated page with the shape of the real source
// it imitates, and the counts agree with config/demo/expected.json.

#include "dashboards/demo_site.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace shagym::dashboards {
namespace demo_site_test {

namespace fs = std::filesystem;

const std::string kDemoDir = std::string(SHAGYM_SOURCE_DIR) + "/config/demo";

int Count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos;
       p = hay.find(needle, p + needle.size())) {
    ++n;
  }
  return n;
}

// Value of attribute `attr` in the first tag after `marker`, or "".
std::string AttrAfter(const std::string& html, const std::string& marker,
                      const std::string& attr, size_t* from = nullptr) {
  size_t start = from ? *from : 0;
  size_t m = html.find(marker, start);
  if (m == std::string::npos) return "";
  size_t tag = html.rfind('<', m);
  size_t end = html.find('>', m);
  std::string t = html.substr(tag, end - tag);
  size_t a = t.find(" " + attr + "=\"");
  if (from) *from = end;
  if (a == std::string::npos) return "";
  a += attr.size() + 3;
  return t.substr(a, t.find('"', a) - a);
}

class DemoSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto site = DemoSite::Start(kDemoDir + "/site");
    ASSERT_TRUE(site.ok()) << site.status().message();
    site_ = std::move(site).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", site_->port());
    client_->set_connection_timeout(5);
    client_->set_read_timeout(10);
    std::ifstream in(kDemoDir + "/expected.json");
    ASSERT_TRUE(in.good()) << "missing config/demo/expected.json";
    expected_ = nlohmann::json::parse(in);
  }

  // GET `target` (a path or a full URL on this site); fails the test when
  // there is no answer.
  httplib::Result Get(std::string target) {
    if (target.rfind(site_->base_url(), 0) == 0) {
      target = target.substr(site_->base_url().size());
    }
    auto r = client_->Get(target);
    EXPECT_TRUE(r) << "no answer for " << target;
    return r;
  }

  std::unique_ptr<DemoSite> site_;
  std::unique_ptr<httplib::Client> client_;
  nlohmann::json expected_;
};

TEST_F(DemoSiteTest, ListensOnLoopbackPortZero) {
  EXPECT_GT(site_->port(), 0);
  EXPECT_EQ(site_->base_url(),
            "http://127.0.0.1:" + std::to_string(site_->port()));
}

TEST_F(DemoSiteTest, MissingDirectoryIsNotFound) {
  auto site = DemoSite::Start(kDemoDir + "/no-such-dir");
  ASSERT_FALSE(site.ok());
  EXPECT_NE(site.status().message().find("no-such-dir"), std::string::npos);
}

// Every file of the site (but sidecars) answers at the URL its name implies,
// with the placeholder host replaced by the real address.
TEST_F(DemoSiteTest, ServesEveryFile) {
  const fs::path root = kDemoDir + "/site";
  int served = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() == ".headers") continue;
    fs::path rel = fs::relative(e.path(), root);
    std::string dir = rel.parent_path().string();
    std::string name = rel.filename().string();
    std::string stem = rel.stem().string();
    std::string target;
    if (stem == "index") {
      target = "/" + dir;
    } else if (size_t dash = stem.find('-');
               dash != std::string::npos &&
               (stem.rfind("before-", 0) == 0 || stem.rfind("page-", 0) == 0 ||
                stem.rfind("max_id-", 0) == 0)) {
      target =
          "/" + dir + "?" + stem.substr(0, dash) + "=" + stem.substr(dash + 1);
    } else {
      target = "/" + rel.string();
    }
    auto r = Get(target);
    ASSERT_TRUE(r);
    int want = 200;
    std::ifstream sidecar(e.path().string() + ".headers");
    std::string line;
    while (std::getline(sidecar, line)) {
      if (line.rfind("Status: ", 0) == 0) want = std::stoi(line.substr(8));
    }
    EXPECT_EQ(r->status, want) << target;
    EXPECT_EQ(r->body.find("demo.invalid"), std::string::npos) << target;
    ++served;
  }
  EXPECT_GT(served, 50);
}

TEST_F(DemoSiteTest, TelegramChannelsPageBackToTheFirstMessage) {
  int channels = 0;
  for (const auto& [id, src] : expected_["sources"].items()) {
    if (id.rfind("tg_", 0) != 0) continue;
    ++channels;
    std::string url = src["url"].get<std::string>();
    std::string channel = url.substr(url.rfind('/') + 1);
    std::string target = "/s/" + channel;
    std::set<long> ids;
    long previous_oldest = -1;
    int pages = 0;
    while (!target.empty() && pages < 100) {
      auto r = Get(target);
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << target;
      const std::string& html = r->body;
      ++pages;
      int messages = Count(html, "class=\"tgme_widget_message text_not");
      EXPECT_GT(messages, 0) << target;
      EXPECT_EQ(Count(html, "data-post=\"" + channel + "/"), messages);
      EXPECT_EQ(Count(html, "class=\"tgme_widget_message_text"), messages);
      EXPECT_EQ(Count(html, "<time datetime=\"2026-"), messages) << target;
      size_t at = 0;
      long newest_here = -1, oldest_here = -1;
      for (int i = 0; i < messages; ++i) {
        std::string post = AttrAfter(html, "data-post=", "data-post", &at);
        long id = std::stol(post.substr(post.find('/') + 1));
        EXPECT_TRUE(ids.insert(id).second) << "message seen twice: " << id;
        if (oldest_here < 0) oldest_here = id;
        EXPECT_GT(id, newest_here) << "ascending within a page";
        newest_here = id;
      }
      if (previous_oldest >= 0) {
        EXPECT_LT(newest_here, previous_oldest);
      }
      previous_oldest = oldest_here;
      std::string before = AttrAfter(html, "tme_messages_more", "data-before");
      target.clear();
      if (!before.empty()) {
        EXPECT_EQ(std::stol(before), oldest_here);
        EXPECT_EQ(AttrAfter(html, "tme_messages_more", "href"),
                  "/s/" + channel + "?before=" + before);
        target = "/s/" + channel + "?before=" + before;
      }
    }
    EXPECT_EQ(static_cast<int>(ids.size()), src["posts"].get<int>()) << id;
    EXPECT_EQ(pages, src["pages"].get<int>()) << id;
  }
  EXPECT_GE(channels, 4);
}

TEST_F(DemoSiteTest, ChannelWithoutPreviewRedirects) {
  auto r = Get("/s/closed_demo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->get_header_value("Location"),
            site_->base_url() + "/closed_demo");
  auto page = Get("/closed_demo");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("tgme_page_title"), std::string::npos);
  EXPECT_EQ(page->body.find("tgme_widget_message"), std::string::npos);
}

TEST_F(DemoSiteTest, RssItemsLeadToCommentThreads) {
  auto feed = Get("/news/rss.xml");
  ASSERT_TRUE(feed);
  ASSERT_EQ(feed->status, 200);
  EXPECT_NE(feed->get_header_value("Content-Type").find("rss+xml"),
            std::string::npos);
  const std::string& xml = feed->body;
  int items = 0, comments = 0, broken = 0;
  for (size_t p = xml.find("<item>"); p != std::string::npos;
       p = xml.find("<item>", p + 1)) {
    ++items;
    size_t a = xml.find("<link>", p) + 6;
    std::string link = xml.substr(a, xml.find("</link>", a) - a);
    ASSERT_EQ(link.rfind(site_->base_url() + "/news/", 0), 0u) << link;
    EXPECT_NE(xml.find("<pubDate>", p), std::string::npos);
    auto page = Get(link);
    ASSERT_TRUE(page);
    if (page->status == 500) {
      ++broken;
      continue;
    }
    ASSERT_EQ(page->status, 200) << link;
    int here = Count(page->body, "<div class=\"comment\" id=\"comment-");
    EXPECT_EQ(Count(page->body, "class=\"comment-text\""), here);
    EXPECT_EQ(Count(page->body,
                    "class=\"comment-link\" href=\"" + link + "#comment-"),
              here);
    comments += here;
  }
  const auto& news = expected_["sources"]["news"];
  EXPECT_EQ(items, news["items"].get<int>());
  EXPECT_EQ(comments, news["comments"].get<int>());
  EXPECT_EQ(broken, 1);
}

TEST_F(DemoSiteTest, ForumPaginatesAndKeepsItsOldWindows1251Section) {
  std::vector<std::string> sections = {"/forum/f/mektep", "/forum/f/arhiv"};
  std::set<std::string> threads;
  for (std::string target : sections) {
    for (int guard = 0; !target.empty() && guard < 50; ++guard) {
      auto r = Get(target);
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << target;
      size_t at = 0;
      while (true) {
        std::string href =
            AttrAfter(r->body, "class=\"topic-title\"", "href", &at);
        if (href.empty()) break;
        threads.insert(href);
      }
      target = AttrAfter(r->body, "class=\"next\"", "href");
    }
  }
  std::set<std::string> posts;
  int not_found = 0, windows1251_pages = 0, empty_pages = 0;
  for (std::string target : threads) {
    for (int guard = 0; !target.empty() && guard < 50; ++guard) {
      auto r = Get(target);
      ASSERT_TRUE(r);
      if (r->status == 404) {
        ++not_found;
        break;
      }
      ASSERT_EQ(r->status, 200) << target;
      if (r->get_header_value("Content-Type").find("windows-1251") !=
          std::string::npos) {
        ++windows1251_pages;
        EXPECT_NE(r->body.find("charset=\"windows-1251\""), std::string::npos);
      }
      size_t at = 0;
      int here = 0;
      while (true) {
        std::string id =
            AttrAfter(r->body, "<article class=\"post\"", "id", &at);
        if (id.empty()) break;
        posts.insert(id);
        ++here;
      }
      if (here == 0) ++empty_pages;
      target = AttrAfter(r->body, "class=\"next\"", "href");
    }
  }
  EXPECT_EQ(static_cast<int>(posts.size()),
            expected_["sources"]["forum"]["posts"].get<int>());
  EXPECT_EQ(not_found, 1);          // the deleted thread
  EXPECT_GE(windows1251_pages, 2);  // archive thread pages
  EXPECT_EQ(empty_pages, 1);        // the truncated page
  // Page 1 of a thread also answers as ?page=1 with the same posts.
  auto a = Get("/forum/t/77");
  auto b = Get("/forum/t/77?page=1");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, b->body);
}

TEST_F(DemoSiteTest, RobotsDisallowsTheAdminArea) {
  auto r = Get("/robots.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("Disallow: /forum/admin/"), std::string::npos);
  auto admin = Get("/forum/admin/reports");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200);  // exists: only robots.txt keeps it out
  EXPECT_NE(admin->body.find(
                expected_["must_not_find"][0]["text"].get<std::string>()),
            std::string::npos);
}

TEST_F(DemoSiteTest, JsonApiPagesWithLinkHeaders) {
  std::string target = "/api/v1/timelines/tag/mektep";
  std::set<std::string> ids;
  int pages = 0;
  for (int guard = 0; !target.empty() && guard < 50; ++guard) {
    auto r = Get(target);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << target;
    auto arr = nlohmann::json::parse(r->body);
    ASSERT_TRUE(arr.is_array());
    if (!arr.empty()) ++pages;
    for (const auto& s : arr) {
      EXPECT_TRUE(ids.insert(s["id"].get<std::string>()).second);
      EXPECT_TRUE(s["content"].get<std::string>().rfind("<p>", 0) == 0);
      EXPECT_FALSE(s["account"]["acct"].get<std::string>().empty());
      EXPECT_EQ(s["created_at"].get<std::string>().size(), 24u);
    }
    std::string link = r->get_header_value("Link");
    target.clear();
    size_t next = link.find(">; rel=\"next\"");
    if (next != std::string::npos) {
      target = link.substr(1, next - 1);
      EXPECT_NE(target.find("max_id="), std::string::npos);
    } else {
      EXPECT_TRUE(arr.empty()) << "only the end of the timeline has no next";
    }
  }
  EXPECT_EQ(static_cast<int>(ids.size()),
            expected_["sources"]["social"]["posts"].get<int>());
  EXPECT_EQ(pages, expected_["sources"]["social"]["pages"].get<int>());
}

TEST_F(DemoSiteTest, RejectsPathsOutsideTheSite) {
  for (const char* target :
       {"/../CMakeLists.txt", "/%2e%2e/generate.py", "/s/qogam_demo?before=..",
        "/forum/t/77?page=../../x", "/nothing/here"}) {
    auto r = Get(target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << target;
  }
  EXPECT_GT(site_->requests_served(), 0);
}

TEST_F(DemoSiteTest, ExpectedTotalsAddUp) {
  int sum = 0;
  for (const auto& [id, src] : expected_["sources"].items()) {
    sum += src["posts"].get<int>();
  }
  EXPECT_EQ(sum, expected_["total_posts"].get<int>());
  EXPECT_GE(sum, 400);
  EXPECT_EQ(expected_["by_intended_category"].size(), 13u);
  EXPECT_GE(expected_["regions_mentioned"].size(), 15u);
  EXPECT_GE(expected_["spikes"].size(), 2u);
}

}  // namespace demo_site_test
}  // namespace shagym::dashboards
