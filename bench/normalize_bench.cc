// Throughput of the text step (normalise + tokenise + language id +
// entities, one shared analysis per post) on the real corpora of the shared
// realworld folder, in MB/s of original UTF-8 per core, next to ICU's own
// NFKC_Casefold measured in the same run as the peer (normalizeUTF8 on
// UTF-8, and the UTF-16 round trip most code uses). The langid and entities
// columns time those stages alone on posts analysed beforehand.
//
//   build/bench/normalize_bench [--realworld DIR] [--gazetteer FILE]
//                               [--min-seconds S] [--only text_step]
//
// --only text_step times the whole step alone (for a profiler).
//
// Single thread, timed in thread CPU time: the figure is per core and holds
// on a loaded machine.

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/realworld_corpus.h"
#include "bench/text_step_tools.h"
#include "config/gazetteer_loader.h"
#include "nlp/analysis.h"
#include "nlp/entities.h"
#include "nlp/langid.h"
#include "nlp/normalize.h"
#include "nlp/tokenize.h"

namespace {

using shagym::bench::CsvSecondColumn;
using shagym::bench::Lines;
using shagym::bench::ReadAll;

struct Corpus {
  std::string name;
  std::vector<std::string> posts;
  size_t bytes = 0;
};

// CPU time of this thread in seconds: on a shared machine wall-clock time
// counts other processes' work too.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs `fn` over all posts until `min_seconds` of thread CPU time passed;
// returns MB of original text per CPU second.
double Measure(const Corpus& c, double min_seconds,
               const std::function<size_t(const std::string&)>& fn) {
  size_t sink = 0, bytes = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  for (int round = 0; round < 1000 && elapsed < min_seconds; ++round) {
    for (const std::string& p : c.posts) sink += fn(p);
    bytes += c.bytes;
    elapsed = ThreadCpuSeconds() - start;
  }
  if (sink == 42) std::printf(" ");  // keep the work observable
  return static_cast<double>(bytes) / 1e6 / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::string realworld =
      std::string(SHAGYM_SOURCE_DIR) + "/../shared/realworld";
  if (const char* env = std::getenv("SHAGYM_REALWORLD")) realworld = env;
  std::string gazetteer =
      std::string(SHAGYM_SOURCE_DIR) + "/config/gazetteer/regions.yaml";
  double min_seconds = 1.0;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--realworld"))
      realworld = argv[i + 1];
    else if (!std::strcmp(argv[i], "--gazetteer"))
      gazetteer = argv[i + 1];
    else if (!std::strcmp(argv[i], "--min-seconds"))
      min_seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[i + 1];
  }
  if (!only.empty() && only != "text_step") {
    std::fprintf(stderr, "--only: unknown stage '%s' (text_step)\n",
                 only.c_str());
    return 1;
  }
  const std::string dir = realworld + "/corpora/";
  std::vector<Corpus> corpora = {
      {"kazsandra_reviews",
       CsvSecondColumn(ReadAll(dir + "kk_kazsandra_sc_test.csv"))},
      {"kaznerd_sentences",
       Lines(ReadAll(dir + "kk_kaznerd_test_sentences.txt"), -1)},
      {"taiga_ru",
       Lines(ReadAll(dir + "ru_taiga_ud_dev_test_sentences.tsv"), 3)},
  };
  for (Corpus& c : corpora) {
    for (const std::string& p : c.posts) c.bytes += p.size();
    if (c.posts.empty()) {
      std::fprintf(stderr, "%s: corpus %s not found or empty\n", dir.c_str(),
                   c.name.c_str());
      return 1;
    }
  }
  std::optional<shagym::bench::TextStepTools> tools =
      shagym::bench::MakeTextStepTools(gazetteer);
  if (!tools) return 1;
  const auto& normalizer = tools->normalizer;
  const auto& extractor = tools->extractor;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* icu =
      icu::Normalizer2::getNFKCCasefoldInstance(status);

  auto icu_utf8 = [&](const std::string& p) {
    std::string out;
    icu::StringByteSink<std::string> sink(&out);
    UErrorCode st = U_ZERO_ERROR;
    icu->normalizeUTF8(0, p, sink, nullptr, st);
    return out.size();
  };
  auto icu_utf16 = [&](const std::string& p) {
    UErrorCode st = U_ZERO_ERROR;
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(p);
    icu::UnicodeString n = icu->normalize(u, st);
    std::string out;
    n.toUTF8String(out);
    return out.size();
  };
  auto ours = [&](const std::string& p) {
    return normalizer->Normalize(p).text.size();
  };
  // The pipeline's text step: one analysis shared by language id and
  // entities (as nlp::Classifier does).
  auto whole = [&](const std::string& p) {
    shagym::nlp::AnalyzedText a = shagym::nlp::Analyze(*normalizer, p);
    auto lang = shagym::nlp::DetectLanguage(a);
    shagym::nlp::Entities e = extractor->Extract(a);
    return a.tokens.size() + static_cast<size_t>(lang) + e.region.size();
  };

  std::printf(
      "single thread, MB of original UTF-8 per CPU second (thread CPU time, "
      "min %.1fs per cell)\n",
      min_seconds);
  std::printf("%-18s %6s %6s %9s %9s %9s %9s %8s %8s %9s %8s %8s\n", "corpus",
              "MB", "posts", "icu_utf8", "icu_utf16", "normalize", "analyze",
              "langid", "entities", "text_step", "norm/icu", "step/icu");
  if (only == "text_step") {
    for (const Corpus& c : corpora) {
      std::printf("%-18s text_step %9.1f\n", c.name.c_str(),
                  Measure(c, min_seconds, whole));
    }
    return 0;
  }
  constexpr double kTargetStepPerIcu = 60.0 / 350.0;
  std::vector<std::string> missed;
  for (const Corpus& c : corpora) {
    // Component costs on posts analysed beforehand.
    std::vector<shagym::nlp::AnalyzedText> analyzed;
    analyzed.reserve(c.posts.size());
    for (const std::string& p : c.posts) {
      analyzed.push_back(shagym::nlp::Analyze(*normalizer, p));
    }
    size_t k = 0;
    auto langid = [&](const std::string&) {
      const auto& a = analyzed[k++ % analyzed.size()];
      return static_cast<size_t>(shagym::nlp::DetectLanguage(a));
    };
    auto entities = [&](const std::string&) {
      const auto& a = analyzed[k++ % analyzed.size()];
      return extractor->Extract(a).region.size();
    };
    auto analyze = [&](const std::string& p) {
      return shagym::nlp::Analyze(*normalizer, p).tokens.size();
    };
    double a = Measure(c, min_seconds, icu_utf8);
    double b = Measure(c, min_seconds, icu_utf16);
    double n = Measure(c, min_seconds, ours);
    double an = Measure(c, min_seconds, analyze);
    k = 0;
    double l = Measure(c, min_seconds, langid);
    k = 0;
    double e = Measure(c, min_seconds, entities);
    double w = Measure(c, min_seconds, whole);
    std::printf(
        "%-18s %6.2f %6zu %9.1f %9.1f %9.1f %9.1f %8.1f %8.1f %9.1f %8.3f "
        "%8.3f\n",
        c.name.c_str(), c.bytes / 1e6, c.posts.size(), a, b, n, an, l, e, w,
        n / a, w / a);
    if (w / a < kTargetStepPerIcu) missed.push_back(c.name);
  }
  // The target, 60 MB/s per core where ICU's normalizeUTF8 runs at 350, as
  // the ratio to the peer measured in this run, so it holds on any machine.
  std::printf("target text_step/icu_utf8 >= %.3f (60 MB/s at ICU 350): %s\n",
              kTargetStepPerIcu,
              missed.empty() ? "met on every corpus" : "MISSED on");
  for (const std::string& name : missed) std::printf("  %s\n", name.c_str());
  return 0;
}
