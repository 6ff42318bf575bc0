// Classification throughput (issue "Rules", bench/classify), single thread,
// with a peer measured in the same run:
//
//  1. The matcher alone (RuleSet::Match on posts analysed beforehand) with
//     the shipped rules and with generated rule sets of 100, 1,000 and
//     10,000 rules, in posts/s and MB/s of normalised text. Peers: the same
//     word patterns as one bare RE2::Set (no per-rule checks: the floor of
//     any one-pass engine) and each pattern as its own RE2 searched one
//     after another (what a rule-by-rule engine does). Two kinds of
//     generated sets: terms that rarely match (made-up words) and terms
//     that often match (frequent words of the corpora).
//  2. `shagym classify` as a whole process (JSON in, normalise, language
//     id, rules, entities, JSON out) on the real corpora repeated to
//     --mb MB, in MB/s per core (bytes over the child's user+system CPU
//     time), next to ICU's NFKC_Casefold on the same texts (the median of
//     six slices, three before the run and three after it).
//
//   build/bench/classify_bench [--realworld DIR] [--mb 200]
//                              [--min-seconds 1] [--shagym build/app/shagym]
//                              [--skip-process] [--skip-generated]
//                              [--keep-input FILE]
//
// --skip-generated keeps, of part 1, the shipped rules and the in-process
// split of classify's work (analysis: normalise + tokenise, against the
// matcher on the analysed text). --keep-input also writes classify's input
// to FILE (to compare classify's output before and after a change).

#include <fcntl.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/realworld_corpus.h"
#include "config/rules_loader.h"
#include "nlp/analysis.h"
#include "nlp/rules/rule_set.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using shagym::nlp::AnalyzedText;
using shagym::nlp::RuleSet;

using shagym::bench::CsvSecondColumn;
using shagym::bench::Lines;
using shagym::bench::ReadAll;

// `text` of every line of a JSON Lines file.
std::vector<std::string> JsonlTexts(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("text") && j["text"].is_string()) {
      out.push_back(j["text"].get<std::string>());
    }
  }
  return out;
}

// Runs `fn(i)` over posts 0, 1, ... (wrapping) until `min_seconds` passed
// and at least one full round ran (or `max_posts` posts for slow peers);
// returns {posts/s, MB/s}.
struct Rate {
  double posts_per_s = 0;
  double mb_per_s = 0;
};
Rate Measure(const std::vector<size_t>& sizes, double min_seconds,
             size_t max_posts, const std::function<size_t(size_t)>& fn) {
  // CPU time of this thread: the machine is shared, and wall time would
  // measure the queue for a core.
  auto cpu_now = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
  };
  size_t sink = 0, bytes = 0, posts = 0;
  const double start = cpu_now();
  double elapsed = 0;
  const size_t n = sizes.size();
  while (posts < 50000000) {
    const size_t i = posts % n;
    sink += fn(i);
    bytes += sizes[i];
    ++posts;
    if ((posts & 63) == 0 || posts == max_posts) {
      elapsed = cpu_now() - start;
      if (elapsed >= min_seconds && (posts >= n || posts >= max_posts)) break;
    }
  }
  elapsed = cpu_now() - start;
  if (sink == 42) std::printf(" ");  // keep the work observable
  return Rate{static_cast<double>(posts) / elapsed,
              static_cast<double>(bytes) / 1e6 / elapsed};
}

// Word characters of the rule engine's boundaries (nlp/rules/rule_set.cc).
constexpr char kBegin[] = "(?:^|[^0-9a-zа-яёәғқңөұүһі])";
constexpr char kEnd[] = "(?:[^0-9a-zа-яёәғқңөұүһі]|$)";

// A made-up Cyrillic word of 2-4 syllables: such terms rarely match.
std::string MadeUpWord(std::mt19937* rng) {
  static const char* const kOnsets[] = {"б", "г", "д", "ж", "з", "к", "л",
                                        "м", "н", "п", "р", "с", "т", "ш",
                                        "қ", "ғ", "ч", "х", "ц"};
  static const char* const kVowels[] = {"а", "о", "у", "ы", "е",
                                        "и", "ә", "ө", "ү", "ұ"};
  std::string w;
  const int syllables = 2 + static_cast<int>((*rng)() % 3);
  for (int k = 0; k < syllables; ++k) {
    w += kOnsets[(*rng)() % std::size(kOnsets)];
    w += kVowels[(*rng)() % std::size(kVowels)];
    if ((*rng)() % 3 == 0) w += kOnsets[(*rng)() % std::size(kOnsets)];
  }
  return w;
}

struct Generated {
  shagym::nlp::RuleSetSpec spec;
  std::vector<std::string> words;  // every word term, for the peers
};

// `rules` rules over the 13 categories: 60% `any:` of two words, 20% a
// stem, 10% `all:` of two groups, 10% `near:`. `frequent` (may be empty)
// supplies real words for one term in five, so that many rules hit.
Generated GenerateRules(int rules, const std::vector<std::string>& frequent,
                        uint32_t seed) {
  std::mt19937 rng(seed);
  Generated g;
  shagym::nlp::RuleFileSpec file;
  file.path = "generated.yaml";
  const auto& cats = shagym::nlp::CategoryIds();
  auto word = [&]() {
    std::string w = !frequent.empty() && rng() % 5 == 0
                        ? frequent[rng() % frequent.size()]
                        : MadeUpWord(&rng);
    g.words.push_back(w);
    return shagym::nlp::TermSpec{shagym::nlp::TermSpec::Kind::kWord, w, ""};
  };
  for (int i = 0; i < rules; ++i) {
    shagym::nlp::RuleSpec r;
    r.id = "gen." + std::to_string(i);
    r.category = cats[static_cast<size_t>(i) % cats.size()];
    r.lang = i % 2 ? "ru" : "kk";
    r.severity = i % 3 == 0 ? "medium" : "low";
    r.where = file.path + ":" + std::to_string(i + 1) + ":1";
    const int shape = i % 10;
    if (shape < 6) {
      r.any = {word(), word()};
    } else if (shape < 8) {
      // Stems need five letters or more to expand.
      std::string stem;
      while (stem.size() < 10) stem = MadeUpWord(&rng);
      r.any = {{shagym::nlp::TermSpec::Kind::kStem, stem, ""}};
      g.words.push_back(stem);
    } else if (shape == 8) {
      r.all = {{word()}, {word(), word()}};
    } else {
      shagym::nlp::NearSpec n;
      n.groups = {{word()}, {word()}};
      n.within = 4;
      r.near = {n};
    }
    file.rules.push_back(std::move(r));
  }
  g.spec.files.push_back(std::move(file));
  return g;
}

// Peers built from the same word terms.
struct Peers {
  std::unique_ptr<RE2::Set> set;
  std::vector<std::unique_ptr<RE2>> each;
};
Peers BuildPeers(const std::vector<std::string>& words) {
  Peers p;
  RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_max_mem(1 << 30);
  p.set = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
  std::map<std::string, bool> seen;
  for (const std::string& w : words) {
    if (seen[w]) continue;
    seen[w] = true;
    const std::string pattern = kBegin + RE2::QuoteMeta(w) + kEnd;
    p.set->Add(pattern, nullptr);
    p.each.push_back(std::make_unique<RE2>(pattern, opt));
  }
  if (!p.set->Compile()) std::fprintf(stderr, "peer RE2::Set: out of memory\n");
  return p;
}

// The `n` most frequent words (4+ letters) of the analysed posts.
std::vector<std::string> FrequentWords(const std::vector<AnalyzedText>& posts,
                                       size_t n) {
  std::map<std::string, int> counts;
  for (const AnalyzedText& a : posts) {
    for (const auto& t : a.tokens) {
      if (t.numeric || t.end - t.begin < 8) continue;  // 4+ Cyrillic letters
      ++counts[a.normalized.text.substr(t.begin, t.end - t.begin)];
    }
  }
  std::vector<std::pair<int, std::string>> v;
  for (auto& [w, c] : counts) v.emplace_back(-c, w);
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size() && i < n; ++i) out.push_back(v[i].second);
  return out;
}

// Runs `argv` with stdout to /dev/null; returns the child's CPU seconds
// (user + system) and the wall seconds, or {-1, -1} on failure.
std::pair<double, double> RunProcess(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  rusage before{};
  getrusage(RUSAGE_CHILDREN, &before);
  const auto start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return {-1, -1};
  int status = 0;
  waitpid(pid, &status, 0);
  const double wall =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {-1, -1};
  rusage after{};
  getrusage(RUSAGE_CHILDREN, &after);
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  const double cpu = secs(after.ru_utime) - secs(before.ru_utime) +
                     secs(after.ru_stime) - secs(before.ru_stime);
  return {cpu, wall};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = SHAGYM_SOURCE_DIR;
  std::string realworld = source + "/../shared/realworld";
  if (const char* env = std::getenv("SHAGYM_REALWORLD")) realworld = env;
  std::string shagym =
      (std::filesystem::path(argv[0]).parent_path() / "../app/shagym").string();
  double min_seconds = 1.0;
  double mb = 200;
  bool process = true;
  bool generated = true;
  std::string keep_input;
  for (int i = 1; i < argc; ++i) {
    const bool has = i + 1 < argc;
    if (!std::strcmp(argv[i], "--realworld") && has) {
      realworld = argv[++i];
    } else if (!std::strcmp(argv[i], "--min-seconds") && has) {
      min_seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--mb") && has) {
      mb = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--shagym") && has) {
      shagym = argv[++i];
    } else if (!std::strcmp(argv[i], "--skip-process")) {
      process = false;
    } else if (!std::strcmp(argv[i], "--keep-input") && has) {
      keep_input = argv[++i];
    } else if (!std::strcmp(argv[i], "--skip-generated")) {
      generated = false;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }

  // Realistic posts: the real corpora and the team's labelled sets.
  const std::string dir = realworld + "/corpora/";
  std::vector<std::string> posts;
  for (auto&& part :
       {CsvSecondColumn(ReadAll(dir + "kk_kazsandra_sc_test.csv")),
        Lines(ReadAll(dir + "kk_kaznerd_test_sentences.txt"), -1),
        Lines(ReadAll(dir + "ru_taiga_ud_dev_test_sentences.tsv"), 3)}) {
    posts.insert(posts.end(), part.begin(), part.end());
  }
  const size_t corpus_posts = posts.size();
  if (corpus_posts == 0) {
    std::fprintf(stderr, "%s: corpora not found or empty\n", dir.c_str());
    return 1;
  }
  for (const char* f :
       {"/tests/data/rules_dev.jsonl", "/tests/data/text_labelled.jsonl"}) {
    auto t = JsonlTexts(source + f);
    posts.insert(posts.end(), t.begin(), t.end());
  }
  auto normalizer = shagym::nlp::Normalizer::Create();
  if (!normalizer.ok()) {
    std::fprintf(stderr, "%s\n", normalizer.status().ToString().c_str());
    return 1;
  }
  std::vector<AnalyzedText> analyzed;
  std::vector<size_t> sizes;
  size_t norm_bytes = 0;
  for (const std::string& p : posts) {
    analyzed.push_back(shagym::nlp::Analyze(**normalizer, p));
    sizes.push_back(analyzed.back().normalized.text.size());
    norm_bytes += sizes.back();
  }
  std::printf("%zu posts (%zu from the corpora), %.2f MB normalised\n\n",
              posts.size(), corpus_posts, norm_bytes / 1e6);

  // --- 1. The matcher alone ---
  std::printf(
      "matcher alone, single thread (min %.1fs of CPU per cell); peers on the "
      "same "
      "word patterns\n",
      min_seconds);
  std::printf("%-22s %7s %8s %10s %8s %10s %12s %10s %9s\n", "rule set",
              "rules", "patterns", "posts/s", "MB/s", "hit_posts",
              "bare_set_MB/s", "each_MB/s", "vs_each");
  const std::vector<std::string> frequent = FrequentWords(analyzed, 400);
  auto run = [&](const std::string& name,
                 const std::shared_ptr<const RuleSet>& rules,
                 const std::vector<std::string>* words) {
    size_t hit_posts = 0;
    for (const AnalyzedText& a : analyzed) {
      hit_posts += !rules->Match(a.normalized.text, a.tokens).empty();
    }
    Rate ours = Measure(sizes, min_seconds, SIZE_MAX, [&](size_t i) {
      const AnalyzedText& a = analyzed[i];
      return rules->Match(a.normalized.text, a.tokens).size();
    });
    Rate bare, each;
    if (words != nullptr) {
      Peers peers = BuildPeers(*words);
      std::vector<int> m;
      bare = Measure(sizes, min_seconds, SIZE_MAX, [&](size_t i) {
        m.clear();
        peers.set->Match(analyzed[i].normalized.text, &m);
        return m.size();
      });
      // Rule by rule is slow with many rules: a bounded sample of posts.
      each = Measure(sizes, min_seconds, 2000, [&](size_t i) {
        size_t hits = 0;
        for (const auto& re : peers.each) {
          hits += RE2::PartialMatch(analyzed[i].normalized.text, *re);
        }
        return hits;
      });
    }
    std::printf("%-22s %7zu %8zu %10.0f %8.1f %10zu %12.1f %10.2f %9.1f\n",
                name.c_str(), rules->rule_count(), rules->pattern_count(),
                ours.posts_per_s, ours.mb_per_s, hit_posts, bare.mb_per_s,
                each.mb_per_s,
                each.mb_per_s > 0 ? ours.mb_per_s / each.mb_per_s : 0.0);
    std::fflush(stdout);
    return ours;
  };
  {
    std::vector<std::string> errors;
    auto shipped = shagym::config::LoadRuleSet(source + "/config/rules",
                                               **normalizer, &errors);
    if (!shipped.ok()) {
      std::fprintf(stderr, "%s\n", shipped.status().ToString().c_str());
      return 1;
    }
    Rate matcher = run("shipped", *shipped, nullptr);
    // The other half of classify's work, on the same posts: the analysis
    // (normalise + tokenise) that the matcher's input comes from, per MB of
    // normalised text like the matcher's figure.
    Rate analysis = Measure(sizes, min_seconds, SIZE_MAX, [&](size_t i) {
      return shagym::nlp::Analyze(**normalizer, posts[i]).tokens.size();
    });
    std::printf(
        "split of the work per MB of normalised text: analysis %.1f MB/s "
        "(%.0f ms/MB), shipped matcher %.1f MB/s (%.0f ms/MB)\n\n",
        analysis.mb_per_s, 1e3 / analysis.mb_per_s, matcher.mb_per_s,
        1e3 / matcher.mb_per_s);
  }
  std::map<std::string, double> rate;
  for (const bool often : {false, true}) {
    if (!generated) break;
    for (int n : {100, 1000, 10000}) {
      Generated g =
          GenerateRules(n, often ? frequent : std::vector<std::string>{},
                        static_cast<uint32_t>(n));
      std::vector<std::string> errors;
      const auto start = Clock::now();
      auto rules = RuleSet::Compile(g.spec, **normalizer, &errors);
      const double compile_s =
          std::chrono::duration<double>(Clock::now() - start).count();
      if (!rules.ok()) {
        std::fprintf(stderr, "generated %d: %s\n", n,
                     rules.status().ToString().c_str());
        return 1;
      }
      const std::string name =
          std::string(often ? "often_" : "rarely_") + std::to_string(n) + " (" +
          std::to_string(static_cast<int>(compile_s * 10) / 10.0).substr(0, 4) +
          "s)";
      rate[name.substr(0, name.find(' '))] =
          run(name, *rules, &g.words).mb_per_s;
    }
  }
  if (generated) {
    std::printf(
        "rarely-matching rules, 10,000 vs 100: %.2f of the throughput "
        "(target: > 0.5)\n",
        rate["rarely_10000"] / rate["rarely_100"]);
    std::printf(
        "often-matching rules, 10,000 vs 100: %.2f of the throughput\n\n",
        rate["often_10000"] / rate["often_100"]);
  }

  if (!process) return 0;

  // --- 2. `shagym classify`, whole process ---
  const auto tmp = std::filesystem::temp_directory_path() /
                   ("classify_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(tmp);
  const std::string input = (tmp / "posts.jsonl").string();
  size_t text_bytes = 0, lines = 0;
  {
    std::ofstream out(input, std::ios::binary);
    for (size_t round = 0; text_bytes < mb * 1e6 && round < 100000; ++round) {
      for (size_t i = 0; i < corpus_posts && text_bytes < mb * 1e6; ++i) {
        nlohmann::json j = {{"id", std::to_string(lines)}, {"text", posts[i]}};
        out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << '\n';
        text_bytes += posts[i].size();
        ++lines;
      }
    }
  }
  const size_t file_bytes = std::filesystem::file_size(input);
  if (!keep_input.empty()) {
    std::filesystem::copy_file(
        input, keep_input, std::filesystem::copy_options::overwrite_existing);
  }
  // The peer: ICU NFKC_Casefold (UTF-8) over the same texts, this process,
  // in slices before and after the classify run (three each, every one
  // at least half of --min-seconds and a full round of the texts): the
  // shared machine's load moves during a run, and the median of the six
  // stands for the whole run better than one measurement beside it.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* icu =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  std::vector<size_t> raw_sizes;
  for (size_t i = 0; i < corpus_posts; ++i)
    raw_sizes.push_back(posts[i].size());
  std::vector<double> icu_slices;
  auto icu_slice = [&] {
    icu_slices.push_back(
        Measure(raw_sizes, min_seconds / 2, SIZE_MAX, [&](size_t i) {
          std::string out;
          icu::StringByteSink<std::string> sink(&out);
          UErrorCode st = U_ZERO_ERROR;
          icu->normalizeUTF8(0, posts[i], sink, nullptr, st);
          return out.size();
        }).mb_per_s);
  };
  for (int k = 0; k < 3; ++k) icu_slice();
  auto [cpu, wall] =
      RunProcess({shagym, "--config", source + "/config/shagym.yaml",
                  "classify", "--input", input, "--output", "-"});
  for (int k = 0; k < 3; ++k) icu_slice();
  std::vector<double> sorted = icu_slices;
  std::sort(sorted.begin(), sorted.end());
  Rate icu_rate;
  icu_rate.mb_per_s = (sorted[2] + sorted[3]) / 2;  // median of six
  std::filesystem::remove_all(tmp);
  if (cpu < 0) {
    std::fprintf(stderr, "%s classify failed\n", shagym.c_str());
    return 1;
  }
  std::printf(
      "shagym classify, whole process, shipped rules: %zu posts, %.1f MB of "
      "text (%.1f MB JSONL)\n",
      lines, text_bytes / 1e6, file_bytes / 1e6);
  std::printf(
      "  %.1f s CPU, %.1f s wall: %.1f MB/s of text per core (%.0f posts/s)\n",
      cpu, wall, text_bytes / 1e6 / cpu, lines / cpu);
  std::printf(
      "  peer ICU NFKC_Casefold UTF-8: %.1f MB/s (median of 6 slices around "
      "the run: %.1f %.1f %.1f | %.1f %.1f %.1f); classify / ICU = %.3f "
      "(target 30 MB/s at ICU 350 MB/s = 0.086)\n",
      icu_rate.mb_per_s, icu_slices[0], icu_slices[1], icu_slices[2],
      icu_slices[3], icu_slices[4], icu_slices[5],
      text_bytes / 1e6 / cpu / icu_rate.mb_per_s);
  return 0;
}
