#include "store/store.h"

#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/time_util.h"
#include "store/codec.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store_internal.h"

namespace shagym::store {

namespace fs = std::filesystem;
using internal::Counters;

// ---------------------------------------------------------------------------
// Keys and counter contributions (store_internal.h).

namespace internal {

std::string TimeIndexKey(int64_t time, const std::string& id) {
  std::string k;
  k.reserve(8 + id.size());
  codec::PutBe64(&k, codec::TimeKey(time));
  k.append(id);
  return k;
}

std::string TrendHourKey(const std::string& cat, const std::string& region,
                         const std::string& lang, const std::string& source,
                         uint32_t hour) {
  std::string k = "h";
  k.append(cat).push_back('\0');
  k.append(region).push_back('\0');
  k.append(lang).push_back('\0');
  k.append(source).push_back('\0');
  codec::PutBe32(&k, hour);
  return k;
}

std::string TrendMonthKey(const std::string& cat, const std::string& region,
                          uint32_t month) {
  std::string k = "M";
  k.append(cat).push_back('\0');
  k.append(region).push_back('\0');
  codec::PutBe32(&k, month);
  return k;
}

uint32_t MonthOfDay(int64_t day) {
  int y;
  unsigned m, d;
  CivilFromDays(std::max<int64_t>(day, 0), &y, &m, &d);
  return static_cast<uint32_t>(y * 12 + static_cast<int>(m) - 1);
}

int64_t FirstDayOfMonth(uint32_t month) {
  return DaysFromCivil(static_cast<int>(month / 12), month % 12 + 1, 1);
}

std::string SourceDayKey(const std::string& source, uint32_t day) {
  std::string k = "s";
  k.append(source).push_back('\0');
  codec::PutBe32(&k, day);
  return k;
}

std::string FetchDayKey(const std::string& source, uint32_t day) {
  std::string k = "f";
  k.append(source).push_back('\0');
  codec::PutBe32(&k, day);
  return k;
}

std::string RuleKey(const std::string& rule) { return "r" + rule; }

uint32_t HourOf(int64_t t) {
  return t <= 0 ? 0 : static_cast<uint32_t>(t / 3600);
}
uint32_t DayOf(int64_t t) {
  return t <= 0 ? 0 : static_cast<uint32_t>(t / 86400);
}

namespace {
void Add(Counters* out, const std::string& key,
         std::initializer_list<int64_t> values) {
  std::vector<int64_t>& v = (*out)[key];
  if (v.size() < values.size()) v.resize(values.size(), 0);
  size_t i = 0;
  for (int64_t x : values) v[i++] += x;
}
}  // namespace

void AddContributions(const Post& p, int64_t sign, Counters* out) {
  const int64_t t = PostTime(p);
  const uint32_t hour = HourOf(t), day = DayOf(t);
  const int64_t original = p.duplicate_of.empty() ? 1 : 0;
  std::vector<std::string> cats = p.labels.categories;
  std::sort(cats.begin(), cats.end());
  cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
  if (!cats.empty()) cats.push_back(kAnyCategory);
  for (const std::string& c : cats) {
    Add(out, TrendHourKey(c, p.labels.region, p.labels.lang, p.source, hour),
        {sign, sign * original});
    // Day slot of the month: elements [2*slot, 2*slot+1].
    std::vector<int64_t>& m =
        (*out)[TrendMonthKey(c, p.labels.region, MonthOfDay(day))];
    const size_t slot =
        static_cast<size_t>(day - FirstDayOfMonth(MonthOfDay(day)));
    if (m.size() < 2 * slot + 2) m.resize(2 * slot + 2, 0);
    m[2 * slot] += sign;
    m[2 * slot + 1] += sign * original;
  }
  Add(out, SourceDayKey(p.source, day), {sign});
  std::set<std::string> rules;
  for (const Match& m : p.labels.matches) rules.insert(m.rule);
  const int64_t confirmed = p.review == "confirmed" ? 1 : 0;
  const int64_t false_positive = p.review == "false_positive" ? 1 : 0;
  for (const std::string& r : rules) {
    Add(out, RuleKey(r), {sign, sign * confirmed, sign * false_positive});
  }
}

bool CounterBucketStart(const std::string& key, int64_t* start) {
  if (key.size() < 5) return false;
  uint32_t n = codec::GetBe32(std::string_view(key).substr(key.size() - 4));
  switch (key[0]) {
    case 'h':
      *start = int64_t{n} * 3600;
      return true;
    case 'M':
      *start = FirstDayOfMonth(n) * 86400;
      return true;
    case 's':
    case 'f':
      *start = int64_t{n} * 86400;
      return true;
    default:
      return false;
  }
}

}  // namespace internal

namespace {

constexpr char kSchemaVersionKey[] = "schema_version";
constexpr char kRetentionCutoffKey[] = "retention_cutoff";
constexpr size_t kStripes = 64;
constexpr size_t kMaxPageSize = 1000;

// The process is the unit of failure we guard against (SIGKILL, crash), so
// WAL writes go to the OS without fsync: a killed process loses nothing the
// kernel has. Power loss may lose the last moments, never consistency.
rocksdb::WriteOptions WriteOpts() { return rocksdb::WriteOptions(); }

std::string Hex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size());
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool Unhex(std::string_view s, std::string* out) {
  if (s.size() % 2) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int a = val(s[i]), b = val(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out->push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

// Smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char c = static_cast<unsigned char>(prefix.back());
    if (c != 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;  // empty: no bound
}

bool SummaryMatches(const codec::Summary& s, const PostQuery& q) {
  if (!q.category.empty()) {
    if (q.category == internal::kAnyCategory) {
      if (s.categories.empty()) return false;
    } else if (std::find(s.categories.begin(), s.categories.end(),
                         q.category) == s.categories.end()) {
      return false;
    }
  }
  if (q.complaints_only && s.categories.empty()) return false;
  if (!q.region.empty() && s.region != q.region) return false;
  if (!q.lang.empty() && s.lang != q.lang) return false;
  if (!q.source.empty() && s.source != q.source) return false;
  if (!q.review.empty() && s.review != q.review) return false;
  if (!q.school.empty() && s.school != q.school) return false;
  if (!q.severity.empty() && s.severity != q.severity) return false;
  if (q.originals_only && s.duplicate) return false;
  return true;
}

std::optional<double> ChangePct(int64_t prev, int64_t cur) {
  if (prev == 0) return std::nullopt;
  return 100.0 * static_cast<double>(cur - prev) / static_cast<double>(prev);
}

// Day index of the start of the bucket holding `day`.
int64_t BucketStartDay(int64_t day, Bucket b) {
  switch (b) {
    case Bucket::kDay:
      return day;
    case Bucket::kWeek: {
      int64_t weekday = ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was Thursday
      return day - weekday;
    }
    case Bucket::kMonth: {
      int y;
      unsigned m, d;
      CivilFromDays(day, &y, &m, &d);
      return DaysFromCivil(y, m, 1);
    }
  }
  return day;
}

int64_t NextBucketDay(int64_t start, Bucket b) {
  switch (b) {
    case Bucket::kDay:
      return start + 1;
    case Bucket::kWeek:
      return start + 7;
    case Bucket::kMonth: {
      int y;
      unsigned m, d;
      CivilFromDays(start, &y, &m, &d);
      return m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1);
    }
  }
  return start + 1;
}

std::string BucketLabel(int64_t start_day, Bucket b) {
  int y;
  unsigned m, d;
  CivilFromDays(start_day, &y, &m, &d);
  char buf[32];
  switch (b) {
    case Bucket::kDay:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
      break;
    case Bucket::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
      break;
    case Bucket::kWeek: {
      // ISO 8601 week: the year of the week's Thursday.
      int64_t thursday = start_day + 3;
      int ty;
      unsigned tm, td;
      CivilFromDays(thursday, &ty, &tm, &td);
      int64_t week = (thursday - DaysFromCivil(ty, 1, 1)) / 7 + 1;
      std::snprintf(buf, sizeof buf, "%04d-W%02lld", ty,
                    static_cast<long long>(week));
      break;
    }
  }
  return buf;
}

// Splits the \0-separated fields of a counter key between its type byte and
// its 4-byte time suffix.
std::vector<std::string_view> CounterFields(std::string_view key) {
  std::vector<std::string_view> out;
  if (key.size() < 5) return out;
  std::string_view body = key.substr(1, key.size() - 5);
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t z = body.find('\0', pos);
    if (z == std::string_view::npos) break;
    out.push_back(body.substr(pos, z - pos));
    pos = z + 1;
  }
  return out;
}

// log P(X >= k) for X ~ Poisson(lambda), as a probability.
double PoissonUpperTail(int64_t k, double lambda) {
  if (k <= 0) return 1.0;
  if (lambda <= 0) return 0.0;
  if (lambda >= static_cast<double>(k)) {
    // Lower tail is the smaller sum here: 1 - P(X <= k-1).
    double term = std::exp(-lambda), sum = term;
    for (int64_t i = 1; i < k; ++i) {
      term *= lambda / static_cast<double>(i);
      sum += term;
    }
    return std::max(0.0, 1.0 - sum);
  }
  double log_term = -lambda + static_cast<double>(k) * std::log(lambda) -
                    std::lgamma(static_cast<double>(k) + 1);
  double term = std::exp(log_term), sum = 0;
  for (int64_t i = k; i < k + 10000 && term > sum * 1e-15; ++i) {
    sum += term;
    term *= lambda / static_cast<double>(i + 1);
  }
  return std::min(1.0, sum);
}

struct SourceRecord {
  int64_t last_attempt = 0;
  int64_t last_success = 0;
  int64_t last_error_at = 0;
  std::string last_error;
  int64_t consecutive_failures = 0;
  bool disabled = false;
  std::string disabled_reason;
};

std::string EncodeSourceRecord(const SourceRecord& r) {
  std::string out;
  out.push_back(1);
  codec::PutSignedVarint(&out, r.last_attempt);
  codec::PutSignedVarint(&out, r.last_success);
  codec::PutSignedVarint(&out, r.last_error_at);
  codec::PutString(&out, r.last_error);
  codec::PutSignedVarint(&out, r.consecutive_failures);
  out.push_back(r.disabled ? 1 : 0);
  codec::PutString(&out, r.disabled_reason);
  return out;
}

bool DecodeSourceRecord(std::string_view in, SourceRecord* r) {
  codec::Reader rd(in);
  if (rd.Byte() != 1) return false;
  r->last_attempt = rd.SignedVarint();
  r->last_success = rd.SignedVarint();
  r->last_error_at = rd.SignedVarint();
  r->last_error = rd.String();
  r->consecutive_failures = rd.SignedVarint();
  r->disabled = rd.Byte() != 0;
  r->disabled_reason = rd.String();
  return rd.ok();
}

std::string EncodeReviewEvent(const ReviewEvent& e) {
  std::string out;
  out.push_back(1);
  codec::PutSignedVarint(&out, e.at_ms);
  codec::PutString(&out, e.user);
  codec::PutString(&out, e.from);
  codec::PutString(&out, e.to);
  codec::PutString(&out, e.note);
  return out;
}

bool DecodeReviewEvent(std::string_view in, ReviewEvent* e) {
  codec::Reader rd(in);
  if (rd.Byte() != 1) return false;
  e->at_ms = rd.SignedVarint();
  e->user = rd.String();
  e->from = rd.String();
  e->to = rd.String();
  e->note = rd.String();
  return rd.ok();
}

std::string ReviewPrefix(const std::string& id) {
  std::string k = "h";
  k.append(id).push_back('\0');
  return k;
}

std::string IncidentMemberKey(const std::string& incident, int64_t time,
                              const std::string& id) {
  std::string k = "m";
  k.append(incident).push_back('\0');
  codec::PutBe64(&k, codec::TimeKey(time));
  k.append(id);
  return k;
}

// Cf::kEvidence: which posts keep a page alive. The page record's key is
// its bare content address; its references sort right after it.
std::string EvidenceRefPrefix(const std::string& evidence_id) {
  std::string k = evidence_id;
  k.push_back('\0');
  return k;
}

std::string EvidenceRefKey(const std::string& evidence_id,
                           const std::string& id) {
  return EvidenceRefPrefix(evidence_id) + id;
}

// Whether a post other than those in `gone` (may be null) refers to the
// evidence page `page`.
StatusOr<bool> EvidenceReferenced(const Db& db, const std::string& page,
                                  const std::set<std::string>* gone) {
  const std::string prefix = EvidenceRefPrefix(page);
  const std::string end = PrefixEnd(prefix);
  rocksdb::ReadOptions ro;
  rocksdb::Slice end_slice(end);
  ro.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(ro, db.cf(Cf::kEvidence)));
  bool referenced = false;
  for (it->Seek(prefix); it->Valid() && !referenced; it->Next()) {
    referenced = gone == nullptr ||
                 gone->count(std::string(
                     it->key().ToStringView().substr(prefix.size()))) == 0;
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "scan evidence refs"));
  return referenced;
}

// The post record of a time index entry.
bool DecodeIndexPost(std::string_view value, Post* post) {
  std::string_view summary, record;
  return codec::SplitIndexValue(value, &summary, &record) &&
         codec::DecodePost(record, post);
}

// Cf::kIncidents: reposts stored before their original `id` wait for it.
std::string WaitingKey(const std::string& id) { return "w" + id; }

std::string LabelsKey(const std::string& id, const std::string& version) {
  std::string k = id;
  k.push_back('\0');
  k.append(version);
  return k;
}

}  // namespace

// ---------------------------------------------------------------------------

class Store::Impl {
 public:
  explicit Impl(Db* db) : db_(db) {}

  Db* db_;
  // Writers of one post id serialise on its stripe, so that the read of the
  // old record and the write of the difference cannot interleave with
  // another writer of the same post.
  std::array<std::mutex, kStripes> stripes_;
  std::mutex sources_mu_;  // read-modify-write of source records
  std::mutex review_seq_mu_;
  uint32_t review_seq_ = 0;  // Guarded by review_seq_mu_
  // Tests only: runs inside ApplyRetention with every lock held, just
  // before its batch is written (internal::SetRetentionHookForTesting).
  std::function<void()> before_retention_write_;
  // Tests only: runs in DropUnreferencedEvidence between the scan that
  // found candidates and the look again under their locks, no lock held
  // (internal::SetEvidenceSweepHookForTesting).
  std::function<void()> before_evidence_drop_;

  size_t Stripe(const std::string& id) const {
    return std::hash<std::string>()(id) % kStripes;
  }

  // Locks the stripes of `ids` in index order (no deadlock between batches).
  std::vector<std::unique_lock<std::mutex>> LockIds(
      const std::vector<const std::string*>& ids) {
    std::vector<size_t> idx;
    for (const std::string* id : ids) idx.push_back(Stripe(*id));
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    std::vector<std::unique_lock<std::mutex>> locks;
    for (size_t i : idx) locks.emplace_back(stripes_[i]);
    return locks;
  }

  // Locks every stripe (in index order).
  std::vector<std::unique_lock<std::mutex>> LockAll() {
    std::vector<std::unique_lock<std::mutex>> locks;
    for (auto& m : stripes_) locks.emplace_back(m);
    return locks;
  }

  // The post `id` as this batch sees it: written earlier in it, else stored.
  StatusOr<std::optional<Post>> Lookup(
      const std::unordered_map<std::string, Post>& pending,
      const std::string& id) {
    if (auto it = pending.find(id); it != pending.end()) {
      return std::optional<Post>(it->second);
    }
    return ReadPost(id);
  }

  // Every stored member of incident `incident` (as the batch sees them).
  StatusOr<std::vector<Post>> IncidentMembers(
      const std::unordered_map<std::string, Post>& pending,
      const std::string& incident) {
    std::vector<Post> out;
    std::set<std::string> seen;
    auto add = [&](const std::string& id) -> Status {
      if (!seen.insert(id).second) return Status::Ok();
      auto p = Lookup(pending, id);
      if (!p.ok()) return p.status();
      if (p->has_value() && (*p)->incident_id == incident) {
        out.push_back(std::move(**p));
      }
      return Status::Ok();
    };
    SHAGYM_RETURN_IF_ERROR(add(incident));
    std::string prefix = "m";
    prefix.append(incident).push_back('\0');
    const std::string end = PrefixEnd(prefix);
    rocksdb::ReadOptions ro;
    rocksdb::Slice end_slice(end);
    ro.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(
        raw()->NewIterator(ro, cf(Cf::kIncidents)));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (key.size() < prefix.size() + 8) continue;
      SHAGYM_RETURN_IF_ERROR(add(std::string(key.substr(prefix.size() + 8))));
    }
    SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "read incident"));
    for (const auto& [id, p] : pending) {
      if (p.incident_id == incident) SHAGYM_RETURN_IF_ERROR(add(id));
    }
    return out;
  }

  // Ingest with the stripes held. nullopt when a post must relink a story
  // and `may_relink` is false (the caller retries holding every stripe).
  StatusOr<std::optional<std::vector<IngestResult>>> IngestLocked(
      std::span<const Post> posts, bool may_relink) {
    // A reference to an evidence page is added under the page's lock, after
    // checking the page is there: retention deletes unreferenced pages under
    // the same lock, so it can never drop a page this batch refers to.
    std::vector<std::string> pages;
    for (const Post& p : posts) {
      if (!p.evidence_id.empty()) pages.push_back(p.evidence_id);
    }
    auto page_locks = db_->LockEvidence(pages);
    std::unordered_map<std::string, bool> page_stored;
    auto stored = [&](const std::string& page) -> StatusOr<bool> {
      auto it = page_stored.find(page);
      if (it != page_stored.end()) return it->second;
      rocksdb::PinnableSlice v;
      rocksdb::Status s =
          raw()->Get(rocksdb::ReadOptions(), cf(Cf::kEvidence), page, &v);
      if (!s.ok() && !s.IsNotFound()) {
        return FromRocks(s, "read evidence " + page);
      }
      return page_stored[page] = s.ok();
    };
    rocksdb::WriteBatch batch;
    std::vector<IngestResult> results;
    // Posts written earlier in this batch (the same id twice counts once).
    std::unordered_map<std::string, Post> pending;
    // Counter deltas of the whole batch, summed: one merge per key.
    Counters delta;
    auto write = [&](const std::optional<Post>& old, Post now) {
      WriteTransition(old ? &*old : nullptr, now, &batch, &delta);
      pending[now.id] = std::move(now);
    };
    for (const Post& in : posts) {
      auto read = Lookup(pending, in.id);
      if (!read.ok()) return read.status();
      std::optional<Post> old = std::move(read).value();
      Post now = in;
      if (old) now.review = old->review;
      // Evidence shows the post as it was first seen: a later page keeps
      // the first one's.
      if (old && !old->evidence_id.empty()) now.evidence_id = old->evidence_id;
      if (!now.evidence_id.empty() &&
          (!old || old->evidence_id != now.evidence_id)) {
        // A page removed before this post could refer to it (or never
        // stored): the post is kept without evidence, not pointing at
        // nothing.
        auto ok = stored(now.evidence_id);
        if (!ok.ok()) return ok.status();
        if (!*ok) now.evidence_id.clear();
      }
      if (!IsReviewStatus(now.review)) now.review = "new";
      // A link once made stays: a re-crawl that finds no match (its index
      // entries name this post itself) does not split the story.
      if (old && now.duplicate_of.empty()) now.duplicate_of = old->duplicate_of;
      // duplicate_of names the story's earliest post: follow a link to a
      // post that is itself a repost, and when this post was published
      // before the story's first one, it becomes the first (the others
      // then point at it).
      bool relink = false;
      std::optional<Post> root;
      if (!now.duplicate_of.empty()) {
        std::string target = now.duplicate_of;
        for (int hop = 0; hop < 8 && target != now.id; ++hop) {
          auto r = Lookup(pending, target);
          if (!r.ok()) return r.status();
          if (!r->has_value()) break;  // not stored (yet, or any more)
          root = std::move(**r);
          if (root->duplicate_of.empty() || root->duplicate_of == root->id) {
            break;
          }
          target = root->duplicate_of;
        }
        if (target == now.id) {
          now.duplicate_of.clear();  // the story already starts here
          root.reset();
        } else if (root) {
          now.duplicate_of = root->id;
          relink = PostTime(now) < PostTime(*root);
        } else if (!old || old->duplicate_of != now.duplicate_of) {
          // The original is not stored yet (the crawler's workers may store
          // a repost's page first): leave a note for when it comes.
          batch.Put(cf(Cf::kIncidents), WaitingKey(target), "");
        }
      }
      if (relink) {
        if (!may_relink) return std::optional<std::vector<IngestResult>>();
        const std::string incident =
            root->incident_id.empty() ? root->id : root->incident_id;
        now.duplicate_of.clear();
        if (now.incident_id.empty()) now.incident_id = incident;
        auto members = IncidentMembers(pending, incident);
        if (!members.ok()) return members.status();
        for (Post& m : *members) {
          if (m.id == now.id) continue;
          Post moved = m;
          moved.duplicate_of = now.id;
          if (moved == m) continue;
          write(std::optional<Post>(std::move(m)), std::move(moved));
        }
      } else if (now.incident_id.empty()) {
        if (old && !old->incident_id.empty()) {
          now.incident_id = old->incident_id;
        } else if (root) {
          now.incident_id =
              root->incident_id.empty() ? root->id : root->incident_id;
        } else if (!now.duplicate_of.empty()) {
          now.incident_id = now.duplicate_of;
        } else {
          now.incident_id = now.id;
        }
      }
      if (!old && now.duplicate_of.empty()) {
        // Reposts stored before this original named it: the story's
        // earliest post must be its first, whichever came in first.
        rocksdb::PinnableSlice note;
        rocksdb::Status ws =
            raw()->Get(rocksdb::ReadOptions(), cf(Cf::kIncidents),
                       WaitingKey(now.id), &note);
        if (!ws.ok() && !ws.IsNotFound()) {
          return FromRocks(ws, "read incident of " + now.id);
        }
        if (ws.ok()) {
          if (!may_relink) return std::optional<std::vector<IngestResult>>();
          batch.Delete(cf(Cf::kIncidents), WaitingKey(now.id));
          auto members = IncidentMembers(pending, now.id);
          if (!members.ok()) return members.status();
          const Post* first = nullptr;
          for (const Post& m : *members) {
            if (m.id != now.id && PostTime(m) < PostTime(now) &&
                (!first || PostTime(m) < PostTime(*first))) {
              first = &m;
            }
          }
          if (first) {
            const std::string first_id = first->id;
            for (Post& m : *members) {
              if (m.id == now.id) continue;
              Post moved = m;
              moved.duplicate_of = m.id == first_id ? "" : first_id;
              if (moved == m) continue;
              write(std::optional<Post>(std::move(m)), std::move(moved));
            }
            now.duplicate_of = first_id;
          }
        }
      }
      IngestResult res;
      res.inserted = !old.has_value();
      res.incident_id = now.incident_id;
      if (old && *old == now) {
        results.push_back(std::move(res));
        continue;
      }
      res.changed = true;
      write(old, std::move(now));
      results.push_back(std::move(res));
    }
    WriteCounters(delta, &batch);
    if (batch.Count() > 0) {
      SHAGYM_RETURN_IF_ERROR(
          FromRocks(raw()->Write(WriteOpts(), &batch), "ingest posts"));
    }
    return std::optional<std::vector<IngestResult>>(std::move(results));
  }

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return db_->cf(c); }
  rocksdb::DB* raw() const { return db_->raw(); }

  // The post `id`: its pointer gives its time, which with the id names the
  // time index entry holding the record. A writer moving the post in time
  // between the two reads sends us back to the pointer.
  StatusOr<std::optional<Post>> ReadPost(const std::string& id) {
    rocksdb::PinnableSlice ptr, value;
    for (int attempt = 0; attempt < 3; ++attempt) {
      ptr.Reset();
      rocksdb::Status s =
          raw()->Get(rocksdb::ReadOptions(), cf(Cf::kPosts), id, &ptr);
      if (s.IsNotFound()) return std::optional<Post>();
      if (!s.ok()) return FromRocks(s, "read post " + id);
      int64_t t;
      if (!codec::DecodePostPointer(ptr.ToStringView(), &t)) {
        return Corruption("post " + id + ": undecodable pointer");
      }
      value.Reset();
      s = raw()->Get(rocksdb::ReadOptions(), cf(Cf::kTimeIndex),
                     internal::TimeIndexKey(t, id), &value);
      if (s.IsNotFound()) continue;
      if (!s.ok()) return FromRocks(s, "read post " + id);
      Post p;
      if (!DecodeIndexPost(value.ToStringView(), &p)) {
        return Corruption("post " + id + ": undecodable record");
      }
      return std::optional<Post>(std::move(p));
    }
    return Corruption("post " + id + ": time index entry missing");
  }

  // Adds to `batch` the writes that turn `old` (nullptr: absent) into `now`:
  // record, time index, labels version, incident link and counter deltas.
  void WriteTransition(const Post* old, const Post& now,
                       rocksdb::WriteBatch* batch, Counters* delta) {
    const int64_t t = PostTime(now);
    const bool time_moved = old && PostTime(*old) != t;
    if (!old || time_moved) {
      batch->Put(cf(Cf::kPosts), now.id, codec::EncodePostPointer(t));
    }
    if (time_moved) {
      batch->Delete(cf(Cf::kTimeIndex),
                    internal::TimeIndexKey(PostTime(*old), old->id));
    }
    batch->Put(cf(Cf::kTimeIndex), internal::TimeIndexKey(t, now.id),
               codec::EncodeIndexValue(now));
    if (old && !(old->labels == now.labels)) {
      // The current labels live in the post record; kLabels keeps the ones
      // they replace, per rule-set version.
      batch->Put(cf(Cf::kLabels), LabelsKey(old->id, old->labels.rules_version),
                 codec::EncodeLabels(old->labels));
    }
    // A post that starts its own incident needs no member entry (most posts
    // do): GetIncident reads it by id.
    const bool old_member = old && old->incident_id != old->id;
    const bool now_member = now.incident_id != now.id;
    const bool moved =
        old && (old->incident_id != now.incident_id || PostTime(*old) != t);
    if (old_member && (moved || !now_member)) {
      batch->Delete(
          cf(Cf::kIncidents),
          IncidentMemberKey(old->incident_id, PostTime(*old), old->id));
    }
    if (now_member && (!old_member || moved)) {
      batch->Put(cf(Cf::kIncidents),
                 IncidentMemberKey(now.incident_id, t, now.id), "");
    }
    if (old && !old->evidence_id.empty() &&
        old->evidence_id != now.evidence_id) {
      batch->Delete(cf(Cf::kEvidence),
                    EvidenceRefKey(old->evidence_id, old->id));
    }
    if (!now.evidence_id.empty() &&
        (!old || old->evidence_id != now.evidence_id)) {
      batch->Put(cf(Cf::kEvidence), EvidenceRefKey(now.evidence_id, now.id),
                 "");
    }
    if (old) internal::AddContributions(*old, -1, delta);
    internal::AddContributions(now, +1, delta);
  }

  void WriteCounters(const Counters& delta, rocksdb::WriteBatch* batch) {
    for (const auto& [key, values] : delta) {
      bool zero = std::all_of(values.begin(), values.end(),
                              [](int64_t x) { return x == 0; });
      if (zero) continue;
      if (key[0] == 'M') {
        // One day of the month: a small slotted operand.
        size_t slot = values.size(), nonzero = 0;
        for (size_t i = 0; i + 1 < values.size(); i += 2) {
          if (values[i] != 0 || values[i + 1] != 0) {
            slot = i / 2;
            ++nonzero;
          }
        }
        if (nonzero == 1) {
          std::string op(1, static_cast<char>(kSlottedCounterTag));
          op.push_back(static_cast<char>(slot));
          op += codec::EncodeCounters({values[2 * slot], values[2 * slot + 1]});
          batch->Merge(cf(Cf::kTrends), key, op);
          continue;
        }
      }
      batch->Merge(cf(Cf::kTrends), key, codec::EncodeCounters(values));
    }
  }

  // Iterates the time index in [from, to) forwards, calling fn(key,
  // summary, record) for entries matching q (record: an encoded post). fn
  // returns false to stop. `bulk` tunes the read for long one-pass scans
  // (export, reclassify): big read-ahead, and the block cache is left to the
  // dashboard's hot data.
  Status ScanIndex(
      const PostQuery& q,
      const std::function<bool(std::string_view key, const codec::Summary&,
                               std::string_view record)>& fn,
      bool bulk = false) {
    std::string lower, upper;
    codec::PutBe64(&lower, codec::TimeKey(q.from));
    rocksdb::ReadOptions ro;
    if (bulk) {
      ro.readahead_size = 2 << 20;
      ro.fill_cache = false;
    }
    rocksdb::Slice upper_slice;
    if (q.to != 0) {
      codec::PutBe64(&upper, codec::TimeKey(q.to));
      upper_slice = upper;
      ro.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(
        raw()->NewIterator(ro, cf(Cf::kTimeIndex)));
    codec::Summary s;
    std::string_view summary, record;
    for (it->Seek(lower); it->Valid(); it->Next()) {
      if (!codec::SplitIndexValue(it->value().ToStringView(), &summary,
                                  &record) ||
          !codec::DecodeSummary(summary, &s)) {
        continue;
      }
      if (!SummaryMatches(s, q)) continue;
      if (!fn(it->key().ToStringView(), s, record)) break;
    }
    return FromRocks(it->status(), "scan time index");
  }

  StatusOr<int64_t> RetentionCutoff() {
    std::string v;
    rocksdb::Status s = raw()->Get(rocksdb::ReadOptions(), cf(Cf::kMeta),
                                   kRetentionCutoffKey, &v);
    if (s.IsNotFound()) return int64_t{0};
    if (!s.ok()) return FromRocks(s, "read retention cutoff");
    return static_cast<int64_t>(std::strtoll(v.c_str(), nullptr, 10));
  }

  // Sums counters whose key starts with `prefix` and whose time suffix is in
  // [lo, hi) per group (key without the suffix).
  Status ScanCounters(
      const std::string& prefix, uint32_t lo, uint32_t hi,
      const std::function<void(std::string_view key, uint32_t t,
                               const std::vector<int64_t>& v)>& fn) {
    rocksdb::ReadOptions ro;
    std::string end = PrefixEnd(prefix);
    rocksdb::Slice end_slice(end);
    if (!end.empty()) ro.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(
        raw()->NewIterator(ro, cf(Cf::kTrends)));
    std::string target;
    it->Seek(prefix);
    while (it->Valid()) {
      std::string_view key = it->key().ToStringView();
      if (key.size() < prefix.size() + 4) {
        it->Next();
        continue;
      }
      uint32_t t = codec::GetBe32(key.substr(key.size() - 4));
      std::string_view group = key.substr(0, key.size() - 4);
      if (t < lo) {
        target.assign(group);
        codec::PutBe32(&target, lo);
        it->Seek(target);
        continue;
      }
      if (t >= hi) {
        target.assign(group);
        target.append("\xff\xff\xff\xff\xff");
        it->Seek(target);
        continue;
      }
      fn(key, t, codec::DecodeCounters(it->value().ToStringView()));
      it->Next();
    }
    return FromRocks(it->status(), "scan trend counters");
  }
};

// ---------------------------------------------------------------------------

bool IsReviewStatus(std::string_view status) {
  for (const auto& s : ReviewStatuses()) {
    if (s == status) return true;
  }
  return false;
}

const std::vector<std::string>& ReviewStatuses() {
  static const std::vector<std::string> kStatuses = {
      "new", "confirmed", "false_positive", "escalated", "resolved"};
  return kStatuses;
}

int64_t PostTime(const Post& post) {
  return post.published_at != 0 ? post.published_at : post.fetched_at;
}

std::string_view BucketName(Bucket bucket) {
  switch (bucket) {
    case Bucket::kDay:
      return "day";
    case Bucket::kWeek:
      return "week";
    case Bucket::kMonth:
      return "month";
  }
  return "day";
}

std::optional<Bucket> ParseBucket(std::string_view name) {
  if (name == "day") return Bucket::kDay;
  if (name == "week") return Bucket::kWeek;
  if (name == "month") return Bucket::kMonth;
  return std::nullopt;
}

std::string FormatChange(std::optional<double> pct) {
  if (!pct) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", *pct);
  if (std::string_view(buf) == "+0.0%" || std::string_view(buf) == "-0.0%") {
    return "0.0%";
  }
  return buf;
}

Store::Store(const StoreOptions& options, Clock* clock, std::unique_ptr<Db> db)
    : options_(options),
      clock_(clock),
      db_(std::move(db)),
      impl_(std::make_unique<Impl>(db_.get())) {}

Store::~Store() = default;

namespace {

// Schema migrations: kMigrations[v] turns version v into v + 1. Version 0 is
// a store written before versions were recorded (none exist: nothing to do).
using Migration = Status (*)(Db*);
Status MigrateFrom0(Db*) { return Status::Ok(); }
// Calls `rewrite` for every whole post record of the posts family (schema 1
// and 2 keep them there), writing what it adds to the batch every 10,000
// entries; `what` names the writes in an error.
// Each batch is atomic and the schema version is written only once every
// step is done, so a migration killed half-way leaves the old version in
// meta and some of its writes: the next open runs the steps again, and each
// step only puts keys derived from the records it reads (running it twice
// writes the same bytes; records a later step already moved no longer decode
// as whole records and are skipped, their earlier steps being complete).
size_t migration_batch_size = 10000;             // tests may lower it
std::function<void(int)> migration_after_batch;  // tests only
Status RewriteStoredPosts(
    Db* db, int from, const char* what,
    const std::function<void(const Post&, rocksdb::WriteBatch*)>& rewrite) {
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kPosts)));
  rocksdb::WriteBatch batch;
  auto flush = [&]() -> Status {
    SHAGYM_RETURN_IF_ERROR(
        FromRocks(db->raw()->Write(WriteOpts(), &batch), what));
    batch.Clear();
    if (migration_after_batch) migration_after_batch(from);
    return Status::Ok();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Post p;
    if (!codec::DecodePost(it->value().ToStringView(), &p)) continue;
    rewrite(p, &batch);
    if (batch.Count() >= migration_batch_size) SHAGYM_RETURN_IF_ERROR(flush());
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "scan posts"));
  return flush();
}
// Version 2 keeps, per page of evidence, which posts refer to it (so that
// retention can drop pages no post needs): write them for stored posts.
Status MigrateFrom1(Db* db) {
  return RewriteStoredPosts(
      db, 1, "evidence refs", [db](const Post& p, rocksdb::WriteBatch* batch) {
        if (p.evidence_id.empty()) return;
        batch->Put(db->cf(Cf::kEvidence), EvidenceRefKey(p.evidence_id, p.id),
                   "");
      });
}
// Version 3 moves each post record from the posts family (id -> record)
// into its time index entry (time id -> summary + record) and leaves the
// posts family a pointer (id -> time): exports and listings then read posts
// in time order sequentially instead of one random read per post.
Status MigrateFrom2(Db* db) {
  return RewriteStoredPosts(
      db, 2, "move records", [db](const Post& p, rocksdb::WriteBatch* batch) {
        const int64_t t = PostTime(p);
        batch->Put(db->cf(Cf::kTimeIndex), internal::TimeIndexKey(t, p.id),
                   codec::EncodeIndexValue(p));
        batch->Put(db->cf(Cf::kPosts), p.id, codec::EncodePostPointer(t));
      });
}
constexpr Migration kMigrations[] = {&MigrateFrom0, &MigrateFrom1,
                                     &MigrateFrom2};
static_assert(std::size(kMigrations) == Store::kSchemaVersion);

Status EnsureSchema(Db* db) {
  std::string v;
  rocksdb::Status s = db->raw()->Get(rocksdb::ReadOptions(), db->cf(Cf::kMeta),
                                     kSchemaVersionKey, &v);
  int version = 0;
  if (s.ok()) {
    version = std::atoi(v.c_str());
  } else if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kPosts)));
    it->SeekToFirst();
    version = it->Valid() ? 0 : Store::kSchemaVersion;  // fresh store
  } else {
    return FromRocks(s, "read schema version of " + db->dir());
  }
  if (version > Store::kSchemaVersion) {
    return InvalidArgument(
        "store " + db->dir() + " has schema version " +
        std::to_string(version) + ", newer than this build's " +
        std::to_string(Store::kSchemaVersion) + ": upgrade shagym");
  }
  for (int k = version; k < Store::kSchemaVersion; ++k) {
    SHAGYM_RETURN_IF_ERROR(kMigrations[k](db).WithContext(
        "migrate store " + db->dir() + " from schema " + std::to_string(k)));
  }
  if (!s.ok() || version != Store::kSchemaVersion) {
    return FromRocks(db->raw()->Put(rocksdb::WriteOptions(), db->cf(Cf::kMeta),
                                    kSchemaVersionKey,
                                    std::to_string(Store::kSchemaVersion)),
                     "write schema version of " + db->dir());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options,
                                             Clock* clock) {
  DbOptions dbo;
  dbo.memory_bytes = options.memory_bytes;
  auto db = Db::Open(options.data_dir + "/db", dbo);
  if (!db.ok()) return db.status();
  SHAGYM_RETURN_IF_ERROR(EnsureSchema(db->get()));
  return std::unique_ptr<Store>(
      new Store(options, clock, std::move(db).value()));
}

// ---- Posts ----------------------------------------------------------------

StatusOr<IngestResult> Store::Ingest(const Post& post) {
  auto r = IngestBatch(std::span<const Post>(&post, 1));
  if (!r.ok()) return r.status();
  return std::move(r->front());
}

StatusOr<std::vector<IngestResult>> Store::IngestBatch(
    std::span<const Post> posts) {
  std::vector<const std::string*> ids;
  for (const Post& p : posts) {
    if (p.id.empty()) return InvalidArgument("ingest: post without id");
    if (p.id.find('\0') != std::string::npos) {
      return InvalidArgument("ingest: post id with a NUL byte");
    }
    ids.push_back(&p.id);
  }
  // Relinking a story to an earlier-published post rewrites posts outside
  // the batch: rare, so it retries holding every stripe (taken in order, no
  // deadlock) instead of guessing the ids up front.
  for (bool may_relink : {false, true}) {
    auto locks = may_relink ? impl_->LockAll() : impl_->LockIds(ids);
    auto r = impl_->IngestLocked(posts, may_relink);
    if (!r.ok()) return r.status();
    if (r->has_value()) return std::move(**r);
  }
  return Internal("ingest: relink did not settle");
}

StatusOr<std::optional<Post>> Store::GetPost(const std::string& id) {
  return impl_->ReadPost(id);
}

StatusOr<PostPage> Store::QueryPosts(const PostQuery& query) {
  const size_t limit = std::clamp<size_t>(query.limit, 1, kMaxPageSize);
  std::string upper;
  if (!query.cursor.empty()) {
    if (!Unhex(query.cursor, &upper) || upper.size() < 8) {
      return InvalidArgument("bad cursor '" + query.cursor + "'");
    }
  } else if (query.to != 0) {
    codec::PutBe64(&upper, codec::TimeKey(query.to));
  }
  std::string lower;
  codec::PutBe64(&lower, codec::TimeKey(query.from));
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower_slice(lower);
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->raw()->NewIterator(ro, impl_->cf(Cf::kTimeIndex)));
  if (upper.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(upper);
    // Strictly before the cursor / to.
    if (it->Valid() && it->key().compare(upper) >= 0) it->Prev();
  }
  PostPage page;
  std::string last_key;
  bool more = false;
  codec::Summary s;
  std::string_view summary, record;
  for (; it->Valid(); it->Prev()) {
    if (!codec::SplitIndexValue(it->value().ToStringView(), &summary,
                                &record) ||
        !codec::DecodeSummary(summary, &s)) {
      continue;
    }
    if (!SummaryMatches(s, query)) continue;
    if (page.posts.size() == limit) {
      more = true;
      break;
    }
    Post p;
    if (!codec::DecodePost(record, &p)) {
      return Corruption("time index entry of post " +
                        it->key().ToString().substr(8) +
                        ": undecodable record");
    }
    page.posts.push_back(std::move(p));
    last_key = it->key().ToString();
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "query posts"));
  if (more) page.next_cursor = Hex(last_key);
  return page;
}

Status Store::ForEachPost(const PostQuery& query,
                          const std::function<Status(const Post&)>& fn) {
  // The records sit in the time index: one sequential pass, no look-up per
  // post.
  Status result;
  Post p;
  Status scan = impl_->ScanIndex(
      query,
      [&](std::string_view key, const codec::Summary&,
          std::string_view record) {
        if (!codec::DecodePost(record, &p)) {
          result =
              Corruption("time index entry of post " +
                         std::string(key.substr(8)) + ": undecodable record");
          return false;
        }
        result = fn(p);
        return result.ok();
      },
      /*bulk=*/true);
  if (!result.ok()) return result;
  return scan;
}

StatusOr<int64_t> Store::CountPosts(const PostQuery& query) {
  int64_t n = 0;
  SHAGYM_RETURN_IF_ERROR(impl_->ScanIndex(
      query, [&](std::string_view, const codec::Summary&, std::string_view) {
        ++n;
        return true;
      }));
  return n;
}

StatusOr<std::optional<Incident>> Store::GetIncident(
    const std::string& incident_id) {
  std::string prefix = "m";
  prefix.append(incident_id).push_back('\0');
  std::string end = PrefixEnd(prefix);
  rocksdb::ReadOptions ro;
  rocksdb::Slice end_slice(end);
  ro.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->raw()->NewIterator(ro, impl_->cf(Cf::kIncidents)));
  std::vector<Post> members;
  auto self = impl_->ReadPost(incident_id);
  if (!self.ok()) return self.status();
  if (self->has_value() && (*self)->incident_id == incident_id) {
    members.push_back(std::move(**self));
  }
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() < prefix.size() + 8) continue;
    std::string id(key.substr(prefix.size() + 8));
    auto p = impl_->ReadPost(id);
    if (!p.ok()) return p.status();
    if (p->has_value()) members.push_back(std::move(**p));
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "read incident"));
  std::stable_sort(
      members.begin(), members.end(),
      [](const Post& a, const Post& b) { return PostTime(a) < PostTime(b); });
  // The story's first is its original (duplicate_of null), the earliest
  // post but for ties in time: lead with it, so that the incident's first
  // post, its member list and duplicate_of always agree.
  auto original =
      std::find_if(members.begin(), members.end(),
                   [](const Post& p) { return p.duplicate_of.empty(); });
  if (original != members.end()) {
    std::rotate(members.begin(), original, original + 1);
  }
  Incident inc;
  inc.id = incident_id;
  for (const Post& post : members) {
    if (inc.size == 0) {
      inc.first_post = post.id;
      inc.first_source = post.source;
      inc.first_seen = PostTime(post);
    }
    ++inc.size;
    inc.members.push_back(post.id);
    if (std::find(inc.sources.begin(), inc.sources.end(), post.source) ==
        inc.sources.end()) {
      inc.sources.push_back(post.source);
    }
  }
  if (inc.size == 0) return std::optional<Incident>();
  return std::optional<Incident>(std::move(inc));
}

// ---- Labels ---------------------------------------------------------------

Status Store::Relabel(const std::string& id, const Labels& labels) {
  auto locks = impl_->LockIds({&id});
  auto old = impl_->ReadPost(id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return NotFound("relabel: no post " + id);
  if ((*old)->labels == labels) return Status::Ok();
  Post now = **old;
  now.labels = labels;
  rocksdb::WriteBatch batch;
  Counters delta;
  impl_->WriteTransition(&**old, now, &batch, &delta);
  impl_->WriteCounters(delta, &batch);
  return FromRocks(impl_->raw()->Write(WriteOpts(), &batch), "relabel " + id);
}

StatusOr<ReclassifyReport> Store::Reclassify(
    const PostQuery& query,
    const std::function<StatusOr<Labels>(const Post&)>& classify,
    const std::function<void(int64_t)>& progress) {
  ReclassifyReport report;
  Status st = ForEachPost(query, [&](const Post& p) -> Status {
    ++report.posts;
    if (progress && report.posts % 1000 == 0) progress(report.posts);
    auto labels = classify(p);
    if (!labels.ok()) return labels.status().WithContext("classify " + p.id);
    if (*labels == p.labels) return Status::Ok();
    SHAGYM_RETURN_IF_ERROR(Relabel(p.id, *labels));
    ++report.changed;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (progress) progress(report.posts);
  return report;
}

// ---- Trends ---------------------------------------------------------------

StatusOr<TrendTable> Store::Trends(const TrendQuery& q) {
  if (q.to <= q.from) {
    return InvalidArgument("trends: empty time range (to must be after from)");
  }
  const int64_t from_day = static_cast<int64_t>(std::floor(q.from / 86400.0));
  const int64_t to_day = static_cast<int64_t>(std::ceil(q.to / 86400.0));
  const int64_t len = to_day - from_day;
  // Buckets of the table, and the one before for the first change.
  std::vector<int64_t> starts;
  for (int64_t d = BucketStartDay(from_day, q.bucket); d < to_day;
       d = NextBucketDay(d, q.bucket)) {
    starts.push_back(d);
  }
  const int64_t prev_bucket = BucketStartDay(starts.front() - 1, q.bucket);
  const int64_t scan_lo =
      std::max<int64_t>(0, std::min(prev_bucket, from_day - len));
  const int64_t scan_hi = to_day;

  const bool hourly = !q.lang.empty() || !q.source.empty();
  std::string prefix = hourly ? "h" : "M";
  if (!q.by_category) {
    prefix += q.category.empty() ? internal::kAnyCategory : q.category;
    prefix.push_back('\0');
    if (!q.region.empty()) prefix.append(q.region).push_back('\0');
  }
  // series key -> [volume, incidents] per day of [scan_lo, scan_hi).
  using Days = std::vector<std::array<int64_t, 2>>;
  const size_t span = static_cast<size_t>(scan_hi - scan_lo);
  std::map<std::pair<std::string, std::string>, Days> series;
  const uint32_t lo = hourly ? static_cast<uint32_t>(scan_lo * 24)
                             : internal::MonthOfDay(scan_lo);
  const uint32_t hi = hourly ? static_cast<uint32_t>(scan_hi * 24)
                             : internal::MonthOfDay(scan_hi - 1) + 1;
  std::pair<std::string, std::string> last_key;
  Days* last = nullptr;
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      prefix, lo, hi,
      [&](std::string_view key, uint32_t t, const std::vector<int64_t>& v) {
        auto f = CounterFields(key);
        if (f.size() < (hourly ? 4u : 2u)) return;
        if (q.by_category) {
          if (f[0] == internal::kAnyCategory) return;
          if (!q.category.empty() && f[0] != q.category) return;
        }
        if (!q.region.empty() && f[1] != q.region) return;
        if (hourly) {
          if (!q.lang.empty() && f[2] != q.lang) return;
          if (!q.source.empty() && f[3] != q.source) return;
        }
        std::string_view cat = q.by_category ? f[0] : std::string_view();
        std::string_view region = q.by_region ? f[1] : std::string_view();
        if (!last || last_key.first != cat || last_key.second != region) {
          last_key = {std::string(cat), std::string(region)};
          last = &series[last_key];
          if (last->empty()) last->assign(span, {0, 0});
        }
        Days& days = *last;
        if (hourly) {
          const int64_t day = t / 24;
          if (day < scan_lo || day >= scan_hi) return;
          auto& cell = days[static_cast<size_t>(day - scan_lo)];
          cell[0] += v.size() > 0 ? v[0] : 0;
          cell[1] += v.size() > 1 ? v[1] : 0;
          return;
        }
        const int64_t first = internal::FirstDayOfMonth(t);
        for (size_t slot = 0; 2 * slot + 1 < v.size(); ++slot) {
          const int64_t day = first + static_cast<int64_t>(slot);
          if (day < scan_lo || day >= scan_hi) continue;
          auto& cell = days[static_cast<size_t>(day - scan_lo)];
          cell[0] += v[2 * slot];
          cell[1] += v[2 * slot + 1];
        }
      }));
  if (series.empty() && !q.by_category && !q.by_region) {
    series[{"", ""}].assign(span, {0, 0});  // one empty total series
  }
  TrendTable table;
  table.bucket = q.bucket;
  table.from = from_day * 86400;
  table.to = to_day * 86400;
  std::vector<std::array<int64_t, 2>> prefix_sums(span + 1);
  // Labels and ends of the buckets, once for every series.
  std::vector<std::string> labels;
  std::vector<int64_t> ends;
  labels.reserve(starts.size());
  ends.reserve(starts.size());
  for (int64_t start : starts) {
    labels.push_back(BucketLabel(start, q.bucket));
    ends.push_back(std::min(NextBucketDay(start, q.bucket), to_day));
  }
  table.rows.reserve(series.size() * starts.size());
  table.totals.reserve(series.size());
  for (const auto& entry : series) {
    // Named references, not a structured binding: clang 14 (fuzz build)
    // cannot capture those in a lambda.
    const auto& key = entry.first;
    const auto& days = entry.second;
    prefix_sums[0] = {0, 0};
    for (size_t i = 0; i < span; ++i) {
      prefix_sums[i + 1] = {prefix_sums[i][0] + days[i][0],
                            prefix_sums[i][1] + days[i][1]};
    }
    auto sum = [&](int64_t a, int64_t b) {  // days [a, b)
      a = std::clamp(a, scan_lo, scan_hi);
      b = std::clamp(b, a, scan_hi);
      const auto& x = prefix_sums[static_cast<size_t>(a - scan_lo)];
      const auto& y = prefix_sums[static_cast<size_t>(b - scan_lo)];
      return std::array<int64_t, 2>{y[0] - x[0], y[1] - x[1]};
    };
    std::array<int64_t, 2> prev = sum(prev_bucket, starts.front());
    for (size_t i = 0; i < starts.size(); ++i) {
      const int64_t start = starts[i];
      // The first bucket may begin before `from`: count only the range.
      std::array<int64_t, 2> cur = sum(std::max(start, from_day), ends[i]);
      TrendRow row;
      row.bucket_start = start * 86400;
      row.bucket = labels[i];
      row.category = key.first;
      row.region = key.second;
      row.volume = cur[0];
      row.incidents = cur[1];
      row.volume_change_pct = ChangePct(prev[0], cur[0]);
      row.incidents_change_pct = ChangePct(prev[1], cur[1]);
      table.rows.push_back(std::move(row));
      prev = cur;
    }
    TrendTotal total;
    total.category = key.first;
    total.region = key.second;
    auto now = sum(from_day, to_day);
    auto before = sum(from_day - len, from_day);
    total.volume = now[0];
    total.incidents = now[1];
    total.previous_volume = before[0];
    total.previous_incidents = before[1];
    total.volume_change_pct = ChangePct(before[0], now[0]);
    total.incidents_change_pct = ChangePct(before[1], now[1]);
    table.totals.push_back(std::move(total));
  }
  return table;
}

StatusOr<std::vector<Spike>> Store::Spikes(const SpikeQuery& q) {
  if (q.to <= q.from) {
    return InvalidArgument("spikes: empty time range (to must be after from)");
  }
  if (q.baseline_days < 7) {
    return InvalidArgument("spikes: baseline_days must be at least 7");
  }
  const int64_t from_day = static_cast<int64_t>(std::floor(q.from / 86400.0));
  const int64_t to_day = static_cast<int64_t>(std::ceil(q.to / 86400.0));
  const int64_t base_lo = std::max<int64_t>(0, from_day - q.baseline_days);
  // Daily incidents and volume per (category, region).
  std::map<std::pair<std::string, std::string>,
           std::map<int64_t, std::array<int64_t, 2>>>
      series;
  std::string prefix = "M";
  if (!q.category.empty()) prefix.append(q.category).push_back('\0');
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      prefix, internal::MonthOfDay(base_lo),
      internal::MonthOfDay(to_day - 1) + 1,
      [&](std::string_view key, uint32_t t, const std::vector<int64_t>& v) {
        auto f = CounterFields(key);
        if (f.size() < 2 || f[0] == internal::kAnyCategory) return;
        // Every region is read (a category's weekly rhythm is over all of
        // them); q.region filters what is tested.
        auto& days = series[{std::string(f[0]), std::string(f[1])}];
        const int64_t first = internal::FirstDayOfMonth(t);
        for (size_t slot = 0; 2 * slot + 1 < v.size(); ++slot) {
          const int64_t day = first + static_cast<int64_t>(slot);
          if (day < base_lo || day >= to_day) continue;
          auto& c = days[day];
          c[0] += v[2 * slot + 1];  // incidents
          c[1] += v[2 * slot];      // volume
        }
      }));
  // All posts per source per day (coverage) and fetch health per day.
  std::map<std::string, std::map<int64_t, int64_t>> source_posts;
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      "s", static_cast<uint32_t>(base_lo), static_cast<uint32_t>(to_day),
      [&](std::string_view key, uint32_t t, const std::vector<int64_t>& v) {
        auto f = CounterFields(key);
        if (f.empty()) return;
        source_posts[std::string(f[0])][t] += v.empty() ? 0 : v[0];
      }));
  std::map<std::pair<std::string, int64_t>, std::array<int64_t, 2>> fetches;
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      "f", static_cast<uint32_t>(base_lo), static_cast<uint32_t>(to_day),
      [&](std::string_view key, uint32_t t, const std::vector<int64_t>& v) {
        auto f = CounterFields(key);
        if (f.empty() || v.size() < 2) return;
        auto& c = fetches[{std::string(f[0]), t}];
        c[0] += v[0];
        c[1] += v[1];
      }));
  auto healthy = [&](const std::string& source, int64_t day) {
    auto it = fetches.find({source, day});
    if (it == fetches.end() || it->second[0] == 0) return true;  // no news
    return 2 * it->second[1] <= it->second[0];  // at most half failed
  };
  // Coverage of a day: the share of its baseline's posts that came from
  // sources healthy that day. An outage lowers the expectation instead of
  // reading as fewer complaints.
  auto coverage = [&](int64_t day) {
    double all = 0, ok = 0;
    for (const auto& [source, days] : source_posts) {
      double n = 0;
      for (auto it = days.lower_bound(day - q.baseline_days);
           it != days.end() && it->first < day; ++it) {
        n += static_cast<double>(it->second);
      }
      all += n;
      if (healthy(source, day)) ok += n;
    }
    return all > 0 ? ok / all : 1.0;
  };
  // Weekday factors from the history before the tested range: each
  // (category, region) series has its own weekly rhythm (school complaints
  // on school days, camp complaints at weekends). A series with too little
  // history borrows its category's (all regions), and a thin category the
  // rhythm of all posts. Clamped so that a few posts cannot swing them.
  using Weekly = std::array<double, 7>;
  auto weekday_of = [](int64_t d) {
    return static_cast<size_t>(((d + 3) % 7 + 7) % 7);
  };
  // nullopt when [base_lo, from_day) holds fewer than two weeks or fewer
  // than kMinWeeklyCount incidents.
  constexpr double kMinWeeklyCount = 50;
  auto factors = [&](const std::function<double(int64_t)>& count)
      -> std::optional<Weekly> {
    Weekly sum{}, n{};
    double total = 0, days = 0;
    for (int64_t d = base_lo; d < from_day; ++d) {
      const double v = count(d);
      sum[weekday_of(d)] += v;
      n[weekday_of(d)] += 1;
      total += v;
      days += 1;
    }
    if (days < 14 || total < kMinWeeklyCount) return std::nullopt;
    Weekly w{1, 1, 1, 1, 1, 1, 1};
    const double mean = total / days;
    for (size_t i = 0; i < 7; ++i) {
      if (n[i] > 0) w[i] = std::clamp(sum[i] / n[i] / mean, 0.25, 4.0);
    }
    return w;
  };
  Weekly all_posts{1, 1, 1, 1, 1, 1, 1};
  if (auto w = factors([&](int64_t d) {
        double v = 0;
        for (const auto& [source, m] : source_posts) {
          if (auto it = m.find(d); it != m.end()) {
            v += static_cast<double>(it->second);
          }
        }
        return v;
      })) {
    all_posts = *w;
  }
  std::map<std::string, Weekly> by_category;
  {
    std::map<std::string, std::map<int64_t, int64_t>> cat_days;
    for (const auto& [key, days] : series) {
      auto& c = cat_days[key.first];
      for (const auto& [d, v] : days) c[d] += v[0];
    }
    for (const auto& entry : cat_days) {
      // Structured bindings cannot be captured before C++20 in clang 14.
      const auto& days = entry.second;
      auto w = factors([&](int64_t d) {
        auto it = days.find(d);
        return it == days.end() ? 0.0 : static_cast<double>(it->second);
      });
      by_category[entry.first] = w ? *w : all_posts;
    }
  }
  std::unordered_map<int64_t, double> cov_cache;
  auto cov = [&](int64_t d) {
    auto it = cov_cache.find(d);
    if (it != cov_cache.end()) return it->second;
    double c = coverage(d);
    cov_cache[d] = c;
    return c;
  };

  std::vector<Spike> spikes;
  for (const auto& entry : series) {
    const auto& key = entry.first;
    const auto& days = entry.second;
    if (!q.region.empty() && key.second != q.region) continue;
    const auto own = factors([&](int64_t d) {
      auto it = days.find(d);
      return it == days.end() ? 0.0 : static_cast<double>(it->second[0]);
    });
    const Weekly& weekday = own ? *own : by_category[key.first];
    auto wf = [&](int64_t d) { return weekday[weekday_of(d)]; };
    for (int64_t d = from_day; d < to_day; ++d) {
      auto it = days.find(d);
      if (it == days.end() || it->second[0] < q.min_count) continue;
      // Baseline: mean of the normalised counts of the days before.
      double norm_sum = 0;
      for (int64_t b = d - q.baseline_days; b < d; ++b) {
        auto bi = days.find(b);
        if (bi == days.end()) continue;
        double scale = wf(b) * std::max(cov(b), 0.05);
        norm_sum += static_cast<double>(bi->second[0]) / scale;
      }
      // Never expect less than one incident per baseline window: a first
      // ever post must still clear min_count, not a zero baseline.
      double mean = std::max(norm_sum, 1.0) / q.baseline_days;
      double c = cov(d);
      double expected = mean * wf(d) * std::max(c, 0.05);
      double p = PoissonUpperTail(it->second[0], expected);
      if (p >= q.max_p_value) continue;
      Spike s;
      s.day = d * 86400;
      s.date = FormatDateUtc(s.day);
      s.category = key.first;
      s.region = key.second;
      s.incidents = it->second[0];
      s.volume = it->second[1];
      s.expected = expected;
      s.coverage = c;
      s.p_value = p;
      spikes.push_back(std::move(s));
    }
  }
  // What drove each spike: matched words, sources and schools of its posts.
  for (Spike& s : spikes) {
    std::map<std::string, int64_t> terms, sources, schools;
    PostQuery pq;
    pq.from = s.day;
    pq.to = s.day + 86400;
    pq.category = s.category;
    SHAGYM_RETURN_IF_ERROR(ForEachPost(pq, [&](const Post& p) {
      if (p.labels.region != s.region) return Status::Ok();
      ++sources[p.source];
      if (!p.labels.school_number.empty()) ++schools[p.labels.school_number];
      for (const Match& m : p.labels.matches) {
        if (m.category != s.category || m.start < 0 || m.end <= m.start ||
            static_cast<size_t>(m.end) > p.text.size()) {
          continue;
        }
        ++terms[p.text.substr(m.start, m.end - m.start)];
      }
      return Status::Ok();
    }));
    auto top = [](const std::map<std::string, int64_t>& m) {
      std::vector<std::pair<std::string, int64_t>> v(m.begin(), m.end());
      std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.second > b.second;
      });
      if (v.size() > 5) v.resize(5);
      return v;
    };
    s.terms = top(terms);
    s.sources = top(sources);
    s.schools = top(schools);
  }
  std::sort(spikes.begin(), spikes.end(), [](const Spike& a, const Spike& b) {
    if (a.day != b.day) return a.day < b.day;
    return a.p_value < b.p_value;
  });
  return spikes;
}

// ---- Reviews --------------------------------------------------------------

Status Store::SetReview(const std::string& id, const std::string& status,
                        const std::string& user, const std::string& note) {
  if (!IsReviewStatus(status)) {
    return InvalidArgument("unknown review status '" + status +
                           "' (new, confirmed, false_positive, escalated, "
                           "resolved)");
  }
  auto locks = impl_->LockIds({&id});
  auto old = impl_->ReadPost(id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return NotFound("review: no post " + id);
  ReviewEvent e;
  e.at_ms = clock_->NowMs();
  e.user = user;
  e.from = (*old)->review;
  e.to = status;
  e.note = note;
  uint32_t seq;
  {
    std::lock_guard<std::mutex> l(impl_->review_seq_mu_);
    seq = impl_->review_seq_++;
  }
  std::string key = ReviewPrefix(id);
  codec::PutBe64(&key, codec::TimeKey(e.at_ms));
  codec::PutBe32(&key, seq);
  rocksdb::WriteBatch batch;
  batch.Put(impl_->cf(Cf::kReviews), key, EncodeReviewEvent(e));
  if ((*old)->review != status) {
    Post now = **old;
    now.review = status;
    Counters delta;
    impl_->WriteTransition(&**old, now, &batch, &delta);
    impl_->WriteCounters(delta, &batch);
  }
  return FromRocks(impl_->raw()->Write(WriteOpts(), &batch), "review " + id);
}

StatusOr<std::vector<ReviewEvent>> Store::ReviewHistory(const std::string& id) {
  std::string prefix = ReviewPrefix(id);
  std::string end = PrefixEnd(prefix);
  rocksdb::ReadOptions ro;
  rocksdb::Slice end_slice(end);
  ro.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->raw()->NewIterator(ro, impl_->cf(Cf::kReviews)));
  std::vector<ReviewEvent> out;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ReviewEvent e;
    if (DecodeReviewEvent(it->value().ToStringView(), &e)) {
      out.push_back(std::move(e));
    }
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "review history " + id));
  return out;
}

StatusOr<std::vector<RuleStats>> Store::RuleStatistics() {
  std::string end = PrefixEnd("r");
  rocksdb::ReadOptions ro;
  rocksdb::Slice end_slice(end);
  ro.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->raw()->NewIterator(ro, impl_->cf(Cf::kTrends)));
  std::vector<RuleStats> out;
  for (it->Seek("r"); it->Valid(); it->Next()) {
    auto v = codec::DecodeCounters(it->value().ToStringView());
    v.resize(3, 0);
    if (v[0] == 0 && v[1] == 0 && v[2] == 0) continue;
    RuleStats r;
    r.rule = it->key().ToString().substr(1);
    r.hits = v[0];
    r.confirmed = v[1];
    r.false_positive = v[2];
    if (v[1] + v[2] > 0) {
      r.precision =
          static_cast<double>(v[1]) / static_cast<double>(v[1] + v[2]);
    }
    out.push_back(std::move(r));
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "rule statistics"));
  return out;
}

// ---- Source health --------------------------------------------------------

Status Store::RecordFetch(const FetchOutcome& o) {
  return RecordFetches(std::span<const FetchOutcome>(&o, 1));
}

Status Store::RecordFetches(std::span<const FetchOutcome> outcomes) {
  for (const FetchOutcome& o : outcomes) {
    if (o.source.empty()) {
      return InvalidArgument("fetch outcome without source");
    }
  }
  if (outcomes.empty()) return Status::Ok();
  std::lock_guard<std::mutex> l(impl_->sources_mu_);
  // Few sources per call, often one: a vector searched in order.
  std::vector<std::pair<const std::string*, SourceRecord>> records;
  std::map<std::pair<std::string, uint32_t>, std::array<int64_t, 3>> days;
  for (const FetchOutcome& o : outcomes) {
    const int64_t at = o.at != 0 ? o.at : clock_->NowSeconds();
    auto rec = std::find_if(records.begin(), records.end(), [&](const auto& r) {
      return *r.first == o.source;
    });
    if (rec == records.end()) {
      SourceRecord r;
      std::string v;
      rocksdb::Status s = impl_->raw()->Get(
          rocksdb::ReadOptions(), impl_->cf(Cf::kSources), o.source, &v);
      if (s.ok()) {
        if (!DecodeSourceRecord(v, &r)) r = SourceRecord();
      } else if (!s.IsNotFound()) {
        return FromRocks(s, "read source health " + o.source);
      }
      records.emplace_back(&o.source, std::move(r));
      rec = records.end() - 1;
    }
    SourceRecord& r = rec->second;
    r.last_attempt = std::max(r.last_attempt, at);
    if (o.ok) {
      r.last_success = std::max(r.last_success, at);
      r.consecutive_failures = 0;
    } else {
      r.last_error_at = std::max(r.last_error_at, at);
      r.last_error =
          o.error.empty()
              ? (o.http_status ? "HTTP " + std::to_string(o.http_status)
                               : "no answer")
              : o.error;
      ++r.consecutive_failures;
    }
    std::array<int64_t, 3>& c = days[{o.source, internal::DayOf(at)}];
    c[0] += 1;
    c[1] += o.ok ? 0 : 1;
    c[2] += o.not_modified ? 1 : 0;
  }
  rocksdb::WriteBatch batch;
  for (const auto& [source, r] : records) {
    batch.Put(impl_->cf(Cf::kSources), *source, EncodeSourceRecord(r));
  }
  for (const auto& [key, c] : days) {
    batch.Merge(impl_->cf(Cf::kTrends),
                internal::FetchDayKey(key.first, key.second),
                codec::EncodeCounters({c[0], c[1], c[2]}));
  }
  return FromRocks(
      impl_->raw()->Write(WriteOpts(), &batch),
      outcomes.size() == 1
          ? "record fetch of " + outcomes[0].source
          : "record " + std::to_string(outcomes.size()) + " fetches");
}

Status Store::SetSourceDisabled(const std::string& source, bool disabled,
                                const std::string& reason) {
  std::lock_guard<std::mutex> l(impl_->sources_mu_);
  SourceRecord r;
  std::string v;
  rocksdb::Status s = impl_->raw()->Get(rocksdb::ReadOptions(),
                                        impl_->cf(Cf::kSources), source, &v);
  if (s.ok()) {
    if (!DecodeSourceRecord(v, &r)) r = SourceRecord();
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read source health " + source);
  }
  r.disabled = disabled;
  r.disabled_reason = disabled ? reason : "";
  return FromRocks(impl_->raw()->Put(WriteOpts(), impl_->cf(Cf::kSources),
                                     source, EncodeSourceRecord(r)),
                   "write source health " + source);
}

StatusOr<std::optional<SourceHealth>> Store::GetSourceHealth(
    const std::string& source) {
  std::string v;
  rocksdb::Status s = impl_->raw()->Get(rocksdb::ReadOptions(),
                                        impl_->cf(Cf::kSources), source, &v);
  if (s.IsNotFound()) return std::optional<SourceHealth>();
  if (!s.ok()) return FromRocks(s, "read source health " + source);
  SourceRecord r;
  if (!DecodeSourceRecord(v, &r)) {
    return Corruption("source health " + source + ": undecodable record");
  }
  SourceHealth h;
  h.source = source;
  h.last_attempt = r.last_attempt;
  h.last_success = r.last_success;
  h.last_error_at = r.last_error_at;
  h.last_error = r.last_error;
  h.consecutive_failures = r.consecutive_failures;
  h.disabled = r.disabled;
  h.disabled_reason = r.disabled_reason;
  const uint32_t today = internal::DayOf(clock_->NowSeconds());
  const uint32_t lo = today >= 6 ? today - 6 : 0;
  int64_t errors = 0, not_modified = 0;
  std::string prefix = "f" + source;
  prefix.push_back('\0');
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      prefix, lo, today + 1,
      [&](std::string_view, uint32_t, const std::vector<int64_t>& c) {
        if (c.size() < 3) return;
        h.fetches_7d += c[0];
        errors += c[1];
        not_modified += c[2];
      }));
  prefix[0] = 's';
  SHAGYM_RETURN_IF_ERROR(impl_->ScanCounters(
      prefix, lo, today + 1,
      [&](std::string_view, uint32_t, const std::vector<int64_t>& c) {
        if (!c.empty()) h.posts_7d += c[0];
      }));
  if (h.fetches_7d > 0) {
    h.error_rate_7d =
        static_cast<double>(errors) / static_cast<double>(h.fetches_7d);
    h.not_modified_rate_7d =
        static_cast<double>(not_modified) / static_cast<double>(h.fetches_7d);
  }
  return std::optional<SourceHealth>(std::move(h));
}

StatusOr<std::vector<SourceHealth>> Store::SourcesHealth() {
  std::vector<std::string> ids;
  {
    std::unique_ptr<rocksdb::Iterator> it(impl_->raw()->NewIterator(
        rocksdb::ReadOptions(), impl_->cf(Cf::kSources)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ids.push_back(it->key().ToString());
    }
    SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "list sources"));
  }
  std::vector<SourceHealth> out;
  for (const auto& id : ids) {
    auto h = GetSourceHealth(id);
    if (!h.ok()) return h.status();
    if (h->has_value()) out.push_back(std::move(**h));
  }
  return out;
}

// ---- Maintenance ----------------------------------------------------------

StatusOr<RetentionReport> Store::ApplyRetention() {
  RetentionReport report;
  if (options_.retention_days > 0) {
    SHAGYM_RETURN_IF_ERROR(RemoveExpiredPosts(&report));
  }
  auto swept = DropUnreferencedEvidence(kEvidenceGraceSeconds);
  if (!swept.ok()) return swept.status();
  report.unreferenced_pages_removed = *swept;
  return report;
}

StatusOr<int64_t> Store::DropUnreferencedEvidence(int64_t grace_seconds) {
  const int64_t before = clock_->NowSeconds() - grace_seconds;
  EvidenceStore evidence(db_.get());
  int64_t removed = 0;
  // Deletes the candidates (pages that looked unreferenced and old in the
  // scan) that still are under their locks.
  auto drop = [&](const std::vector<std::string>& pages) -> Status {
    if (impl_->before_evidence_drop_) impl_->before_evidence_drop_();
    auto locks = db_->LockEvidence(pages);
    rocksdb::WriteBatch batch;
    int64_t n = 0;
    for (const std::string& page : pages) {
      StatusOr<bool> referenced = EvidenceReferenced(*db_, page, nullptr);
      if (!referenced.ok()) return referenced.status();
      if (*referenced) continue;
      auto seen = evidence.LastSeen(page);
      if (!seen.ok()) return seen.status();
      if (!seen->has_value() || **seen >= before) continue;
      batch.Delete(impl_->cf(Cf::kEvidence), page);
      batch.Delete(impl_->cf(Cf::kEvidence), EvidenceStore::SeenKey(page));
      ++n;
    }
    SHAGYM_RETURN_IF_ERROR(FromRocks(impl_->raw()->Write(WriteOpts(), &batch),
                                     "remove unreferenced evidence"));
    removed += n;
    return Status::Ok();
  };
  // One pass in key order: a page's record (its bare id), then its
  // references (id \0 post), then its seen-again time (id \1).
  rocksdb::ReadOptions scan;
  scan.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->raw()->NewIterator(scan, impl_->cf(Cf::kEvidence)));
  std::vector<std::string> candidates;
  std::string page;  // the page being looked at; "" = none
  bool referenced = false;
  auto finish = [&]() -> Status {
    if (!page.empty() && !referenced) {
      // The record's own time is read again with the seen-again key.
      auto seen = evidence.LastSeen(page);
      if (!seen.ok()) return seen.status();
      if (seen->has_value() && **seen < before) candidates.push_back(page);
    }
    page.clear();
    if (candidates.size() >= 256) {
      SHAGYM_RETURN_IF_ERROR(drop(candidates));
      candidates.clear();
    }
    return Status::Ok();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!page.empty() && key.size() > page.size() &&
        key.substr(0, page.size()) == page) {
      if (key[page.size()] == '\0') referenced = true;
      continue;
    }
    SHAGYM_RETURN_IF_ERROR(finish());
    if (key.find('\0') == std::string_view::npos && !key.empty() &&
        key.back() != '\x01') {
      page = std::string(key);
      referenced = false;
    }
  }
  SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "scan evidence"));
  SHAGYM_RETURN_IF_ERROR(finish());
  if (!candidates.empty()) SHAGYM_RETURN_IF_ERROR(drop(candidates));
  return removed;
}

Status Store::RemoveExpiredPosts(RetentionReport* out) {
  RetentionReport& report = *out;
  report.cutoff = clock_->NowSeconds() -
                  static_cast<int64_t>(options_.retention_days) * 86400;
  // Record the cut-off first: Check() must not compare buckets that are
  // about to lose posts, even if this run is killed half-way.
  auto prev = impl_->RetentionCutoff();
  if (!prev.ok()) return prev.status();
  if (report.cutoff > *prev) {
    SHAGYM_RETURN_IF_ERROR(FromRocks(
        impl_->raw()->Put(WriteOpts(), impl_->cf(Cf::kMeta),
                          kRetentionCutoffKey, std::to_string(report.cutoff)),
        "write retention cutoff"));
  }
  for (;;) {
    // Up to 1000 expired index entries per batch.
    std::vector<std::string> keys, ids;
    PostQuery q;
    q.from = std::numeric_limits<int64_t>::min();
    q.to = report.cutoff;
    SHAGYM_RETURN_IF_ERROR(impl_->ScanIndex(
        q, [&](std::string_view key, const codec::Summary&, std::string_view) {
          keys.emplace_back(key);
          ids.emplace_back(key.substr(8));
          return ids.size() < 1000;
        }));
    if (ids.empty()) break;
    std::vector<const std::string*> id_ptrs;
    for (const auto& id : ids) id_ptrs.push_back(&id);
    auto locks = impl_->LockIds(id_ptrs);
    // Read again under the locks: a re-ingest since the scan may have moved
    // a post past the cut-off (it stays) or removed it.
    std::vector<Post> expired;
    for (const std::string& id : ids) {
      auto p = impl_->ReadPost(id);
      if (!p.ok()) return p.status();
      if (p->has_value() && PostTime(**p) < report.cutoff) {
        expired.push_back(std::move(**p));
      }
    }
    std::set<std::string> removed;
    for (const Post& post : expired) removed.insert(post.id);
    std::set<std::string> pages;  // evidence the removed posts referred to
    DedupeIndex dedupe(db_.get());
    rocksdb::WriteBatch batch;
    // Every scanned entry goes, even one whose post vanished or moved: a
    // post that stays lives under a later time, never under these keys.
    for (const std::string& k : keys) {
      batch.Delete(impl_->cf(Cf::kTimeIndex), k);
    }
    for (const Post& post : expired) {
      const std::string& id = post.id;
      const int64_t t = PostTime(post);
      batch.Delete(impl_->cf(Cf::kPosts), id);
      batch.Delete(impl_->cf(Cf::kTimeIndex), internal::TimeIndexKey(t, id));
      std::string lp = id;
      lp.push_back('\0');
      batch.DeleteRange(impl_->cf(Cf::kLabels), lp, PrefixEnd(lp));
      if (post.incident_id != id) {
        batch.Delete(impl_->cf(Cf::kIncidents),
                     IncidentMemberKey(post.incident_id, t, id));
      }
      std::string rp = ReviewPrefix(id);
      batch.DeleteRange(impl_->cf(Cf::kReviews), rp, PrefixEnd(rp));
      if (!post.evidence_id.empty()) {
        batch.Delete(impl_->cf(Cf::kEvidence),
                     EvidenceRefKey(post.evidence_id, id));
        pages.insert(post.evidence_id);
      }
      SHAGYM_RETURN_IF_ERROR(dedupe.Forget(
          post,
          [&](const std::string& original) {
            if (removed.count(original) > 0) return true;
            auto o = impl_->ReadPost(original);
            return o.ok() && !o->has_value();
          },
          &batch));
      // Time-bucketed counters stay; per-rule counters follow the posts.
      Counters all, rules;
      internal::AddContributions(post, -1, &all);
      for (auto& [k, v] : all) {
        if (!k.empty() && k[0] == 'r') rules[k] = v;
      }
      impl_->WriteCounters(rules, &batch);
      ++report.posts_removed;
    }
    // A page goes when no post refers to it any more, in the same batch as
    // the last reference: a run killed half-way leaves no orphan behind.
    // The pages' locks are held from the look at their references to the
    // write: an ingest adding a reference (or a Put about to be referred
    // to) waits, and then finds the page either kept or gone, never half.
    auto page_locks =
        db_->LockEvidence(std::vector<std::string>(pages.begin(), pages.end()));
    EvidenceStore evidence(db_.get());
    for (const std::string& page : pages) {
      StatusOr<bool> referenced = EvidenceReferenced(*db_, page, &removed);
      if (!referenced.ok()) return referenced.status();
      if (*referenced) continue;
      // Stored again since the cut-off: the posts of that fetch are on
      // their way (EvidenceStore::Put comes just before their ingest).
      auto seen = evidence.LastSeen(page);
      if (!seen.ok()) return seen.status();
      if (seen->has_value() && **seen >= report.cutoff) continue;
      batch.Delete(impl_->cf(Cf::kEvidence), page);
      batch.Delete(impl_->cf(Cf::kEvidence), EvidenceStore::SeenKey(page));
      if (seen->has_value()) ++report.pages_removed;
    }
    if (impl_->before_retention_write_) impl_->before_retention_write_();
    SHAGYM_RETURN_IF_ERROR(
        FromRocks(impl_->raw()->Write(WriteOpts(), &batch), "apply retention"));
  }
  return Status::Ok();
}

Status Store::Backup(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return InvalidArgument("backup: " + dir + " already exists");
  }
  fs::create_directories(dir, ec);
  if (ec) return IOError("backup: create " + dir + ": " + ec.message());
  rocksdb::Checkpoint* raw_cp = nullptr;
  SHAGYM_RETURN_IF_ERROR(FromRocks(
      rocksdb::Checkpoint::Create(impl_->raw(), &raw_cp), "backup " + dir));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw_cp);
  SHAGYM_RETURN_IF_ERROR(
      FromRocks(cp->CreateCheckpoint(dir + "/db"), "backup to " + dir));
  // The pseudonym key goes with the data, or restored authors would stop
  // matching new ones.
  const std::string key = options_.data_dir + "/secret.key";
  if (fs::exists(key, ec)) {
    fs::copy_file(key, dir + "/secret.key", ec);
    if (ec) return IOError("backup: copy " + key + ": " + ec.message());
  }
  return Status::Ok();
}

Status Store::Restore(const std::string& backup_dir,
                      const std::string& data_dir) {
  std::error_code ec;
  const std::string src = backup_dir + "/db";
  if (!fs::is_directory(src, ec)) {
    return NotFound("restore: " + backup_dir +
                    " is not a shagym backup (no db/ directory)");
  }
  {
    DbOptions ro;
    ro.create_if_missing = false;
    ro.read_only = true;
    auto db = Db::Open(src, ro);
    if (!db.ok()) return db.status().WithContext("restore: backup unusable");
    std::string v;
    rocksdb::Status s = (*db)->raw()->Get(
        rocksdb::ReadOptions(), (*db)->cf(Cf::kMeta), kSchemaVersionKey, &v);
    if (s.ok() && std::atoi(v.c_str()) > kSchemaVersion) {
      return InvalidArgument(
          "restore: backup " + backup_dir + " has schema version " + v +
          ", newer than this build's " + std::to_string(kSchemaVersion));
    }
  }
  const std::string dst = data_dir + "/db";
  if (fs::exists(dst, ec)) {
    // Fails on a store in use: RocksDB holds db/LOCK.
    DbOptions probe;
    probe.create_if_missing = false;
    {
      auto db = Db::Open(dst, probe);
      if (!db.ok()) {
        return db.status().WithContext("restore: store " + dst +
                                       " is in use or unreadable");
      }
    }
    std::string aside =
        dst + ".before-restore-" + std::to_string(SystemNowSeconds());
    fs::rename(dst, aside, ec);
    if (ec) return IOError("restore: move " + dst + " aside: " + ec.message());
  }
  fs::create_directories(data_dir, ec);
  fs::copy(src, dst, fs::copy_options::recursive, ec);
  if (ec)
    return IOError("restore: copy " + src + " to " + dst + ": " + ec.message());
  const std::string key = backup_dir + "/secret.key";
  if (fs::exists(key, ec)) {
    const std::string dkey = data_dir + "/secret.key";
    if (fs::exists(dkey, ec)) {
      fs::rename(dkey,
                 dkey + ".before-restore-" + std::to_string(SystemNowSeconds()),
                 ec);
    }
    fs::copy_file(key, dkey, ec);
    if (ec) return IOError("restore: copy " + key + ": " + ec.message());
    fs::permissions(dkey, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
  }
  return Status::Ok();
}

StatusOr<CheckReport> Store::Check() {
  CheckReport report;
  auto problem = [&report](std::string line) {
    if (report.problems.size() < 20) report.problems.push_back(std::move(line));
  };
  auto cutoff = impl_->RetentionCutoff();
  if (!cutoff.ok()) return cutoff.status();
  // Recount from the posts (one consistent snapshot for everything).
  const rocksdb::Snapshot* snap = impl_->raw()->GetSnapshot();
  struct SnapshotReleaser {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~SnapshotReleaser() { db->ReleaseSnapshot(s); }
  } releaser{impl_->raw(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unordered_map<std::string, std::vector<int64_t>> expected;
  {
    // The records live in the time index; each must match its key, its
    // summary and its id's pointer in the posts family.
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->raw()->NewIterator(ro, impl_->cf(Cf::kTimeIndex)));
    Counters c;
    std::string v;
    std::string_view summary, record;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key = it->key().ToString();
      const std::string id = key.size() > 8 ? key.substr(8) : key;
      Post p;
      if (!codec::SplitIndexValue(it->value().ToStringView(), &summary,
                                  &record) ||
          !codec::DecodePost(record, &p)) {
        ++report.index_mismatches;
        problem("post " + id + ": undecodable record");
        continue;
      }
      ++report.posts;
      if (!p.labels.categories.empty()) ++report.complaints;
      if (p.duplicate_of.empty()) ++report.originals;
      c.clear();
      internal::AddContributions(p, +1, &c);
      for (auto& [k, vals] : c) {
        auto& e = expected[k];
        if (e.size() < vals.size()) e.resize(vals.size(), 0);
        for (size_t i = 0; i < vals.size(); ++i) e[i] += vals[i];
      }
      if (key != internal::TimeIndexKey(PostTime(p), p.id) ||
          summary != codec::EncodeSummary(codec::SummaryOf(p))) {
        ++report.index_mismatches;
        problem("post " + id + ": time index entry stale");
      }
      rocksdb::Status s = impl_->raw()->Get(ro, impl_->cf(Cf::kPosts), id, &v);
      if (!s.ok() || v != codec::EncodePostPointer(PostTime(p))) {
        ++report.index_mismatches;
        problem("post " + id + ": pointer missing or stale");
      }
    }
    SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "check posts"));
  }
  int64_t pointers = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->raw()->NewIterator(ro, impl_->cf(Cf::kPosts)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++pointers;
    SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "check post pointers"));
  }
  if (pointers != report.posts) {
    ++report.index_mismatches;
    problem("posts family has " + std::to_string(pointers) + " ids for " +
            std::to_string(report.posts) + " time index records");
  }
  auto compare = [&](const std::string& key, std::vector<int64_t> have,
                     std::vector<int64_t> want) {
    int64_t start;
    if (internal::CounterBucketStart(key, &start) && start < *cutoff) return;
    size_t n = std::max(have.size(), want.size());
    have.resize(n, 0);
    want.resize(n, 0);
    ++report.counters_checked;
    if (have != want) {
      ++report.counter_mismatches;
      std::string h, w;
      for (size_t i = 0; i < n; ++i) {
        h += (i ? "," : "") + std::to_string(have[i]);
        w += (i ? "," : "") + std::to_string(want[i]);
      }
      std::string printable;
      for (char ch : key) printable.push_back(ch == '\0' ? '|' : ch);
      printable.resize(printable.size() - (key[0] == 'r' ? 0 : 4));
      problem("counter " + printable + ": stored [" + h + "], labels say [" +
              w + "]");
    }
  };
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->raw()->NewIterator(ro, impl_->cf(Cf::kTrends)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string key = it->key().ToString();
      if (key.empty() || key[0] == 'f') continue;  // fetch health: no labels
      auto want = expected.find(key);
      compare(key, codec::DecodeCounters(it->value().ToStringView()),
              want == expected.end() ? std::vector<int64_t>() : want->second);
      if (want != expected.end()) expected.erase(want);
    }
    SHAGYM_RETURN_IF_ERROR(FromRocks(it->status(), "check counters"));
  }
  for (auto& [key, want] : expected) compare(key, {}, want);
  return report;
}

namespace internal {

void SetMigrationHookForTesting(size_t batch_size,
                                std::function<void(int)> after_batch) {
  migration_batch_size = batch_size > 0 ? batch_size : 10000;
  migration_after_batch = std::move(after_batch);
}

void SetRetentionHookForTesting(Store* store, std::function<void()> hook) {
  store->impl_->before_retention_write_ = std::move(hook);
}

void SetEvidenceSweepHookForTesting(Store* store, std::function<void()> hook) {
  store->impl_->before_evidence_drop_ = std::move(hook);
}

}  // namespace internal

}  // namespace shagym::store
