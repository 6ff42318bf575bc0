#pragma once

// One configured source (an item of `sources:`). Plain data; config/ fills it
// and checks it; crawler/sources/ turns it into an adapter.

#include <cstdint>
#include <string>
#include <vector>

namespace shagym::crawler {

enum class SourceType { kTelegram, kRss, kHtml, kJson, kSitemap };

// "telegram", "rss", ... ; and back. Returns false for unknown names.
const char* SourceTypeName(SourceType type);
bool ParseSourceType(const std::string& name, SourceType* type);

// CSS selectors of `post:`. A selector may end in "@attr" to take an attribute
// instead of the text.
struct PostSelectors {
  std::string item;
  std::string text;
  std::string author;
  std::string time;
  std::string link;
};

// Field paths of a `json` source (`fields:`), dotted ("account.acct").
struct JsonFields {
  std::string items;  // path of the array; empty = top-level array
  std::string id;
  std::string text;
  std::string time;
  std::string author;
  std::string url;
  // Path of a cursor value for the next page; empty = follow the Link header.
  std::string cursor;
};

struct SourceConfig {
  std::string id;
  SourceType type = SourceType::kHtml;
  // `url` and `seeds` together; at least one.
  std::vector<std::string> seeds;
  std::string region;      // region id forced for every post, empty = detect
  std::string lang;        // kk, ru, or empty = detect
  int64_t recrawl_ms = 0;  // 0 = fetch once
  int64_t max_pages = 0;   // 0 = crawl-wide limits only
  std::vector<std::string> follow;  // RE2, partial match on canonical URLs
  int max_depth = -1;               // -1 = crawl.max_depth
  PostSelectors post;
  std::string next_page;  // selector of the next-page link
  JsonFields fields;
  std::string cursor_param;   // query parameter that carries the cursor
  bool follow_items = false;  // rss: fetch item pages for comments
  bool enabled = true;
  // Where this source was defined, for error messages ("file:line").
  std::string origin;
};

}  // namespace shagym::crawler
