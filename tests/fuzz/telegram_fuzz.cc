// A Telegram channel preview page (t.me/s/<channel>) with any bytes in it:
// the adapter extracts what it can and never crashes.

#include "tests/fuzz/adapter_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const shagym::crawler::SourceConfig source = [] {
    shagym::crawler::SourceConfig s;
    s.id = "tg";
    s.type = shagym::crawler::SourceType::kTelegram;
    s.seeds = {"https://t.me/s/taraz_news"};
    return s;
  }();
  shagym::fuzz::ExtractAndCheck(shagym::fuzz::BuildOnce(source), data, size,
                                "https://t.me/s/taraz_news?before=100",
                                "text/html");
  return 0;
}
