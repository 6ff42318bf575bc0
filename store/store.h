#pragma once

// The shagym store: posts, labels, incidents, trend counters, reviews and
// source health on one RocksDB (store/db.h). Thread-safe: one Store is shared
// by every thread of the process (crawler, server, commands).
//
//   auto store = store::Store::Open(config.store);
//   if (!store.ok()) return store.status();
//   (*store)->Ingest(post);
//   store::TrendQuery q;
//   q.from = ParseIso8601("2024-05-01").value();
//   q.to = ParseIso8601("2024-06-01").value();
//   auto table = (*store)->Trends(q);
//
// A post's time is `published_at`, or `fetched_at` when that is 0. Time
// ranges are half-open [from, to) in Unix seconds UTC; buckets are UTC days,
// ISO weeks (Monday first) and calendar months.
//
// Counters are written in the same WriteBatch as the labels they count, so
// after any crash the counters equal a recount from the labels (Check()).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/post.h"
#include "common/status.h"
#include "store/db.h"
#include "store/store_options.h"

namespace shagym::store {

class Store;
namespace internal {
void SetRetentionHookForTesting(Store* store, std::function<void()> hook);
void SetEvidenceSweepHookForTesting(Store* store, std::function<void()> hook);
}  // namespace internal

// Review statuses of SPEC.md: "new", "confirmed", "false_positive",
// "escalated", "resolved".
bool IsReviewStatus(std::string_view status);
const std::vector<std::string>& ReviewStatuses();

// The time a post is filed under: published_at, else fetched_at.
int64_t PostTime(const Post& post);

struct IngestResult {
  bool inserted = false;    // the id was not stored before
  bool changed = false;     // stored record or labels changed (false: no-op)
  std::string incident_id;  // incident the post was linked to
};

// Filters of QueryPosts / ForEachPost / export. Empty strings match all.
struct PostQuery {
  int64_t from = 0;      // post time >= from. Default: 0.
  int64_t to = 0;        // post time < to; 0 = no upper bound. Default: 0.
  std::string category;  // one category id; "*" = any complaint
  std::string region;
  std::string lang;
  std::string source;
  std::string review;    // review status
  std::string school;    // school number, e.g. "12"
  std::string severity;  // high, medium, low, none
  // Incidents only / duplicates folded: skip posts whose duplicate_of is set.
  // Default: false.
  bool originals_only = false;
  // Skip posts without categories. Default: false.
  bool complaints_only = false;
  // QueryPosts: page size, capped at 1000. Default: 50.
  size_t limit = 50;
  // QueryPosts: PostPage::next_cursor of the previous page; "" = first page.
  std::string cursor;
};

struct PostPage {
  std::vector<Post> posts;  // newest first
  std::string next_cursor;  // "" when there is no further page
};

// An incident: a post and its reposts/rewrites.
struct Incident {
  std::string id;
  std::string first_post;            // the original (earliest member)
  std::string first_source;          // its source
  int64_t first_seen = 0;            // its post time
  int64_t size = 0;                  // number of member posts
  std::vector<std::string> sources;  // distinct, in order of first appearance
  // Member post ids: the original (duplicate_of null) first, then oldest
  // first.
  std::vector<std::string> members;
};

enum class Bucket { kDay, kWeek, kMonth };
// "day", "week", "month"; ParseBucket returns nullopt otherwise.
std::string_view BucketName(Bucket bucket);
std::optional<Bucket> ParseBucket(std::string_view name);

struct TrendQuery {
  int64_t from = 0;  // REQUIRES: from < to. Rounded down to a UTC day.
  int64_t to = 0;    // exclusive; rounded up to a UTC day.
  Bucket bucket = Bucket::kDay;
  std::string category;  // "" = any complaint (each post counted once)
  std::string region;    // "" = all regions
  std::string lang;      // "" = all
  std::string source;    // "" = all
  // One series per category (and/or region) instead of one total series.
  // Default: false.
  bool by_category = false;
  bool by_region = false;
};

struct TrendRow {
  int64_t bucket_start = 0;  // Unix seconds of the bucket's first day
  std::string bucket;        // "2024-05-13", "2024-W20", "2024-05"
  std::string category;      // series key ("" when not split by category)
  std::string region;        // series key ("" when not split by region)
  int64_t incidents = 0;     // unique incidents first seen in the bucket
  int64_t volume = 0;        // posts in the bucket
  // Against the bucket before (which may lie before `from`); nullopt when
  // that one is 0.
  std::optional<double> incidents_change_pct;
  std::optional<double> volume_change_pct;
};

struct TrendTotal {
  std::string category;
  std::string region;
  int64_t incidents = 0;
  int64_t volume = 0;
  // The period of the same length just before `from`.
  int64_t previous_incidents = 0;
  int64_t previous_volume = 0;
  std::optional<double> incidents_change_pct;
  std::optional<double> volume_change_pct;
};

struct TrendTable {
  Bucket bucket = Bucket::kDay;
  int64_t from = 0;
  int64_t to = 0;
  std::vector<TrendRow> rows;      // by series, then by bucket; every bucket
  std::vector<TrendTotal> totals;  // one per series
};

// "+3.8%", "-12.0%", "0.0%"; "n/a" for nullopt.
std::string FormatChange(std::optional<double> pct);

struct SpikeQuery {
  int64_t from = 0;  // days to test, [from, to)
  int64_t to = 0;
  std::string category;  // "" = every category
  std::string region;    // "" = every region
  // A day needs at least this many incidents to be flagged. Default: 5.
  int64_t min_count = 5;
  // Poisson upper-tail probability below which a day is flagged.
  // Default: 0.001.
  double max_p_value = 0.001;
  // Days before each tested day that form its baseline. Default: 28.
  int baseline_days = 28;
};

struct Spike {
  int64_t day = 0;   // Unix seconds of the UTC day
  std::string date;  // "2024-05-13"
  std::string category;
  std::string region;     // "" = unknown region
  int64_t incidents = 0;  // what was tested
  int64_t volume = 0;
  double expected = 0;  // baseline × weekday factor × coverage
  double coverage = 1;  // share of the baseline's sources healthy that day
  double p_value = 1;
  std::vector<std::pair<std::string, int64_t>> terms;    // matched words
  std::vector<std::pair<std::string, int64_t>> sources;  // by post count
  std::vector<std::pair<std::string, int64_t>> schools;
};

struct ReviewEvent {
  int64_t at_ms = 0;
  std::string user;
  std::string from;  // previous status
  std::string to;
  std::string note;
};

// Per-rule counts for the rules dashboard.
struct RuleStats {
  std::string rule;
  int64_t hits = 0;  // stored posts the rule matched (current labels)
  int64_t confirmed = 0;
  int64_t false_positive = 0;
  // confirmed / (confirmed + false_positive); nullopt when both are 0.
  std::optional<double> precision;
};

// One fetch attempt of a source, as the crawler saw it.
struct FetchOutcome {
  std::string source;
  int64_t at = 0;             // Unix seconds; 0 = the store's clock
  bool ok = false;            // an answer that was usable (2xx or 304)
  bool not_modified = false;  // 304 on a conditional GET
  int http_status = 0;        // 0 when there was no answer
  std::string error;          // short reason when !ok
  int64_t posts = 0;          // posts extracted
};

struct SourceHealth {
  std::string source;
  int64_t last_attempt = 0;  // Unix seconds; 0 = never
  int64_t last_success = 0;
  int64_t last_error_at = 0;
  std::string last_error;
  int64_t consecutive_failures = 0;
  bool disabled = false;
  std::string disabled_reason;
  // Over the last 7 days (UTC days, today included).
  int64_t fetches_7d = 0;
  double error_rate_7d = 0;         // errors / fetches
  double not_modified_rate_7d = 0;  // 304s / fetches
  int64_t posts_7d = 0;             // posts stored with this source
};

struct RetentionReport {
  int64_t cutoff = 0;  // posts with time < cutoff were removed
  int64_t posts_removed = 0;
  int64_t pages_removed = 0;  // evidence pages no remaining post refers to
  // Pages no stored post referred to before this run (their ingest failed
  // or never came), last stored more than kEvidenceGraceSeconds ago.
  int64_t unreferenced_pages_removed = 0;
};

struct CheckReport {
  int64_t posts = 0;
  int64_t complaints = 0;  // posts with at least one category
  int64_t originals = 0;   // posts without duplicate_of (= incidents)
  int64_t counters_checked = 0;
  int64_t counter_mismatches = 0;
  int64_t index_mismatches = 0;       // time index entries vs posts
  std::vector<std::string> problems;  // first few, one line each
  bool ok() const { return counter_mismatches == 0 && index_mismatches == 0; }
};

struct ReclassifyReport {
  int64_t posts = 0;    // posts looked at
  int64_t changed = 0;  // posts whose labels changed
};

class Store {
 public:
  // Opens (creating when missing) the store under options.data_dir ("/db").
  // Checks the schema version and runs migrations. `clock` must outlive the
  // store; it dates reviews, fetch outcomes and retention.
  static StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options,
                                               Clock* clock = SystemClock());
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The underlying RocksDB, for column families other modules own (frontier,
  // seen, robots, evidence, users, sessions). Never null.
  Db* db() const { return db_.get(); }
  const StoreOptions& options() const { return options_; }

  // Current on-disk schema version.
  static constexpr int kSchemaVersion = 3;

  // ---- Posts -------------------------------------------------------------

  // Stores a post with its labels, its incident link and its trend deltas in
  // one WriteBatch. Re-ingesting an id replaces the record and moves counters
  // only by the difference (the same post twice counts once); an existing
  // review status, evidence page (the post as first seen) and duplicate
  // link are kept. duplicate_of is resolved to the story's earliest post;
  // when the post was published before that one, it becomes the story's
  // first: the others (the former first included) then name it, and the
  // incident's unique count moves to its day. When
  // incident_id is empty it is taken from duplicate_of's incident, else the
  // post starts its own incident. REQUIRES: !post.id.empty() (else
  // InvalidArgument).
  StatusOr<IngestResult> Ingest(const Post& post);
  // Same for many posts, all in one WriteBatch (faster; atomic).
  StatusOr<std::vector<IngestResult>> IngestBatch(std::span<const Post> posts);

  // The stored post (labels, review, incident included); nullopt when absent.
  StatusOr<std::optional<Post>> GetPost(const std::string& id);

  // A page of posts matching `query`, newest first, read from the time
  // index alone (it holds the records).
  StatusOr<PostPage> QueryPosts(const PostQuery& query);

  // Calls `fn` for every post matching `query` (limit and cursor ignored),
  // oldest first, in constant memory. Stops at the first non-OK status from
  // `fn` and returns it. Posts written meanwhile may or may not be seen.
  Status ForEachPost(const PostQuery& query,
                     const std::function<Status(const Post&)>& fn);

  // Number of posts matching `query` (limit and cursor ignored).
  StatusOr<int64_t> CountPosts(const PostQuery& query);

  // The incident `incident_id` (members read from the store); nullopt when
  // unknown.
  StatusOr<std::optional<Incident>> GetIncident(const std::string& incident_id);

  // ---- Labels ------------------------------------------------------------

  // Replaces a post's labels and moves every counter by the difference, in
  // one WriteBatch. No-op when equal. NotFound when the post is absent.
  Status Relabel(const std::string& id, const Labels& labels);

  // Re-labels every post matching `query` with `classify` (posts whose
  // labels are unchanged are not written). Killed half-way it leaves
  // counters consistent; running it again finishes the job. `progress`
  // (optional) is called every so often with the posts seen so far.
  StatusOr<ReclassifyReport> Reclassify(
      const PostQuery& query,
      const std::function<StatusOr<Labels>(const Post&)>& classify,
      const std::function<void(int64_t)>& progress = nullptr);

  // ---- Trends ------------------------------------------------------------

  // Counts per bucket, unique incidents and volume side by side, with the
  // change against the bucket before and against the previous period.
  // InvalidArgument for an empty or inverted range.
  StatusOr<TrendTable> Trends(const TrendQuery& query);

  // Days in [from, to) whose incidents per (category, region) are far above
  // their baseline (Poisson upper tail against the mean of the baseline
  // days, scaled by a weekday factor and by the share of sources that were
  // healthy that day), with the terms, sources and schools that drove them.
  // Weekday factors are the series' own weekly rhythm, its category's (all
  // regions) when the series has under 50 incidents of history, all posts'
  // when the category has too.
  // Sorted by day, then p-value.
  StatusOr<std::vector<Spike>> Spikes(const SpikeQuery& query);

  // ---- Reviews -----------------------------------------------------------

  // Sets a post's review status and appends to its history; moves the
  // per-rule precision counters. InvalidArgument for an unknown status,
  // NotFound for an unknown post. Same status again only adds history.
  Status SetReview(const std::string& id, const std::string& status,
                   const std::string& user, const std::string& note);
  // Oldest first; empty for a never-reviewed post.
  StatusOr<std::vector<ReviewEvent>> ReviewHistory(const std::string& id);
  // Every rule that ever hit a stored post, sorted by rule id.
  StatusOr<std::vector<RuleStats>> RuleStatistics();

  // ---- Source health (Cf::kSources) ---------------------------------------

  Status RecordFetch(const FetchOutcome& outcome);
  // RecordFetch of each outcome, in order, written as one batch (one record
  // per source, one counter merge per source and day): the same end state
  // at a fraction of the writes, for callers that report many fetches.
  Status RecordFetches(std::span<const FetchOutcome> outcomes);
  Status SetSourceDisabled(const std::string& source, bool disabled,
                           const std::string& reason);
  // nullopt when nothing was ever recorded for `source`.
  StatusOr<std::optional<SourceHealth>> GetSourceHealth(
      const std::string& source);
  // Every source with a record, sorted by id.
  StatusOr<std::vector<SourceHealth>> SourcesHealth();

  // ---- Maintenance -------------------------------------------------------

  // Removes posts (with their labels, index entries, incident links, review
  // history and dedupe index entries) older than options().retention_days,
  // and the evidence pages that no remaining post refers to; trend counters
  // stay. Posts stay when retention_days is 0. Either way it then runs
  // DropUnreferencedEvidence(kEvidenceGraceSeconds).
  StatusOr<RetentionReport> ApplyRetention();

  // An in-flight ingest stores its page just before its posts: a page
  // stored or stored again within this many seconds is never unreferenced
  // garbage yet.
  static constexpr int64_t kEvidenceGraceSeconds = 86400;
  // Removes every evidence page that no stored post refers to and that was
  // last stored (EvidenceStore::LastSeen) more than `grace_seconds` before
  // now: pages kept for an ingest that then failed. Each page is looked at
  // again under its lock (Db::LockEvidence) before it goes, so an ingest
  // adding a reference, or the page being stored again, wins. Safe to run
  // any time and any number of times. Returns the number of pages removed.
  StatusOr<int64_t> DropUnreferencedEvidence(int64_t grace_seconds);

  // Writes a consistent copy of the store to `dir` (a RocksDB checkpoint;
  // hard links when on the same file system). `dir` must not exist.
  Status Backup(const std::string& dir);

  // Puts the backup in `backup_dir` back as the store of `data_dir`, after
  // checking that it opens. An existing store is moved aside to
  // "<data_dir>/db.before-restore-<time>". REQUIRES: no Store open on
  // data_dir (RocksDB's lock makes this an error, not a corruption).
  static Status Restore(const std::string& backup_dir,
                        const std::string& data_dir);

  // Recounts every counter from the stored labels and compares; counts
  // posts. Buckets older than the retention cut-off are not compared.
  StatusOr<CheckReport> Check();

 private:
  friend void internal::SetRetentionHookForTesting(Store*,
                                                   std::function<void()>);
  friend void internal::SetEvidenceSweepHookForTesting(Store*,
                                                       std::function<void()>);
  class Impl;
  Store(const StoreOptions& options, Clock* clock, std::unique_ptr<Db> db);
  // The posts part of ApplyRetention (retention_days > 0).
  Status RemoveExpiredPosts(RetentionReport* report);

  StoreOptions options_;
  Clock* clock_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shagym::store
