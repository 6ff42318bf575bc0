#include "nlp/rules/pattern_set.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <numeric>

namespace shagym::nlp {

namespace {

std::mutex g_default_mu;
std::unique_ptr<PatternSet::Options> g_default;  // guarded by g_default_mu
std::atomic<bool> g_match_all{false};

PatternSet::Options DefaultOptions() {
  std::lock_guard<std::mutex> lock(g_default_mu);
  return g_default != nullptr ? *g_default : PatternSet::Options();
}

// One pattern, with a single RE2 built on first need (DFA failure of its
// set, or a set of one).
struct Pattern {
  std::string text;
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2> re;
};

struct Chunk {
  std::vector<int> ids;           // pattern indices; set index i is ids[i]
  std::unique_ptr<RE2::Set> set;  // null: run ids one by one
};

}  // namespace

struct PatternSet::Impl {
  Options options;
  std::deque<Pattern> patterns;  // Pattern is not movable (once_flag)
  std::vector<Chunk> chunks;
  mutable std::atomic<int64_t> fallbacks{0};

  RE2::Options Re2Options() const {
    RE2::Options opt;
    opt.set_log_errors(false);
    opt.set_max_mem(options.max_mem);
    return opt;
  }

  const RE2& Single(int id) const {
    const Pattern& p = patterns[id];
    std::call_once(p.once, [&] {
      RE2::Options opt = Re2Options();
      // Alone, a pattern needs less than the set it was part of; the
      // margin covers RE2 splitting its budget between directions.
      opt.set_max_mem(std::max<int64_t>(options.max_mem, 8 << 20) * 2);
      p.re = std::make_unique<RE2>(p.text, opt);
    });
    return *p.re;
  }

  // Builds sets for `ids`, halving when a set does not compile.
  bool Build(std::vector<int> ids, std::string* error) {
    if (ids.empty()) return true;
    if (ids.size() > 1) {
      auto set = std::make_unique<RE2::Set>(Re2Options(), RE2::UNANCHORED);
      bool ok = true;
      for (int id : ids) {
        std::string e;
        if (set->Add(patterns[id].text, &e) < 0) ok = false;
      }
      if (ok && set->Compile()) {
        chunks.push_back(Chunk{std::move(ids), std::move(set)});
        return true;
      }
      std::vector<int> rest(ids.begin() + ids.size() / 2, ids.end());
      ids.resize(ids.size() / 2);
      return Build(std::move(ids), error) && Build(std::move(rest), error);
    }
    if (!Single(ids[0]).ok()) {
      *error =
          "pattern '" + patterns[ids[0]].text + "': " + Single(ids[0]).error();
      return false;
    }
    chunks.push_back(Chunk{std::move(ids), nullptr});
    return true;
  }
};

PatternSet::PatternSet() : PatternSet(DefaultOptions()) {}
PatternSet::PatternSet(const Options& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  if (impl_->options.max_patterns_per_set < 1) {
    impl_->options.max_patterns_per_set = 1;
  }
}
PatternSet::~PatternSet() = default;

int PatternSet::Add(const std::string& pattern, std::string* error) {
  // Parse check only: a one-pattern set reports syntax errors cheaply.
  RE2::Set probe(impl_->Re2Options(), RE2::UNANCHORED);
  if (probe.Add(pattern, error) < 0) return -1;
  impl_->patterns.emplace_back();
  impl_->patterns.back().text = pattern;
  return static_cast<int>(impl_->patterns.size()) - 1;
}

bool PatternSet::Compile(std::string* error) {
  Impl& im = *impl_;
  im.chunks.clear();
  // Sorted, so that each set holds a range of the alphabet and shares
  // prefixes (RE2 factors common leading pieces of a set's patterns).
  std::vector<int> order(im.patterns.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return im.patterns[a].text < im.patterns[b].text;
  });
  const size_t n = im.options.max_patterns_per_set;
  for (size_t i = 0; i < order.size(); i += n) {
    std::vector<int> ids(order.begin() + i,
                         order.begin() + std::min(order.size(), i + n));
    if (!im.Build(std::move(ids), error)) return false;
  }
  return true;
}

void PatternSet::Match(std::string_view text, std::vector<int>* ids) const {
  ids->clear();
  if (g_match_all.load(std::memory_order_relaxed)) {
    ids->resize(impl_->patterns.size());
    std::iota(ids->begin(), ids->end(), 0);
    return;
  }
  const Impl& im = *impl_;
  re2::StringPiece input(text.data(), text.size());
  static thread_local std::vector<int> hits;
  for (const Chunk& c : im.chunks) {
    if (c.set != nullptr) {
      RE2::Set::ErrorInfo info;
      hits.clear();
      if (c.set->Match(input, &hits, &info)) {
        for (int h : hits) ids->push_back(c.ids[h]);
        continue;
      }
      if (info.kind == RE2::Set::kNoError) continue;  // no match
      im.fallbacks.fetch_add(1, std::memory_order_relaxed);
    }
    // A set of one, or a set whose DFA gave up: one RE2 per pattern (RE2
    // falls back to the NFA when its DFA runs out of memory).
    for (int id : c.ids) {
      if (RE2::PartialMatch(input, im.Single(id))) ids->push_back(id);
    }
  }
  std::sort(ids->begin(), ids->end());
}

size_t PatternSet::size() const { return impl_->patterns.size(); }
size_t PatternSet::set_count() const {
  size_t n = 0;
  for (const Chunk& c : impl_->chunks) n += c.set != nullptr;
  return n;
}
int64_t PatternSet::fallbacks() const { return impl_->fallbacks.load(); }

void PatternSet::SetDefaultOptionsForTesting(const Options* options) {
  std::lock_guard<std::mutex> lock(g_default_mu);
  g_default =
      options != nullptr ? std::make_unique<Options>(*options) : nullptr;
}
void PatternSet::SetMatchAllForTesting(bool on) { g_match_all.store(on); }
bool PatternSet::MatchAllForTesting() {
  return g_match_all.load(std::memory_order_relaxed);
}

}  // namespace shagym::nlp
