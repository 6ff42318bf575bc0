#include "crawler/html/selector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shagym::crawler::html {
namespace selector_test {

constexpr char kPage[] = R"(
<div id="main" class="thread">
  <div class="post first" id="p1" data-id="101">
    <span class="author">Асель</span>
    <div class="text">Первый <b>пост</b></div>
    <a class="permalink" href="/t/1#p1">#</a>
  </div>
  <div class="post" id="p2" data-id="102" lang="kk-KZ">
    <span class="author">Ерлан</span>
    <div class="text">Екінші</div>
    <div class="quote"><div class="text">цитата</div></div>
    <a class="permalink" href="https://forum.kz/t/1#p2">#</a>
  </div>
  <div class="post deleted" id="p3"><div class="text">удалено</div></div>
  <p>Tail <span class="x">s</span></p>
</div>)";

// Ids (or tag names) of what `selector` selects in kPage.
std::vector<std::string> Ids(const std::string& selector) {
  auto doc = Document::Parse(kPage);
  auto sel = Selector::Parse(selector);
  EXPECT_TRUE(sel.ok()) << sel.status().ToString();
  std::vector<std::string> out;
  if (!sel.ok()) return out;
  for (const GumboNode* n : sel->Select(doc->root())) {
    const char* id = Attr(n, "id");
    out.push_back(id ? id : TagName(n) + "." + ExtractText(n));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SelectorTest, SimpleSelectors) {
  EXPECT_EQ(Ids(".post"), (V{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids("#p2"), (V{"p2"}));
  EXPECT_EQ(Ids("div.post.first"), (V{"p1"}));
  EXPECT_EQ(Ids("DIV.post#p3"), (V{"p3"}));
  EXPECT_EQ(Ids("[data-id]"), (V{"p1", "p2"}));
  EXPECT_EQ(Ids("[data-id=\"102\"]"), (V{"p2"}));
  EXPECT_EQ(Ids("[data-id='101']"), (V{"p1"}));
  EXPECT_EQ(Ids("[id^=p]"), (V{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids("[id$='3']"), (V{"p3"}));
  EXPECT_EQ(Ids("[class*=ele]"), (V{"p3"}));
  EXPECT_EQ(Ids("[class~=first]"), (V{"p1"}));
  EXPECT_EQ(Ids("[lang|=kk]"), (V{"p2"}));
  EXPECT_EQ(Ids("span.x"), (V{"span.s"}));
}

TEST(SelectorTest, Combinators) {
  EXPECT_EQ(Ids(".post > .text").size(), 3u);
  EXPECT_EQ(Ids(".post .text").size(), 4u);  // includes the quoted one
  EXPECT_EQ(Ids(".quote .text"), (V{"div.цитата"}));
  EXPECT_EQ(Ids("#main > p > span"), (V{"span.s"}));
  EXPECT_EQ(Ids("#main > span"), V{});
  EXPECT_EQ(Ids("#main   .post>.author").size(), 2u);
  EXPECT_EQ(Ids("div div div .text"), (V{"div.цитата"}));
}

TEST(SelectorTest, ListsAndPseudoClasses) {
  EXPECT_EQ(Ids("#p3, #p1"), (V{"p1", "p3"}));  // document order, once
  EXPECT_EQ(Ids(".post, .first"), (V{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids(".post:not(.deleted)"), (V{"p1", "p2"}));
  EXPECT_EQ(Ids(".post:not(.deleted):not(#p1)"), (V{"p2"}));
  EXPECT_EQ(Ids(".post:first-child"), (V{"p1"}));
  EXPECT_EQ(Ids("#main > :last-child"), (V{"p.Tail s"}));
}

TEST(SelectorTest, ScopeIsRelative) {
  auto doc = Document::Parse(kPage);
  auto post = Selector::Parse("#p2");
  auto text = Selector::Parse(".text");
  auto rooted = Selector::Parse("#main .text");
  ASSERT_TRUE(post.ok() && text.ok() && rooted.ok());
  const GumboNode* p2 = post->SelectFirst(doc->root());
  EXPECT_EQ(text->Select(p2).size(), 2u);
  EXPECT_EQ(ExtractText(text->SelectFirst(p2)), "Екінші");
  // Ancestors above the scope are not consulted.
  EXPECT_EQ(rooted->Select(p2).size(), 0u);
}

TEST(SelectorTest, BadSelectorsAreErrors) {
  const char* bad[] = {
      "",   "   ", ".",       "#",         "div[",    "[a=]",  "[a='x]", "a >",
      "a,", ", a", "a:hover", ":not(a b)", ":not(.x", "a ! b", "[a!=b]", "..x"};
  for (const char* s : bad) {
    auto sel = Selector::Parse(s);
    EXPECT_FALSE(sel.ok()) << "'" << s << "' parsed";
    if (!sel.ok()) {
      EXPECT_NE(sel.status().message().find("bad selector"), std::string::npos)
          << sel.status().message();
    }
  }
  auto sel = Selector::Parse("div[");
  EXPECT_NE(sel.status().message().find("column 5"), std::string::npos)
      << sel.status().message();
}

TEST(FieldSelectorTest, TextAndAttributes) {
  auto doc = Document::Parse(kPage);
  auto post = Selector::Parse("#p2");
  ASSERT_TRUE(post.ok());
  const GumboNode* p2 = post->SelectFirst(doc->root());

  auto link = FieldSelector::Parse("a.permalink@href");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->attr(), "href");
  EXPECT_EQ(link->Extract(p2).value_or("?"), "https://forum.kz/t/1#p2");

  auto self = FieldSelector::Parse("@data-id");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(self->Extract(p2).value_or("?"), "102");

  auto author = FieldSelector::Parse(".author");
  ASSERT_TRUE(author.ok());
  EXPECT_EQ(author->Extract(p2).value_or("?"), "Ерлан");

  auto missing = FieldSelector::Parse(".author@title");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->Extract(p2).has_value());

  auto attr_sel = FieldSelector::Parse("[data-id='1@2']");  // '@' in quotes
  ASSERT_TRUE(attr_sel.ok());
  EXPECT_TRUE(attr_sel->attr().empty());

  EXPECT_TRUE(FieldSelector::Parse("").value().empty());
  EXPECT_FALSE(FieldSelector::Parse("a@").ok());
  EXPECT_FALSE(FieldSelector::Parse("a[@href").ok());
}

}  // namespace selector_test
}  // namespace shagym::crawler::html
