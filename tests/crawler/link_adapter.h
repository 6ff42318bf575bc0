#pragma once

// A source adapter for crawl tests over loopback sites made of tiny pages.

#include <string>
#include <utility>
#include <vector>

#include "crawler/adapter.h"
#include "crawler/url.h"

namespace shagym::crawler {

// Links: every href="..." (resolved, kept when it contains `follow`).
// Posts: every line "POST: text". Next page: href in rel="next".
class LinkAdapter : public SourceAdapter {
 public:
  explicit LinkAdapter(SourceConfig source, std::string follow = "")
      : source_(std::move(source)), follow_(std::move(follow)) {}
  const SourceConfig& source() const override { return source_; }
  std::vector<std::string> StartUrls() const override { return source_.seeds; }
  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult r;
    const std::string& b = page.body;
    size_t pos = 0;
    while ((pos = b.find("href=\"", pos)) != std::string::npos) {
      pos += 6;
      size_t end = b.find('"', pos);
      if (end == std::string::npos) break;
      bool next = pos >= 17 && b.compare(pos - 17, 10, "rel=\"next\"") == 0;
      StatusOr<std::string> u = ResolveUrl(page.url, b.substr(pos, end - pos));
      if (u.ok() && u->find(follow_) != std::string::npos) {
        (next ? r.next_pages : r.links).push_back(*u);
      }
      pos = end;
    }
    pos = 0;
    while ((pos = b.find("POST: ", pos)) != std::string::npos) {
      size_t end = b.find('\n', pos);
      ExtractedPost p;
      p.url = page.url;
      p.text =
          b.substr(pos + 6, end == std::string::npos ? end : end - pos - 6);
      r.posts.push_back(p);
      pos += 6;
    }
    return r;
  }

 private:
  SourceConfig source_;
  std::string follow_;
};

}  // namespace shagym::crawler
