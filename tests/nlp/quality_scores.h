#pragma once

// Precision, recall and F1 per category for the rule-quality tests.

#include <cstdio>
#include <map>
#include <string>

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

}  // namespace shagym::nlp::quality
