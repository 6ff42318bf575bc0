#include "nlp/rules/reloader.h"

#include <cassert>

namespace shagym::nlp {

RulesReloader::RulesReloader(std::shared_ptr<const RuleSet> initial,
                             Loader loader, Fingerprint fingerprint,
                             Logger* logger)
    : loader_(std::move(loader)),
      fingerprint_(std::move(fingerprint)),
      logger_(logger),
      current_(std::move(initial)) {
  last_fingerprint_ = fingerprint_();
}

RulesReloader::~RulesReloader() { Stop(); }

std::shared_ptr<const RuleSet> RulesReloader::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

int RulesReloader::reloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reloads_;
}

int RulesReloader::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

Status RulesReloader::ReloadIfChanged() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::string fp = fingerprint_();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fp == last_fingerprint_) return Status::Ok();
    // Remember the attempt so that a broken set is not recompiled on every
    // poll; the next edit changes the fingerprint again.
    last_fingerprint_ = fp;
  }
  // Compiling takes a while: done without holding mu_, so readers go on.
  StatusOr<std::shared_ptr<const RuleSet>> next = loader_();
  if (!next.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++failures_;
    }
    Log(logger_, LogLevel::kError, "rules_reload_rejected",
        {{"error", next.status().message()}});
    return next.status();
  }
  std::string version = (*next)->version();
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next).value();
    ++reloads_;
  }
  Log(logger_, LogLevel::kInfo, "rules_reloaded", {{"version", version}});
  return Status::Ok();
}

void RulesReloader::Replace(std::shared_ptr<const RuleSet> set) {
  assert(set != nullptr);
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::string fp = fingerprint_();
  std::string version = set->version();
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(set);
    last_fingerprint_ = std::move(fp);
    ++reloads_;
  }
  Log(logger_, LogLevel::kInfo, "rules_replaced", {{"version", version}});
}

void RulesReloader::Start(std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (stop_cv_.wait_for(lock, interval, [this] { return stop_; })) break;
      lock.unlock();
      (void)ReloadIfChanged();
      lock.lock();
    }
  });
}

void RulesReloader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace shagym::nlp
