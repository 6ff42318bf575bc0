#include "crawler/frontier.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

#include "crawler/url.h"
#include "store/db.h"

namespace shagym::crawler {

namespace {

// ---- Encoding ---------------------------------------------------------------

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    unsigned char c = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= uint64_t{c & 0x7fu} << shift;
    if ((c & 0x80) == 0) return true;
  }
  return false;
}

void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (i * 8)));
}

bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) {
    *v = (*v << 8) | static_cast<unsigned char>((*in)[i]);
  }
  in->remove_prefix(8);
  return true;
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

bool GetString(std::string_view* in, std::string* s) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

constexpr char kEntryVersion = 1;
constexpr char kStateVersion = 1;

std::string EncodeEntry(const FrontierEntry& e) {
  std::string out;
  out.push_back(kEntryVersion);
  out.push_back(static_cast<char>(e.kind));
  PutVarint(&out, static_cast<uint64_t>(std::max(0, e.depth)));
  PutFixed64(&out, static_cast<uint64_t>(e.due_ms));
  PutVarint(&out, static_cast<uint64_t>(std::max(0, e.attempts)));
  PutVarint(&out, static_cast<uint64_t>(std::max(0, e.redirects)));
  // Flags: bit 0 recrawl, bit 1 sitemap_lastmod (older stores wrote 0/1).
  out.push_back(
      static_cast<char>((e.recrawl ? 1 : 0) | (e.sitemap_lastmod ? 2 : 0)));
  PutString(&out, e.source_id);
  PutString(&out, e.url);
  return out;
}

bool DecodeEntry(std::string_view in, FrontierEntry* e) {
  if (in.size() < 2 || in[0] != kEntryVersion) return false;
  uint8_t kind = static_cast<uint8_t>(in[1]);
  if (kind > static_cast<uint8_t>(UrlKind::kRecrawl)) return false;
  e->kind = static_cast<UrlKind>(kind);
  in.remove_prefix(2);
  uint64_t depth, due, attempts, redirects;
  if (!GetVarint(&in, &depth) || !GetFixed64(&in, &due) ||
      !GetVarint(&in, &attempts) || !GetVarint(&in, &redirects) || in.empty()) {
    return false;
  }
  e->depth = static_cast<int>(depth);
  e->due_ms = static_cast<int64_t>(due);
  e->attempts = static_cast<int>(attempts);
  e->redirects = static_cast<int>(redirects);
  e->recrawl = (in[0] & 1) != 0;
  e->sitemap_lastmod = (in[0] & 2) != 0;
  in.remove_prefix(1);
  return GetString(&in, &e->source_id) && GetString(&in, &e->url);
}

std::string EncodeState(const UrlState& s) {
  std::string out;
  out.push_back(kStateVersion);
  PutFixed64(&out, static_cast<uint64_t>(s.fetched_ms));
  PutVarint(&out, static_cast<uint64_t>(std::max(0, s.http_status)));
  PutString(&out, s.etag);
  PutString(&out, s.last_modified);
  return out;
}

bool DecodeState(std::string_view in, UrlState* s) {
  if (in.empty() || in[0] != kStateVersion) return false;
  in.remove_prefix(1);
  uint64_t fetched, status;
  if (!GetFixed64(&in, &fetched) || !GetVarint(&in, &status)) return false;
  s->fetched_ms = static_cast<int64_t>(fetched);
  s->http_status = static_cast<int>(status);
  return GetString(&in, &s->etag) && GetString(&in, &s->last_modified);
}

std::string HashKey(uint64_t h) {
  std::string k;
  PutFixed64(&k, h);
  return k;
}

// Page counts share Cf::kFrontier with the entries: their keys start with
// '#' and, with these 9-byte prefixes, are always longer than an entry's
// 8-byte URL hash.
constexpr std::string_view kHostCountPrefix = "#pages/h/";
constexpr std::string_view kSourceCountPrefix = "#pages/s/";
// Retry-After pauses per host share the scheme.
constexpr std::string_view kHostPausePrefix = "#pause/h/";
// The spill area shares Cf::kFrontier too: prefix, host key, a 0 byte, the
// kind byte and the big-endian seq, so that one host's entries are
// contiguous and in order. It starts with '~', not '#', to stay out of the
// count scan; 9 bytes, so no 8-byte entry key falls into its range.
constexpr std::string_view kSpillPrefix = "~queue/h/";
static_assert(kSpillPrefix.size() > 8);

std::string SpillHostPrefix(std::string_view host) {
  std::string k(kSpillPrefix);
  k.append(host);
  k.push_back('\0');
  return k;
}

std::string SpillKey(const SpilledEntry& s) {
  std::string k = SpillHostPrefix(s.host);
  k.push_back(static_cast<char>(s.kind));
  PutFixed64(&k, s.seq);
  return k;
}

// The kind and seq at the end of a spill key of `host_prefix`.
bool ParseSpillKey(std::string_view key, size_t host_prefix, uint8_t* kind,
                   uint64_t* seq) {
  if (key.size() != host_prefix + 9) return false;
  key.remove_prefix(host_prefix);
  *kind = static_cast<uint8_t>(key[0]);
  key.remove_prefix(1);
  return GetFixed64(&key, seq) &&
         *kind <= static_cast<uint8_t>(UrlKind::kRecrawl);
}

static_assert(kHostCountPrefix.size() == kSourceCountPrefix.size() &&
              kHostPausePrefix.size() == kHostCountPrefix.size() &&
              kHostCountPrefix.size() > 8);

std::string CountKey(std::string_view prefix, std::string_view key) {
  std::string k(prefix);
  k.append(key);
  return k;
}

std::string CountValue(int64_t n) {
  std::string v;
  PutFixed64(&v, static_cast<uint64_t>(n));
  return v;
}

// ---- RocksDB store
// ------------------------------------------------------------

class RocksFrontierStore : public FrontierStore {
 public:
  explicit RocksFrontierStore(store::Db* db) : db_(db) {}

  Status LoadQueue(const std::function<void(FrontierEntry)>& each) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
        rocksdb::ReadOptions(), db_->cf(store::Cf::kFrontier)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) continue;  // a page count
      FrontierEntry e;
      if (DecodeEntry(std::string_view(it->value().data(), it->value().size()),
                      &e)) {
        each(std::move(e));
      }
    }
    return store::FromRocks(it->status(), "load frontier");
  }

  Status LoadSeen(const std::function<void(uint64_t)>& each) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
        rocksdb::ReadOptions(), db_->cf(store::Cf::kSeen)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      uint64_t h;
      if (GetFixed64(&k, &h)) each(h);
    }
    return store::FromRocks(it->status(), "load seen set");
  }

  Status LoadCounts(const std::function<void(bool, const std::string&,
                                             int64_t)>& each) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
        rocksdb::ReadOptions(), db_->cf(store::Cf::kFrontier)));
    for (it->Seek("#"); it->Valid() && it->key().starts_with("#"); it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      std::string_view v(it->value().data(), it->value().size());
      uint64_t n;
      if (k.size() <= 8 || !GetFixed64(&v, &n)) continue;
      bool host = k.starts_with(kHostCountPrefix);
      if (!host && !k.starts_with(kSourceCountPrefix)) continue;
      each(host, std::string(k.substr(kHostCountPrefix.size())),
           static_cast<int64_t>(n));
    }
    return store::FromRocks(it->status(), "load frontier page counts");
  }

  Status LoadPauses(
      const std::function<void(const std::string&, int64_t)>& each) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
        rocksdb::ReadOptions(), db_->cf(store::Cf::kFrontier)));
    rocksdb::Slice prefix(kHostPausePrefix.data(), kHostPausePrefix.size());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      std::string_view v(it->value().data(), it->value().size());
      uint64_t until;
      if (!GetFixed64(&v, &until)) continue;
      each(std::string(k.substr(kHostPausePrefix.size())),
           static_cast<int64_t>(until));
    }
    return store::FromRocks(it->status(), "load host pauses");
  }

  Status Commit(const FrontierBatch& batch) override {
    if (batch.empty()) return Status::Ok();
    rocksdb::WriteBatch wb;
    auto* frontier = db_->cf(store::Cf::kFrontier);
    auto* seen = db_->cf(store::Cf::kSeen);
    for (const auto& item : batch.items) {
      std::string key = HashKey(UrlHash(item.entry.url));
      switch (item.op) {
        case FrontierBatch::Op::kQueue:
          wb.Put(frontier, key, EncodeEntry(item.entry));
          break;
        case FrontierBatch::Op::kSeen:
          wb.Put(seen, key, "");
          break;
        case FrontierBatch::Op::kDone:
          wb.Delete(frontier, key);
          break;
        case FrontierBatch::Op::kState:
          wb.Put(seen, key, EncodeState(item.state));
          break;
        case FrontierBatch::Op::kHostPages:
          wb.Put(frontier, CountKey(kHostCountPrefix, item.entry.url),
                 CountValue(item.count));
          break;
        case FrontierBatch::Op::kSourcePages:
          wb.Put(frontier, CountKey(kSourceCountPrefix, item.entry.source_id),
                 CountValue(item.count));
          break;
        case FrontierBatch::Op::kHostPause:
          wb.Put(frontier, CountKey(kHostPausePrefix, item.entry.url),
                 CountValue(item.count));
          break;
      }
    }
    return store::FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &wb),
                            "write frontier");
  }

  StatusOr<std::optional<UrlState>> GetState(const std::string& url) override {
    std::string value;
    rocksdb::Status s =
        db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(store::Cf::kSeen),
                        HashKey(UrlHash(url)), &value);
    if (s.IsNotFound()) return std::optional<UrlState>();
    if (!s.ok()) return store::FromRocks(s, "read fetch state of " + url);
    UrlState state;
    if (!DecodeState(value, &state)) return std::optional<UrlState>();
    return std::optional<UrlState>(std::move(state));
  }

  Status Spill(const std::vector<SpilledEntry>& items) override {
    if (items.empty()) return Status::Ok();
    rocksdb::WriteBatch wb;
    auto* frontier = db_->cf(store::Cf::kFrontier);
    {
      std::lock_guard lock(mu_);
      for (const SpilledEntry& s : items) {
        std::string key = SpillKey(s);
        wb.Put(frontier, key, EncodeEntry(s.entry));
        // A key before where the host's reads went on from: start there.
        auto c = cursor_.find(s.host);
        if (c != cursor_.end() && key < c->second) c->second = key;
      }
    }
    return store::FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &wb),
                            "write frontier spill");
  }

  StatusOr<std::vector<SpilledEntry>> Unspill(const std::string& host,
                                              size_t max) override {
    std::vector<SpilledEntry> out;
    const std::string prefix = SpillHostPrefix(host);
    std::string upper = prefix;
    upper.back() = '\1';
    std::string from;
    {
      std::lock_guard lock(mu_);
      auto c = cursor_.find(host);
      from = c == cursor_.end() ? prefix : c->second;
    }
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->raw()->NewIterator(ro, db_->cf(store::Cf::kFrontier)));
    rocksdb::WriteBatch wb;
    std::string last;
    for (it->Seek(from); it->Valid() && out.size() < max; it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      SpilledEntry s;
      s.host = host;
      if (ParseSpillKey(k, prefix.size(), &s.kind, &s.seq) &&
          DecodeEntry(std::string_view(it->value().data(), it->value().size()),
                      &s.entry)) {
        out.push_back(std::move(s));
      }
      wb.Delete(db_->cf(store::Cf::kFrontier), it->key());
      last.assign(k);
    }
    SHAGYM_RETURN_IF_ERROR(
        store::FromRocks(it->status(), "read frontier spill"));
    SHAGYM_RETURN_IF_ERROR(
        store::FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &wb),
                         "write frontier spill"));
    if (!last.empty()) {
      // Later reads start past the deleted keys instead of skipping their
      // tombstones again; Spill() moves this back for an earlier key.
      last.push_back('\0');
      std::lock_guard lock(mu_);
      cursor_[host] = std::move(last);
    }
    return out;
  }

  Status ClearSpill() override {
    std::string upper(kSpillPrefix);
    upper.back() = static_cast<char>(upper.back() + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->raw()->NewIterator(ro, db_->cf(store::Cf::kFrontier)));
    rocksdb::WriteBatch wb;
    for (it->Seek(std::string(kSpillPrefix)); it->Valid(); it->Next()) {
      wb.Delete(db_->cf(store::Cf::kFrontier), it->key());
      if (wb.Count() >= 4096) {
        SHAGYM_RETURN_IF_ERROR(
            store::FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &wb),
                             "clear frontier spill"));
        wb.Clear();
      }
    }
    SHAGYM_RETURN_IF_ERROR(
        store::FromRocks(it->status(), "read frontier spill"));
    {
      std::lock_guard lock(mu_);
      cursor_.clear();
    }
    return store::FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &wb),
                            "clear frontier spill");
  }

 private:
  store::Db* db_;
  std::mutex mu_;
  // Per host: the spill key its next read starts from.
  std::unordered_map<std::string, std::string> cursor_;
};

class MemoryFrontierStore : public FrontierStore {
 public:
  Status LoadQueue(const std::function<void(FrontierEntry)>& each) override {
    std::lock_guard lock(mu_);
    for (const auto& [h, e] : queue_) each(e);
    return Status::Ok();
  }
  Status LoadSeen(const std::function<void(uint64_t)>& each) override {
    std::lock_guard lock(mu_);
    for (const auto& [h, s] : seen_) each(h);
    return Status::Ok();
  }
  Status LoadCounts(const std::function<void(bool, const std::string&,
                                             int64_t)>& each) override {
    std::lock_guard lock(mu_);
    for (const auto& [k, n] : host_counts_) each(true, k, n);
    for (const auto& [k, n] : source_counts_) each(false, k, n);
    return Status::Ok();
  }
  Status LoadPauses(
      const std::function<void(const std::string&, int64_t)>& each) override {
    std::lock_guard lock(mu_);
    for (const auto& [k, n] : host_pauses_) each(k, n);
    return Status::Ok();
  }
  Status Commit(const FrontierBatch& batch) override {
    std::lock_guard lock(mu_);
    for (const auto& item : batch.items) {
      uint64_t h = UrlHash(item.entry.url);
      switch (item.op) {
        case FrontierBatch::Op::kQueue:
          queue_[h] = item.entry;
          break;
        case FrontierBatch::Op::kSeen:
          seen_[h];
          break;
        case FrontierBatch::Op::kDone:
          queue_.erase(h);
          break;
        case FrontierBatch::Op::kState:
          seen_[h] = item.state;
          break;
        case FrontierBatch::Op::kHostPages:
          host_counts_[item.entry.url] = item.count;
          break;
        case FrontierBatch::Op::kSourcePages:
          source_counts_[item.entry.source_id] = item.count;
          break;
        case FrontierBatch::Op::kHostPause:
          host_pauses_[item.entry.url] = item.count;
          break;
      }
    }
    return Status::Ok();
  }
  StatusOr<std::optional<UrlState>> GetState(const std::string& url) override {
    std::lock_guard lock(mu_);
    auto it = seen_.find(UrlHash(url));
    if (it == seen_.end() || it->second.fetched_ms == 0) {
      return std::optional<UrlState>();
    }
    return std::optional<UrlState>(it->second);
  }

  Status Spill(const std::vector<SpilledEntry>& items) override {
    std::lock_guard lock(mu_);
    for (const SpilledEntry& s : items) spill_[SpillKey(s)] = s;
    return Status::Ok();
  }
  StatusOr<std::vector<SpilledEntry>> Unspill(const std::string& host,
                                              size_t max) override {
    std::lock_guard lock(mu_);
    std::vector<SpilledEntry> out;
    const std::string prefix = SpillHostPrefix(host);
    auto it = spill_.lower_bound(prefix);
    while (it != spill_.end() && out.size() < max &&
           it->first.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(std::move(it->second));
      it = spill_.erase(it);
    }
    return out;
  }
  Status ClearSpill() override {
    std::lock_guard lock(mu_);
    spill_.clear();
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::map<std::string, SpilledEntry> spill_;
  std::map<uint64_t, FrontierEntry> queue_;
  std::map<uint64_t, UrlState> seen_;
  std::map<std::string, int64_t> host_counts_;
  std::map<std::string, int64_t> source_counts_;
  std::map<std::string, int64_t> host_pauses_;
};

int CurrentYear(int64_t now_ms) {
  time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

}  // namespace

std::unique_ptr<FrontierStore> NewRocksFrontierStore(store::Db* db) {
  return std::make_unique<RocksFrontierStore>(db);
}

std::unique_ptr<FrontierStore> NewMemoryFrontierStore() {
  return std::make_unique<MemoryFrontierStore>();
}

uint64_t UrlHash(std::string_view url) {
  // FNV-1a, then a murmur3 finaliser to spread the bits. Stable across runs
  // and builds: it is part of the on-disk format.
  uint64_t h = 1469598103934665603ull;
  for (char c : url) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

const char* AddResultName(AddResult r) {
  switch (r) {
    case AddResult::kAdded:
      return "added";
    case AddResult::kSeen:
      return "seen";
    case AddResult::kTooDeep:
      return "too_deep";
    case AddResult::kHostFull:
      return "host_full";
    case AddResult::kSourceFull:
      return "source_full";
    case AddResult::kTrap:
      return "trap";
    case AddResult::kTooLong:
      return "too_long";
  }
  return "?";
}

// ---- Frontier
// -----------------------------------------------------------------

Frontier::Frontier(const FrontierOptions& options, FrontierStore* store)
    : options_(options), store_(store) {
  options_.host_window = std::max<size_t>(2, options_.host_window);
}

Status Frontier::Load(int64_t now_ms) {
  // The spill area is rebuilt from the queue below.
  SHAGYM_RETURN_IF_ERROR(store_->ClearSpill());
  SHAGYM_RETURN_IF_ERROR(
      store_->LoadSeen([this](uint64_t h) { seen_.insert(h); }));
  bool have_counts = false;
  SHAGYM_RETURN_IF_ERROR(
      store_->LoadCounts([&](bool host, const std::string& key, int64_t n) {
        have_counts = true;
        if (host) {
          hosts_[HostIndex(key)].pages = n;
        } else {
          source_pages_[key] = n;
        }
      }));
  // A host that answered 429/503 with Retry-After before the restart still
  // waits.
  SHAGYM_RETURN_IF_ERROR(
      store_->LoadPauses([&](const std::string& host, int64_t until_ms) {
        Host& h = hosts_[HostIndex(host)];
        h.next_allowed_ms = std::max(h.next_allowed_ms, until_ms);
      }));
  Status status = store_->LoadQueue([&](FrontierEntry e) {
    seen_.insert(UrlHash(e.url));
    std::string host = HostKey(e.url);
    if (host.empty()) return;
    if (!have_counts) {
      // A store written before counts were kept: the queue is the best
      // estimate.
      ++hosts_[HostIndex(host)].pages;
      ++source_pages_[e.source_id];
    }
    if (e.kind != UrlKind::kRecrawl && e.due_ms <= now_ms) {
      // Due now: straight into its host's window or the spill area, so the
      // whole queue is never in memory at once.
      pending_.insert(UrlHash(e.url));
      Enqueue(std::move(e), false);
      if (spill_buffer_.size() >= 4096) FlushSpill();
    } else {
      Reschedule(std::move(e), nullptr);
    }
  });
  FlushSpill();
  return status;
}

void Frontier::TakeCounts(FrontierBatch* batch) {
  for (size_t hi : dirty_hosts_) {
    batch->HostPages(hosts_[hi].key, hosts_[hi].pages);
  }
  for (const std::string& s : dirty_sources_) {
    batch->SourcePages(s, source_pages_[s]);
  }
  dirty_hosts_.clear();
  dirty_sources_.clear();
}

int64_t Frontier::host_pages(const std::string& host) const {
  auto it = host_index_.find(host);
  return it == host_index_.end() ? 0 : hosts_[it->second].pages;
}

int64_t Frontier::source_pages(const std::string& source) const {
  auto it = source_pages_.find(source);
  return it == source_pages_.end() ? 0 : it->second;
}

size_t Frontier::HostIndex(const std::string& key) {
  auto it = host_index_.find(key);
  if (it != host_index_.end()) return it->second;
  size_t i = hosts_.size();
  hosts_.emplace_back();
  hosts_.back().key = key;
  hosts_.back().delay_ms = options_.per_host_delay_ms;
  host_index_.emplace(key, i);
  return i;
}

bool Frontier::IsSeen(std::string_view url) const {
  return seen_.contains(UrlHash(url));
}

std::string Frontier::TrapReason(const FrontierEntry& e, int64_t now_ms) const {
  StatusOr<UrlParts> parts = SplitUrl(e.url);
  if (!parts.ok()) return "invalid URL";
  std::string_view pq = parts->path_and_query;
  std::string_view path = pq.substr(0, pq.find('?'));
  // Repeated path segments ("/a/b/a/b/a/b", "/x/x/x"): RE2 has no
  // back-references, so count them here.
  std::unordered_map<std::string_view, int> counts;
  int segments = 0;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    pos = next + 1;
    if (seg.empty()) continue;
    if (++segments > options_.max_path_segments) return "too many segments";
    if (++counts[seg] >= options_.max_segment_repeats) {
      return "repeated path segment '" + std::string(seg) + "'";
    }
  }
  // Calendar-like endless URLs: a year far in the future.
  int limit = CurrentYear(now_ms) + options_.max_future_years;
  for (size_t i = 0; i + 4 <= pq.size(); ++i) {
    if (i > 0 && pq[i - 1] >= '0' && pq[i - 1] <= '9') continue;
    size_t n = 0;
    while (i + n < pq.size() && pq[i + n] >= '0' && pq[i + n] <= '9') ++n;
    if (n != 4) {
      i += n;
      continue;
    }
    int year = std::stoi(std::string(pq.substr(i, 4)));
    // Only date-like uses count: "2099/01", "2099-01", "year=2099"; a page
    // number such as "/p/2031.html" is not a year.
    bool month_follows = i + 6 <= pq.size() &&
                         (pq[i + 4] == '/' || pq[i + 4] == '-') &&
                         pq[i + 5] >= '0' && pq[i + 5] <= '1';
    std::string before(pq.substr(i >= 6 ? i - 6 : 0, i >= 6 ? 6 : i));
    for (char& c : before) c = static_cast<char>(std::tolower(c));
    bool named = before.find("year") != std::string::npos ||
                 before.find("date") != std::string::npos ||
                 before.find("cal") != std::string::npos;
    if (year >= 1900 && year < 3000 && year > limit &&
        (month_follows || named)) {
      return "calendar year " + std::to_string(year);
    }
    i += n;
  }
  return "";
}

AddResult Frontier::Add(FrontierEntry entry, int max_depth, int64_t max_pages,
                        int64_t now_ms, FrontierBatch* batch) {
  reject_detail_.clear();
  uint64_t h = UrlHash(entry.url);
  if (seen_.contains(h)) return AddResult::kSeen;
  if (entry.url.size() > options_.max_url_bytes) return AddResult::kTooLong;
  int depth_limit = max_depth >= 0 ? max_depth : options_.max_depth;
  if (entry.depth > depth_limit) return AddResult::kTooDeep;
  std::string host = HostKey(entry.url);
  if (host.empty()) return AddResult::kTrap;
  if (entry.kind != UrlKind::kSeed) {
    reject_detail_ = TrapReason(entry, now_ms);
    if (!reject_detail_.empty()) return AddResult::kTrap;
  }
  size_t hi = HostIndex(host);
  if (hosts_[hi].pages >= options_.max_pages_per_host) {
    return AddResult::kHostFull;
  }
  int64_t& source_count = source_pages_[entry.source_id];
  if (max_pages > 0 && source_count >= max_pages) return AddResult::kSourceFull;
  ++hosts_[hi].pages;
  ++source_count;
  dirty_hosts_.insert(hi);
  dirty_sources_.insert(entry.source_id);
  seen_.insert(h);
  if (entry.due_ms == 0) entry.due_ms = now_ms;
  if (batch != nullptr) {
    batch->Seen(entry.url);
    batch->Queue(entry);
  }
  if (entry.due_ms <= now_ms && entry.kind != UrlKind::kRecrawl) {
    // Due now: into the host's queue without a timer.
    pending_.insert(h);
    Enqueue(std::move(entry), false);
    FlushSpill();
  } else {
    Reschedule(std::move(entry), nullptr);
  }
  return AddResult::kAdded;
}

void Frontier::Reschedule(FrontierEntry entry, FrontierBatch* batch) {
  if (batch != nullptr) batch->Queue(entry);
  uint64_t seq = ++timer_seq_;
  bool retry = entry.kind != UrlKind::kRecrawl;
  timers_.push(Timer{entry.due_ms, seq, retry});
  if (retry) retry_dues_.insert(entry.due_ms);
  const uint64_t h = UrlHash(entry.url);
  pending_.insert(h);
  pending_timer_[h] = seq;
  timer_entries_.emplace(seq, std::move(entry));
  ++queued_;
}

void Frontier::Release(const std::string& url) {
  const uint64_t h = UrlHash(url);
  pending_.erase(h);
  pending_timer_.erase(h);
}

bool Frontier::IsPending(std::string_view url) const {
  return pending_.contains(UrlHash(url));
}

bool Frontier::Refresh(FrontierEntry entry, FrontierBatch* batch) {
  const uint64_t h = UrlHash(entry.url);
  if (pending_.contains(h)) {
    // Queued or in flight: it will be fetched anyway, unless it only waits
    // for a later recrawl, which is then brought forward.
    auto p = pending_timer_.find(h);
    if (p == pending_timer_.end()) return true;
    auto t = timer_entries_.find(p->second);
    if (t == timer_entries_.end()) return true;
    if (t->second.kind != UrlKind::kRecrawl ||
        t->second.due_ms <= entry.due_ms) {
      return true;
    }
    // The timer's heap element stays; without its entry it is skipped.
    FrontierEntry old = std::move(t->second);
    timer_entries_.erase(t);
    --queued_;
    old.due_ms = entry.due_ms;
    old.sitemap_lastmod = old.sitemap_lastmod || entry.sitemap_lastmod;
    entry = std::move(old);
  }
  Reschedule(std::move(entry), batch);
  return true;
}

void Frontier::PromoteTimers(int64_t now_ms) {
  while (!timers_.empty() && timers_.top().due_ms <= now_ms) {
    Timer t = timers_.top();
    timers_.pop();
    if (t.retry) {
      auto it = retry_dues_.find(t.due_ms);
      if (it != retry_dues_.end()) retry_dues_.erase(it);
    }
    auto it = timer_entries_.find(t.seq);
    if (it == timer_entries_.end()) continue;
    FrontierEntry e = std::move(it->second);
    timer_entries_.erase(it);
    auto p = pending_timer_.find(UrlHash(e.url));
    if (p != pending_timer_.end() && p->second == t.seq)
      pending_timer_.erase(p);
    --queued_;  // Enqueue counts it again
    Enqueue(std::move(e), false);
  }
  FlushSpill();
}

void Frontier::Enqueue(FrontierEntry entry, bool front) {
  std::string host = HostKey(entry.url);
  if (host.empty()) return;
  size_t hi = HostIndex(host);
  Host& h = hosts_[hi];
  const size_t kind = static_cast<size_t>(entry.kind);
  ++queued_;
  if (front) {
    // A popped entry put back: it was the first of the host's order.
    h.queue[kind].push_front(Queued{--front_seq_, std::move(entry)});
    ++h.in_memory;
    if (h.in_memory > options_.host_window) SpillLast(hi);
  } else {
    uint64_t seq = ++back_seq_;
    // The window holds a prefix of the host's order: a new entry joins it
    // only if it sorts before the window's last entry (a seed or next page
    // behind links) or nothing waits in the spill area.
    size_t last_kind = 0;
    for (size_t k = 0; k < 5; ++k) {
      if (!h.queue[k].empty()) last_kind = k;
    }
    bool joins = h.spilled == 0
                     ? h.in_memory < options_.host_window || kind < last_kind
                     : h.in_memory > 0 && kind < last_kind;
    if (joins) {
      h.queue[kind].push_back(Queued{seq, std::move(entry)});
      ++h.in_memory;
      if (h.in_memory > options_.host_window) SpillLast(hi);
    } else {
      AddToSpill(hi, seq, std::move(entry));
    }
  }
  MarkReady(hi);
}

void Frontier::SpillLast(size_t hi) {
  Host& h = hosts_[hi];
  for (size_t k = 5; k-- > 0;) {
    if (h.queue[k].empty()) continue;
    Queued q = std::move(h.queue[k].back());
    h.queue[k].pop_back();
    --h.in_memory;
    AddToSpill(hi, q.seq, std::move(q.entry));
    return;
  }
}

void Frontier::AddToSpill(size_t hi, uint64_t seq, FrontierEntry entry) {
  Host& h = hosts_[hi];
  SpilledEntry s;
  s.host = h.key;
  s.kind = static_cast<uint8_t>(entry.kind);
  s.seq = seq;
  s.entry = std::move(entry);
  spill_buffer_.push_back(std::move(s));
  spill_hosts_.push_back(hi);
  ++h.spilled;
}

void Frontier::FlushSpill() {
  if (spill_buffer_.empty()) return;
  Status s = store_->Spill(spill_buffer_);
  if (!s.ok()) {
    NoteError(s);
    // Kept in memory instead: over the window, but nothing is lost.
    for (size_t i = 0; i < spill_buffer_.size(); ++i) {
      Host& h = hosts_[spill_hosts_[i]];
      SpilledEntry& e = spill_buffer_[i];
      --h.spilled;
      ++h.in_memory;
      h.queue[e.kind].push_back(Queued{e.seq, std::move(e.entry)});
    }
  }
  spill_buffer_.clear();
  spill_hosts_.clear();
}

void Frontier::Refill(size_t hi) {
  FlushSpill();
  Host& h = hosts_[hi];
  if (h.spilled == 0 || h.in_memory >= options_.host_window) return;
  StatusOr<std::vector<SpilledEntry>> got =
      store_->Unspill(h.key, options_.host_window - h.in_memory);
  if (!got.ok() || got->empty()) {
    // Unreadable (or missing): those entries stay queued in the store and
    // the next run loads them; this one stops counting them.
    NoteError(got.ok()
                  ? Internal("frontier spill of " + h.key + " is missing " +
                             std::to_string(h.spilled) + " entries")
                  : got.status());
    queued_ -= std::min(queued_, h.spilled);
    h.spilled = 0;
    return;
  }
  for (SpilledEntry& e : *got) {
    h.queue[e.kind].push_back(Queued{e.seq, std::move(e.entry)});
  }
  h.in_memory += got->size();
  h.spilled -= std::min(h.spilled, got->size());
}

void Frontier::NoteError(const Status& s) {
  if (store_error_.ok()) store_error_ = s;
}

Status Frontier::TakeStoreError() {
  Status s = store_error_;
  store_error_ = Status::Ok();
  return s;
}

size_t Frontier::in_memory(const std::string& host) const {
  auto it = host_index_.find(host);
  return it == host_index_.end() ? 0 : hosts_[it->second].in_memory;
}

size_t Frontier::spilled(const std::string& host) const {
  auto it = host_index_.find(host);
  return it == host_index_.end() ? 0 : hosts_[it->second].spilled;
}

bool Frontier::Eligible(const Host& h) const {
  return !h.blocked && !h.Empty() &&
         h.in_flight < std::max(1, options_.per_host_connections);
}

void Frontier::MarkReady(size_t hi) {
  if (Eligible(hosts_[hi])) ready_.push(Ready{hosts_[hi].next_allowed_ms, hi});
}

std::optional<FrontierEntry> Frontier::Pop(int64_t now_ms) {
  PromoteTimers(now_ms);
  // Bounded: every iteration removes one heap element, and re-pushes only
  // with a later time than now.
  while (!ready_.empty() && ready_.top().at_ms <= now_ms) {
    Ready r = ready_.top();
    ready_.pop();
    Host& h = hosts_[r.host];
    if (!Eligible(h)) continue;
    if (h.next_allowed_ms > now_ms) {
      ready_.push(Ready{h.next_allowed_ms, r.host});
      continue;
    }
    if (h.spilled > 0 && h.in_memory <= options_.host_window / 2) {
      Refill(r.host);
      if (h.Empty()) continue;
    }
    for (auto& q : h.queue) {
      if (q.empty()) continue;
      FrontierEntry e = std::move(q.front().entry);
      q.pop_front();
      --h.in_memory;
      --queued_;
      // The host may give more right away (until Started() says otherwise).
      MarkReady(r.host);
      return e;
    }
  }
  return std::nullopt;
}

void Frontier::Unpop(FrontierEntry entry) {
  Enqueue(std::move(entry), true);
  FlushSpill();
}

void Frontier::Started(const std::string& host, int64_t now_ms) {
  size_t hi = HostIndex(host);
  Host& h = hosts_[hi];
  ++h.in_flight;
  h.next_allowed_ms = std::max(h.next_allowed_ms, now_ms + h.delay_ms);
}

void Frontier::Sent(const std::string& host, int64_t now_ms) {
  Host& h = hosts_[HostIndex(host)];
  h.next_allowed_ms = std::max(h.next_allowed_ms, now_ms + h.delay_ms);
}

void Frontier::Finished(const std::string& host) {
  size_t hi = HostIndex(host);
  Host& h = hosts_[hi];
  if (h.in_flight > 0) --h.in_flight;
  MarkReady(hi);
}

void Frontier::SetHostDelay(const std::string& host, int64_t delay_ms) {
  Host& h = hosts_[HostIndex(host)];
  int64_t old = h.delay_ms;
  h.delay_ms = std::max(options_.per_host_delay_ms, delay_ms);
  // Apply a larger delay to the start that already happened.
  if (h.delay_ms > old && h.next_allowed_ms > 0) {
    h.next_allowed_ms += h.delay_ms - old;
  }
}

void Frontier::PushBackHost(const std::string& host, int64_t until_ms,
                            FrontierBatch* batch) {
  size_t hi = HostIndex(host);
  Host& h = hosts_[hi];
  h.next_allowed_ms = std::max(h.next_allowed_ms, until_ms);
  if (batch != nullptr) batch->HostPause(host, h.next_allowed_ms);
  MarkReady(hi);
}

int64_t Frontier::host_next_allowed_ms(const std::string& host) const {
  auto it = host_index_.find(host);
  return it == host_index_.end() ? 0 : hosts_[it->second].next_allowed_ms;
}

void Frontier::BlockHost(const std::string& host, bool blocked) {
  size_t hi = HostIndex(host);
  hosts_[hi].blocked = blocked;
  if (!blocked) MarkReady(hi);
}

int64_t Frontier::NextWakeMs(int64_t now_ms) const {
  int64_t best = -1;
  if (!ready_.empty()) best = std::max(now_ms, ready_.top().at_ms);
  if (!timers_.empty()) {
    int64_t t = std::max(now_ms, timers_.top().due_ms);
    best = best < 0 ? t : std::min(best, t);
  }
  return best;
}

bool Frontier::HasDueWork(int64_t now_ms, int64_t horizon_ms) const {
  if (queued_ > timer_entries_.size()) {
    // Entries wait in host queues; they are due unless their host was
    // pushed back (Retry-After) beyond the horizon.
    for (const Host& h : hosts_) {
      if (!h.Empty() && (h.blocked || h.next_allowed_ms <= horizon_ms)) {
        return true;
      }
    }
  }
  if (!timers_.empty() && timers_.top().due_ms <= now_ms) return true;
  return !retry_dues_.empty() && *retry_dues_.begin() <= horizon_ms;
}

}  // namespace shagym::crawler
