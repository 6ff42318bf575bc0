// A forum thread page with any bytes in it, extracted with the `post:`
// selectors, `next_page` and `follow` patterns of an html source.

#include "tests/fuzz/adapter_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const shagym::crawler::SourceConfig source = [] {
    shagym::crawler::SourceConfig s;
    s.id = "forum";
    s.type = shagym::crawler::SourceType::kHtml;
    s.seeds = {"https://forum.kz/forum/t/1"};
    s.post.item = "div.post:not(.ad), li[data-id]";
    s.post.text = ".content, p";
    s.post.author = ".meta .user";
    s.post.time = ".date@title";
    s.post.link = "a.num@href";
    s.next_page = "a.next, a[rel~=next]";
    s.follow = {"^https://forum\\.kz/forum/t/\\d+"};
    s.max_depth = 2;
    return s;
  }();
  shagym::fuzz::ExtractAndCheck(shagym::fuzz::BuildOnce(source), data, size,
                                "https://forum.kz/forum/t/1?page=2",
                                "text/html");
  return 0;
}
