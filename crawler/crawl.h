#pragma once

// The crawl engine: frontier -> fetcher -> source adapters -> PageSink.
//
// One thread (the caller of Run()) owns the frontier, the robots cache and
// the curl multi loop; a fixed pool of workers converts charsets, runs the
// adapters and the sink. Bounded queues between them give back-pressure.
// Every rule of SPEC "Crawler duties" that concerns scheduling lives here:
// robots.txt before every host (and every redirect target's host),
// politeness, retries with back-off, Retry-After, redirects, recrawl with
// conditional GET, trap protection, private-address refusal.
//
//   Crawler crawler(options, adapters, frontier_store, db, &sink);
//   Status s = crawler.Run();   // until idle, a limit, or *options.stop

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/logger.h"
#include "common/status.h"
#include "crawler/adapter.h"
#include "crawler/crawl_options.h"
#include "crawler/frontier.h"
#include "crawler/page_sink.h"

namespace shagym::store {
class Db;
}

namespace shagym::crawler {

struct CrawlerOptions {
  CrawlOptions crawl;
  // Exit as soon as nothing is due now (SPEC --until-idle). Default: false.
  bool until_idle = false;
  // Stop after this many pages were fetched (2xx, 304 or final errors);
  // 0 = no limit. Default: 0.
  int64_t max_pages = 0;
  // Stop after this long; 0 = no limit. Default: 0.
  int64_t duration_ms = 0;
  // Queue the links and next pages the adapters return; false fetches only
  // the start URLs (`shagym fetch`). Default: true.
  bool follow = true;
  // Seeds come from the adapters' StartUrls(); when non-empty, these URLs
  // (for the first adapter) replace them. Default: empty.
  std::vector<std::string> start_urls;
  // First retry after this long, doubling each time, with +-25% jitter.
  // Default: 1000 ms.
  int64_t retry_base_ms = 1000;
  // Retry-After values are capped at this. Default: 6 h.
  int64_t max_retry_after_ms = 6 * 3600 * 1000LL;
  // robots.txt is cached this long (RFC 9309 2.4). Default: 24 h.
  int64_t robots_ttl_ms = 24 * 3600 * 1000LL;
  // After 5xx/429/unreachable robots.txt, everything on the host waits this
  // long before robots.txt is asked again. Default: 60 s.
  int64_t robots_retry_ms = 60 * 1000;
  // With until_idle: retries due within this long still keep the crawl
  // running. Default: 60 s.
  int64_t idle_retry_horizon_ms = 60 * 1000;
  // Freed heap memory is given back to the system this often (see
  // crawler/memory.h); 0 = never. Default: 30 s.
  int64_t release_memory_interval_ms = 30 * 1000;
  // Abort a transfer when no byte arrived for this long; 0 = timeout_s.
  // Default: 0.
  int64_t stall_timeout_ms = 0;
  // Private "ip:port" endpoints fetched even when private addresses are not
  // allowed (see FetcherOptions). Default: none.
  std::vector<std::string> allowed_private_endpoints;
  // Resolve names over DNS-over-HTTPS at this URL (see FetcherOptions).
  // Default: "" (the system resolver).
  std::string doh_url;
  // Called on the loop thread after each page fetch ends (for source health).
  std::function<void(const struct PageFetchReport&)> on_page;
  // Worker threads; 0 = hardware concurrency. Default: 0.
  int workers = 0;
  // Set from another thread (or a signal handler) to stop gracefully:
  // nothing new starts, in-flight transfers finish (or stay queued).
  std::atomic<bool>* stop = nullptr;
  Clock* clock = nullptr;    // Default: SystemClock().
  Logger* logger = nullptr;  // Default: DefaultLogger().
  // Called on the loop thread about every progress_interval_ms.
  std::function<void(const struct CrawlStats&)> on_progress;
  int64_t progress_interval_ms = 1000;
};

// How one page fetch ended, for per-source health.
struct PageFetchReport {
  std::string source;
  std::string url;
  bool ok = false;            // 2xx or 304
  bool not_modified = false;  // 304
  int http_status = 0;        // 0 when no answer
  std::string error;          // kind when !ok ("timeout", "http_404", ...)
  int64_t posts = 0;
};

// Counters of one source (or of the whole crawl).
struct SourceCounters {
  int64_t fetched = 0;       // 2xx answers processed
  int64_t not_modified = 0;  // 304 on conditional GET
  int64_t http_errors = 0;   // final 4xx/5xx
  int64_t fetch_errors = 0;  // final network errors (by kind below)
  int64_t disallowed = 0;    // refused by robots.txt
  int64_t posts = 0;
  int64_t bytes = 0;  // as transferred
  int64_t latency_ms_total = 0;
  std::map<std::string, int64_t> errors;  // kind -> count
  // The last final failure: "kind: detail" ("dns: GET https://t.me/...:
  // Could not resolve host: t.me").
  std::string last_error;
};

struct CrawlStats {
  SourceCounters total;
  std::map<std::string, SourceCounters> sources;
  std::map<std::string, SourceCounters> hosts;
  int64_t robots_fetches = 0;
  int64_t redirects = 0;
  int64_t retries = 0;
  int64_t rejected = 0;  // links refused (seen, traps, limits)
  int64_t sink_errors = 0;
  // Next pages not queued because their page brought no new post.
  int64_t paging_stopped = 0;
  // Pages fetched before and queued again because their sitemap lastmod
  // is newer than that fetch.
  int64_t lastmod_refetches = 0;
  size_t queued = 0;
  size_t in_flight = 0;
  int64_t elapsed_ms = 0;
  // Pages whose fetch ended (fetched + not_modified + final errors).
  int64_t pages() const {
    return total.fetched + total.not_modified + total.http_errors +
           total.fetch_errors;
  }
};

class Crawler {
 public:
  // `adapters`, `store`, `sink` and `db` (may be null: no robots cache on
  // disk) must outlive the crawler.
  Crawler(CrawlerOptions options, std::vector<const SourceAdapter*> adapters,
          FrontierStore* store, store::Db* db, PageSink* sink);
  ~Crawler();
  Crawler(const Crawler&) = delete;
  Crawler& operator=(const Crawler&) = delete;

  // Loads the persisted frontier, queues the seeds that were never seen, and
  // crawls until a stop condition. Errors: setting up libcurl, or the store
  // failing (the crawl stops then; what was committed stays).
  Status Run();
  const CrawlStats& stats() const;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace shagym::crawler
