#pragma once

// Crawler-wide settings (`crawl:` in shagym.yaml). Plain data; config/ fills
// it.

#include <cstdint>
#include <string>

namespace shagym::crawler {

struct CrawlOptions {
  // Sent with every request; the robots.txt product token is the part before
  // the first '/'. Default: "shagym/0.1 (+https://github.com/shagym/shagym)".
  std::string user_agent = "shagym/0.1 (+https://github.com/shagym/shagym)";
  // Transfers in flight across all hosts. Default: 64.
  int max_connections = 64;
  // Transfers in flight to one scheme+host+port. Default: 2.
  int per_host_connections = 2;
  // Least time between the starts of two requests to one host; a robots.txt
  // crawl-delay raises it. Default: 1000 ms.
  int64_t per_host_delay_ms = 1000;
  // Upper bound for a robots.txt crawl-delay. Default: 60000 ms.
  int64_t max_crawl_delay_ms = 60000;
  // Whole-transfer timeout. Default: 30 s.
  int64_t timeout_s = 30;
  // Connect timeout. Default: 10 s.
  int64_t connect_timeout_s = 10;
  // Pages larger than this (after decompression) are aborted. Default: 5 MiB.
  int64_t max_page_bytes = 5 * 1024 * 1024;
  // Default: 5.
  int max_redirects = 5;
  // Retries after network errors and 5xx, with exponential back-off.
  // Default: 3.
  int retries = 3;
  // Default: true.
  bool respect_robots = true;
  // Allows loopback, private, link-local and similar targets. Default: false.
  bool allow_private_addresses = false;
  // CA bundle for TLS; empty = system CAs. Default: "".
  std::string ca_file;
  // Pages fetched per host at most (trap protection). Default: 100000.
  int64_t max_pages_per_host = 100000;
  // Link depth from a seed, unless a source sets its own. Default: 5.
  int max_depth = 5;
  // Queued URLs of one host held in memory; the rest waits in the store.
  // Default: 512.
  int frontier_window = 512;
};

}  // namespace shagym::crawler
