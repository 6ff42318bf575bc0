#pragma once

// The narrow seam between fetching and extraction: a fetched page goes in,
// posts, links to follow and next pages come out. One adapter per configured
// source, built once (selectors and patterns compiled) and shared by the
// worker threads: Extract() is const and thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "crawler/source_config.h"

namespace shagym::crawler {

// What the fetcher hands to an adapter.
struct FetchedPage {
  std::string url;        // canonical URL that was requested
  std::string final_url;  // after redirects
  int http_status = 0;
  std::string content_type;  // media type without parameters, lower-case
  std::string body;          // converted to UTF-8 (HTML, XML, JSON, text)
  std::string link_header;   // raw HTTP Link header, for JSON paging
  int64_t fetched_at = 0;    // Unix seconds UTC
  int depth = 0;             // link depth from a seed
};

// One post as found on the page, before identity, privacy and labels.
struct ExtractedPost {
  std::string native_id;     // id on the platform ("channel/123", comment id);
                             // empty = derive from url + text
  std::string url;           // permalink (with #fragment where that is how the
                             // page addresses it)
  int64_t published_at = 0;  // Unix seconds UTC; 0 when unknown
  std::string author;        // raw author name/handle (pseudonymised later)
  std::string text;          // plain text, paragraphs and <br> as '\n'
  std::string title;         // item/article title when separate from text
  std::string forwarded_from;  // original channel of a forward, if shown
  int64_t views = -1;          // -1 when unknown
};

// Why a page yielded nothing, when that is not just "no posts today".
enum class PageProblem {
  kNone,
  kNoPublicPreview,  // Telegram channel without a /s/ preview
  kNotAChannel,      // Telegram group or user
  kNotFound,         // deleted or unknown name
  kUnparseable,      // not the format the source expects
};

struct ExtractResult {
  std::vector<ExtractedPost> posts;
  // Absolute URLs to fetch next, already filtered by the source's `follow`
  // patterns (links) and pagination rules (next_pages).
  std::vector<std::string> links;
  std::vector<std::string> next_pages;
  // Last-modified time (Unix seconds, 0 = unknown) of each entry of `links`
  // when the page says so (sitemaps); empty otherwise. For scheduling.
  std::vector<int64_t> link_lastmod;
  PageProblem problem = PageProblem::kNone;
  std::string problem_detail;  // human-readable, for logs and `shagym fetch`
};

class SourceAdapter {
 public:
  virtual ~SourceAdapter() = default;
  virtual const SourceConfig& source() const = 0;
  // The URLs a crawl of this source starts from (seeds, Telegram /s/ URL...).
  virtual std::vector<std::string> StartUrls() const = 0;
  // Total: never fails; junk is skipped and reported through `problem`.
  virtual ExtractResult Extract(const FetchedPage& page) const = 0;
};

// Builds the adapter for `source`, compiling its selectors and patterns.
// Errors name the source's origin ("file:line:col: source 'x': bad selector
// '...': ...").
StatusOr<std::unique_ptr<SourceAdapter>> MakeAdapter(
    const SourceConfig& source);

}  // namespace shagym::crawler
