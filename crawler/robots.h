#pragma once

// robots.txt per RFC 9309: a total parser (junk lines are skipped and
// counted, never an error), the matcher, and the policy for fetch outcomes
// (2xx parse, 4xx allow all, 5xx/429/network errors disallow all).
//
//   RobotsTxt robots = RobotsTxt::Parse(body, ProductToken(user_agent));
//   RobotsDecision d = robots.Check("/private/x?y=1");
//   if (!d.allowed) ... d.rule is "Disallow: /private (line 3)" ...
//
// Immutable after Parse; thread-safe to share.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::crawler {

// The robots.txt product token of a User-Agent: the part before the first
// '/' ("shagym/0.1 (+url)" -> "shagym"), trimmed.
std::string ProductToken(std::string_view user_agent);

struct RobotsDecision {
  bool allowed = true;
  // What decided: "Disallow: /x (line 3)", "Allow: /x/y (line 4)",
  // "no matching rule", "robots.txt itself", or the policy ("robots.txt
  // answered 503: disallow all").
  std::string rule;
};

class RobotsTxt {
 public:
  // Everything is allowed (no robots.txt, or it answered 4xx).
  static RobotsTxt AllowAll(std::string why);
  // Nothing is allowed (5xx, 429, unreachable), with the reason.
  static RobotsTxt DisallowAll(std::string why);
  // Parses `body` and keeps the groups that apply to `product_token`
  // (case-insensitive; several matching groups merge; else the '*' groups).
  // Parses at most the first 500 KiB (RFC 9309 2.5).
  static RobotsTxt Parse(std::string_view body, std::string_view product_token);

  // `path_and_query` as in a canonical URL ("/a/b?x=1"). The longest
  // matching rule wins; Allow wins a tie (RFC 9309 2.2.2).
  RobotsDecision Check(std::string_view path_and_query) const;

  // True for DisallowAll() (robots.txt could not be had: retry later).
  bool disallows_all() const { return mode_ == Mode::kDisallowAll; }
  // crawl-delay of the selected group(s) (the largest); 0 when none.
  std::chrono::milliseconds crawl_delay() const { return crawl_delay_; }
  // Lines that were not understood (for logs).
  int skipped_lines() const { return skipped_lines_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  struct Rule {
    bool allow = false;
    std::string pattern;  // percent-normalised, starts with '/' or '*'
    std::string original;
    int line = 0;
  };
  enum class Mode { kRules, kAllowAll, kDisallowAll };

  Mode mode_ = Mode::kRules;
  std::string why_;
  std::vector<Rule> rules_;
  std::chrono::milliseconds crawl_delay_{0};
  int skipped_lines_ = 0;
};

// Whether `path_and_query` matches a robots.txt `pattern` ('*' any run of
// characters, a final '$' the end). Both already percent-normalised.
bool RobotsPatternMatches(std::string_view pattern,
                          std::string_view path_and_query);

}  // namespace shagym::crawler

namespace shagym::store {
class Db;
}

namespace shagym::crawler {

// How a robots.txt fetch ended, for the RFC 9309 2.3.1 status policy.
struct RobotsFetch {
  bool answered = false;  // false: network error, timeout, refused
  int http_status = 0;
  std::string body;
  std::string error;  // when !answered
};

// 2xx: parse; 3xx left over (more than 5 redirects) and 4xx: allow all;
// 5xx, 429 and no answer: disallow all (retried after a short expiry).
RobotsTxt RobotsFromFetch(const RobotsFetch& fetch,
                          std::string_view product_token);
// True when the outcome disallows everything for now and should be retried
// sooner than the normal expiry.
bool RobotsFetchIsTemporaryFailure(const RobotsFetch& fetch);

// robots.txt per host ("scheme://host:port") with expiry, in memory and, when
// a Db is given, in Cf::kRobots so that a restart does not refetch them.
// Not thread-safe: owned by the fetch loop.
class RobotsCache {
 public:
  // `db` may be null; it must outlive the cache.
  RobotsCache(store::Db* db, std::string product_token);

  // The rules for `host` if cached and not expired at `now_ms`, else null.
  const RobotsTxt* Get(const std::string& host, int64_t now_ms);
  // Stores the outcome of a fetch, valid until `expires_ms`.
  const RobotsTxt* Put(const std::string& host, const RobotsFetch& fetch,
                       int64_t expires_ms);

 private:
  struct Entry {
    RobotsTxt robots;
    int64_t expires_ms;
  };
  store::Db* db_;
  std::string token_;
  std::map<std::string, Entry> entries_;
};

}  // namespace shagym::crawler
