#pragma once

// Precision, recall and F1 per category for the rule-quality tests, and
// the run of the real `shagym classify` they score.

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "nlp/classifier.h"
#include "tests/testing/run_command.h"

namespace shagym::nlp::quality {

struct Counts {
  int tp = 0, fp = 0, fn = 0;
  void Add(bool gold, bool got) {
    tp += gold && got;
    fp += !gold && got;
    fn += gold && !got;
  }
  double P() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
  double R() const { return tp + fn ? double(tp) / (tp + fn) : 1.0; }
  double F1() const {
    return tp + fp + fn ? 2.0 * tp / (2.0 * tp + fp + fn) : 1.0;
  }
};

struct CategoryScores {
  std::map<std::string, Counts> per_category;
  Counts complaint;
  int posts = 0;
  // One post: its gold categories against the ones it got.
  void Add(const std::set<std::string>& gold,
           const std::set<std::string>& got) {
    ++posts;
    for (const std::string& c : CategoryIds()) {
      per_category[c].Add(gold.count(c) > 0, got.count(c) > 0);
    }
    complaint.Add(!gold.empty(), !got.empty());
  }
  // Mean F1 over the categories that have gold posts.
  double MacroF1() const {
    double sum = 0;
    int n = 0;
    for (const auto& [c, k] : per_category) {
      if (k.tp + k.fn == 0) continue;
      sum += k.F1();
      ++n;
    }
    return n ? sum / n : 1.0;
  }
};

// The per-category table, macro F1 and complaint-vs-not line.
inline void PrintCategoryScores(const std::string& title,
                                const CategoryScores& s) {
  std::printf("\n== %s: %d posts ==\n%-22s %5s %5s %5s %4s %4s %4s\n",
              title.c_str(), s.posts, "category", "P", "R", "F1", "tp", "fp",
              "fn");
  for (const auto& [c, k] : s.per_category) {
    if (k.tp + k.fp + k.fn == 0) continue;
    std::printf("%-22s %5.2f %5.2f %5.2f %4d %4d %4d\n", c.c_str(), k.P(),
                k.R(), k.F1(), k.tp, k.fp, k.fn);
  }
  std::printf("%-22s %5s %5s %5.2f\n", "macro", "", "", s.MacroF1());
  std::printf("%-22s %5.2f %5.2f %5.2f %4d %4d %4d\n", "complaint-vs-not",
              s.complaint.P(), s.complaint.R(), s.complaint.F1(),
              s.complaint.tp, s.complaint.fp, s.complaint.fn);
}

// Runs `shagym classify` with the shipped configuration on JSON Lines
// `input` and returns its output objects by id in *got (a fatal test failure
// when the command fails or answers an unreadable line).
inline void ClassifyWithShagym(const std::string& input,
                               std::map<std::string, nlohmann::json>* got) {
  const std::string src = SHAGYM_SOURCE_DIR;
  auto run = testing::RunCommand({testing::ShagymBinary(), "--config",
                                  src + "/config/shagym.yaml", "classify"},
                                 input, 120);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream out(run.out);
  std::string line;
  while (std::getline(out, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    (*got)[j.at("id").get<std::string>()] = j;
  }
}

}  // namespace shagym::nlp::quality
