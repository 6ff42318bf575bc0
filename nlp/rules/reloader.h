#pragma once

// Hot reload of a rule set: a changed rule directory is compiled and checked
// off the hot path and swapped in atomically; a broken set is logged and the
// running one kept. Thread-safe: workers call current() per post.
//
//   auto r = config::MakeRulesReloader(dir, normalizer, initial);
//   r->Start(std::chrono::seconds(5));        // background polling
//   classifier.Classify(*r->current(), text);

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/logger.h"
#include "common/status.h"
#include "nlp/rules/rule_set.h"

namespace shagym::nlp {

class RulesReloader {
 public:
  // Builds a new rule set, or fails with every problem in the message.
  using Loader = std::function<StatusOr<std::shared_ptr<const RuleSet>>()>;
  // Cheap digest of the rule source; a different value means "changed".
  using Fingerprint = std::function<std::string()>;

  // `logger` is borrowed (may be null: default logger).
  RulesReloader(std::shared_ptr<const RuleSet> initial, Loader loader,
                Fingerprint fingerprint, Logger* logger = nullptr);
  ~RulesReloader();  // stops the background thread
  RulesReloader(const RulesReloader&) = delete;
  RulesReloader& operator=(const RulesReloader&) = delete;

  // The running rule set. Never null once constructed with a non-null one.
  std::shared_ptr<const RuleSet> current() const;

  // When the fingerprint changed since the last attempt, builds the new set
  // and swaps it in. Returns OK when nothing changed or the swap happened,
  // the load error otherwise (the running set stays).
  Status ReloadIfChanged();

  // Makes `set` (already compiled and checked, e.g. from a rule file just
  // saved) the running one and takes the source's current fingerprint as
  // seen, so the poller does not compile the same files again.
  // REQUIRES: set != nullptr.
  void Replace(std::shared_ptr<const RuleSet> set);

  // Polls ReloadIfChanged() every `interval` on a background thread until
  // Stop() or destruction. Calling Start twice is a no-op.
  void Start(std::chrono::milliseconds interval);
  void Stop();

  // Successful swaps and rejected candidates so far.
  int reloads() const;
  int failures() const;

 private:
  Loader loader_;
  Fingerprint fingerprint_;
  Logger* logger_;
  mutable std::mutex mu_;
  std::shared_ptr<const RuleSet> current_;  // Guarded by mu_
  std::string last_fingerprint_;            // Guarded by mu_
  int reloads_ = 0;                         // Guarded by mu_
  int failures_ = 0;                        // Guarded by mu_
  std::mutex reload_mu_;                    // one reload at a time
  std::condition_variable stop_cv_;
  bool stop_ = false;  // Guarded by mu_
  std::thread thread_;
};

}  // namespace shagym::nlp
