// bench/rules: the rule matcher's cold and warm throughput.
//
//   matcher_bench [--posts N] [--only shipped|rare|common] [--no-peer]
//
// Posts (default 2000, 2-4 texts each) are built from the labelled
// development set and, when present, the real-world sentence corpora, and
// normalised once up front. For the shipped rules (config/rules) and for
// generated sets of 100, 1,000 and 10,000 rules (four words each; "rare":
// made-up words that almost never occur, "common": words of the corpora),
// it times in one process, in CPU seconds:
//   cold: the first pass of a freshly compiled set over the posts (RE2
//         builds its DFA states lazily, so this is what a fresh `classify`
//         or `crawl` pays);
//   warm: a second pass over the same posts.
// For the generated sets, the same rules with the multi-pattern pass as it
// was configured before (RE2::Sets of at most 4,096 patterns, 64 MiB each).
// Peer, for the generated sets: one RE2::Set of the same words with the
// boundaries written (?:^|[^letters]) ... (?:[^letters]|$), which is how the
// matcher's multi-pattern pass was written before (each peer pass stops
// after 60 s of CPU and reports the rate of what it did).
// Prints MB/s of each pass and the ratio matcher/peer.

#include <re2/re2.h>
#include <re2/set.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "config/rules_loader.h"
#include "nlp/normalize.h"
#include "nlp/rules/pattern_set.h"
#include "nlp/rules/rule_set.h"

namespace {

using shagym::nlp::RuleSet;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

std::vector<std::string> Texts(const std::string& root) {
  std::vector<std::string> out;
  std::ifstream dev(root + "/tests/data/rules_dev.jsonl");
  std::string line;
  while (std::getline(dev, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("text") && j["text"].is_string()) {
      out.push_back(j["text"]);
    }
  }
  const std::string corpora = root + "/../shared/realworld/corpora/";
  std::ifstream kk(corpora + "kk_kaznerd_test_sentences.txt");
  while (std::getline(kk, line)) {
    if (!line.empty()) out.push_back(line);
  }
  std::ifstream ru(corpora + "ru_taiga_ud_dev_test_sentences.tsv");
  while (std::getline(ru, line)) {
    size_t tab = line.rfind('\t');
    if (tab != std::string::npos && line.compare(0, 5, "split") != 0) {
      out.push_back(line.substr(tab + 1));
    }
  }
  return out;
}

uint32_t Next(uint32_t* rng) {
  *rng = *rng * 1103515245u + 12345u;
  return *rng >> 8;
}

struct Pass {
  double seconds = 0;
  double mb = 0;
  double MbPerS() const { return seconds > 0 ? mb / seconds : 0; }
};

// One pass of `match` over `posts`, stopping after `cap` CPU seconds.
template <typename F>
Pass Run(const std::vector<std::string>& posts, double cap, F match) {
  Pass p;
  double t0 = CpuSeconds();
  for (const std::string& s : posts) {
    match(s);
    p.mb += static_cast<double>(s.size()) / 1e6;
    if (CpuSeconds() - t0 > cap) break;
  }
  p.seconds = CpuSeconds() - t0;
  return p;
}

// Words of the posts (letters only, 4+ bytes) and made-up words.
std::vector<std::string> Vocabulary(const std::vector<std::string>& posts) {
  std::set<std::string> words;
  for (const std::string& s : posts) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() &&
             (s[i] == ' ' || std::ispunct(static_cast<unsigned char>(s[i])))) {
        ++i;
      }
      size_t j = i;
      while (j < s.size() && s[j] != ' ' &&
             !std::ispunct(static_cast<unsigned char>(s[j]))) {
        ++j;
      }
      if (j - i >= 8 && j - i <= 24) words.insert(s.substr(i, j - i));
      i = j;
    }
  }
  return {words.begin(), words.end()};
}

std::vector<std::string> MadeUp(size_t n) {
  static const char* kLetters[] = {"а", "б", "в", "г", "д", "е", "ж", "з",
                                   "и", "к", "л", "м", "н", "о", "п", "р",
                                   "с", "т", "у", "ф", "х", "ш", "ы", "э"};
  std::vector<std::string> out;
  uint32_t rng = 17;
  for (size_t i = 0; i < n; ++i) {
    std::string w;
    int len = 6 + static_cast<int>(Next(&rng) % 5);
    for (int k = 0; k < len; ++k) w += kLetters[Next(&rng) % 24];
    out.push_back(w);
  }
  return out;
}

shagym::nlp::RuleSetSpec Generated(const std::vector<std::string>& words,
                                   size_t rules) {
  shagym::nlp::RuleSetSpec spec;
  spec.files.emplace_back();
  spec.files[0].path = "generated.yaml";
  const auto& cats = shagym::nlp::CategoryIds();
  for (size_t r = 0; r < rules; ++r) {
    shagym::nlp::RuleSpec rule;
    rule.id = "g." + std::to_string(r);
    rule.category = cats[r % cats.size()];
    rule.lang = "ru";
    rule.severity = "low";
    rule.where = "generated.yaml:1:1";
    for (size_t k = 0; k < 4; ++k) {
      rule.any.push_back({shagym::nlp::TermSpec::Kind::kWord,
                          words[(r * 4 + k) % words.size()], ""});
    }
    spec.files[0].rules.push_back(std::move(rule));
  }
  return spec;
}

void Report(const char* name, size_t patterns, double compile, Pass cold,
            Pass warm) {
  std::printf(
      "%-22s patterns=%6zu compile=%6.2fs cold=%8.1f MB/s "
      "(%.2fs for %.1f MB) warm=%8.1f MB/s\n",
      name, patterns, compile, cold.MbPerS(), cold.seconds, cold.mb,
      warm.MbPerS());
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 2000;
  std::string only;
  bool peer_too = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-peer") == 0) {
      peer_too = false;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--posts") == 0) {
      n = std::atoll(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--only") == 0) {
      only = argv[++i];
    }
  }
  const std::string root = SHAGYM_SOURCE_DIR;
  auto normalizer = shagym::nlp::Normalizer::Create();
  if (!normalizer.ok()) return 1;
  std::vector<std::string> texts = Texts(root);
  if (texts.empty()) {
    std::fprintf(stderr, "no texts (tests/data/rules_dev.jsonl missing)\n");
    return 1;
  }
  std::vector<std::string> posts;
  uint32_t rng = 7;
  double mb = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string t;
    int parts = 2 + static_cast<int>(Next(&rng) % 3);
    for (int k = 0; k < parts; ++k) {
      if (k) t += ' ';
      t += texts[Next(&rng) % texts.size()];
    }
    posts.push_back((*normalizer)->Normalize(t).text);
    mb += static_cast<double>(posts.back().size()) / 1e6;
  }
  std::printf("posts=%zu %.1f MB (normalised)\n", posts.size(), mb);

  auto match = [](const RuleSet& rs) {
    return [&rs](const std::string& s) { (void)rs.Match(s); };
  };
  if (only.empty() || only == "shipped") {
    std::vector<std::string> errors;
    double t0 = CpuSeconds();
    auto rs = shagym::config::LoadRuleSet(root + "/config/rules", **normalizer,
                                          &errors);
    double compile = CpuSeconds() - t0;
    if (!rs.ok()) {
      std::fprintf(stderr, "%s\n", rs.status().message().c_str());
      return 1;
    }
    // Loading ran the files' examples, which warmed the DFA a little.
    Pass cold = Run(posts, 1e9, match(**rs));
    Pass warm = Run(posts, 1e9, match(**rs));
    Report("shipped", (*rs)->pattern_count(), compile, cold, warm);
    std::printf("  shipped: cold/warm %.2f\n", cold.MbPerS() / warm.MbPerS());
  }

  const std::vector<std::string> common = Vocabulary(posts);
  const std::vector<std::string> rare = MadeUp(40000);
  const std::string w = "0-9a-zа-яёәғқңөұүһі";
  for (const auto* vocab : {&rare, &common}) {
    const char* kind = vocab == &rare ? "rare" : "common";
    if (!only.empty() && only != kind) continue;
    for (size_t rules : {100, 1000, 10000}) {
      std::vector<std::string> errors;
      double t0 = CpuSeconds();
      auto rs =
          RuleSet::Compile(Generated(*vocab, rules), **normalizer, &errors);
      double compile = CpuSeconds() - t0;
      if (!rs.ok()) {
        std::fprintf(stderr, "%s\n", rs.status().message().c_str());
        return 1;
      }
      Pass cold = Run(posts, 1e9, match(**rs));
      Pass warm = Run(posts, 1e9, match(**rs));
      char name[64];
      std::snprintf(name, sizeof(name), "%s %zu rules", kind, rules);
      Report(name, (*rs)->pattern_count(), compile, cold, warm);
      {
        // The same rules with the multi-pattern pass configured as before
        // (RE2::Sets of at most 4,096 patterns in 64 MiB each).
        shagym::nlp::PatternSet::Options old;
        old.max_mem = 64 << 20;
        old.max_patterns_per_set = 4096;
        shagym::nlp::PatternSet::SetDefaultOptionsForTesting(&old);
        t0 = CpuSeconds();
        auto before =
            RuleSet::Compile(Generated(*vocab, rules), **normalizer, &errors);
        double before_compile = CpuSeconds() - t0;
        shagym::nlp::PatternSet::SetDefaultOptionsForTesting(nullptr);
        if (before.ok()) {
          Pass bcold = Run(posts, 60, match(**before));
          Pass bwarm = Run(posts, 60, match(**before));
          Report("  sets of 4096 (before)", (*before)->pattern_count(),
                 before_compile, bcold, bwarm);
          std::printf("  now/before: cold %.2fx warm %.2fx\n",
                      cold.MbPerS() / bcold.MbPerS(),
                      warm.MbPerS() / bwarm.MbPerS());
        }
      }
      if (!peer_too) continue;

      RE2::Options opt;
      opt.set_log_errors(false);
      opt.set_max_mem(256 << 20);
      RE2::Set peer(opt, RE2::UNANCHORED);
      t0 = CpuSeconds();
      for (size_t i = 0; i < rules * 4; ++i) {
        std::string word =
            (*normalizer)->Normalize((*vocab)[i % vocab->size()]).text;
        peer.Add(
            "(?:^|[^" + w + "])" + RE2::QuoteMeta(word) + "(?:[^" + w + "]|$)",
            nullptr);
      }
      if (!peer.Compile()) {
        std::printf("  peer: RE2::Set does not compile\n");
        continue;
      }
      double peer_compile = CpuSeconds() - t0;
      std::vector<int> hits;
      auto peer_match = [&](const std::string& s) { peer.Match(s, &hits); };
      Pass pcold = Run(posts, 60, peer_match);
      Pass pwarm = Run(posts, 60, peer_match);
      Report("  peer (?:^|..) Set", rules * 4, peer_compile, pcold, pwarm);
      std::printf("  matcher/peer: cold %.2fx warm %.2fx\n",
                  cold.MbPerS() / pcold.MbPerS(),
                  warm.MbPerS() / pwarm.MbPerS());
    }
  }
  return 0;
}
