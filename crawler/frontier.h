#pragma once

// The crawl frontier: which URL to fetch next, when, and what was seen.
//
// Two parts. FrontierStore is the persistent side behind a small interface
// (RocksDB here, Cf::kFrontier and Cf::kSeen; another engine later): every
// queued URL is written before it can be fetched and removed only after its
// page was processed, so a killed crawl resumes with nothing lost and no
// completed URL fetched again. Frontier is the in-memory schedule over it:
// one queue per host (scheme+host+port), politeness (in-flight limit and
// least delay between request starts), priorities, due times for recrawls
// and retries, trap protection and the seen set.
//
// Memory does not grow with the site: of each host's queue only a window
// (FrontierOptions::host_window entries, the first ones in fetch order) is
// held in memory; the rest waits in the store's spill area, in order, and
// is read back a window at a time as the host's window runs low. The spill
// area is a copy of part of the queue, not the queue itself: Load() drops
// it and rebuilds it from the queued entries, so a kill between a spill and
// the queue write loses nothing.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "crawler/hash_set.h"

namespace shagym::store {
class Db;
}

namespace shagym::crawler {

// Why a URL is in the frontier; decides its priority.
enum class UrlKind : uint8_t {
  kSeed = 0,      // a source's start URL
  kNextPage = 1,  // pagination
  kRedirect = 2,  // the target of a redirect
  kLink = 3,      // a followed link
  kRecrawl = 4,   // a scheduled revisit
};

struct FrontierEntry {
  std::string url;  // canonical
  std::string source_id;
  UrlKind kind = UrlKind::kSeed;
  int depth = 0;
  int64_t due_ms = 0;  // not before (Unix ms)
  int attempts = 0;    // failed attempts so far
  int redirects = 0;   // redirect hops that led here
  // The page this one was found on was recrawled; keeps recrawl alive for
  // pages that yielded posts.
  bool recrawl = false;
  // A sitemap gave this URL's last-modified time: it is fetched again when
  // the sitemap says it changed, not on the source's recrawl timer.
  bool sitemap_lastmod = false;
};

// Fetch state of a URL, for conditional GET on recrawl.
struct UrlState {
  std::string etag;
  std::string last_modified;
  int64_t fetched_ms = 0;
  int http_status = 0;
};

// One atomic change of the persistent frontier: operations applied in the
// order they were recorded (a URL done and then queued again stays queued).
struct FrontierBatch {
  enum class Op : uint8_t {
    kQueue,
    kSeen,
    kDone,
    kState,
    kHostPages,
    kSourcePages,
    kHostPause
  };
  struct Item {
    Op op;
    FrontierEntry entry;  // kQueue; entry.url for the others
    UrlState state;       // kState
    int64_t count;        // kHostPages (entry.url = host key), kSourcePages
                          // (entry.source_id), kHostPause (Unix ms)
  };
  std::vector<Item> items;

  void Queue(const FrontierEntry& e) {
    items.push_back({Op::kQueue, e, {}, 0});
  }
  void Seen(const std::string& url) {
    items.push_back({Op::kSeen, Url(url), {}, 0});
  }
  void Done(const std::string& url) {
    items.push_back({Op::kDone, Url(url), {}, 0});
  }
  void State(const std::string& url, const UrlState& s) {
    items.push_back({Op::kState, Url(url), s, 0});
  }
  // URLs ever queued for a host / a source (trap limits survive restarts).
  void HostPages(const std::string& host, int64_t n) {
    items.push_back({Op::kHostPages, Url(host), {}, n});
  }
  void SourcePages(const std::string& source, int64_t n) {
    FrontierEntry e;
    e.source_id = source;
    items.push_back({Op::kSourcePages, std::move(e), {}, n});
  }
  // Nothing starts on `host` before `until_ms` (Retry-After), also after a
  // restart.
  void HostPause(const std::string& host, int64_t until_ms) {
    items.push_back({Op::kHostPause, Url(host), {}, until_ms});
  }
  bool empty() const { return items.empty(); }

 private:
  static FrontierEntry Url(const std::string& url) {
    FrontierEntry e;
    e.url = url;
    return e;
  }
};

// One entry of a host's queue kept out of memory, with its place in the
// host's order (kind first, then `seq`).
struct SpilledEntry {
  std::string host;  // HostKey
  uint8_t kind = 0;  // UrlKind
  uint64_t seq = 0;
  FrontierEntry entry;
};

// Persistent frontier. Implementations must be thread-safe.
class FrontierStore {
 public:
  virtual ~FrontierStore() = default;
  // Spill area (see the file comment): adds `items`.
  virtual Status Spill(const std::vector<SpilledEntry>& items) = 0;
  // Removes and returns the first `max` spilled entries of `host`, in
  // order (kind, then seq).
  virtual StatusOr<std::vector<SpilledEntry>> Unspill(const std::string& host,
                                                      size_t max) = 0;
  // Empties the spill area (the queue itself is untouched).
  virtual Status ClearSpill() = 0;
  // Everything queued and not done, in no particular order.
  virtual Status LoadQueue(const std::function<void(FrontierEntry)>& each) = 0;
  // The hash (UrlHash) of every URL ever seen.
  virtual Status LoadSeen(const std::function<void(uint64_t)>& each) = 0;
  // The last recorded page counts: `host` true for a host key, false for a
  // source id.
  virtual Status LoadCounts(
      const std::function<void(bool host, const std::string& key, int64_t n)>&
          each) = 0;
  // The last recorded Retry-After pause (Unix ms) of every host that had
  // one, also past ones.
  virtual Status LoadPauses(
      const std::function<void(const std::string& host, int64_t until_ms)>&
          each) = 0;
  // Applies `batch` atomically, in order.
  virtual Status Commit(const FrontierBatch& batch) = 0;
  // The last fetch state of `url`; nullopt when none.
  virtual StatusOr<std::optional<UrlState>> GetState(
      const std::string& url) = 0;
};

// RocksDB-backed store on Cf::kFrontier and Cf::kSeen. `db` must outlive it.
std::unique_ptr<FrontierStore> NewRocksFrontierStore(store::Db* db);
// In memory, for one-off fetches and tests.
std::unique_ptr<FrontierStore> NewMemoryFrontierStore();

// Stable 64-bit hash of a canonical URL (the seen-set key).
uint64_t UrlHash(std::string_view url);

struct FrontierOptions {
  int per_host_connections = 2;
  int64_t per_host_delay_ms = 1000;
  int max_depth = 5;                    // unless the source sets its own
  int64_t max_pages_per_host = 100000;  // URLs queued per host, at most
  size_t max_url_bytes = 2048;
  // A path segment repeated this often is a trap ("/a/b/a/b/a/b").
  int max_segment_repeats = 3;
  int max_path_segments = 32;
  // Date-like URL parts further than this many years in the future are
  // calendar traps ("/calendar/2097/01").
  int max_future_years = 1;
  // Entries of one host's queue held in memory at most (the rest waits in
  // the store, see the file comment); at least 2.
  size_t host_window = 512;
};

// Why Add() did not queue a URL.
enum class AddResult {
  kAdded,
  kSeen,
  kTooDeep,
  kHostFull,
  kSourceFull,
  kTrap,
  kTooLong,
};
const char* AddResultName(AddResult r);

// In-memory schedule. Not thread-safe: owned by the fetch loop.
class Frontier {
 public:
  // `store` must outlive the frontier.
  Frontier(const FrontierOptions& options, FrontierStore* store);

  // Reads the persisted queue, seen set and page counts (after a restart);
  // entries due by `now_ms` go straight to their host's queue (and window).
  Status Load(int64_t now_ms = 0);

  // Queues a new URL unless seen or a trap; records the change in `batch`
  // (the host's and source's page counts only with TakeCounts()).
  // `max_depth` < 0 uses the options'; `max_pages` > 0 caps the source.
  AddResult Add(FrontierEntry entry, int max_depth, int64_t max_pages,
                int64_t now_ms, FrontierBatch* batch);
  // Queues a seen URL again (retry, recrawl, robots wait) at entry.due_ms;
  // persisted when `batch` is not null.
  void Reschedule(FrontierEntry entry, FrontierBatch* batch);

  // An entry whose host may start a request now, or nullopt. Politeness
  // state does not change until Started().
  std::optional<FrontierEntry> Pop(int64_t now_ms);
  // Puts a popped entry back at the head of its host queue (not persisted:
  // it still is).
  void Unpop(FrontierEntry entry);
  // `url` left the frontier for good (done, disallowed, failed): it is no
  // longer queued or in flight.
  void Release(const std::string& url);
  // Schedules a seen URL again because its content changed (a sitemap's
  // lastmod), at entry.due_ms, unless it is queued or in flight already; a
  // later scheduled recrawl of it is brought forward instead. Persisted in
  // `batch`. True when the URL will now be fetched by entry.due_ms.
  bool Refresh(FrontierEntry entry, FrontierBatch* batch);
  // True while `url` is queued (also as a scheduled recrawl) or in flight.
  bool IsPending(std::string_view url) const;

  // A request to `host` starts (page or robots.txt): counts it in flight and
  // sets the earliest next start.
  void Started(const std::string& host, int64_t now_ms);
  // The request was sent on its connection: politeness counts from here.
  void Sent(const std::string& host, int64_t now_ms);
  void Finished(const std::string& host);
  // Least delay between request starts for `host` (robots crawl-delay).
  void SetHostDelay(const std::string& host, int64_t delay_ms);
  // Nothing starts on `host` before `until_ms` (Retry-After); persisted in
  // `batch` when not null, so a restart waits too.
  void PushBackHost(const std::string& host, int64_t until_ms,
                    FrontierBatch* batch = nullptr);
  // When `host` may start its next request (Unix ms; 0 = any time).
  int64_t host_next_allowed_ms(const std::string& host) const;
  // A blocked host gives nothing (robots.txt is being fetched).
  void BlockHost(const std::string& host, bool blocked);

  // Records the page counts changed since the last call in `batch`, so the
  // per-host and per-source limits hold across restarts.
  void TakeCounts(FrontierBatch* batch);

  // Earliest time something may become ready (for the loop's wait); -1 when
  // nothing is queued.
  int64_t NextWakeMs(int64_t now_ms) const;
  // True when something is due by `now_ms` (ignoring politeness waits), or
  // a retry is due before `horizon_ms`. Recrawls later than now don't count.
  bool HasDueWork(int64_t now_ms, int64_t horizon_ms) const;
  size_t queued() const { return queued_; }
  // URLs ever queued for `host` (a HostKey) / for `source`.
  int64_t host_pages(const std::string& host) const;
  int64_t source_pages(const std::string& source) const;
  size_t seen() const { return seen_.size(); }
  bool IsSeen(std::string_view url) const;
  const std::string& last_reject_detail() const { return reject_detail_; }
  // Entries of `host`'s queue held in memory / waiting in the spill area.
  size_t in_memory(const std::string& host) const;
  size_t spilled(const std::string& host) const;
  // The first spill-area error since the last call (the entries concerned
  // stay queued in the store for the next run); OK when none.
  Status TakeStoreError();

 private:
  struct Queued {
    uint64_t seq;
    FrontierEntry entry;
  };
  struct Host {
    std::string key;
    std::deque<Queued> queue[5];  // by UrlKind; a prefix of the host's order
    size_t in_memory = 0;         // sum of the queues' sizes
    size_t spilled = 0;           // entries in the store's spill area
    int in_flight = 0;
    int64_t next_allowed_ms = 0;
    int64_t delay_ms = 0;
    bool blocked = false;
    int64_t pages = 0;
    bool Empty() const { return in_memory == 0 && spilled == 0; }
  };
  struct Timer {
    int64_t due_ms;
    uint64_t seq;
    bool retry;
    bool operator>(const Timer& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq;
    }
  };
  struct Ready {
    int64_t at_ms;
    size_t host;
    bool operator>(const Ready& o) const {
      return at_ms != o.at_ms ? at_ms > o.at_ms : host > o.host;
    }
  };

  size_t HostIndex(const std::string& key);
  void Enqueue(FrontierEntry entry, bool front);
  // Moves the last entry of host `hi`'s window to the spill buffer.
  void SpillLast(size_t hi);
  void AddToSpill(size_t hi, uint64_t seq, FrontierEntry entry);
  // Writes the spill buffer to the store; on failure the entries go back
  // into memory.
  void FlushSpill();
  // Reads spilled entries of host `hi` back until its window is full.
  void Refill(size_t hi);
  void NoteError(const Status& s);
  void MarkReady(size_t host);
  void PromoteTimers(int64_t now_ms);
  bool Eligible(const Host& h) const;
  std::string TrapReason(const FrontierEntry& e, int64_t now_ms) const;

  FrontierOptions options_;
  FrontierStore* store_;
  std::vector<Host> hosts_;
  std::unordered_map<std::string, size_t> host_index_;
  HashSet64 seen_;  // URL hashes
  std::unordered_map<std::string, int64_t> source_pages_;
  std::unordered_set<size_t> dirty_hosts_;
  std::unordered_set<std::string> dirty_sources_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<uint64_t, FrontierEntry> timer_entries_;
  // URL hash of every URL queued or in flight.
  HashSet64 pending_;
  // URL hash -> timer seq of the pending URLs waiting on a timer (the others
  // are in a host queue or in flight).
  std::unordered_map<uint64_t, uint64_t> pending_timer_;
  uint64_t timer_seq_ = 0;
  std::multiset<int64_t> retry_dues_;  // due times of non-recrawl timers
  std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready_;
  size_t queued_ = 0;
  std::string reject_detail_;
  // Order within a host's kind: appended entries count up from the middle,
  // entries put back at the front count down from it.
  uint64_t back_seq_ = uint64_t{1} << 62;
  uint64_t front_seq_ = uint64_t{1} << 62;
  std::vector<SpilledEntry> spill_buffer_;
  std::vector<size_t> spill_hosts_;  // host index of each buffered entry
  Status store_error_;
};

}  // namespace shagym::crawler
