#pragma once

// The configured text engine, loaded one way for every command (crawl,
// classify, reclassify, rules, serve): the normaliser, the rule set of
// `rules_dir` and the region/school extraction of the gazetteer. The
// running rule set can be replaced (a saved rule file) or reloaded from
// disk (hot reload) while other threads classify. Thread-safe.
//
//   std::vector<std::string> errors;
//   auto engine = config::RuleEngine::Load(cfg.rules_dir, cfg.gazetteer,
//                                          &errors);
//   (*engine)->StartReloading(std::chrono::seconds(2));
//   Labels l = (*engine)->Classify(post.text);

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/logger.h"
#include "common/post.h"
#include "common/status.h"
#include "config/rules_loader.h"
#include "nlp/analysis.h"
#include "nlp/classifier.h"
#include "nlp/normalize.h"
#include "nlp/rules/reloader.h"
#include "nlp/rules/rule_set.h"

namespace shagym::nlp {
class EntityExtractor;
}

namespace shagym::config {

class RuleEngine {
 public:
  // Loads and checks the rules of `rules_dir` (every problem is appended to
  // `errors` when given, one "FILE:LINE:COL: ..." line each; the status
  // carries the first) and the gazetteer at `gazetteer` (a missing file
  // means no region or school from it; a broken one is an error). `logger`
  // is borrowed (null: the default logger) and reports reloads.
  static StatusOr<std::unique_ptr<RuleEngine>> Load(
      const std::string& rules_dir, const std::string& gazetteer,
      std::vector<std::string>* errors = nullptr, Logger* logger = nullptr);

  ~RuleEngine();
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  const std::string& rules_dir() const { return rules_dir_; }
  const nlp::Normalizer& normalizer() const { return *normalizer_; }
  const nlp::Classifier& classifier() const { return *classifier_; }

  // The running rule set. Never null.
  std::shared_ptr<const nlp::RuleSet> rules() const;

  // Labels of `text` with `rules` (or the running set): categories,
  // severity, matches in bytes of `text`, language, and region / school
  // number / institution from the gazetteer where the hints and the rules
  // left them empty.
  Labels Classify(const nlp::RuleSet& rules, std::string_view text,
                  const nlp::ClassifyHints& hints = {}) const;
  Labels Classify(std::string_view text,
                  const nlp::ClassifyHints& hints = {}) const;
  // Same on a text analysed already with a Normalizer like normalizer()
  // (the crawl's ingest analyses each post once for hashes and labels);
  // matches are in bytes of the analysed original.
  Labels Classify(const nlp::RuleSet& rules, const nlp::AnalyzedText& analyzed,
                  const nlp::ClassifyHints& hints = {}) const;
  Labels Classify(const nlp::AnalyzedText& analyzed,
                  const nlp::ClassifyHints& hints = {}) const;
  // Classify(rules, text, hints) for a loop over many posts: `text` is
  // analysed into `*analysis` and labelled into `*labels`, both reusing
  // their buffers from the previous post.
  void Classify(const nlp::RuleSet& rules, std::string_view text,
                const nlp::ClassifyHints& hints, nlp::AnalyzedText* analysis,
                Labels* labels) const;

  // Compiles `files` (as ReadRuleDir gives them) with this engine's
  // normaliser, examples included, without changing the running set.
  StatusOr<std::shared_ptr<const nlp::RuleSet>> Compile(
      const std::vector<RuleFileText>& files,
      std::vector<std::string>* errors) const;

  // Makes `set` the running rule set. REQUIRES: set != nullptr.
  void Install(std::shared_ptr<const nlp::RuleSet> set);

  // Hot reload of rules_dir (nlp::RulesReloader): a changed directory is
  // compiled and checked, then swapped in; a broken one is logged (its
  // first problem with file:line) and the running set stays.
  Status ReloadIfChanged();
  // Polls ReloadIfChanged() every `interval` on a background thread until
  // StopReloading() or destruction.
  void StartReloading(std::chrono::milliseconds interval);
  void StopReloading();
  // Successful swaps (reloads and installs) and rejected reloads so far.
  int reloads() const;
  int failures() const;

 private:
  RuleEngine() = default;
  // The labels of an analysed post: the classifier's, then the entities'.
  void Label(const nlp::RuleSet& rules, const nlp::AnalyzedText& analyzed,
             const nlp::ClassifyHints& hints, Labels* labels) const;

  std::string rules_dir_;
  std::unique_ptr<nlp::Normalizer> normalizer_;
  std::unique_ptr<nlp::Classifier> classifier_;
  std::unique_ptr<nlp::EntityExtractor> entities_;  // null: no gazetteer
  std::unique_ptr<nlp::RulesReloader> reloader_;
};

}  // namespace shagym::config
