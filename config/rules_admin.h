#pragma once

// The dashboard's rules endpoints (dashboards::RulesService) over the
// configured rule engine and the store: list the rule files, validate an
// edited file as part of the whole set (its examples included), save it
// (written atomically, then swapped in as the running rules), test a text,
// back-test an edit on stored posts (config/rules_backtest.h). File names
// are plain names of the rules directory ("bullying.kk.yaml"); anything
// else is refused. Thread-safe; saves are serialised.
//
//   config::RulesAdmin admin(engine.get(), store.get());
//   api_options.rules = &admin;

#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/rule_engine.h"
#include "dashboards/rules_service.h"
#include "store/store.h"

namespace shagym::config {

class RulesAdmin : public dashboards::RulesService {
 public:
  // `engine` and `store` are borrowed and must outlive it; `clock` too
  // (null: the system clock), it sets the back-test window.
  RulesAdmin(RuleEngine* engine, store::Store* store,
             const Clock* clock = nullptr);

  StatusOr<std::vector<dashboards::RuleFile>> ListFiles() override;
  std::vector<dashboards::RuleError> Validate(const std::string& file,
                                              const std::string& text) override;
  Status Save(const std::string& file, const std::string& text) override;
  StatusOr<Labels> Test(const std::string& text) override;
  StatusOr<dashboards::BacktestResult> Backtest(const std::string& file,
                                                const std::string& text,
                                                int64_t days,
                                                int64_t max_posts) override;

 private:
  // The running directory's rule set with `file` replaced by (or, when new,
  // extended with) `text`, compiled. Problems go to `errors`.
  StatusOr<std::shared_ptr<const nlp::RuleSet>> CompileWith(
      const std::string& file, const std::string& text,
      std::vector<dashboards::RuleError>* errors) const;

  RuleEngine* engine_;
  store::Store* store_;
  const Clock* clock_;
  std::mutex save_mu_;  // one save at a time
};

// "FILE:LINE:COL: what" → RuleError (line/column 0 when the line has none).
dashboards::RuleError ParseRuleError(const std::string& line);

}  // namespace shagym::config
