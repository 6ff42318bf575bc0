// bench/rules: `rules backtest` throughput on a store of generated posts.
//
//   backtest_bench [--posts N] [--dir DIR]
//
// Fills DIR (default: a fresh temp dir, removed afterwards) with N posts
// (default 50000) built from the labelled development set
// (tests/data/rules_dev.jsonl) and, when present, the real-world sentence
// corpora, 2-4 texts per post, spread over 90 days. Then, with the shipped
// rules (config/rules) as the running set and the same rules without one
// file as the candidate, it times in the same run:
//   peer:     reading every post and classifying it twice, once per rule
//             set, as two independent `classify` calls would;
//   backtest: config::Backtest over the same posts (one normalisation per
//             post, both rule sets, the diff).
// Prints posts/s of each and the ratio backtest/peer.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/rule_engine.h"
#include "config/rules_backtest.h"
#include "config/rules_loader.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using shagym::Post;
using Steady = std::chrono::steady_clock;

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

// CPU time of this process (the machine may be shared).
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t posts = 50000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--posts") == 0) posts = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  const std::string root = SHAGYM_SOURCE_DIR;
  bool temp = dir.empty();
  if (temp) {
    char tmpl[] = "/tmp/shagym-backtest-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
  }
  std::vector<std::string> texts = Texts(root);
  if (texts.empty()) {
    std::fprintf(stderr, "no texts (tests/data/rules_dev.jsonl missing)\n");
    return 1;
  }

  shagym::store::StoreOptions so;
  so.data_dir = dir;
  auto st = shagym::store::Store::Open(so);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.status().message().c_str());
    return 1;
  }
  shagym::store::Store* store = st->get();
  const int64_t now = std::time(nullptr);
  int64_t bytes = 0;
  uint32_t rng = 7;
  auto next = [&rng] { return rng = rng * 1103515245u + 12345u, rng >> 8; };
  std::vector<Post> batch;
  for (int64_t i = 0; i < posts; ++i) {
    Post p;
    p.id = "b" + std::to_string(i);
    p.source = "bench";
    p.published_at = now - static_cast<int64_t>(next() % (90 * 86400));
    p.fetched_at = p.published_at;
    int parts = 2 + static_cast<int>(next() % 3);
    for (int k = 0; k < parts; ++k) {
      if (k) p.text += ' ';
      p.text += texts[next() % texts.size()];
    }
    bytes += static_cast<int64_t>(p.text.size());
    batch.push_back(std::move(p));
    if (batch.size() == 2000 || i + 1 == posts) {
      if (!store->IngestBatch(batch).ok()) return 1;
      batch.clear();
    }
  }

  std::printf("store filled: %.2f s CPU\n", CpuSeconds());
  std::vector<std::string> errors;
  double l0 = CpuSeconds();
  auto engine = shagym::config::RuleEngine::Load(
      root + "/config/rules", root + "/config/gazetteer/regions.yaml", &errors);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().message().c_str());
    return 1;
  }
  auto files = shagym::config::ReadRuleDir(root + "/config/rules");
  if (!files.ok()) return 1;
  // The candidate: the shipped rules without the Russian bullying file.
  std::vector<shagym::config::RuleFileText> fewer;
  for (const auto& f : *files) {
    if (f.name.find("bullying.ru.yaml") == std::string::npos) {
      fewer.push_back(f);
    }
  }
  // Examples of the other files may rely on it: compile without them.
  auto candidate = (*engine)->Compile(fewer, &errors);
  if (!candidate.ok()) {
    std::fprintf(stderr, "%s\n", candidate.status().message().c_str());
    return 1;
  }
  std::shared_ptr<const shagym::nlp::RuleSet> running = (*engine)->rules();
  std::printf("rules loaded and compiled twice: %.2f s CPU\n",
              CpuSeconds() - l0);

  // Warm-up: RE2 builds its DFA states lazily, on the first texts.
  shagym::config::BacktestOptions o;
  double w0 = CpuSeconds();
  if (!shagym::config::Backtest(store, **engine, running.get(), **candidate, o)
           .ok()) {
    return 1;
  }

  std::printf("first backtest (cold): %.2f s CPU\n", CpuSeconds() - w0);
  auto t0 = Steady::now();
  double c0 = CpuSeconds();
  int64_t seen = 0, differ = 0;
  shagym::Status s =
      store->ForEachPost({}, [&](const Post& p) -> shagym::Status {
        auto a = (*engine)->classifier().Classify(*running, p.text);
        auto b = (*engine)->classifier().Classify(**candidate, p.text);
        ++seen;
        if (a.categories != b.categories) ++differ;
        return shagym::Status::Ok();
      });
  double peer_s = Seconds(t0);
  double peer_cpu = CpuSeconds() - c0;
  if (!s.ok()) return 1;

  t0 = Steady::now();
  c0 = CpuSeconds();
  auto report =
      shagym::config::Backtest(store, **engine, running.get(), **candidate, o);
  double bt_s = Seconds(t0);
  double bt_cpu = CpuSeconds() - c0;
  if (!report.ok()) return 1;

  std::printf("posts=%lld avg_bytes=%lld rules=%zu\n",
              static_cast<long long>(seen),
              static_cast<long long>(bytes / std::max<int64_t>(1, posts)),
              running->rule_count());
  std::printf(
      "peer (read + classify twice): %.0f posts/s per CPU second (%.2f s "
      "CPU, %.2f s wall)\n",
      seen / peer_cpu, peer_cpu, peer_s);
  std::printf(
      "backtest: %.0f posts/s per CPU second (%.2f s CPU, %.2f s wall), "
      "%.2fx the peer; added %lld dropped %lld changed %lld (peer saw %lld "
      "differing)\n",
      report->posts_scanned / bt_cpu, bt_cpu, bt_s, peer_cpu / bt_cpu,
      static_cast<long long>(report->added),
      static_cast<long long>(report->dropped),
      static_cast<long long>(report->changed), static_cast<long long>(differ));
  st->reset();
  if (temp) fs::remove_all(dir);
  return 0;
}
