// A JSON API answer (a Mastodon-like timeline) with any bytes in it, fields
// mapped by dotted paths, paging by cursor.

#include "tests/fuzz/adapter_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const shagym::crawler::SourceConfig source = [] {
    shagym::crawler::SourceConfig s;
    s.id = "masto";
    s.type = shagym::crawler::SourceType::kJson;
    s.seeds = {"https://mastodon.kz/api/v1/timelines/tag/school"};
    s.fields.items = "data.items";
    s.fields.id = "id";
    s.fields.text = "content";
    s.fields.time = "created_at";
    s.fields.author = "account.acct";
    s.fields.url = "url";
    s.fields.cursor = "data.next.0";
    s.cursor_param = "max_id";
    return s;
  }();
  static const shagym::crawler::SourceConfig top_level = [] {
    shagym::crawler::SourceConfig s;
    s.id = "masto_top";
    s.type = shagym::crawler::SourceType::kJson;
    s.seeds = {"https://mastodon.kz/api/v1/timelines/tag/school"};
    s.fields.id = "id";
    s.fields.text = "content";
    s.fields.time = "created_at";
    s.fields.author = "account.acct";
    s.fields.url = "url";
    return s;
  }();
  static const auto top_adapter = [] {
    auto a = shagym::crawler::MakeAdapter(top_level);
    if (!a.ok()) __builtin_trap();
    return std::move(a).value();
  }();
  shagym::fuzz::ExtractAndCheck(
      shagym::fuzz::BuildOnce(source), data, size,
      "https://mastodon.kz/api/v1/timelines/tag/school", "application/json");
  shagym::fuzz::ExtractAndCheck(
      *top_adapter, data, size,
      "https://mastodon.kz/api/v1/timelines/tag/school", "application/json");
  return 0;
}
