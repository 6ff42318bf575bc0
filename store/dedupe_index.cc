#include "store/dedupe_index.h"

#include <memory>

namespace shagym::store {

namespace {

constexpr int kBands = 4;

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

std::string BandPrefix(int band, uint64_t simhash) {
  std::string p = "xs";
  p.push_back(static_cast<char>(band));
  PutBE((simhash >> (16 * band)) & 0xffff, 2, &p);
  return p;
}

}  // namespace

DedupeIndex::DedupeIndex(Db* db, int max_distance)
    : db_(db),
      max_distance_(max_distance < 0   ? 0
                    : max_distance > 3 ? 3
                                       : max_distance) {}

StatusOr<std::optional<DuplicateMatch>> DedupeIndex::Find(
    const std::string& self, const std::string& content_hash,
    uint64_t simhash) const {
  if (!content_hash.empty()) {
    std::string original;
    rocksdb::Status s =
        db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(Cf::kIncidents),
                        "xh" + content_hash, &original);
    if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, "read dedupe index");
    }
    if (s.ok() && original != self) {
      return std::optional<DuplicateMatch>(DuplicateMatch{original, 0});
    }
  }
  if (simhash == 0) return std::optional<DuplicateMatch>();
  std::optional<DuplicateMatch> best;
  uint64_t best_time = 0;
  for (int band = 0; band < kBands; ++band) {
    const std::string prefix = BandPrefix(band, simhash);
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->raw()->NewIterator(ro, db_->cf(Cf::kIncidents)));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
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
        best = DuplicateMatch{original, d};
        best_time = time;
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan dedupe index");
  }
  return best;
}

Status DedupeIndex::Add(const std::string& id, const std::string& original_id,
                        const std::string& content_hash, uint64_t simhash,
                        int64_t time) {
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* cf = db_->cf(Cf::kIncidents);
  if (!content_hash.empty()) {
    std::string existing;
    rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(), cf,
                                        "xh" + content_hash, &existing);
    if (s.IsNotFound()) {
      batch.Put(cf, "xh" + content_hash, original_id);
    } else if (!s.ok()) {
      return FromRocks(s, "read dedupe index");
    }
  }
  if (simhash != 0) {
    std::string value;
    PutBE(simhash, 8, &value);
    PutBE(static_cast<uint64_t>(time), 8, &value);
    value += original_id;
    for (int band = 0; band < kBands; ++band) {
      batch.Put(cf, BandPrefix(band, simhash) + id, value);
    }
  }
  if (batch.Count() == 0) return Status::Ok();
  return FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &batch),
                   "write dedupe index");
}

}  // namespace shagym::store
