#pragma once

// The data side of the HTTP API over store::Store: trends, spikes, posts
// (masked, with highlights that stay on the right bytes), reviews, export,
// sources and the rules endpoints. Thread-safe (the Store is; the rest is
// immutable after construction).

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "dashboards/data_api.h"
#include "dashboards/rules_service.h"
#include "store/store.h"

namespace shagym::dashboards {

// Masks personal data (phones, e-mails, IIN) in a piece of text.
using Masker = std::function<std::string(std::string_view)>;

struct StoreApiOptions {
  // Borrowed; must outlive the StoreApi. Required.
  store::Store* store = nullptr;
  // Null = the rules endpoints answer 503 (no rule engine wired).
  RulesService* rules = nullptr;
  // Applied to every post text shown or exported; null = texts are shown
  // as stored (only when privacy.mask_personal_data is false).
  Masker mask;
  const Clock* clock = nullptr;  // null = SystemClock()
  // Answers of /api/trends, /api/spikes, /api/sources and /api/posts pages
  // are reused for the same query while the store has not been written since
  // (many people open the same Overview each morning), at most this long.
  // 0 = always recompute. Default: 15 s.
  int64_t cache_ttl_ms = 15000;
};

class StoreApi : public DataApi {
 public:
  explicit StoreApi(StoreApiOptions options);
  void Register(Router* router, Auth* auth) override;
  void AppendMetrics(std::string* out) override;

 private:
  struct Reply {
    int status = 200;
    std::string body;
  };
  // The reply for `query` at the store's current version from the cache, or
  // from `compute` (run once however many requests ask for the same key at
  // the same time). Errors are not kept.
  Reply Cached(const std::string& query, const std::function<Reply()>& compute);

  StoreApiOptions options_;
  Auth* auth_ = nullptr;
  struct CacheEntry {
    int64_t expires_ms = 0;
    std::shared_future<Reply> reply;
  };
  std::atomic<int64_t> cache_hits_{0};
  std::atomic<int64_t> cache_misses_{0};
  std::mutex cache_mu_;
  std::map<std::string, CacheEntry> cache_;  // Guarded by cache_mu_.
};

// `post` as the API shows it: SPEC JSON with the text masked piece by piece
// between match boundaries, so that every match's byte offsets are moved to
// where its words are in the masked text.
Post MaskForDisplay(const Post& post, const Masker& mask);

}  // namespace shagym::dashboards
