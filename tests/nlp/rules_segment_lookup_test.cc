// WordIndex::SegmentAndLookup (the matcher's one pass over a text) must
// give exactly the runs, character map and forms of Segment() followed by
// Lookup() of every run.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nlp/rules/word_index.h"

namespace shagym::nlp {
namespace rules_segment_lookup_test {

TEST(SegmentAndLookupTest, SameAsSegmentThenLookup) {
  const std::vector<std::string> words = {
      "школа", "школ",  "школы", "мектеп", "мектебі", "мектептегі",
      "a1",    "a12",   "5а",    "5",      "бала",    "балалар",
      "ұрып",  "соғып", "құлақ", "кулак",  "х",       "x",
      "ш",     "ab",    "abc",   "abcd",   "і",       "ы"};
  WordIndex index;
  uint32_t id = 0;
  for (const std::string& w : words) {
    index.Add({w}, /*prefix=*/false, id++);
    if (w.size() > 2) index.Add({w.substr(0, w.size() - 2)}, true, id++);
  }
  index.Add({"школа", "школы"}, false, id++);  // one id, two forms
  index.Add({"мектеп", "мектеб"}, true, id++);
  index.Add({"шко"}, true, 1);  // an id that is already a whole form
  index.Build();

  const std::vector<std::string> seps = {" ", "", "-", ", ", "😀", "Ж", "\n"};
  std::vector<std::string> texts = {"", " ", "школа", "школа ", " школа"};
  uint32_t rng = 5;
  auto next = [&rng](size_t n) {
    rng = rng * 1103515245u + 12345u;
    return static_cast<size_t>((rng >> 16) % n);
  };
  for (int i = 0; i < 3000; ++i) {
    std::string t;
    const size_t parts = 1 + next(7);
    for (size_t k = 0; k < parts; ++k) {
      t += words[next(words.size())];
      t += seps[next(seps.size())];
    }
    if (i % 100 == 0) t += "\xff";  // refused either way
    texts.push_back(std::move(t));
  }

  size_t found = 0;
  for (const std::string& text : texts) {
    std::vector<WordIndex::Run> runs, fused_runs;
    WordIndex::CharMap map, fused_map;
    const bool ok = WordIndex::Segment(text, &runs, &map);
    std::vector<WordIndex::Hit> hits;
    std::vector<uint32_t> scratch;
    ASSERT_EQ(ok, index.SegmentAndLookup(text, &fused_runs, &fused_map, &hits,
                                         &scratch))
        << text;
    if (!ok) continue;
    ASSERT_EQ(runs.size(), fused_runs.size()) << text;
    EXPECT_EQ(map.bits, fused_map.bits) << text;
    EXPECT_EQ(map.changes_case, fused_map.changes_case) << text;
    std::vector<std::pair<uint32_t, uint32_t>> want, got;
    for (size_t r = 0; r < runs.size(); ++r) {
      EXPECT_EQ(runs[r].begin, fused_runs[r].begin);
      EXPECT_EQ(runs[r].end, fused_runs[r].end);
      std::vector<uint32_t> ids;
      index.Lookup(text, runs[r], &ids);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      for (uint32_t i : ids) want.emplace_back(static_cast<uint32_t>(r), i);
    }
    for (const WordIndex::Hit& h : hits) got.emplace_back(h.run, h.id);
    EXPECT_EQ(want, got) << text;
    found += got.size();
    // Without the map: the same hits.
    std::vector<WordIndex::Hit> plain_hits;
    ASSERT_TRUE(index.SegmentAndLookup(text, &fused_runs, nullptr, &plain_hits,
                                       &scratch));
    ASSERT_EQ(plain_hits.size(), hits.size());
  }
  EXPECT_GT(found, texts.size());
}

}  // namespace rules_segment_lookup_test
}  // namespace shagym::nlp
