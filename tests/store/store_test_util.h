#pragma once

// Shared helpers of the store tests: posts with labels, a fixed clock, and
// exports collected into a string.

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/post.h"
#include "common/time_util.h"
#include "store/export.h"

namespace shagym::store::testutil {

class FixedClock : public Clock {
 public:
  int64_t NowMs() const override { return now_ms; }
  int64_t now_ms = 0;
};

inline int64_t T(const char* iso) { return ParseIso8601(iso).value(); }

inline Post MakePost(const std::string& id, int64_t time,
                     std::vector<std::string> categories,
                     const std::string& region,
                     const std::string& source = "tg_a") {
  Post p;
  p.id = id;
  p.source = source;
  p.url = "https://t.me/s/a/" + id;
  p.published_at = time;
  p.fetched_at = time + 60;
  p.author = "u1";
  p.text = "text of " + id;
  p.labels.lang = "ru";
  p.labels.categories = std::move(categories);
  p.labels.severity = p.labels.categories.empty() ? "none" : "medium";
  p.labels.region = region;
  p.labels.rules_version = "v1";
  if (!p.labels.categories.empty()) {
    p.labels.matches.push_back(
        {"ru." + p.labels.categories[0] + ".1", p.labels.categories[0], 0, 4});
  }
  return p;
}

// A mask for tests: every digit becomes '*'.
inline std::string MaskDigits(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = '*';
  }
  return out;
}

// The whole export of `query` appended to *out; the number of posts.
inline StatusOr<int64_t> ExportToString(Store& store, const PostQuery& query,
                                        const ExportOptions& options,
                                        std::string* out) {
  return ExportPosts(store, query, options, [out](std::string_view chunk) {
    out->append(chunk);
    return Status::Ok();
  });
}

}  // namespace shagym::store::testutil
