// Inputs that fuzzing found to break an invariant; each stays fixed here.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace shagym::crawler
