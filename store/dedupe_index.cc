#include "store/dedupe_index.h"

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "store/dedupe_filter.h"

namespace shagym::store {

namespace {

constexpr int kBands = 4;
constexpr size_t kMinHashBands = kDedupeMinHashSize / 2;
// Entries read per MinHash band: a bigram pair that thousands of posts share
// (a channel's footer) must not turn one lookup into a scan.
constexpr int kMaxBandEntries = 64;

void PutBE(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

uint64_t GetBE(std::string_view s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
  }
  return v;
}

std::string ReverseKey(const std::string& id) { return "xp" + id; }
std::string SignatureKey(const std::string& id) { return "xm" + id; }

// The reverse entry names what the other keys are derived from rather than
// repeating them (10 bytes instead of ~850 per post): the marker, the
// SimHash (BE64, 0 = none) and whether a signature record exists (its
// MinHash gives the band keys). Entries written before list every key,
// length-prefixed: 10 bytes of those cannot start with 1 (a key of at least
// 256 bytes).
constexpr char kCompactReverse = 1;
constexpr size_t kCompactReverseSize = 10;

std::string CompactReverse(uint64_t simhash, bool has_signature) {
  std::string r(1, kCompactReverse);
  PutBE(simhash, 8, &r);
  r.push_back(has_signature ? 1 : 0);
  return r;
}

// Band prefix lengths: "xs" band(1) BE16, "xb" band(1) two BE32.
constexpr size_t kSimHashBandPrefixBytes = 2 + 1 + 2;
constexpr size_t kMinHashBandPrefixBytes = 2 + 1 + 8;

std::string BandPrefix(int band, uint64_t simhash) {
  std::string p = "xs";
  p.push_back(static_cast<char>(band));
  PutBE((simhash >> (16 * band)) & 0xffff, 2, &p);
  return p;
}

std::string MinHashBandPrefix(size_t band, std::span<const uint32_t> m) {
  std::string p = "xb";
  p.push_back(static_cast<char>(band));
  PutBE(m[2 * band], 4, &p);
  PutBE(m[2 * band + 1], 4, &p);
  return p;
}

}  // namespace

size_t DedupeBandPrefixLength(std::string_view key) {
  if (key.size() < 2 || key[0] != 'x') return 0;
  size_t n = key[1] == 's'   ? kSimHashBandPrefixBytes
             : key[1] == 'b' ? kMinHashBandPrefixBytes
                             : 0;
  return key.size() >= n ? n : 0;
}

namespace {

double Similarity(std::span<const uint32_t> a, std::string_view record) {
  int same = 0;
  for (size_t i = 0; i < kDedupeMinHashSize; ++i) {
    same += GetBE(record, 8 + 4 * i, 4) == a[i] ? 1 : 0;
  }
  return static_cast<double>(same) / static_cast<double>(kDedupeMinHashSize);
}

}  // namespace

DedupeIndex::DedupeIndex(Db* db, int max_distance, double min_similarity)
    : db_(db),
      max_distance_(std::clamp(max_distance, 0, 3)),
      min_similarity_(min_similarity) {}

DedupeBandFilter* DedupeIndex::filter() const {
  return db_->dedupe_filter([this](DedupeBandFilter* filter) {
    return FillDedupeBandFilter(db_, filter);
  });
}

Status FillDedupeBandFilter(Db* db, DedupeBandFilter* filter) {
  // Every band key of the store, in key order: consecutive keys of one band
  // share their prefix, inserted once. A total-order scan (the family's
  // prefix extractor would otherwise stop at a prefix), without filling the
  // block cache with blocks that only this scan reads.
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(ro, db->cf(Cf::kIncidents)));
  for (const std::string_view start : {"xb", "xs"}) {
    std::string last;
    for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
         it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (key.compare(0, start.size(), start) != 0) break;
      const size_t n = DedupeBandPrefixLength(key);
      if (n == 0) continue;
      std::string_view prefix = key.substr(0, n);
      if (prefix == last) continue;
      filter->Insert(prefix);
      last.assign(prefix);
    }
    if (!it->status().ok()) {
      return FromRocks(it->status(), "scan dedupe index");
    }
  }
  return Status::Ok();
}

StatusOr<std::optional<DuplicateMatch>> DedupeIndex::Find(
    const std::string& self, const std::string& content_hash, uint64_t simhash,
    std::span<const uint32_t> minhash, bool* content_hash_stored) const {
  if (!minhash.empty() && minhash.size() != kDedupeMinHashSize) {
    return InvalidArgument("dedupe: MinHash of " +
                           std::to_string(minhash.size()) + " entries");
  }
  rocksdb::ColumnFamilyHandle* cf = db_->cf(Cf::kIncidents);
  if (!content_hash.empty()) {
    std::string original;
    rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(), cf,
                                        "xh" + content_hash, &original);
    if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, "read dedupe index");
    }
    if (content_hash_stored != nullptr) *content_hash_stored = s.ok();
    if (s.ok() && original != self) {
      return std::optional<DuplicateMatch>(DuplicateMatch{original, 0, 1});
    }
  }
  std::optional<DuplicateMatch> best;
  uint64_t best_time = 0;
  // A band whose prefix the filter does not hold has no entry: no seek.
  // One iterator serves every band's seek that remains: creating one (a
  // view of every memtable and table file) costs more than the seek
  // itself. Created at the first seek, so a look-up whose bands are all
  // absent touches no memtable or table file.
  const DedupeBandFilter* present = filter();
  std::unique_ptr<rocksdb::Iterator> it;
  auto seek = [&](const std::string& prefix) {
    if (present != nullptr && !present->MayContain(prefix)) return false;
    if (!it) it.reset(db_->raw()->NewIterator(rocksdb::ReadOptions(), cf));
    it->Seek(prefix);
    return true;
  };
  for (int band = 0; simhash != 0 && band < kBands; ++band) {
    const std::string prefix = BandPrefix(band, simhash);
    if (!seek(prefix)) continue;
    for (; it->Valid(); it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (key.compare(0, prefix.size(), prefix) != 0) break;
      std::string_view id = key.substr(prefix.size());
      if (id == self) continue;
      std::string_view v = it->value().ToStringView();
      if (v.size() < 16) continue;
      uint64_t other = GetBE(v, 0, 8);
      uint64_t time = GetBE(v, 8, 8);
      int d = __builtin_popcountll(other ^ simhash);
      if (d > max_distance_) continue;
      std::string original(v.substr(16));
      if (original == self) continue;
      if (!best || d < best->distance ||
          (d == best->distance && time < best_time)) {
        best = DuplicateMatch{original, d, 1};
        best_time = time;
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan dedupe index");
  }
  if (best || minhash.empty() || min_similarity_ > 1) return best;
  // MinHash: candidates that share a band, ranked by their whole signature.
  std::set<std::string> candidates;
  for (size_t band = 0; band < kMinHashBands; ++band) {
    const std::string prefix = MinHashBandPrefix(band, minhash);
    if (!seek(prefix)) continue;
    int n = 0;
    for (; it->Valid() && n < kMaxBandEntries; it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (key.compare(0, prefix.size(), prefix) != 0) break;
      ++n;
      std::string id(key.substr(prefix.size()));
      if (id != self) candidates.insert(std::move(id));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan dedupe index");
  }
  if (candidates.empty()) return best;
  // The candidates' signatures in one MultiGet: the keys are exact and, like
  // the ids of the set, in order, so RocksDB reads each memtable and table
  // file once for all of them instead of once per key.
  std::vector<std::string> keys;
  keys.reserve(candidates.size());
  for (const std::string& id : candidates) keys.push_back(SignatureKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> records(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->raw()->MultiGet(rocksdb::ReadOptions(), cf, keys.size(), slices.data(),
                       records.data(), statuses.data(), /*sorted_input=*/true);
  double best_similarity = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "read dedupe index");
    std::string_view record = records[i].ToStringView();
    if (record.size() < 8 + 4 * kDedupeMinHashSize) continue;
    const double sim = Similarity(minhash, record);
    if (sim < min_similarity_) continue;
    const uint64_t time = GetBE(record, 0, 8);
    std::string original(record.substr(8 + 4 * kDedupeMinHashSize));
    if (original == self) continue;
    if (!best || sim > best_similarity ||
        (sim == best_similarity && time < best_time)) {
      best = DuplicateMatch{std::move(original), 0, sim};
      best_similarity = sim;
      best_time = time;
    }
  }
  return best;
}

Status DedupeIndex::Add(const std::string& id, const std::string& original_id,
                        const std::string& content_hash, uint64_t simhash,
                        int64_t time, std::span<const uint32_t> minhash,
                        std::optional<bool> content_hash_stored) {
  if (!minhash.empty() && minhash.size() != kDedupeMinHashSize) {
    return InvalidArgument("dedupe: MinHash of " +
                           std::to_string(minhash.size()) + " entries");
  }
  // The filter learns the new band prefixes before they are written, so that
  // no look-up ever finds the key without the filter holding its prefix.
  DedupeBandFilter* present = filter();
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* cf = db_->cf(Cf::kIncidents);
  if (!content_hash.empty() && content_hash_stored.has_value()) {
    if (!*content_hash_stored) batch.Put(cf, "xh" + content_hash, original_id);
  } else if (!content_hash.empty()) {
    rocksdb::PinnableSlice existing;
    rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(), cf,
                                        "xh" + content_hash, &existing);
    if (s.IsNotFound()) {
      batch.Put(cf, "xh" + content_hash, original_id);
    } else if (!s.ok()) {
      return FromRocks(s, "read dedupe index");
    }
  }
  std::vector<std::string> keys;
  std::string time_be;
  PutBE(static_cast<uint64_t>(time), 8, &time_be);
  if (simhash != 0) {
    std::string value;
    PutBE(simhash, 8, &value);
    value += time_be;
    value += original_id;
    for (int band = 0; band < kBands; ++band) {
      std::string prefix = BandPrefix(band, simhash);
      if (present != nullptr) present->Insert(prefix);
      keys.push_back(std::move(prefix) + id);
      batch.Put(cf, keys.back(), value);
    }
  }
  if (!minhash.empty()) {
    std::string record = time_be;
    for (uint32_t v : minhash) PutBE(v, 4, &record);
    record += original_id;
    keys.push_back(SignatureKey(id));
    batch.Put(cf, keys.back(), record);
    for (size_t band = 0; band < kMinHashBands; ++band) {
      std::string prefix = MinHashBandPrefix(band, minhash);
      if (present != nullptr) present->Insert(prefix);
      keys.push_back(std::move(prefix) + id);
      batch.Put(cf, keys.back(), "");
    }
  }
  // Fingerprints of an earlier version of the post (edited text) go.
  std::string old;
  rocksdb::Status s =
      db_->raw()->Get(rocksdb::ReadOptions(), cf, ReverseKey(id), &old);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read dedupe index");
  if (s.ok()) {
    std::vector<std::string> old_keys;
    SHAGYM_RETURN_IF_ERROR(KeysOf(id, old, &old_keys));
    for (const std::string& key : old_keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        batch.Delete(cf, key);
      }
    }
  }
  if (!keys.empty()) {
    batch.Put(cf, ReverseKey(id), CompactReverse(simhash, !minhash.empty()));
  } else if (s.ok()) {
    batch.Delete(cf, ReverseKey(id));
  }
  if (batch.Count() == 0) return Status::Ok();
  return FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &batch),
                   "write dedupe index");
}

Status DedupeIndex::KeysOf(const std::string& id, std::string_view reverse,
                           std::vector<std::string>* keys) const {
  if (reverse.size() == kCompactReverseSize && reverse[0] == kCompactReverse) {
    const uint64_t simhash = GetBE(reverse, 1, 8);
    for (int band = 0; simhash != 0 && band < kBands; ++band) {
      keys->push_back(BandPrefix(band, simhash) + id);
    }
    if (reverse[9] == 0) return Status::Ok();
    // The MinHash bands follow from the signature record.
    std::string record;
    rocksdb::Status s =
        db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(Cf::kIncidents),
                        SignatureKey(id), &record);
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s, "read dedupe index");
    keys->push_back(SignatureKey(id));
    if (record.size() < 8 + 4 * kDedupeMinHashSize) return Status::Ok();
    std::vector<uint32_t> minhash(kDedupeMinHashSize);
    for (size_t i = 0; i < kDedupeMinHashSize; ++i) {
      minhash[i] = static_cast<uint32_t>(GetBE(record, 8 + 4 * i, 4));
    }
    for (size_t band = 0; band < kMinHashBands; ++band) {
      keys->push_back(MinHashBandPrefix(band, minhash) + id);
    }
    return Status::Ok();
  }
  // Written before the compact form: every key, length-prefixed.
  for (size_t pos = 0; pos + 2 <= reverse.size();) {
    const size_t n = GetBE(reverse, pos, 2);
    if (pos + 2 + n > reverse.size()) break;
    keys->push_back(std::string(reverse.substr(pos + 2, n)));
    pos += 2 + n;
  }
  return Status::Ok();
}

Status DedupeIndex::Forget(const Post& post,
                           const std::function<bool(const std::string&)>& gone,
                           rocksdb::WriteBatch* batch) const {
  rocksdb::ColumnFamilyHandle* cf = db_->cf(Cf::kIncidents);
  std::string reverse;
  rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(), cf,
                                      ReverseKey(post.id), &reverse);
  if (s.ok()) {
    std::vector<std::string> keys;
    SHAGYM_RETURN_IF_ERROR(KeysOf(post.id, reverse, &keys));
    for (const std::string& key : keys) batch->Delete(cf, key);
    batch->Delete(cf, ReverseKey(post.id));
  } else if (s.IsNotFound()) {
    if (post.simhash != 0) {
      for (int band = 0; band < kBands; ++band) {
        batch->Delete(cf, BandPrefix(band, post.simhash) + post.id);
      }
    }
  } else {
    return FromRocks(s, "read dedupe index");
  }
  if (!post.content_hash.empty()) {
    std::string original;
    s = db_->raw()->Get(rocksdb::ReadOptions(), cf, "xh" + post.content_hash,
                        &original);
    if (s.ok() && (original == post.id || gone(original))) {
      batch->Delete(cf, "xh" + post.content_hash);
    } else if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, "read dedupe index");
    }
  }
  return Status::Ok();
}

}  // namespace shagym::store
