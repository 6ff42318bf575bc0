#include "crawler/robots.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "crawler/url.h"
#include "store/db.h"

namespace shagym::crawler {

namespace {

// RFC 9309 2.5: crawlers must parse at least 500 KiB.
constexpr size_t kMaxRobotsBytes = 500 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

enum class Key { kUserAgent, kAllow, kDisallow, kCrawlDelay, kSitemap, kOther };

// Lenient key recognition: common misspellings are accepted as the
// widely deployed parsers do.
Key ParseKey(std::string_view raw) {
  std::string k = Lower(Trim(raw));
  if (k == "user-agent" || k == "useragent" || k == "user agent" ||
      k == "user_agent") {
    return Key::kUserAgent;
  }
  if (k == "allow") return Key::kAllow;
  if (k == "disallow" || k == "dissallow" || k == "dissalow" ||
      k == "disalow" || k == "diasllow" || k == "disallaw") {
    return Key::kDisallow;
  }
  if (k == "crawl-delay" || k == "crawldelay" || k == "crawl delay" ||
      k == "crawl_delay") {
    return Key::kCrawlDelay;
  }
  if (k == "sitemap" || k == "site-map") return Key::kSitemap;
  return Key::kOther;
}

// The product token of a user-agent line value: its leading run of
// [a-zA-Z_-] (RFC 9309 2.2.1), lower-case. "*" stays "*".
std::string AgentToken(std::string_view value) {
  value = Trim(value);
  if (!value.empty() && value[0] == '*') return "*";
  size_t n = 0;
  while (n < value.size()) {
    char c = value[n];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              c == '-';
    if (!ok) break;
    ++n;
  }
  return Lower(value.substr(0, n));
}

}  // namespace

std::string ProductToken(std::string_view user_agent) {
  size_t slash = user_agent.find('/');
  return std::string(Trim(user_agent.substr(0, slash)));
}

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  // Positions in `path` where the rest of the pattern may start matching.
  std::vector<size_t> pos = {0};
  std::vector<size_t> next;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '$' && i + 1 == pattern.size()) {
      return std::find(pos.begin(), pos.end(), path.size()) != pos.end();
    }
    if (c == '*') {
      size_t from = pos.front();  // sorted ascending
      pos.clear();
      for (size_t p = from; p <= path.size(); ++p) pos.push_back(p);
      continue;
    }
    next.clear();
    for (size_t p : pos) {
      if (p < path.size() && path[p] == c) next.push_back(p + 1);
    }
    if (next.empty()) return false;
    pos.swap(next);
  }
  return true;
}

RobotsTxt RobotsTxt::AllowAll(std::string why) {
  RobotsTxt r;
  r.mode_ = Mode::kAllowAll;
  r.why_ = std::move(why);
  return r;
}

RobotsTxt RobotsTxt::DisallowAll(std::string why) {
  RobotsTxt r;
  r.mode_ = Mode::kDisallowAll;
  r.why_ = std::move(why);
  return r;
}

RobotsTxt RobotsTxt::Parse(std::string_view body,
                           std::string_view product_token) {
  RobotsTxt out;
  if (body.size() > kMaxRobotsBytes) body = body.substr(0, kMaxRobotsBytes);
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  const std::string token = Lower(Trim(product_token));

  std::vector<Rule> specific, star;
  std::chrono::milliseconds specific_delay{0}, star_delay{0};
  bool any_specific_group = false;
  // Current group: which of ours it is, and whether its user-agent lines are
  // still being read (a user-agent line after rules starts a new group).
  bool group_specific = false, group_star = false;
  bool in_agents = false, seen_group = false;

  int line_no = 0;
  size_t p = 0;
  while (p < body.size()) {
    size_t e = body.find_first_of("\r\n", p);
    if (e == std::string_view::npos) e = body.size();
    std::string_view line = body.substr(p, e - p);
    // LF, CR and CRLF all end a line (RFC 9309 2.2).
    p = e + 1;
    if (e < body.size() && body[e] == '\r' && p < body.size() &&
        body[p] == '\n') {
      ++p;
    }
    ++line_no;
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    std::string_view key_text, value;
    if (colon != std::string_view::npos) {
      key_text = line.substr(0, colon);
      value = Trim(line.substr(colon + 1));
    } else {
      // Lenient: "Disallow /x".
      size_t space = line.find_first_of(" \t");
      if (space == std::string_view::npos) {
        ++out.skipped_lines_;
        continue;
      }
      key_text = line.substr(0, space);
      value = Trim(line.substr(space));
    }
    Key key = ParseKey(key_text);
    switch (key) {
      case Key::kUserAgent: {
        if (!in_agents) {
          group_specific = group_star = false;
          in_agents = true;
          seen_group = true;
        }
        std::string agent = AgentToken(value);
        if (agent == "*") {
          group_star = true;
        } else if (!agent.empty() && agent == token) {
          group_specific = true;
          any_specific_group = true;
        }
        break;
      }
      case Key::kAllow:
      case Key::kDisallow: {
        in_agents = false;
        if (!seen_group) {
          ++out.skipped_lines_;
          break;
        }
        if (value.empty()) break;  // "Disallow:" allows everything
        Rule rule;
        rule.allow = key == Key::kAllow;
        rule.original = std::string(value);
        std::string pattern(value);
        if (pattern[0] != '/' && pattern[0] != '*') pattern.insert(0, "/");
        rule.pattern = NormalizePercentEncoding(pattern, "*$");
        rule.line = line_no;
        if (group_specific) specific.push_back(rule);
        if (group_star) star.push_back(rule);
        break;
      }
      case Key::kCrawlDelay: {
        in_agents = false;
        std::string v(value);
        char* end = nullptr;
        double seconds = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || !std::isfinite(seconds) || seconds < 0) {
          ++out.skipped_lines_;
          break;
        }
        auto ms = std::chrono::milliseconds(
            static_cast<int64_t>(std::min(seconds, 86400.0) * 1000));
        if (group_specific) specific_delay = std::max(specific_delay, ms);
        if (group_star) star_delay = std::max(star_delay, ms);
        break;
      }
      case Key::kSitemap:
        break;  // not part of any group
      case Key::kOther:
        in_agents = false;
        ++out.skipped_lines_;
        break;
    }
  }
  if (any_specific_group) {
    out.rules_ = std::move(specific);
    out.crawl_delay_ = specific_delay;
  } else {
    out.rules_ = std::move(star);
    out.crawl_delay_ = star_delay;
  }
  return out;
}

RobotsDecision RobotsTxt::Check(std::string_view path_and_query) const {
  RobotsDecision d;
  if (path_and_query == "/robots.txt") {
    d.rule = "robots.txt itself";
    return d;
  }
  if (mode_ == Mode::kAllowAll) {
    d.rule = why_;
    return d;
  }
  if (mode_ == Mode::kDisallowAll) {
    d.allowed = false;
    d.rule = why_;
    return d;
  }
  std::string path = NormalizePercentEncoding(
      path_and_query.empty() ? std::string_view("/") : path_and_query);
  const Rule* best = nullptr;
  for (const Rule& r : rules_) {
    if (!RobotsPatternMatches(r.pattern, path)) continue;
    if (best == nullptr || r.pattern.size() > best->pattern.size() ||
        (r.pattern.size() == best->pattern.size() && r.allow && !best->allow)) {
      best = &r;
    }
  }
  if (best == nullptr) {
    d.rule = "no matching rule";
    return d;
  }
  d.allowed = best->allow;
  d.rule = std::string(best->allow ? "Allow: " : "Disallow: ") +
           best->original + " (line " + std::to_string(best->line) + ")";
  return d;
}

RobotsTxt RobotsFromFetch(const RobotsFetch& fetch,
                          std::string_view product_token) {
  if (!fetch.answered) {
    return RobotsTxt::DisallowAll("robots.txt unreachable (" + fetch.error +
                                  "): disallow all");
  }
  int s = fetch.http_status;
  std::string status = "robots.txt answered " + std::to_string(s);
  if (s >= 200 && s < 300) return RobotsTxt::Parse(fetch.body, product_token);
  if (s == 429 || s >= 500)
    return RobotsTxt::DisallowAll(status + ": disallow all");
  return RobotsTxt::AllowAll(status + ": allow all");
}

bool RobotsFetchIsTemporaryFailure(const RobotsFetch& fetch) {
  return !fetch.answered || fetch.http_status == 429 ||
         fetch.http_status >= 500;
}

namespace {

// kRobots value: "1\n<answered>\n<status>\n<expires_ms>\n<error>\n<body>".
std::string EncodeRobots(const RobotsFetch& f, int64_t expires_ms) {
  std::string error = f.error;
  for (char& c : error) {
    if (c == '\n') c = ' ';
  }
  return "1\n" + std::string(f.answered ? "1" : "0") + "\n" +
         std::to_string(f.http_status) + "\n" + std::to_string(expires_ms) +
         "\n" + error + "\n" + f.body;
}

bool DecodeRobots(const std::string& v, RobotsFetch* f, int64_t* expires_ms) {
  size_t pos = 0;
  std::string fields[5];
  for (auto& field : fields) {
    size_t nl = v.find('\n', pos);
    if (nl == std::string::npos) return false;
    field = v.substr(pos, nl - pos);
    pos = nl + 1;
  }
  if (fields[0] != "1") return false;
  f->answered = fields[1] == "1";
  f->http_status = std::atoi(fields[2].c_str());
  *expires_ms = std::atoll(fields[3].c_str());
  f->error = fields[4];
  f->body = v.substr(pos);
  return true;
}

}  // namespace

RobotsCache::RobotsCache(store::Db* db, std::string product_token)
    : db_(db), token_(std::move(product_token)) {}

const RobotsTxt* RobotsCache::Get(const std::string& host, int64_t now_ms) {
  auto it = entries_.find(host);
  if (it == entries_.end() && db_ != nullptr) {
    std::string value;
    rocksdb::Status s = db_->raw()->Get(
        rocksdb::ReadOptions(), db_->cf(store::Cf::kRobots), host, &value);
    RobotsFetch f;
    int64_t expires = 0;
    if (s.ok() && DecodeRobots(value, &f, &expires)) {
      it = entries_.emplace(host, Entry{RobotsFromFetch(f, token_), expires})
               .first;
    }
  }
  if (it == entries_.end() || it->second.expires_ms <= now_ms) return nullptr;
  return &it->second.robots;
}

const RobotsTxt* RobotsCache::Put(const std::string& host,
                                  const RobotsFetch& fetch,
                                  int64_t expires_ms) {
  if (db_ != nullptr) {
    // Best effort: a lost cache entry only means one more fetch.
    (void)db_->raw()->Put(rocksdb::WriteOptions(), db_->cf(store::Cf::kRobots),
                          host, EncodeRobots(fetch, expires_ms));
  }
  auto it = entries_
                .insert_or_assign(
                    host, Entry{RobotsFromFetch(fetch, token_), expires_ms})
                .first;
  return &it->second.robots;
}

}  // namespace shagym::crawler
