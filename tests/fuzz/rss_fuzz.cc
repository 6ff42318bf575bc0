// RSS 2.0 and Atom feeds with any bytes in them, with item pages followed
// (so the comment selectors run too when the body is taken as an item page).

#include "tests/fuzz/adapter_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const shagym::crawler::SourceConfig source = [] {
    shagym::crawler::SourceConfig s;
    s.id = "news";
    s.type = shagym::crawler::SourceType::kRss;
    s.seeds = {"https://news.kz/rss"};
    s.follow_items = true;
    s.post.item = ".comment";
    s.post.text = ".body";
    s.post.author = ".who";
    s.post.time = "time@datetime";
    s.post.link = "a.permalink@href";
    return s;
  }();
  const auto& adapter = shagym::fuzz::BuildOnce(source);
  // The feed itself, then the same bytes as an item page at depth 1.
  shagym::fuzz::ExtractAndCheck(adapter, data, size, "https://news.kz/rss",
                                "application/rss+xml");
  shagym::fuzz::ExtractAndCheck(adapter, data, size, "https://news.kz/item/1",
                                "text/html");
  return 0;
}
