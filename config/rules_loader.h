#pragma once

// Reads rule files (config/rules/*.yaml) into nlp::RuleSetSpec and compiles
// them. Every problem in every file is reported, one line each:
//   config/rules/bullying.kk.yaml:14:5: rule 'kk.bullying.3': unknown key 'nto'
// See docs/RULES.md for the format.
//
//   std::vector<std::string> errors;
//   auto rules = config::LoadRuleSet("config/rules", *normalizer, &errors);

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlp/normalize.h"
#include "nlp/rules/reloader.h"
#include "nlp/rules/rule_set.h"
#include "nlp/rules/rule_spec.h"

namespace shagym::config {

// One rule file: the name shown in messages and its YAML text.
struct RuleFileText {
  std::string name;
  std::string text;
};

// The *.yaml files of `dir`, sorted by name; names are "DIR/FILE".
// NotFound/IOError when the directory cannot be read or has no rule file.
StatusOr<std::vector<RuleFileText>> ReadRuleDir(const std::string& dir);

// Parses rule files into specs. Lists (`lists:`) are shared by all files.
// Problems are appended to `errors`; InvalidArgument when there is any.
StatusOr<nlp::RuleSetSpec> ParseRuleFiles(
    const std::vector<RuleFileText>& files, std::vector<std::string>* errors);

// ParseRuleFiles + nlp::RuleSet::Compile (which runs the files' examples).
// All problems end up in `errors`; InvalidArgument (the first one and the
// count) when there is any.
StatusOr<std::shared_ptr<const nlp::RuleSet>> CompileRuleFiles(
    const std::vector<RuleFileText>& files, const nlp::Normalizer& normalizer,
    std::vector<std::string>* errors);

// ReadRuleDir + CompileRuleFiles.
StatusOr<std::shared_ptr<const nlp::RuleSet>> LoadRuleSet(
    const std::string& dir, const nlp::Normalizer& normalizer,
    std::vector<std::string>* errors);

// A fingerprint of the rule files of `dir` (names and contents), to notice a
// change; empty when the directory cannot be read.
std::string RuleDirFingerprint(const std::string& dir);

// True for the name of a rule file that may live in a rules directory:
// letters, digits, '-', '_' and '.', not starting with '.', ending ".yaml",
// no path separator (so never a way out of the directory).
bool IsRuleFileName(std::string_view name);

// A reloader for `dir` that starts from `initial`. `normalizer` is borrowed
// and must outlive it; `logger` may be null (default logger).
std::unique_ptr<nlp::RulesReloader> MakeRulesReloader(
    const std::string& dir, const nlp::Normalizer* normalizer,
    std::shared_ptr<const nlp::RuleSet> initial, Logger* logger = nullptr);

}  // namespace shagym::config
