#pragma once

// Rule terms for matcher tests, each placed at "t.yaml:1:1".

#include <string>

#include "nlp/rules/rule_spec.h"

namespace shagym::nlp {

inline TermSpec Word(const std::string& v) {
  return TermSpec{TermSpec::Kind::kWord, v, "t.yaml:1:1"};
}
inline TermSpec Stem(const std::string& v) {
  return TermSpec{TermSpec::Kind::kStem, v, "t.yaml:1:1"};
}
inline TermSpec Re(const std::string& v) {
  return TermSpec{TermSpec::Kind::kRegex, v, "t.yaml:1:1"};
}

}  // namespace shagym::nlp
