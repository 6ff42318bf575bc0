// Rule files are edited by hand: any text parses into specs or one-line
// errors, and whatever parses compiles or is refused with an error, never
// a crash. Input: one rule file's YAML (from memory, as ReadRuleDir gives).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/rules_loader.h"
#include "nlp/normalize.h"
#include "nlp/rules/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<shagym::nlp::Normalizer> normalizer = [] {
    auto n = shagym::nlp::Normalizer::Create();
    if (!n.ok()) __builtin_trap();
    return std::move(n).value();
  }();
  // One file from memory, as ReadRuleDir would give it. (The shipped
  // shared lists are not added: expanding them costs ~0.3 s per input under
  // ASan; the seeds define small lists of their own.)
  std::vector<shagym::config::RuleFileText> files;
  files.push_back({"rules/fuzz.kk.yaml",
                   std::string(reinterpret_cast<const char*>(data), size)});
  std::vector<std::string> errors;
  auto spec = shagym::config::ParseRuleFiles(files, &errors);
  for (const std::string& e : errors) {
    if (e.find('\n') != std::string::npos) __builtin_trap();
  }
  if (spec.ok() != errors.empty()) __builtin_trap();
  if (spec.ok()) {
    std::vector<std::string> compile_errors;
    (void)shagym::nlp::RuleSet::Compile(*spec, *normalizer, &compile_errors);
  }
  return 0;
}
