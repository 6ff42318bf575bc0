#pragma once

// Internal to crawler/sources: URL helpers and the selector-driven post
// extraction shared by the html, rss (item pages) and sitemap adapters.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "crawler/adapter.h"
#include "crawler/html/dom.h"
#include "crawler/html/selector.h"

namespace shagym::crawler::sources {

// `ref` resolved against `base` (RFC 3986, via libcurl's URL API); only
// http(s) results; "" when either is unusable. Fragments are kept.
std::string ResolveUrl(const std::string& base, const std::string& ref);
// `url` without its #fragment.
std::string StripFragment(const std::string& url);
// `url` with query parameter `name` set to `value` (replacing any earlier
// value); "" when `url` is unusable.
std::string SetQueryParam(const std::string& url, const std::string& name,
                          const std::string& value);
// "scheme://host[:port]" of `url`, "" when unusable.
std::string Origin(const std::string& url);
// The path of `url` ("/s/chan"), "" when unusable.
std::string UrlPath(const std::string& url);

// Compiled `follow` patterns and the max_depth rule of a source.
class LinkFilter {
 public:
  static StatusOr<LinkFilter> Compile(const SourceConfig& source);
  // True when links found on a page at `depth` may be followed at all.
  bool FollowFrom(int depth) const;
  // True when `url` (absolute, no fragment) matches a follow pattern.
  bool Accepts(const std::string& url) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::shared_ptr<const RE2>> patterns_;
  int max_depth_ = -1;
};

// The `post:` selectors, `next_page` and `follow` of a source, compiled.
class PageExtractor {
 public:
  // Errors name the field: "post.item: bad selector ...".
  static StatusOr<PageExtractor> Compile(const SourceConfig& source);
  // Adds the posts, follow links and next pages of `doc` to `out`.
  void Extract(const html::Document& doc, const FetchedPage& page,
               ExtractResult* out) const;

 private:
  std::string source_id_;
  std::optional<html::Selector> item_;
  html::FieldSelector text_, author_, time_, link_, next_page_;
  LinkFilter links_;
};

// Appends `url` to `list` unless it is already there.
void AddUnique(std::vector<std::string>* list, const std::string& url);

// One factory per source type.
StatusOr<std::unique_ptr<SourceAdapter>> MakeTelegramAdapter(
    const SourceConfig& source);
StatusOr<std::unique_ptr<SourceAdapter>> MakeRssAdapter(
    const SourceConfig& source);
StatusOr<std::unique_ptr<SourceAdapter>> MakeHtmlAdapter(
    const SourceConfig& source);
StatusOr<std::unique_ptr<SourceAdapter>> MakeJsonAdapter(
    const SourceConfig& source);
StatusOr<std::unique_ptr<SourceAdapter>> MakeSitemapAdapter(
    const SourceConfig& source);

}  // namespace shagym::crawler::sources
