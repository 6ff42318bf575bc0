// crawl, fetch, robots check, url canonical.

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "app/cli.h"
#include "app/crawl_sink.h"
#include "crawler/adapter.h"
#include "crawler/crawl.h"
#include "crawler/robots.h"
#include "crawler/url.h"
#include "store/store.h"

namespace shagym::app {

namespace {

// The store's memory budget of `shagym crawl` when `store_memory` is not
// set (other commands: store::kDefaultStoreMemory).
constexpr int64_t kCrawlStoreMemory = int64_t{64} << 20;

// Fetch outcomes of `shagym crawl` on their way to the store's source
// health: written every kMaxAge or kMaxBuffered outcomes, whichever first,
// and by Flush(). Not thread-safe: used by the fetch loop's thread.
class HealthBuffer {
 public:
  explicit HealthBuffer(store::Store* store) : store_(store) {}
  HealthBuffer(const HealthBuffer&) = delete;
  HealthBuffer& operator=(const HealthBuffer&) = delete;
  ~HealthBuffer() { Flush(); }

  void Add(store::FetchOutcome f) {
    const int64_t now = SystemClock()->NowMs();
    if (buffered_.empty()) first_ms_ = now;
    buffered_.push_back(std::move(f));
    if (buffered_.size() >= kMaxBuffered || now - first_ms_ >= kMaxAgeMs) {
      Flush();
    }
  }

  void Flush() {
    if (buffered_.empty()) return;
    Status s = store_->RecordFetches(buffered_);
    if (!s.ok()) {
      Log(nullptr, LogLevel::kWarn, "source_health_failed",
          {{"fetches", buffered_.size()}, {"error", s.message()}});
    }
    buffered_.clear();
  }

 private:
  static constexpr size_t kMaxBuffered = 512;
  static constexpr int64_t kMaxAgeMs = 1000;
  store::Store* store_;
  std::vector<store::FetchOutcome> buffered_;
  int64_t first_ms_ = 0;
};

// `shagym robots check`: the crawler's own parser and matcher on a file.
int RobotsCheck(Context* ctx, const std::string& file, std::string agent,
                const std::vector<std::string>& urls) {
  if (agent.empty()) {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    agent = config->crawl.user_agent;
  }
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    PrintError(file + ": cannot read robots.txt");
    return kExitFailure;
  }
  std::string body;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) body.append(buf, n);
  std::fclose(f);
  crawler::RobotsTxt robots =
      crawler::RobotsTxt::Parse(body, crawler::ProductToken(agent));
  for (const std::string& url : urls) {
    StatusOr<std::string> canonical = crawler::CanonicalUrl(url);
    if (!canonical.ok()) {
      std::printf("invalid: %s: %s\n", canonical.status().message().c_str(),
                  url.c_str());
      continue;
    }
    StatusOr<crawler::UrlParts> parts = crawler::SplitUrl(*canonical);
    crawler::RobotsDecision d = robots.Check(parts->path_and_query);
    std::printf("%s %s %s\n", d.allowed ? "allowed" : "disallowed",
                canonical->c_str(), d.rule.c_str());
  }
  return kExitOk;
}

// `shagym url canonical`: what the crawler would queue for each URL.
int UrlCanonical(const std::string& base,
                 const std::vector<std::string>& urls) {
  if (!base.empty()) {
    StatusOr<std::string> b = crawler::CanonicalUrl(base);
    if (!b.ok()) {
      PrintError("--base " + base + ": " + b.status().message());
      return kExitConfig;
    }
  }
  for (const std::string& url : urls) {
    StatusOr<std::string> c = base.empty() ? crawler::CanonicalUrl(url)
                                           : crawler::ResolveUrl(base, url);
    if (c.ok()) {
      std::printf("%s\n", c->c_str());
    } else {
      std::printf("invalid: %s\n", c.status().message().c_str());
    }
  }
  return kExitOk;
}

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

void InstallStopHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = &OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// The configured sources to crawl (all enabled ones, or those named).
// Prints the error and returns false when a name is unknown.
bool SelectSources(const config::Config& config,
                   const std::vector<std::string>& ids,
                   std::vector<const crawler::SourceConfig*>* out) {
  for (const std::string& id : ids) {
    const crawler::SourceConfig* found = nullptr;
    for (const auto& s : config.sources) {
      if (s.id == id) found = &s;
    }
    if (found == nullptr) {
      PrintError("--source " + id + ": no such source in " + config.path);
      return false;
    }
    out->push_back(found);
  }
  if (ids.empty()) {
    for (const auto& s : config.sources) {
      if (s.enabled) out->push_back(&s);
    }
  }
  return true;
}

bool MakeAdapters(
    const std::vector<const crawler::SourceConfig*>& sources,
    std::vector<std::unique_ptr<crawler::SourceAdapter>>* adapters) {
  for (const crawler::SourceConfig* s : sources) {
    StatusOr<std::unique_ptr<crawler::SourceAdapter>> a =
        crawler::MakeAdapter(*s);
    if (!a.ok()) {
      std::fprintf(stderr, "%s\n", a.status().message().c_str());
      return false;
    }
    adapters->push_back(std::move(*a));
  }
  return true;
}

void PrintProgress(const crawler::CrawlStats& s, bool tty) {
  double secs = std::max<int64_t>(1, s.elapsed_ms) / 1000.0;
  int64_t errors = s.total.http_errors + s.total.fetch_errors;
  if (tty) {
    std::fprintf(stderr,
                 "\rpages %lld  posts %lld  errors %lld  %.1f pages/s  "
                 "queue %zu  in flight %zu   ",
                 static_cast<long long>(s.pages()),
                 static_cast<long long>(s.total.posts),
                 static_cast<long long>(errors), s.pages() / secs, s.queued,
                 s.in_flight);
    std::fflush(stderr);
  } else {
    Log(nullptr, LogLevel::kInfo, "crawl_progress",
        {{"pages", s.pages()},
         {"posts", s.total.posts},
         {"errors", errors},
         {"pages_per_s", s.pages() / secs},
         {"queued", s.queued},
         {"in_flight", s.in_flight}});
  }
}

struct CrawlFlags {
  bool until_idle = false;
  int64_t max_pages = 0;
  int64_t duration_s = 0;
  std::vector<std::string> source_ids;
  std::string doh_url;
};

// One line per source that got no page at all, with the last reason
// ("dns: GET https://t.me/robots.txt: Could not resolve host: t.me"), so an
// outage or a wrong address is named, not just counted.
void PrintFailedSources(
    const std::vector<const crawler::SourceConfig*>& sources,
    const crawler::CrawlStats& stats) {
  for (const crawler::SourceConfig* src : sources) {
    auto it = stats.sources.find(src->id);
    if (it == stats.sources.end()) continue;
    const crawler::SourceCounters& c = it->second;
    if (c.fetched + c.not_modified > 0) continue;
    int64_t failed = c.http_errors + c.fetch_errors;
    if (failed == 0 && c.disallowed == 0) continue;
    std::string why = !c.last_error.empty()
                          ? c.last_error
                          : "every page disallowed by robots.txt";
    int64_t n = failed + c.disallowed;
    PrintError("source " + src->id + ": nothing fetched (" + std::to_string(n) +
               (n == 1 ? " page" : " pages") + " failed): " + why);
  }
}

int Crawl(Context* ctx, const CrawlFlags& flags) {
  const config::Config* config = ctx->LoadConfig();
  if (config == nullptr) return kExitConfig;
  if (flags.max_pages < 0 || flags.duration_s < 0) {
    PrintError("--max-pages and --duration must not be negative");
    return kExitConfig;
  }
  std::vector<const crawler::SourceConfig*> sources;
  if (!SelectSources(*config, flags.source_ids, &sources)) return kExitConfig;
  if (sources.empty()) {
    PrintError(config->path + ": no enabled sources to crawl");
    return kExitConfig;
  }
  std::vector<std::unique_ptr<crawler::SourceAdapter>> adapters;
  if (!MakeAdapters(sources, &adapters)) return kExitConfig;
  // A crawl writes far more than it reads back: unless `store_memory` says
  // otherwise, its store gets a smaller budget than the dashboard's
  // (docs/OPERATIONS.md, "Memory"), so that the whole process stays under
  // 300 MB however many pages it crawls.
  store::StoreOptions store_options = config->store;
  if (store_options.memory_bytes == 0) {
    store_options.memory_bytes = kCrawlStoreMemory;
  }
  // Worker threads parse pages into short-lived trees: with one malloc arena
  // per thread (glibc's default, up to 8 per core) the freed memory of each
  // stays scattered; two arenas keep the heap more compact (bench/crawl,
  // 20,000 pages: peak RSS 316 MB instead of 328 MB).
  mallopt(M_ARENA_MAX, 2);
  StatusOr<std::unique_ptr<store::Store>> store =
      store::Store::Open(store_options);
  if (!store.ok()) {
    PrintError(store.status().message());
    return kExitFailure;
  }
  std::unique_ptr<crawler::FrontierStore> frontier =
      crawler::NewRocksFrontierStore((*store)->db());
  StatusOr<std::shared_ptr<config::RuleEngine>> engine =
      LoadRuleEngine(*config);
  if (!engine.ok()) {
    PrintError(engine.status().message());
    return kExitConfig;
  }
  // Edited rule files are picked up while crawling; a broken edit is logged
  // and the running rules stay.
  if (*engine) (*engine)->StartReloading(kRulesReloadInterval);
  StatusOr<std::unique_ptr<crawler::PageSink>> made_sink =
      MakeCrawlSink(*config, store->get(),
                    std::shared_ptr<const config::RuleEngine>(*engine));
  if (!made_sink.ok()) {
    PrintError(made_sink.status().message());
    return kExitFailure;
  }
  std::unique_ptr<crawler::PageSink> sink = std::move(made_sink).value();

  crawler::CrawlerOptions o;
  o.crawl = config->crawl;
  o.until_idle = flags.until_idle;
  o.max_pages = flags.max_pages;
  o.duration_ms = flags.duration_s * 1000;
  o.stop = &g_stop;
  o.doh_url = flags.doh_url;
  bool tty = isatty(2) != 0;
  o.progress_interval_ms = tty ? 250 : 10000;
  store::Store* st = store->get();
  // Source health is written in batches, not per page: a Get and a Write per
  // fetch on the fetch loop's thread cost more than the rest of its work on
  // a page. A kill loses at most the last second of health counters; the
  // pages themselves are in the frontier and the store either way.
  HealthBuffer health(st);
  o.on_page = [&health](const crawler::PageFetchReport& r) {
    store::FetchOutcome f;
    f.source = r.source;
    f.at = SystemClock()->NowSeconds();
    f.ok = r.ok;
    f.not_modified = r.not_modified;
    f.http_status = r.http_status;
    f.error = r.error;
    f.posts = r.posts;
    health.Add(std::move(f));
  };
  o.on_progress = [tty, &health](const crawler::CrawlStats& s) {
    PrintProgress(s, tty);
    health.Flush();  // also when no page ended for a while
  };
  std::vector<const crawler::SourceAdapter*> raw;
  for (const auto& a : adapters) raw.push_back(a.get());
  InstallStopHandlers();
  crawler::Crawler crawler(o, raw, frontier.get(), st->db(), sink.get());
  Status s = crawler.Run();
  health.Flush();
  const crawler::CrawlStats& stats = crawler.stats();
  if (tty) std::fputc('\n', stderr);
  // The summary is the command's result: printed whatever the log level.
  std::printf(
      "crawl pages=%lld fetched=%lld not_modified=%lld errors=%lld "
      "disallowed=%lld posts=%lld queued=%zu seconds=%.1f\n",
      static_cast<long long>(stats.pages()),
      static_cast<long long>(stats.total.fetched),
      static_cast<long long>(stats.total.not_modified),
      static_cast<long long>(stats.total.http_errors +
                             stats.total.fetch_errors),
      static_cast<long long>(stats.total.disallowed),
      static_cast<long long>(stats.total.posts), stats.queued,
      stats.elapsed_ms / 1000.0);
  std::fflush(stdout);
  Status flushed = st->db()->Flush();
  if (!s.ok()) {
    PrintError(s.message());
    return kExitFailure;
  }
  if (!flushed.ok()) PrintError(flushed.message());
  PrintFailedSources(sources, stats);
  // SPEC: 3 when no source could be fetched at all.
  int64_t answered = stats.total.fetched + stats.total.not_modified;
  int64_t attempted = stats.pages() + stats.total.disallowed;
  if (attempted > 0 && answered == 0) {
    PrintError("nothing could be fetched (" + std::to_string(attempted) +
               " attempts failed)");
    return kExitNothingFetched;
  }
  return kExitOk;
}

// Prints what one page gives. Thread-safe.
class PrintSink : public crawler::PageSink {
 public:
  Status Consume(const crawler::SourceAdapter& adapter,
                 const crawler::FetchedPage& page,
                 const crawler::ExtractResult& r) override {
    std::lock_guard lock(mu_);
    ++pages_;
    std::printf("page %s\nsource %s\nstatus %d\ncontent-type %s\nbytes %zu\n",
                page.url.c_str(), adapter.source().id.c_str(), page.http_status,
                page.content_type.c_str(), page.body.size());
    if (r.problem != crawler::PageProblem::kNone) {
      std::printf("problem %s\n", r.problem_detail.c_str());
    }
    std::printf("posts %zu\n", r.posts.size());
    for (const auto& p : r.posts) {
      std::printf("--- post\n");
      if (!p.native_id.empty()) std::printf("id: %s\n", p.native_id.c_str());
      if (!p.url.empty()) std::printf("url: %s\n", p.url.c_str());
      if (p.published_at > 0) {
        std::printf("published_at: %lld\n",
                    static_cast<long long>(p.published_at));
      }
      if (!p.author.empty()) std::printf("author: %s\n", p.author.c_str());
      if (!p.title.empty()) std::printf("title: %s\n", p.title.c_str());
      std::printf("text: %s\n", p.text.c_str());
    }
    std::printf("--- links %zu\n", r.links.size());
    for (const auto& l : r.links) std::printf("link %s\n", l.c_str());
    for (const auto& n : r.next_pages) std::printf("next %s\n", n.c_str());
    std::fflush(stdout);
    return Status::Ok();
  }
  int pages() {
    std::lock_guard lock(mu_);
    return pages_;
  }

 private:
  std::mutex mu_;
  int pages_ = 0;
};

int Fetch(Context* ctx, const std::string& url, const std::string& source_id) {
  const config::Config* config = ctx->LoadConfig();
  if (config == nullptr) return kExitConfig;
  StatusOr<std::string> canonical = crawler::CanonicalUrl(url);
  if (!canonical.ok()) {
    PrintError(url + ": invalid URL: " + canonical.status().message());
    return kExitConfig;
  }
  const crawler::SourceConfig* source = nullptr;
  for (const auto& s : config->sources) {
    if (!source_id.empty() ? s.id == source_id : false) source = &s;
  }
  if (source == nullptr && source_id.empty()) {
    // The first source with a seed on the same host.
    std::string host = crawler::HostKey(*canonical);
    for (const auto& s : config->sources) {
      for (const auto& seed : s.seeds) {
        StatusOr<std::string> c = crawler::CanonicalUrl(seed);
        if (source == nullptr && c.ok() && crawler::HostKey(*c) == host) {
          source = &s;
        }
      }
    }
    if (source == nullptr) {
      PrintError(url +
                 ": no configured source has this host; pass --source ID");
      return kExitConfig;
    }
  } else if (source == nullptr) {
    PrintError("--source " + source_id + ": no such source in " + config->path);
    return kExitConfig;
  }
  std::vector<std::unique_ptr<crawler::SourceAdapter>> adapters;
  if (!MakeAdapters({source}, &adapters)) return kExitConfig;
  std::unique_ptr<crawler::FrontierStore> frontier =
      crawler::NewMemoryFrontierStore();
  PrintSink sink;
  crawler::CrawlerOptions o;
  o.crawl = config->crawl;
  o.until_idle = true;
  o.follow = false;
  o.start_urls = {*canonical};
  o.stop = &g_stop;
  std::string failure;
  o.on_page = [&failure](const crawler::PageFetchReport& r) {
    if (!r.ok) failure = r.url + ": " + r.error;
  };
  InstallStopHandlers();
  crawler::Crawler crawler(o, {adapters[0].get()}, frontier.get(), nullptr,
                           &sink);
  Status s = crawler.Run();
  if (!s.ok()) {
    PrintError(s.message());
    return kExitFailure;
  }
  if (sink.pages() == 0) {
    PrintError(failure.empty() ? url + ": nothing fetched" : failure);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void RegisterCrawlCommands(CLI::App& app, Context* ctx) {
  auto* crawl = app.add_subcommand("crawl", "Crawl the configured sources");
  static CrawlFlags flags;
  crawl->add_flag("--until-idle", flags.until_idle,
                  "Exit as soon as nothing is due");
  crawl->add_option("--max-pages", flags.max_pages, "Stop after N pages");
  crawl->add_option("--duration", flags.duration_s, "Stop after SECONDS");
  crawl->add_option("--source", flags.source_ids,
                    "Crawl only this source (repeatable)");
  crawl->add_option("--doh-url", flags.doh_url,
                    "Resolve host names with DNS-over-HTTPS at URL instead "
                    "of the system resolver");
  OnRun(crawl, ctx, [ctx] { return Crawl(ctx, flags); });

  auto* fetch = app.add_subcommand(
      "fetch",
      "Fetch one page as the crawler would and print what it extracts");
  static std::string fetch_url, fetch_source;
  fetch->add_option("url", fetch_url, "URL to fetch")->required();
  fetch->add_option("--source", fetch_source, "Source whose adapter to use");
  OnRun(fetch, ctx, [ctx] { return Fetch(ctx, fetch_url, fetch_source); });

  auto* robots = app.add_subcommand("robots", "robots.txt tools");
  robots->require_subcommand(1);
  auto* robots_check =
      robots->add_subcommand("check", "Decide URLs against a robots.txt file");
  static std::string robots_file, agent;
  static std::vector<std::string> robots_urls;
  robots_check->add_option("--robots", robots_file, "robots.txt file")
      ->required();
  robots_check->add_option("--agent", agent,
                           "User agent (default: crawl.user_agent)");
  robots_check->add_option("urls", robots_urls, "URLs to check")->required();
  OnRun(robots_check, ctx,
        [ctx] { return RobotsCheck(ctx, robots_file, agent, robots_urls); });

  auto* url = app.add_subcommand("url", "URL tools");
  url->require_subcommand(1);
  auto* canonical = url->add_subcommand("canonical", "Print canonical URLs");
  static std::string base;
  static std::vector<std::string> urls;
  canonical->add_option("--base", base, "Base URL for relative ones");
  canonical->add_option("urls", urls, "URLs")->required();
  OnRun(canonical, ctx, [] { return UrlCanonical(base, urls); });
}

}  // namespace shagym::app
