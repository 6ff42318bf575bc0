#include "common/status.h"

#include <gtest/gtest.h>

namespace shagym {
namespace status_test {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeAndContext) {
  Status s =
      Unavailable("timeout after 10s").WithContext("GET https://x/robots.txt");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "GET https://x/robots.txt: timeout after 10s");
  EXPECT_EQ(s.ToString(),
            "unavailable: GET https://x/robots.txt: timeout after 10s");
  Status copy = s;
  EXPECT_EQ(copy, s);
}

StatusOr<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  StatusOr<int> h = Half(x);
  if (!h.ok()) return h.status();
  *out = *h;
  return Status::Ok();
}

TEST(StatusOrTest, HoldsValueOrStatus) {
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  Status s = UseHalf(3, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

}  // namespace status_test
}  // namespace shagym
