#include "store/evidence.h"

#include <openssl/sha.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "common/time_util.h"

namespace shagym::store {

namespace {

// Record layout: magic | BE64 fetched_at | BE32 url length | url |
// BE64 raw length | compressed bytes. Magic "e2": a zstd frame (written
// since 2026-11-26: level 1 compresses a page 3-4x faster than zlib's
// fastest level, to about the same size); "e1": a zlib stream (still read).
constexpr char kMagic[] = "e2";
constexpr char kZlibMagic[] = "e1";
constexpr int kZstdLevel = 1;

bool HasMagic(std::string_view record) {
  return record.size() >= 2 &&
         (record.substr(0, 2) == kMagic || record.substr(0, 2) == kZlibMagic);
}
constexpr size_t kMaxRawBytes = size_t{1} << 30;

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

// This thread's compression context, reused from page to page: most of
// what ZSTD_compress spent on an 8 KB page was making a new context.
// Null when zstd could not allocate one.
ZSTD_CCtx* ThreadCompressor() {
  struct Free {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  thread_local std::unique_ptr<ZSTD_CCtx, Free> ctx(ZSTD_createCCtx());
  return ctx.get();
}

}  // namespace

std::string EvidenceStore::IdOf(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

StatusOr<bool> EvidenceStore::Contains(const std::string& id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(),
                                      db_->cf(Cf::kEvidence), id, &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "read evidence " + id);
  return true;
}

std::string EvidenceStore::SeenKey(const std::string& id) {
  // Sorts after the page's references (id \0 post), outside their prefix.
  return id + '\x01';
}

StatusOr<std::optional<int64_t>> EvidenceStore::LastSeen(
    const std::string& id) const {
  rocksdb::PinnableSlice record;
  rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(),
                                      db_->cf(Cf::kEvidence), id, &record);
  if (s.IsNotFound()) return std::optional<int64_t>();
  if (!s.ok()) return FromRocks(s, "read evidence " + id);
  int64_t seen = 0;
  if (record.size() >= 10 && HasMagic(record.ToStringView())) {
    seen = static_cast<int64_t>(GetBE(record.ToStringView(), 2, 8));
  }
  std::string again;
  s = db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(Cf::kEvidence),
                      SeenKey(id), &again);
  if (s.ok() && again.size() == 8) {
    seen = std::max(seen, static_cast<int64_t>(GetBE(again, 0, 8)));
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "read evidence " + id);
  }
  return std::optional<int64_t>(seen);
}

StatusOr<std::string> EvidenceStore::Put(std::string_view url,
                                         int64_t fetched_at,
                                         std::string_view bytes) {
  std::string id = IdOf(bytes);
  auto locks = db_->LockEvidence({id});
  auto exists = Contains(id);
  if (!exists.ok()) return exists.status();
  if (*exists) {
    std::string seen;
    PutBE(
        static_cast<uint64_t>(fetched_at > 0 ? fetched_at : SystemNowSeconds()),
        8, &seen);
    rocksdb::Status s = db_->raw()->Put(
        rocksdb::WriteOptions(), db_->cf(Cf::kEvidence), SeenKey(id), seen);
    if (!s.ok()) return FromRocks(s, "write evidence " + id);
    return id;
  }
  std::string record(kMagic, 2);
  PutBE(static_cast<uint64_t>(fetched_at), 8, &record);
  PutBE(url.size(), 4, &record);
  record.append(url);
  PutBE(bytes.size(), 8, &record);
  const size_t header = record.size();
  record.resize(header + ZSTD_compressBound(bytes.size()));
  char* out = record.data() + header;
  const size_t cap = record.size() - header;
  ZSTD_CCtx* ctx = ThreadCompressor();
  const size_t n =
      ctx != nullptr
          ? ZSTD_compressCCtx(ctx, out, cap, bytes.data(), bytes.size(),
                              kZstdLevel)
          : ZSTD_compress(out, cap, bytes.data(), bytes.size(), kZstdLevel);
  if (ZSTD_isError(n)) {
    return Internal(std::string("compress evidence: ") + ZSTD_getErrorName(n));
  }
  record.resize(header + n);
  rocksdb::Status s = db_->raw()->Put(rocksdb::WriteOptions(),
                                      db_->cf(Cf::kEvidence), id, record);
  if (!s.ok()) return FromRocks(s, "write evidence " + id);
  return id;
}

StatusOr<std::optional<EvidencePage>> EvidenceStore::Get(
    const std::string& id) const {
  std::string record;
  rocksdb::Status s = db_->raw()->Get(rocksdb::ReadOptions(),
                                      db_->cf(Cf::kEvidence), id, &record);
  if (s.IsNotFound()) return std::optional<EvidencePage>();
  if (!s.ok()) return FromRocks(s, "read evidence " + id);
  auto corrupt = [&id](const char* what) {
    return Corruption("evidence " + id + ": " + what);
  };
  if (record.size() < 14 || !HasMagic(record)) {
    return corrupt("bad header");
  }
  EvidencePage page;
  page.id = id;
  page.fetched_at = static_cast<int64_t>(GetBE(record, 2, 8));
  size_t url_len = GetBE(record, 10, 4);
  if (14 + url_len + 8 > record.size()) return corrupt("truncated");
  page.url = record.substr(14, url_len);
  size_t raw_len = GetBE(record, 14 + url_len, 8);
  if (raw_len > kMaxRawBytes) return corrupt("implausible size");
  size_t data = 14 + url_len + 8;
  page.bytes.resize(raw_len);
  if (record.compare(0, 2, kMagic) == 0) {
    const size_t n = ZSTD_decompress(
        page.bytes.data(), raw_len, record.data() + data, record.size() - data);
    if (ZSTD_isError(n) || n != raw_len) return corrupt("does not inflate");
  } else {
    uLongf out_len = static_cast<uLongf>(raw_len);
    int rc = uncompress(reinterpret_cast<Bytef*>(page.bytes.data()), &out_len,
                        reinterpret_cast<const Bytef*>(record.data() + data),
                        static_cast<uLong>(record.size() - data));
    if (rc != Z_OK || out_len != raw_len) return corrupt("does not inflate");
  }
  if (IdOf(page.bytes) != id) return corrupt("content does not match its id");
  page.stored_bytes = static_cast<int64_t>(record.size());
  return std::optional<EvidencePage>(std::move(page));
}

}  // namespace shagym::store
