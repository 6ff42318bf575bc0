#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "crawler/html/dom.h"
#include "crawler/html/selector.h"

namespace shagym::crawler::html {
namespace html_test {

TEST(HtmlTextTest, KeepsBreaksAndCollapsesSpace) {
  struct Case {
    const char* html;
    const char* text;
  } cases[] = {
      {"<p>one</p><p>two</p>", "one\n\ntwo"},
      {"a<br>b<br/><br>c", "a\nb\n\nc"},
      {"  lots   of\n\t space  ", "lots of space"},
      {"<div>x</div><div>y</div>", "x\ny"},
      {"<ul><li>a</li><li>b</li></ul>", "a\nb"},
      {"<b>bold</b> and <i>it</i>alic", "bold and italic"},
      {"&laquo;кавычки&raquo; &amp; &#8212; &#x2116;5", "«кавычки» & — №5"},
      {"<pre>  keep\n   this</pre>", "keep\n   this"},
      {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
       "a b\nc"},
      {"x<br>   <br>y", "x\n\ny"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HtmlToText(c.html), c.text) << c.html;
  }
}

TEST(HtmlTextTest, DropsScriptStyleAndHidden) {
  EXPECT_EQ(HtmlToText("<p>a<script>var x=1;</script>b</p>"
                       "<style>p{}</style><noscript>js off</noscript>"
                       "<span hidden>secret</span>"
                       "<div style=\"display: none\">gone</div>"
                       "<div style='visibility:hidden'>gone too</div>c"),
            "ab\n\nc");
}

TEST(HtmlTextTest, SkipHookLeavesOutSubtrees) {
  auto doc = Document::Parse(
      "<div id=m>text <a class=preview href=x>preview title</a> more</div>");
  TextOptions options;
  options.skip = [](const GumboNode* n) { return HasClass(n, "preview"); };
  auto sel = Selector::Parse("#m");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(ExtractText(sel->SelectFirst(doc->root()), options), "text more");
}

TEST(HtmlDomTest, AttributesAndClasses) {
  auto doc = Document::Parse(
      "<div class=' a  b-c ' data-x='1'><custom-tag id=q>z</custom-tag></div>");
  auto sel = Selector::Parse("div");
  ASSERT_TRUE(sel.ok());
  const GumboNode* div = sel->SelectFirst(doc->root());
  ASSERT_NE(div, nullptr);
  EXPECT_TRUE(HasClass(div, "a"));
  EXPECT_TRUE(HasClass(div, "b-c"));
  EXPECT_FALSE(HasClass(div, "b"));
  EXPECT_STREQ(Attr(div, "data-x"), "1");
  EXPECT_EQ(Attr(div, "nope"), nullptr);
  auto custom = Selector::Parse("custom-tag");
  ASSERT_TRUE(custom.ok());
  const GumboNode* c = custom->SelectFirst(doc->root());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(TagName(c), "custom-tag");
  EXPECT_TRUE(IsAncestor(div, c));
  EXPECT_EQ(ParentElement(c), div);
}

TEST(HtmlDomTest, TrimSpaceHandlesNbsp) {
  EXPECT_EQ(TrimSpace("\xC2\xA0 x y\n\xC2\xA0"), "x y");
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace("  \xC2\xA0"), "");
}

// Hostile input: each case must parse and extract without crashing, within
// a generous bound (a hang would hit the ctest timeout instead).
class HostileHtmlTest : public ::testing::Test {
 protected:
  void ParseAndExtract(const std::string& html) {
    auto doc = Document::Parse(html);
    auto all = Selector::Parse("div a, p > span, .x [href^=h]");
    ASSERT_TRUE(all.ok());
    (void)all->Select(doc->root());
    (void)ExtractText(doc->root());
  }
};

TEST_F(HostileHtmlTest, UnclosedTags) {
  std::string html;
  for (int i = 0; i < 20000; ++i) html += "<p><b><i><table><tr><td><a href=x>";
  ParseAndExtract(html);
}

TEST_F(HostileHtmlTest, TenThousandLinks) {
  std::string html = "<div class=x>";
  for (int i = 0; i < 10000; ++i) {
    html += "<a href=\"http://e.com/" + std::to_string(i) + "\">l</a>";
  }
  auto doc = Document::Parse(html);
  auto sel = Selector::Parse(".x a[href^=http]");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->Select(doc->root()).size(), 10000u);
}

TEST_F(HostileHtmlTest, FiveMegabytesOfNestedDivs) {
  std::string html;
  html.reserve(5 << 20);
  while (html.size() < (5u << 20)) html += "<div class=q>";
  html += "deep";
  auto doc = Document::Parse(html);
  auto sel = Selector::Parse(".nope div, div > div.q:not(.z)");
  ASSERT_TRUE(sel.ok());
  EXPECT_GT(sel->Select(doc->root()).size(), 100u);
  EXPECT_EQ(ExtractText(doc->root()), "deep");
}

TEST_F(HostileHtmlTest, ModerateNestingIsParsedFaithfully) {
  std::string html;
  for (int i = 0; i < 300; ++i) html += "<div><script>'<div>'</script><br/>";
  html += "x";
  auto doc = Document::Parse(html);
  auto sel = Selector::Parse("div");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->Select(doc->root()).size(), 300u);
}

TEST_F(HostileHtmlTest, ExcessNestingKeepsText) {
  std::string html;
  for (int i = 0; i < 3000; ++i) html += "<div><span>" + std::to_string(i);
  for (int i = 0; i < 3000; ++i) html += "</span></div>";
  html += "<p class=after>after</p>";
  auto doc = Document::Parse(html);
  std::string text = ExtractText(doc->root());
  EXPECT_NE(text.find("2999"), std::string::npos);
  auto after = Selector::Parse("body > p.after");
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->SelectFirst(doc->root()), nullptr);
}

TEST_F(HostileHtmlTest, InvalidUtf8) {
  std::string html =
      "<p>ok \xff\xfe\xc3 \xe2\x82 end</p><a href='\x80'>\xc0\xaf</a>";
  auto doc = Document::Parse(html);
  std::string text = ExtractText(doc->root());
  EXPECT_NE(text.find("ok"), std::string::npos);
  EXPECT_NE(text.find("end"), std::string::npos);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST_F(HostileHtmlTest, BinaryGarbage) {
  std::string html;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    html.push_back(static_cast<char>(x >> 24));
  }
  ParseAndExtract(html);
}

}  // namespace html_test
}  // namespace shagym::crawler::html
