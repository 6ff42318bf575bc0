#pragma once

// Random texts glued from pieces (letters, marks, broken bytes, words) for
// property tests that compare a fast path with its reference on many inputs.

#include <random>
#include <string>
#include <vector>

namespace shagym::testing {

// 1..max_pieces pieces drawn from `pieces` with `rng`.
inline std::string RandomText(const std::vector<std::string>& pieces,
                              int max_pieces, std::mt19937& rng) {
  std::string s;
  const int len = 1 + static_cast<int>(rng() % max_pieces);
  for (int k = 0; k < len; ++k) s += pieces[rng() % pieces.size()];
  return s;
}

}  // namespace shagym::testing
