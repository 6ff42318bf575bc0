#include "app/crawl_sink.h"

#include <cstdio>

#include "crawler/frontier.h"

namespace shagym::app {

namespace {

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

// Stores each extracted post with a stable id (source + native id, else
// source + permalink + text), so a post seen twice, or under two URLs of
// one page, is stored once.
class StorePostsSink : public crawler::PageSink {
 public:
  explicit StorePostsSink(store::Store* store) : store_(store) {}

  Status Consume(const crawler::SourceAdapter& adapter,
                 const crawler::FetchedPage& page,
                 const crawler::ExtractResult& result) override {
    if (result.posts.empty()) return Status::Ok();
    const std::string& source = adapter.source().id;
    std::vector<Post> posts;
    posts.reserve(result.posts.size());
    for (const crawler::ExtractedPost& e : result.posts) {
      if (e.text.empty() && e.title.empty()) continue;
      Post p;
      std::string identity =
          source + "\n" +
          (e.native_id.empty() ? e.text + "\n" + e.title : e.native_id);
      p.id = Hex64(crawler::UrlHash(identity));
      p.source = source;
      p.url = e.url.empty() ? page.url : e.url;
      p.published_at = e.published_at;
      p.fetched_at = page.fetched_at;
      if (!e.author.empty()) {
        p.author =
            "u" +
            Hex64(crawler::UrlHash(source + "\n" + e.author)).substr(0, 12);
      }
      p.text = e.text;
      p.title = e.title;
      p.forwarded_from = e.forwarded_from;
      if (!adapter.source().region.empty()) {
        p.labels.region = adapter.source().region;
      }
      posts.push_back(std::move(p));
    }
    if (posts.empty()) return Status::Ok();
    StatusOr<std::vector<store::IngestResult>> r = store_->IngestBatch(posts);
    if (!r.ok()) return r.status().WithContext("store posts of " + page.url);
    return Status::Ok();
  }

 private:
  store::Store* store_;
};

}  // namespace

std::unique_ptr<crawler::PageSink> MakeCrawlSink(const config::Config&,
                                                 store::Store* store) {
  return std::make_unique<StorePostsSink>(store);
}

}  // namespace shagym::app
