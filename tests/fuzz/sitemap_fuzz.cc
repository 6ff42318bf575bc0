// A sitemap or sitemap index with any bytes in it.

#include "tests/fuzz/adapter_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const shagym::crawler::SourceConfig source = [] {
    shagym::crawler::SourceConfig s;
    s.id = "site";
    s.type = shagym::crawler::SourceType::kSitemap;
    s.seeds = {"https://school.kz/sitemap.xml"};
    s.follow = {"/news/"};
    s.post.item = "article";
    s.post.text = ".text";
    return s;
  }();
  shagym::fuzz::ExtractAndCheck(shagym::fuzz::BuildOnce(source), data, size,
                                "https://school.kz/sitemap.xml",
                                "application/xml");
  return 0;
}
