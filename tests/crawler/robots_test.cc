#include "crawler/robots.h"

#include <gtest/gtest.h>

namespace shagym::crawler {
namespace robots_test {

struct RobotsCase {
  const char* name;
  const char* robots;
  const char* agent;  // product token
  const char* path;
  bool allowed;
};

// RFC 9309 behaviours (Rfc9309_) and widely deployed leniency (Policy_).
TEST(RobotsTest, Table) {
  const RobotsCase cases[] = {
      {"Rfc9309_EmptyFileAllowsAll", "", "shagym", "/x", true},
      {"Rfc9309_DisallowPrefix", "User-agent: *\nDisallow: /private\n",
       "shagym", "/private/a", false},
      {"Rfc9309_DisallowPrefixNoMatch", "User-agent: *\nDisallow: /private\n",
       "shagym", "/public", true},
      {"Rfc9309_PrefixIsNotWordBound", "User-agent: *\nDisallow: /priv\n",
       "shagym", "/private", false},
      {"Rfc9309_EmptyDisallowAllows", "User-agent: *\nDisallow:\n", "shagym",
       "/x", true},
      {"Rfc9309_SpecificGroupBeatsStar",
       "User-agent: *\nDisallow: /\n\nUser-agent: shagym\nAllow: /\n", "shagym",
       "/x", true},
      {"Rfc9309_OtherAgentsGroupIgnored",
       "User-agent: googlebot\nDisallow: /\n", "shagym", "/x", true},
      {"Rfc9309_AgentCaseInsensitive", "User-agent: ShAgYm\nDisallow: /a\n",
       "shagym", "/a", false},
      {"Rfc9309_AgentVersionIgnored", "User-agent: shagym/2.0\nDisallow: /a\n",
       "shagym", "/a", false},
      {"Rfc9309_BlankLineDoesNotEndAgentList",
       "User-agent: shagym\n\nUser-agent: *\nDisallow: /\n", "shagym", "/x",
       false},
      {"Rfc9309_SeveralGroupsMerge",
       "User-agent: shagym\nDisallow: /a\n\nUser-agent: other\nDisallow: "
       "/b\n\nUser-agent: shagym\nDisallow: /c\n",
       "shagym", "/c/1", false},
      {"Rfc9309_SeveralGroupsMergeKeepsFirst",
       "User-agent: shagym\nDisallow: /a\n\nUser-agent: shagym\nDisallow: "
       "/c\n",
       "shagym", "/a/1", false},
      {"Rfc9309_GroupWithSeveralAgents",
       "User-agent: a\nUser-agent: shagym\nDisallow: /x\n", "shagym", "/x",
       false},
      {"Rfc9309_LongestMatchWins", "User-agent: *\nDisallow: /a\nAllow: /a/b\n",
       "shagym", "/a/b/c", true},
      {"Rfc9309_LongestMatchWinsDisallow",
       "User-agent: *\nAllow: /a\nDisallow: /a/b\n", "shagym", "/a/b/c", false},
      {"Rfc9309_AllowWinsTie", "User-agent: *\nDisallow: /a\nAllow: /a\n",
       "shagym", "/a", true},
      {"Rfc9309_Wildcard", "User-agent: *\nDisallow: /*.php\n", "shagym",
       "/dir/x.php?y=1", false},
      {"Rfc9309_WildcardNoMatch", "User-agent: *\nDisallow: /*.php\n", "shagym",
       "/dir/x.html", true},
      {"Rfc9309_EndAnchor", "User-agent: *\nDisallow: /*.php$\n", "shagym",
       "/x.php", false},
      {"Rfc9309_EndAnchorNoMatch", "User-agent: *\nDisallow: /*.php$\n",
       "shagym", "/x.php?a=1", true},
      {"Rfc9309_QueryIsMatched", "User-agent: *\nDisallow: /*?sort=\n",
       "shagym", "/list?sort=asc", false},
      {"Rfc9309_PercentEncodedPatternMatchesRaw",
       "User-agent: *\nDisallow: /%D1%88\n", "shagym",
       "/%D1%88%D0%BA%D0%BE%D0%BB%D0%B0", false},
      {"Rfc9309_LowerCaseEscapesEquivalent",
       "User-agent: *\nDisallow: /%d1%88\n", "shagym", "/%D1%88", false},
      {"Rfc9309_UnreservedEscapeEquivalent", "User-agent: *\nDisallow: /%7Eu\n",
       "shagym", "/~u/x", false},
      {"Rfc9309_RawUtf8PatternMatchesEscaped",
       "User-agent: *\nDisallow: /школа\n", "shagym",
       "/%D1%88%D0%BA%D0%BE%D0%BB%D0%B0/1", false},
      {"Rfc9309_CaseSensitivePaths", "User-agent: *\nDisallow: /Private\n",
       "shagym", "/private", true},
      {"Rfc9309_RobotsTxtAlwaysAllowed", "User-agent: *\nDisallow: /\n",
       "shagym", "/robots.txt", true},
      {"Rfc9309_Comments",
       "# comment\nUser-agent: * # all\nDisallow: /a # no a\n", "shagym", "/a",
       false},
      {"Rfc9309_Bom", "\xEF\xBB\xBFUser-agent: *\nDisallow: /a\n", "shagym",
       "/a", false},
      {"Rfc9309_CrLf", "User-agent: *\r\nDisallow: /a\r\n", "shagym", "/a",
       false},
      {"Rfc9309_CrOnly", "User-agent: *\rDisallow: /a\rAllow: /a/b\r", "shagym",
       "/a/b", true},
      {"Rfc9309_RulesBeforeAgentIgnored", "Disallow: /\nUser-agent: *\n",
       "shagym", "/x", true},
      {"Rfc9309_SitemapDoesNotEndGroup",
       "User-agent: *\nSitemap: https://x/s.xml\nDisallow: /a\n", "shagym",
       "/a", false},
      {"Policy_KeysCaseInsensitive", "USER-AGENT: *\nDISALLOW: /a\n", "shagym",
       "/a", false},
      {"Policy_MissingColon", "User-agent *\nDisallow /a\n", "shagym", "/a",
       false},
      {"Policy_Misspelling", "User-agent: *\nDissallow: /a\n", "shagym", "/a",
       false},
      {"Policy_PatternWithoutSlash", "User-agent: *\nDisallow: a\n", "shagym",
       "/a", false},
      {"Policy_WhitespaceAroundValue",
       "  User-agent :  *  \n Disallow :  /a \n", "shagym", "/a", false},
      {"Policy_JunkLinesSkipped", "<html>\nUser-agent: *\n!!!\nDisallow: /a\n",
       "shagym", "/a", false},
      {"Policy_DollarInsideIsLiteral", "User-agent: *\nDisallow: /a$b\n",
       "shagym", "/a$b", false},
  };
  for (const auto& c : cases) {
    RobotsTxt robots = RobotsTxt::Parse(c.robots, c.agent);
    RobotsDecision d = robots.Check(c.path);
    EXPECT_EQ(d.allowed, c.allowed) << c.name << ": " << d.rule;
  }
}

TEST(RobotsTest, DecidingRuleNamesLine) {
  RobotsTxt robots =
      RobotsTxt::Parse("User-agent: *\nDisallow: /a\nAllow: /a/b\n", "shagym");
  RobotsDecision d = robots.Check("/a/x");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "Disallow: /a (line 2)");
  d = robots.Check("/a/b");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "Allow: /a/b (line 3)");
  d = robots.Check("/z");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "no matching rule");
}

TEST(RobotsTest, CrawlDelayOfSelectedGroup) {
  RobotsTxt robots = RobotsTxt::Parse(
      "User-agent: *\nCrawl-delay: 10\n\nUser-agent: shagym\nCrawl-delay: "
      "1.5\nDisallow: /x\n",
      "shagym");
  EXPECT_EQ(robots.crawl_delay(), std::chrono::milliseconds(1500));
  RobotsTxt other = RobotsTxt::Parse(
      "User-agent: *\nCrawl-delay: 2\n\nUser-agent: shagym\nDisallow: /x\n",
      "bot");
  EXPECT_EQ(other.crawl_delay(), std::chrono::milliseconds(2000));
  RobotsTxt junk =
      RobotsTxt::Parse("User-agent: *\nCrawl-delay: soon\n", "shagym");
  EXPECT_EQ(junk.crawl_delay(), std::chrono::milliseconds(0));
  EXPECT_EQ(junk.skipped_lines(), 1);
}

TEST(RobotsTest, PolicyAllowAndDisallowAll) {
  RobotsDecision d =
      RobotsTxt::DisallowAll("robots.txt answered 503").Check("/a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "robots.txt answered 503");
  EXPECT_TRUE(RobotsTxt::DisallowAll("x").Check("/robots.txt").allowed);
  EXPECT_TRUE(
      RobotsTxt::AllowAll("robots.txt answered 404").Check("/a").allowed);
}

TEST(RobotsTest, ProductToken) {
  EXPECT_EQ(ProductToken("shagym/0.1 (+https://x)"), "shagym");
  EXPECT_EQ(ProductToken("MyBot"), "MyBot");
  EXPECT_EQ(ProductToken(" spaced /1"), "spaced");
}

TEST(RobotsTest, HugeFileIsCutNotFatal) {
  std::string body = "User-agent: *\nDisallow: /a\n";
  while (body.size() < 700 * 1024) body += "Disallow: /filler\n";
  body += "Disallow: /late\n";
  RobotsTxt robots = RobotsTxt::Parse(body, "shagym");
  EXPECT_FALSE(robots.Check("/a").allowed);
  EXPECT_TRUE(robots.Check("/late").allowed);
}

TEST(RobotsTest, PathologicalWildcardsStayBounded) {
  std::string pattern = "/";
  for (int i = 0; i < 200; ++i) pattern += "*a";
  RobotsTxt robots =
      RobotsTxt::Parse("User-agent: *\nDisallow: " + pattern + "\n", "x");
  std::string path = "/" + std::string(2000, 'a') + "b";
  EXPECT_FALSE(robots.Check(path).allowed);
}

}  // namespace robots_test
}  // namespace shagym::crawler
