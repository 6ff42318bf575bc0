#pragma once

// Two small rule directories' worth of text for the hot-reload tests: the
// second adds a food rule, so a post about "еда" shows which set classified
// it.

namespace shagym::testing {

inline constexpr char kReloadRules[] = R"(category: bullying
rules:
  - id: t.bullying.1
    any: [травля]
)";

inline constexpr char kReloadRulesWithFood[] = R"(category: bullying
rules:
  - id: t.bullying.1
    any: [травля]
  - id: t.food.1
    category: food
    any: [еда]
)";

}  // namespace shagym::testing
