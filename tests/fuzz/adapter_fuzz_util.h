#pragma once

// Shared by the source adapter fuzz targets: the fuzzer's bytes become the
// body of a fetched page, handed to the adapter through the SourceAdapter
// interface exactly as the crawl does. Invariants checked on the result:
// links and next pages are absolute http(s) URLs without a fragment, and
// link_lastmod is empty or parallel to links.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crawler/adapter.h"

namespace shagym::fuzz {

inline bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// The adapter is built once per process (as the crawl builds it once per
// source); a config the adapter rejects is a bug in the target itself.
inline const crawler::SourceAdapter& BuildOnce(
    const crawler::SourceConfig& source) {
  static std::unique_ptr<crawler::SourceAdapter> adapter = [&] {
    auto a = crawler::MakeAdapter(source);
    if (!a.ok()) __builtin_trap();
    return std::move(a).value();
  }();
  return *adapter;
}

inline void ExtractAndCheck(const crawler::SourceAdapter& adapter,
                            const uint8_t* data, size_t size,
                            const std::string& url,
                            const std::string& content_type) {
  crawler::FetchedPage page;
  page.url = url;
  page.final_url = url;
  page.http_status = 200;
  page.content_type = content_type;
  page.body.assign(reinterpret_cast<const char*>(data), size);
  page.fetched_at = 1715594400;  // 2024-05-13T10:00:00Z
  page.depth = size % 3;
  crawler::ExtractResult r = adapter.Extract(page);
  for (const std::string& link : r.links) {
    if (!IsHttpUrl(link)) __builtin_trap();
  }
  for (const std::string& next : r.next_pages) {
    if (!IsHttpUrl(next)) __builtin_trap();
  }
  if (!r.link_lastmod.empty() && r.link_lastmod.size() != r.links.size()) {
    __builtin_trap();
  }
  for (const crawler::ExtractedPost& p : r.posts) {
    if (!p.url.empty() && !IsHttpUrl(p.url)) __builtin_trap();
  }
}

}  // namespace shagym::fuzz
