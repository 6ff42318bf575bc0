#include "crawler/url.h"

#include <gtest/gtest.h>

namespace shagym::crawler {
namespace url_test {

struct CanonicalCase {
  const char* in;
  const char* want;  // nullptr = invalid
};

TEST(UrlTest, CanonicalTable) {
  const CanonicalCase cases[] = {
      {"HTTP://Example.COM/", "http://example.com/"},
      {"http://example.com", "http://example.com/"},
      {"http://example.com:80/a", "http://example.com/a"},
      {"https://example.com:443/a", "https://example.com/a"},
      {"https://example.com:8443/a", "https://example.com:8443/a"},
      {"http://example.com:443/a", "http://example.com:443/a"},
      {"http://example.com/a/./b/../c", "http://example.com/a/c"},
      {"http://example.com/a/b/../../..", "http://example.com/"},
      {"http://example.com/%7euser/%41", "http://example.com/~user/A"},
      {"http://example.com/a%2fb%3a", "http://example.com/a%2Fb%3A"},
      {"http://example.com/a b", "http://example.com/a%20b"},
      {"http://example.com/100%", "http://example.com/100%25"},
      {"http://example.com/школа",
       "http://example.com/%D1%88%D0%BA%D0%BE%D0%BB%D0%B0"},
      {"http://example.com/a#frag", "http://example.com/a"},
      {"http://example.com/a?", "http://example.com/a"},
      {"http://example.com/a?#x", "http://example.com/a"},
      {"http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"},
      {"http://example.com/?utm_source=x&id=5&utm_medium=y",
       "http://example.com/?id=5"},
      {"http://example.com/?fbclid=1&gclid=2&yclid=3&_openstat=4",
       "http://example.com/"},
      {"http://example.com/?UTM_Campaign=z&q=1", "http://example.com/?q=1"},
      {"http://example.com/?a=1&&b=2", "http://example.com/?a=1&b=2"},
      {"http://example.com/?q=%d0%b0", "http://example.com/?q=%D0%B0"},
      {"  http://example.com/a\n  ", "http://example.com/a"},
      {"http://мектеп.kz/", "http://xn--e1aaogsq.kz/"},
      {"http://МЕКТЕП.KZ/a", "http://xn--e1aaogsq.kz/a"},
      {"http://[::1]:8080/x", "http://[::1]:8080/x"},
      {"http://127.0.0.1:5000", "http://127.0.0.1:5000/"},
      {"ftp://example.com/", nullptr},
      {"mailto:a@b.kz", nullptr},
      {"javascript:alert(1)", nullptr},
      {"example.com/a", nullptr},
      {"/relative", nullptr},
      {"", nullptr},
      {"http://", nullptr},
      {"http://exa mple.com/", nullptr},
      {"http://example.com:99999/", nullptr},
  };
  for (const auto& c : cases) {
    StatusOr<std::string> got = CanonicalUrl(c.in);
    if (c.want == nullptr) {
      EXPECT_FALSE(got.ok()) << c.in << " -> " << (got.ok() ? *got : "");
    } else {
      ASSERT_TRUE(got.ok()) << c.in << ": " << got.status().ToString();
      EXPECT_EQ(*got, c.want) << c.in;
    }
  }
}

TEST(UrlTest, CanonicalIsIdempotent) {
  for (const char* u :
       {"HTTP://Example.COM:80/a/./b/../c?utm_source=x&id=1#top",
        "http://мектеп.kz/школа?q=сөз", "http://example.com/a%2fb"}) {
    StatusOr<std::string> once = CanonicalUrl(u);
    ASSERT_TRUE(once.ok()) << u;
    StatusOr<std::string> twice = CanonicalUrl(*once);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*once, *twice);
  }
}

// 3,000 raw bytes that percent-encoding turns into 9,000: under the input
// limit, over it once encoded. Either the result is canonical again or the
// URL is refused; a crawler keying its seen set on it needs one of the two.
TEST(UrlTest, EncodingPastTheLengthLimitIsRefused) {
  std::string raw = "http://example.kz/" + std::string(3000, '\xff');
  StatusOr<std::string> once = CanonicalUrl(raw);
  ASSERT_FALSE(once.ok()) << once->size();
  EXPECT_EQ(once.status().message(), "URL too long");
  std::string fits = "http://example.kz/" + std::string(2000, '\xff');
  once = CanonicalUrl(fits);
  ASSERT_TRUE(once.ok());
  StatusOr<std::string> twice = CanonicalUrl(*once);
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_EQ(*once, *twice);
}

TEST(UrlTest, InvalidReasonsAreReadable) {
  StatusOr<std::string> r = CanonicalUrl("ftp://x.kz/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unsupported scheme 'ftp'");
  r = CanonicalUrl("x.kz/a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "no scheme");
}

TEST(UrlTest, ResolvesRelativeReferences) {
  const std::string base = "https://x.kz/a/b/c?q=1#f";
  const std::pair<const char*, const char*> cases[] = {
      {"d", "https://x.kz/a/b/d"},
      {"./d", "https://x.kz/a/b/d"},
      {"../d", "https://x.kz/a/d"},
      {"../../../../d", "https://x.kz/d"},
      {"/d?x=1", "https://x.kz/d?x=1"},
      {"?y=2", "https://x.kz/a/b/c?y=2"},
      {"#top", "https://x.kz/a/b/c?q=1"},
      {"", "https://x.kz/a/b/c?q=1"},
      {"//other.kz/p", "https://other.kz/p"},
      {"http://Y.kz:80/", "http://y.kz/"},
      {"d e.html", "https://x.kz/a/b/d%20e.html"},
  };
  for (const auto& [ref, want] : cases) {
    StatusOr<std::string> got = ResolveUrl(base, ref);
    ASSERT_TRUE(got.ok()) << ref << ": " << got.status().ToString();
    EXPECT_EQ(*got, want) << ref;
  }
  EXPECT_FALSE(ResolveUrl(base, "mailto:a@b.kz").ok());
  EXPECT_FALSE(ResolveUrl("not a url", "d").ok());
}

TEST(UrlTest, SplitAndHostKey) {
  StatusOr<UrlParts> p = SplitUrl("https://x.kz/a?b=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "x.kz");
  EXPECT_EQ(p->port, 443);
  EXPECT_EQ(p->path_and_query, "/a?b=1");
  EXPECT_EQ(HostKey("http://x.kz/a"), "http://x.kz:80");
  EXPECT_EQ(HostKey("http://127.0.0.1:8080/a"), "http://127.0.0.1:8080");
  EXPECT_EQ(HostKey("http://[::1]:81/"), "http://[::1]:81");
  EXPECT_EQ(HostKey("https://x.kz?a"), "https://x.kz:443");
  EXPECT_EQ(HostKey("nonsense"), "");
}

}  // namespace url_test
}  // namespace shagym::crawler
