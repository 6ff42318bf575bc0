#include "crawler/crawl.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "crawler/charset.h"
#include "crawler/fetcher.h"
#include "crawler/memory.h"
#include "crawler/robots.h"
#include "crawler/url.h"

namespace shagym::crawler {

namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

bool IsRetryable(FetchError e) {
  return e == FetchError::kConnect || e == FetchError::kTimeout ||
         e == FetchError::kNetwork || e == FetchError::kDns;
}

}  // namespace

class Crawler::Loop {
 public:
  Loop(CrawlerOptions options, std::vector<const SourceAdapter*> adapters,
       FrontierStore* store, store::Db* db, PageSink* sink)
      : options_(std::move(options)),
        store_(store),
        sink_(sink),
        clock_(options_.clock ? options_.clock : SystemClock()),
        logger_(options_.logger),
        frontier_(MakeFrontierOptions(options_), store),
        robots_(db, ProductToken(options_.crawl.user_agent)),
        rng_(std::random_device{}()) {
    for (const SourceAdapter* a : adapters) {
      adapters_[a->source().id] = a;
      adapter_order_.push_back(a);
    }
  }

  ~Loop() { StopWorkers(); }

  Status Run();
  const CrawlStats& stats() const { return stats_; }

 private:
  struct Active {
    bool robots = false;
    FrontierEntry entry;
    std::string host;
    // The stored fetch state a conditional GET was built from.
    std::optional<UrlState> state;
  };
  struct Work {
    FrontierEntry entry;
    FetchResult result;
    const SourceAdapter* adapter;
    int64_t fetched_ms;
  };
  struct Outcome {
    FrontierEntry entry;
    std::string etag, last_modified;
    int http_status = 0;
    std::vector<std::string> links, next_pages;
    // Parallel to `links` when the page gave last-modified times (sitemaps).
    std::vector<int64_t> link_lastmod;
    // Canonical links fetched before whose lastmod is newer than that fetch.
    std::vector<std::string> changed;
    int64_t posts = 0;
    int new_posts = -1;  // -1 = the sink does not know
    PageProblem problem = PageProblem::kNone;
    std::string problem_detail;
    Status sink_status;
  };

  static FrontierOptions MakeFrontierOptions(const CrawlerOptions& o) {
    FrontierOptions f;
    f.per_host_connections = o.crawl.per_host_connections;
    f.per_host_delay_ms = o.crawl.per_host_delay_ms;
    f.max_depth = o.crawl.max_depth;
    f.max_pages_per_host = o.crawl.max_pages_per_host;
    f.host_window = static_cast<size_t>(std::max(2, o.crawl.frontier_window));
    return f;
  }

  const SourceConfig* SourceOf(const std::string& id) const {
    auto it = adapters_.find(id);
    return it == adapters_.end() ? nullptr : &it->second->source();
  }
  int64_t RecrawlMs(const std::string& id) const {
    const SourceConfig* s = SourceOf(id);
    return s ? s->recrawl_ms : 0;
  }

  void AddUrl(const std::string& raw, const FrontierEntry& parent, UrlKind kind,
              int depth, int64_t now, bool sitemap_lastmod = false);
  // The URL left the frontier for good.
  void Done(const std::string& url) {
    batch_.Done(url);
    frontier_.Release(url);
  }
  // Starts what the frontier gives. True when it stopped at a capacity
  // limit (connections, worker back-pressure, --max-pages) rather than
  // because nothing was ready.
  bool StartTransfers(int64_t now);
  void StartPage(FrontierEntry e, const std::string& host, int64_t now);
  void StartRobots(const std::string& host, int64_t now);
  void HandleResult(FetchResult r, int64_t now);
  void HandleRobots(const Active& a, const FetchResult& r, int64_t now);
  void HandleOutcome(Outcome o, int64_t now);
  void Retry(FrontierEntry e, int64_t delay_ms, int64_t now);
  // A fetch of `e` that got no answer: retried with back-off while it may
  // help, else failed for good.
  void NoAnswer(FrontierEntry e, FetchError error, const std::string& detail,
                int64_t now);
  void Fail(FrontierEntry e, const std::string& kind, const std::string& detail,
            int http_status, int64_t now);
  // Recrawl or drop a page whose fetch ended.
  void Finish(FrontierEntry e, bool keep_recrawling, int64_t now);
  void Report(const FrontierEntry& e, bool ok, bool not_modified, int status,
              const std::string& error, int64_t posts);
  int64_t Backoff(int attempts);
  Status Commit();
  bool ShouldStopStarting(int64_t now);
  // Pages ended, in flight, or being processed.
  int64_t PagesUnderway();

  void StartWorkers();
  void StopWorkers();
  void WorkerMain();
  Outcome Process(Work w);

  CrawlerOptions options_;
  FrontierStore* store_;
  PageSink* sink_;
  Clock* clock_;
  Logger* logger_;
  Frontier frontier_;
  RobotsCache robots_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unordered_map<std::string, const SourceAdapter*> adapters_;
  std::vector<const SourceAdapter*> adapter_order_;
  std::unordered_map<uint64_t, Active> active_;
  size_t active_pages_ = 0;
  std::unordered_map<std::string, std::vector<FrontierEntry>> robots_waiting_;
  uint64_t next_id_ = 0;
  FrontierBatch batch_;
  CrawlStats stats_;
  std::mt19937_64 rng_;
  int64_t start_ms_ = 0;

  // Worker pool. Guarded by mu_.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<Work> work_;
  std::deque<Outcome> outcomes_;
  size_t work_pending_ = 0;  // queued or being processed
  bool workers_stop_ = false;
  std::vector<std::thread> workers_;
  size_t work_cap_ = 0;
};

Crawler::Crawler(CrawlerOptions options,
                 std::vector<const SourceAdapter*> adapters,
                 FrontierStore* store, store::Db* db, PageSink* sink)
    : loop_(std::make_unique<Loop>(std::move(options), std::move(adapters),
                                   store, db, sink)) {}

Crawler::~Crawler() = default;

Status Crawler::Run() { return loop_->Run(); }
const CrawlStats& Crawler::stats() const { return loop_->stats(); }

// ---- Worker pool
// --------------------------------------------------------------

void Crawler::Loop::StartWorkers() {
  int n =
      options_.workers > 0
          ? options_.workers
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  work_cap_ = static_cast<size_t>(n) * 4 + 16;
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerMain(); });
}

void Crawler::Loop::StopWorkers() {
  {
    std::lock_guard lock(mu_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void Crawler::Loop::WorkerMain() {
  for (;;) {
    Work w;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return workers_stop_ || !work_.empty(); });
      if (workers_stop_) return;  // unprocessed pages stay queued in the store
      w = std::move(work_.front());
      work_.pop_front();
    }
    Outcome o = Process(std::move(w));
    {
      std::lock_guard lock(mu_);
      outcomes_.push_back(std::move(o));
    }
    if (fetcher_) fetcher_->Wakeup();
  }
}

Crawler::Loop::Outcome Crawler::Loop::Process(Work w) {
  Outcome o;
  o.entry = std::move(w.entry);
  o.http_status = w.result.http_status;
  o.etag = w.result.etag;
  o.last_modified = w.result.last_modified;
  DecodedText text = DecodeToUtf8(w.result.body, w.result.content_type);
  FetchedPage page;
  page.url = o.entry.url;
  page.final_url = o.entry.url;
  page.http_status = w.result.http_status;
  page.content_type = MediaType(w.result.content_type);
  page.body = std::move(text.utf8);
  page.link_header = w.result.link_header;
  page.fetched_at = w.fetched_ms / 1000;
  page.depth = o.entry.depth;
  ExtractResult result = w.adapter->Extract(page);
  o.posts = static_cast<int64_t>(result.posts.size());
  o.problem = result.problem;
  o.problem_detail = result.problem_detail;
  o.sink_status =
      sink_ ? sink_->ConsumeAndCount(*w.adapter, page, result, &o.new_posts)
            : Status::Ok();
  o.links = std::move(result.links);
  o.next_pages = std::move(result.next_pages);
  if (result.link_lastmod.size() == o.links.size()) {
    o.link_lastmod = std::move(result.link_lastmod);
    // A sitemap says when its pages changed: one fetched before that time
    // is fetched again (its stored fetch time moves past the lastmod then,
    // so once per change).
    for (size_t i = 0; i < o.links.size(); ++i) {
      if (o.link_lastmod[i] <= 0) continue;
      StatusOr<std::string> c = CanonicalUrl(o.links[i]);
      if (!c.ok()) continue;
      StatusOr<std::optional<UrlState>> state = store_->GetState(*c);
      if (!state.ok() || !state->has_value()) continue;
      int64_t fetched_ms = (*state)->fetched_ms;
      if (fetched_ms > 0 && o.link_lastmod[i] * 1000 > fetched_ms) {
        o.changed.push_back(std::move(*c));
      }
    }
  }
  return o;
}

// ---- Loop -------------------------------------------------------------------

Status Crawler::Loop::Run() {
  FetcherOptions fo;
  fo.user_agent = options_.crawl.user_agent;
  fo.max_connections = std::max(1, options_.crawl.max_connections);
  fo.per_host_connections = std::max(1, options_.crawl.per_host_connections);
  fo.timeout_ms = options_.crawl.timeout_s * 1000;
  fo.connect_timeout_ms =
      std::min(options_.crawl.connect_timeout_s, options_.crawl.timeout_s) *
      1000;
  fo.stall_timeout_ms = options_.stall_timeout_ms > 0
                            ? options_.stall_timeout_ms
                            : std::min<int64_t>(fo.timeout_ms, 15000);
  fo.max_page_bytes = options_.crawl.max_page_bytes;
  fo.allow_private_addresses = options_.crawl.allow_private_addresses;
  fo.allowed_private_endpoints = options_.allowed_private_endpoints;
  fo.ca_file = options_.crawl.ca_file;
  fo.doh_url = options_.doh_url;
  StatusOr<std::unique_ptr<Fetcher>> fetcher = Fetcher::Create(fo);
  if (!fetcher.ok()) return fetcher.status();
  fetcher_ = std::move(*fetcher);
  fetcher_->set_on_send([this](uint64_t id) {
    auto it = active_.find(id);
    if (it != active_.end()) frontier_.Sent(it->second.host, clock_->NowMs());
  });

  SHAGYM_RETURN_IF_ERROR(frontier_.Load(clock_->NowMs()));
  int64_t now = clock_->NowMs();
  start_ms_ = now;
  // Seeds: queued once; a source with `recrawl` keeps them scheduled.
  for (size_t i = 0; i < adapter_order_.size(); ++i) {
    const SourceAdapter* a = adapter_order_[i];
    std::vector<std::string> urls = a->StartUrls();
    if (!options_.start_urls.empty()) {
      if (i > 0) break;
      urls = options_.start_urls;
    }
    for (const std::string& u : urls) {
      StatusOr<std::string> c = CanonicalUrl(u);
      if (!c.ok()) {
        Log(logger_, LogLevel::kError, "bad_seed",
            {{"source", a->source().id},
             {"url", u},
             {"error", c.status().message()}});
        ++stats_.total.errors["bad_url"];
        continue;
      }
      FrontierEntry e;
      e.url = *c;
      e.source_id = a->source().id;
      e.kind = UrlKind::kSeed;
      e.due_ms = now;
      frontier_.Add(std::move(e), a->source().max_depth, a->source().max_pages,
                    now, &batch_);
    }
  }
  SHAGYM_RETURN_IF_ERROR(Commit());
  StartWorkers();
  Log(logger_, LogLevel::kInfo, "crawl_start",
      {{"sources", adapter_order_.size()},
       {"queued", frontier_.queued()},
       {"seen", frontier_.seen()}});

  int64_t last_progress = now;
  int64_t last_release = now;
  int64_t stop_requested_at = 0;
  Status status;
  // Bounded: each iteration waits at most 200 ms, and the loop ends when the
  // frontier is idle, a limit is reached, or a stop is requested (after
  // which in-flight transfers get at most a few seconds).
  for (;;) {
    now = clock_->NowMs();
    std::deque<Outcome> outcomes;
    {
      std::lock_guard lock(mu_);
      outcomes.swap(outcomes_);
    }
    for (auto& o : outcomes) {
      {
        std::lock_guard lock(mu_);
        --work_pending_;
      }
      HandleOutcome(std::move(o), now);
    }
    bool stop = ShouldStopStarting(now);
    bool at_capacity = !stop && StartTransfers(now);
    status = Commit();
    if (!status.ok()) break;

    size_t pending;
    {
      std::lock_guard lock(mu_);
      pending = work_pending_;
    }
    bool quiet = active_.empty() && pending == 0;
    if (stop && quiet) break;
    if (stop && options_.stop != nullptr && options_.stop->load()) {
      if (stop_requested_at == 0) stop_requested_at = now;
      // In-flight transfers stay queued in the store: a restart fetches
      // them.
      if (now - stop_requested_at > 5000 && pending == 0) break;
    }
    if (quiet && frontier_.queued() == 0) break;
    if (quiet && options_.until_idle &&
        !frontier_.HasDueWork(now, now + options_.idle_retry_horizon_ms)) {
      break;
    }

    // At capacity, ready hosts must wait for a transfer to end or a worker
    // to hand back a page, and both wake the poll: waiting for the frontier
    // instead would spin on a zero timeout and steal the workers' CPU.
    int64_t wait_ms = 200;
    int64_t wake = frontier_.NextWakeMs(now);
    if (!stop && !at_capacity && wake >= 0) {
      wait_ms = std::clamp<int64_t>(wake - now, 0, 200);
    }
    if (stop) wait_ms = 50;
    std::vector<FetchResult> results =
        fetcher_->Poll(std::chrono::milliseconds(wait_ms));
    now = clock_->NowMs();
    for (auto& r : results) HandleResult(std::move(r), now);

    if (options_.release_memory_interval_ms > 0 &&
        now - last_release >= options_.release_memory_interval_ms) {
      // A replaced rule set (hot reload) and flushed memtables are freed
      // amid live memory; without this their pages stay resident.
      last_release = now;
      ReleaseFreeMemory();
    }
    if (options_.on_progress &&
        now - last_progress >= options_.progress_interval_ms) {
      last_progress = now;
      stats_.queued = frontier_.queued();
      stats_.in_flight = active_.size();
      stats_.elapsed_ms = now - start_ms_;
      options_.on_progress(stats_);
    }
  }
  StopWorkers();
  // Outcomes that arrived while stopping are complete pages: keep them.
  now = clock_->NowMs();
  std::deque<Outcome> outcomes;
  {
    std::lock_guard lock(mu_);
    outcomes.swap(outcomes_);
  }
  for (auto& o : outcomes) HandleOutcome(std::move(o), now);
  Status commit = Commit();
  if (status.ok()) status = commit;
  if (sink_ != nullptr) {
    Status flush = sink_->Flush();
    if (status.ok()) status = flush;
  }
  stats_.queued = frontier_.queued();
  stats_.in_flight = active_.size();
  stats_.elapsed_ms = clock_->NowMs() - start_ms_;
  Log(logger_, LogLevel::kInfo, "crawl_end",
      {{"pages", stats_.pages()},
       {"fetched", stats_.total.fetched},
       {"not_modified", stats_.total.not_modified},
       {"errors", stats_.total.http_errors + stats_.total.fetch_errors},
       {"posts", stats_.total.posts},
       {"queued", stats_.queued},
       {"ms", stats_.elapsed_ms}});
  return status;
}

bool Crawler::Loop::ShouldStopStarting(int64_t now) {
  if (options_.stop != nullptr && options_.stop->load()) return true;
  if (options_.duration_ms > 0 && now - start_ms_ >= options_.duration_ms) {
    return true;
  }
  return options_.max_pages > 0 && PagesUnderway() >= options_.max_pages;
}

int64_t Crawler::Loop::PagesUnderway() {
  size_t pending;
  {
    std::lock_guard lock(mu_);
    pending = work_pending_;
  }
  return stats_.pages() + static_cast<int64_t>(active_pages_ + pending);
}

Status Crawler::Loop::Commit() {
  if (Status e = frontier_.TakeStoreError(); !e.ok()) {
    // The entries concerned stay queued in the store for the next run.
    Log(logger_, LogLevel::kError, "frontier_spill_failed",
        {{"error", e.message()}});
  }
  frontier_.TakeCounts(&batch_);
  if (batch_.empty()) return Status::Ok();
  Status s = store_->Commit(batch_);
  batch_ = FrontierBatch();
  if (!s.ok()) {
    Log(logger_, LogLevel::kError, "frontier_commit_failed",
        {{"error", s.message()}});
  }
  return s;
}

bool Crawler::Loop::StartTransfers(int64_t now) {
  const size_t max_conn =
      static_cast<size_t>(std::max(1, options_.crawl.max_connections));
  // Bounded: every iteration pops one entry from the frontier.
  for (;;) {
    if (active_.size() >= max_conn) return true;
    {
      std::lock_guard lock(mu_);
      if (work_pending_ >= work_cap_) return true;  // back-pressure
    }
    if (options_.max_pages > 0 && PagesUnderway() >= options_.max_pages) {
      return true;
    }
    std::optional<FrontierEntry> e = frontier_.Pop(now);
    if (!e) return false;
    std::string host = HostKey(e->url);
    if (SourceOf(e->source_id) == nullptr) {
      // Queued by a source that is no longer configured (or not selected):
      // leave it for a crawl that has it.
      if (options_.start_urls.empty() && adapters_.size() > 0) {
        frontier_.Unpop(std::move(*e));
        frontier_.BlockHost(host, true);  // until this run ends
      }
      continue;
    }
    if (options_.crawl.respect_robots) {
      const RobotsTxt* robots = robots_.Get(host, now);
      if (robots == nullptr) {
        robots_waiting_[host].push_back(std::move(*e));
        frontier_.BlockHost(host, true);
        StartRobots(host, now);
        continue;
      }
      StatusOr<UrlParts> parts = SplitUrl(e->url);
      RobotsDecision d =
          robots->Check(parts.ok() ? parts->path_and_query : "/");
      if (!d.allowed) {
        if (robots->disallows_all() && e->attempts < options_.crawl.retries) {
          // robots.txt failed (5xx, 429, unreachable): try again later.
          ++e->attempts;
          e->due_ms = now + options_.robots_retry_ms;
          frontier_.Reschedule(std::move(*e), &batch_);
          continue;
        }
        ++stats_.total.disallowed;
        ++stats_.sources[e->source_id].disallowed;
        Log(logger_, LogLevel::kDebug, "robots_disallowed",
            {{"url", e->url}, {"rule", d.rule}});
        Done(e->url);
        Report(*e, false, false, 0, "robots_disallowed", 0);
        continue;
      }
    }
    StartPage(std::move(*e), host, now);
  }
}

void Crawler::Loop::StartPage(FrontierEntry e, const std::string& host,
                              int64_t now) {
  FetchRequest req;
  req.id = ++next_id_;
  req.url = e.url;
  std::optional<UrlState> known;
  if (e.kind == UrlKind::kRecrawl) {
    StatusOr<std::optional<UrlState>> state = store_->GetState(e.url);
    if (state.ok() && state->has_value()) {
      known = std::move(**state);
      req.if_none_match = known->etag;
      req.if_modified_since = known->last_modified;
    }
  }
  frontier_.Started(host, now);
  fetcher_->Start(std::move(req));
  active_[next_id_] = Active{false, std::move(e), host, std::move(known)};
  ++active_pages_;
}

void Crawler::Loop::StartRobots(const std::string& host, int64_t now) {
  FetchRequest req;
  req.id = ++next_id_;
  req.url = host + "/robots.txt";
  req.follow_redirects = 5;  // RFC 9309 2.3.1.2
  frontier_.Started(host, now);
  fetcher_->Start(std::move(req));
  Active a;
  a.robots = true;
  a.host = host;
  active_[next_id_] = std::move(a);
  ++stats_.robots_fetches;
}

void Crawler::Loop::HandleRobots(const Active& a, const FetchResult& r,
                                 int64_t now) {
  RobotsFetch f;
  f.answered = r.error == FetchError::kNone;
  f.http_status = r.http_status;
  f.body = r.body;
  f.error = r.error == FetchError::kNone ? "" : FetchErrorName(r.error);
  if (r.error != FetchError::kNone) {
    // No answer at all (DNS, connect, TLS, timeout, private address): the
    // host is unreachable, so are its pages (RFC 9309 2.3.1.4 would
    // disallow them all). They fail with the reason, retried with the
    // usual back-off, and robots.txt is asked again at their next attempt.
    robots_.Put(a.host, f, now);
    Log(logger_, LogLevel::kWarn, "robots_unreachable",
        {{"host", a.host}, {"error", f.error}, {"detail", r.error_detail}});
    auto it = robots_waiting_.find(a.host);
    if (it != robots_waiting_.end()) {
      std::vector<FrontierEntry> waiting = std::move(it->second);
      robots_waiting_.erase(it);
      for (FrontierEntry& e : waiting) {
        NoAnswer(std::move(e), r.error, r.error_detail, now);
      }
    }
    frontier_.BlockHost(a.host, false);
    return;
  }
  bool temporary = RobotsFetchIsTemporaryFailure(f);
  int64_t expires =
      now + (temporary ? options_.robots_retry_ms : options_.robots_ttl_ms);
  const RobotsTxt* robots = robots_.Put(a.host, f, expires);
  int64_t delay = std::min<int64_t>(robots->crawl_delay().count(),
                                    options_.crawl.max_crawl_delay_ms);
  frontier_.SetHostDelay(a.host, delay);
  Log(logger_, LogLevel::kInfo, "robots",
      {{"host", a.host},
       {"status", r.http_status},
       {"error", f.error},
       {"rules", static_cast<long>(robots->rule_count())},
       {"crawl_delay_ms", static_cast<long>(delay)}});
  auto it = robots_waiting_.find(a.host);
  if (it != robots_waiting_.end()) {
    std::vector<FrontierEntry> waiting = std::move(it->second);
    robots_waiting_.erase(it);
    for (auto rit = waiting.rbegin(); rit != waiting.rend(); ++rit) {
      frontier_.Unpop(std::move(*rit));
    }
  }
  frontier_.BlockHost(a.host, false);
}

int64_t Crawler::Loop::Backoff(int attempts) {
  int64_t d = options_.retry_base_ms << std::min(attempts, 16);
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  return static_cast<int64_t>(static_cast<double>(d) * jitter(rng_));
}

void Crawler::Loop::Retry(FrontierEntry e, int64_t delay_ms, int64_t now) {
  ++e.attempts;
  e.due_ms = now + delay_ms;
  ++stats_.retries;
  Log(logger_, LogLevel::kDebug, "retry",
      {{"url", e.url}, {"attempt", e.attempts}, {"in_ms", delay_ms}});
  frontier_.Reschedule(std::move(e), &batch_);
}

void Crawler::Loop::NoAnswer(FrontierEntry e, FetchError error,
                             const std::string& detail, int64_t now) {
  if (IsRetryable(error) && e.attempts < options_.crawl.retries) {
    Retry(std::move(e), Backoff(e.attempts), now);
  } else {
    Fail(std::move(e), FetchErrorName(error), detail, 0, now);
  }
}

void Crawler::Loop::Report(const FrontierEntry& e, bool ok, bool not_modified,
                           int status, const std::string& error,
                           int64_t posts) {
  if (!options_.on_page) return;
  PageFetchReport r;
  r.source = e.source_id;
  r.url = e.url;
  r.ok = ok;
  r.not_modified = not_modified;
  r.http_status = status;
  r.error = error;
  r.posts = posts;
  options_.on_page(r);
}

void Crawler::Loop::Fail(FrontierEntry e, const std::string& kind,
                         const std::string& detail, int http_status,
                         int64_t now) {
  SourceCounters& src = stats_.sources[e.source_id];
  SourceCounters& host = stats_.hosts[HostKey(e.url)];
  for (SourceCounters* c : {&stats_.total, &src, &host}) {
    if (http_status > 0) {
      ++c->http_errors;
    } else {
      ++c->fetch_errors;
    }
    ++c->errors[kind];
    c->last_error = kind + ": " + detail;
  }
  Log(logger_, LogLevel::kWarn, "fetch_failed",
      {{"source", e.source_id},
       {"url", e.url},
       {"error", kind},
       {"detail", detail}});
  Report(e, false, false, http_status, kind, 0);
  if (http_status > 0) {
    UrlState state;
    state.fetched_ms = now;
    state.http_status = http_status;
    batch_.State(e.url, state);
  }
  // A seed of a recrawled source is tried again at its next recrawl.
  bool keep = e.kind == UrlKind::kSeed || e.kind == UrlKind::kRecrawl;
  Finish(std::move(e), keep, now);
}

void Crawler::Loop::Finish(FrontierEntry e, bool keep_recrawling, int64_t now) {
  int64_t recrawl = RecrawlMs(e.source_id);
  // A page its sitemap dates is fetched again when the sitemap says it
  // changed, not on the timer.
  if (e.sitemap_lastmod && e.kind != UrlKind::kSeed) keep_recrawling = false;
  if (recrawl > 0 && keep_recrawling) {
    e.kind = UrlKind::kRecrawl;
    e.attempts = 0;
    e.due_ms = now + recrawl;
    frontier_.Reschedule(std::move(e), &batch_);
    return;
  }
  Done(e.url);
}

void Crawler::Loop::HandleResult(FetchResult r, int64_t now) {
  auto it = active_.find(r.id);
  if (it == active_.end()) return;
  Active a = std::move(it->second);
  active_.erase(it);
  frontier_.Finished(a.host);
  if (a.robots) {
    HandleRobots(a, r, now);
    return;
  }
  --active_pages_;
  FrontierEntry e = std::move(a.entry);
  for (SourceCounters* c :
       {&stats_.total, &stats_.sources[e.source_id], &stats_.hosts[a.host]}) {
    c->bytes += r.wire_bytes;
    c->latency_ms_total += r.elapsed_ms;
  }
  const int retries = options_.crawl.retries;
  if (r.error != FetchError::kNone) {
    NoAnswer(std::move(e), r.error, r.error_detail, now);
    return;
  }
  int status = r.http_status;
  Log(logger_, LogLevel::kDebug, "fetch_done",
      {{"url", e.url},
       {"status", status},
       {"ms", r.elapsed_ms},
       {"bytes", r.wire_bytes}});
  if (status == 429 || status == 503) {
    int64_t ra = ParseRetryAfterSeconds(r.retry_after, now / 1000);
    int64_t delay = ra >= 0 ? std::min(ra * 1000, options_.max_retry_after_ms)
                            : Backoff(e.attempts);
    // The whole host waits (SPEC: Retry-After pushes back the host), also
    // after a restart.
    frontier_.PushBackHost(a.host, now + delay, &batch_);
    if (e.attempts < retries) {
      Retry(std::move(e), delay, now);
    } else {
      Fail(std::move(e), "http_" + std::to_string(status),
           "gave up after " + std::to_string(retries) + " retries", status,
           now);
    }
    return;
  }
  if (status >= 500) {
    if (e.attempts < retries) {
      Retry(std::move(e), Backoff(e.attempts), now);
    } else {
      Fail(std::move(e), "http_" + std::to_string(status),
           "gave up after " + std::to_string(retries) + " retries", status,
           now);
    }
    return;
  }
  if (IsRedirect(status) && !r.location.empty()) {
    StatusOr<std::string> target = ResolveUrl(e.url, r.location);
    if (!target.ok()) {
      Fail(std::move(e), "bad_redirect",
           r.location + ": " + target.status().message(), status, now);
      return;
    }
    if (e.redirects >= options_.crawl.max_redirects) {
      Fail(std::move(e), "too_many_redirects",
           "more than " + std::to_string(options_.crawl.max_redirects) +
               " redirects, last to " + *target,
           status, now);
      return;
    }
    ++stats_.redirects;
    FrontierEntry t = e;
    t.url = *target;
    t.kind = UrlKind::kRedirect;
    t.redirects = e.redirects + 1;
    t.attempts = 0;
    t.due_ms = now;
    const SourceConfig* src = SourceOf(e.source_id);
    // The target is checked against its own host's robots.txt when popped.
    AddResult added = frontier_.Add(std::move(t), src ? src->max_depth : -1,
                                    src ? src->max_pages : 0, now, &batch_);
    Log(logger_, LogLevel::kDebug, "redirect",
        {{"from", e.url}, {"to", *target}, {"queued", AddResultName(added)}});
    UrlState state;
    state.fetched_ms = now;
    state.http_status = status;
    batch_.State(e.url, state);
    Report(e, true, false, status, "", 0);
    bool keep = e.kind == UrlKind::kSeed || e.kind == UrlKind::kRecrawl;
    Finish(std::move(e), keep, now);
    return;
  }
  if (status == 304) {
    for (SourceCounters* c :
         {&stats_.total, &stats_.sources[e.source_id], &stats_.hosts[a.host]}) {
      ++c->not_modified;
    }
    // Checked now: the fetch time moves on (a sitemap lastmod older than it
    // is no change), the validators stay unless the answer brought new ones.
    UrlState state = a.state.value_or(UrlState{});
    state.fetched_ms = now;
    if (!r.etag.empty()) state.etag = r.etag;
    if (!r.last_modified.empty()) state.last_modified = r.last_modified;
    if (state.http_status == 0) state.http_status = 200;
    batch_.State(e.url, state);
    Report(e, true, true, status, "", 0);
    Finish(std::move(e), true, now);
    return;
  }
  if (status >= 200 && status < 300) {
    auto ad = adapters_.find(e.source_id);
    Work w{std::move(e), std::move(r), ad->second, now};
    {
      std::lock_guard lock(mu_);
      work_.push_back(std::move(w));
      ++work_pending_;
    }
    work_cv_.notify_one();
    return;
  }
  Fail(std::move(e), "http_" + std::to_string(status),
       "HTTP " + std::to_string(status), status, now);
}

void Crawler::Loop::AddUrl(const std::string& raw, const FrontierEntry& parent,
                           UrlKind kind, int depth, int64_t now,
                           bool sitemap_lastmod) {
  StatusOr<std::string> c = CanonicalUrl(raw);
  if (!c.ok()) {
    ++stats_.rejected;
    return;
  }
  FrontierEntry e;
  e.url = *c;
  e.source_id = parent.source_id;
  e.kind = kind;
  e.depth = depth;
  e.due_ms = now;
  e.sitemap_lastmod = sitemap_lastmod;
  const SourceConfig* src = SourceOf(parent.source_id);
  AddResult r = frontier_.Add(std::move(e), src ? src->max_depth : -1,
                              src ? src->max_pages : 0, now, &batch_);
  if (r != AddResult::kAdded) {
    ++stats_.rejected;
    if (r == AddResult::kTrap) {
      Log(logger_, LogLevel::kDebug, "trap",
          {{"url", *c}, {"why", frontier_.last_reject_detail()}});
    }
  }
}

void Crawler::Loop::HandleOutcome(Outcome o, int64_t now) {
  FrontierEntry& e = o.entry;
  for (SourceCounters* c : {&stats_.total, &stats_.sources[e.source_id],
                            &stats_.hosts[HostKey(e.url)]}) {
    ++c->fetched;
    c->posts += o.posts;
  }
  if (!o.sink_status.ok()) {
    ++stats_.sink_errors;
    Log(logger_, LogLevel::kError, "sink_failed",
        {{"url", e.url}, {"error", o.sink_status.message()}});
  }
  if (o.problem != PageProblem::kNone) {
    Log(logger_, LogLevel::kWarn, "page_problem",
        {{"source", e.source_id},
         {"url", e.url},
         {"detail", o.problem_detail}});
  }
  UrlState state;
  state.etag = o.etag;
  state.last_modified = o.last_modified;
  state.fetched_ms = now;
  state.http_status = o.http_status;
  batch_.State(e.url, state);
  Report(e, true, false, o.http_status, "", o.posts);
  const SourceConfig* src = SourceOf(e.source_id);
  const SourceType src_type = src ? src->type : SourceType::kHtml;
  if (options_.follow) {
    for (size_t i = 0; i < o.links.size(); ++i) {
      bool dated = i < o.link_lastmod.size() && o.link_lastmod[i] > 0;
      AddUrl(o.links[i], e, UrlKind::kLink, e.depth + 1, now, dated);
    }
    for (const std::string& url : o.changed) {
      if (!frontier_.IsSeen(url)) continue;  // queued just above
      FrontierEntry r;
      r.url = url;
      r.source_id = e.source_id;
      r.kind = UrlKind::kRecrawl;
      r.depth = e.depth + 1;
      r.due_ms = now;
      r.sitemap_lastmod = true;
      bool pending = frontier_.IsPending(url);
      frontier_.Refresh(std::move(r), &batch_);
      if (!pending) ++stats_.lastmod_refetches;
      Log(logger_, LogLevel::kDebug, "sitemap_changed",
          {{"source", e.source_id}, {"url", url}, {"already_queued", pending}});
    }
    // Telegram `?before=` and JSON timelines page back in time: once a page
    // brings no post the store did not have, older pages were crawled
    // before (issue 4: "older pages until max_pages or already-seen ids").
    bool pages_back =
        src_type == SourceType::kTelegram || src_type == SourceType::kJson;
    if (pages_back && o.posts > 0 && o.new_posts == 0 &&
        !o.next_pages.empty()) {
      ++stats_.paging_stopped;
      Log(logger_, LogLevel::kDebug, "paging_stopped",
          {{"source", e.source_id}, {"url", e.url}, {"why", "no new posts"}});
      o.next_pages.clear();
    }
    for (const std::string& n : o.next_pages) {
      AddUrl(n, e, UrlKind::kNextPage, e.depth, now);
    }
  }
  // SPEC: recrawl applies to seeds and to every page that yielded posts or
  // pagination, and to sitemaps (which date their pages).
  bool keep = e.kind == UrlKind::kSeed || o.posts > 0 ||
              !o.next_pages.empty() || !o.link_lastmod.empty();
  Finish(std::move(e), keep, now);
}

}  // namespace shagym::crawler
