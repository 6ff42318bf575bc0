#pragma once

// Store settings. Plain data; config/ fills it.

#include <cstdint>
#include <string>

namespace shagym::store {

// Memory budget of an open store (block cache + memtables, see db.cc):
// 128 MB unless configured (`store_memory`); never less than 16 MB.
inline constexpr int64_t kDefaultStoreMemory = int64_t{128} << 20;
inline constexpr int64_t kMinStoreMemory = int64_t{16} << 20;

struct StoreOptions {
  // Directory of the RocksDB store and the evidence. Default: "data".
  std::string data_dir = "data";
  // Posts and evidence older than this are removed; trend counters stay.
  // 0 = keep forever. Default: 0.
  int retention_days = 0;
  // What RocksDB may hold in memory (block cache and memtables together);
  // `store_memory` in the configuration. 0 = 128 MB (kDefaultStoreMemory).
  int64_t memory_bytes = 0;
};

}  // namespace shagym::store
