// Memory a long crawl frees must leave the process: a rule set replaced by
// a hot reload is destroyed once the posts being classified with it are
// done (nothing on the crawl's ingest path keeps it), and freed heap pages
// amid live memory are given back to the system (crawler/memory.h, called
// by the crawl loop).

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/rule_engine.h"
#include "crawler/ingest.h"
#include "crawler/memory.h"
#include "nlp/analysis.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"
#include "tests/testing/reload_rules.h"
#include "tests/testing/sanitizers.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace memory_release_test {

using testing::kReloadRules;
using testing::kReloadRulesWithFood;

bool HasCategory(const Post& p, const std::string& c) {
  for (const std::string& x : p.labels.categories) {
    if (x == c) return true;
  }
  return false;
}

// Two threads ingest pages through the crawl's path (an Ingestor whose
// classifier asks the engine for the running rule set per post) while the
// rules are reloaded; once they stop, the old set is gone and later posts
// carry the new rules' labels.
TEST(MemoryReleaseTest, ReplacedRuleSetIsDestroyedOnceInFlightPostsAreDone) {
  testing::TempDir dir;
  dir.Write("rules/school.yaml", kReloadRules);
  auto loaded = config::RuleEngine::Load(dir.File("rules"), "");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::shared_ptr<config::RuleEngine> engine = std::move(*loaded);
  store::StoreOptions options;
  options.data_dir = dir.File("data");
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store::EvidenceStore evidence((*store)->db());
  store::DedupeIndex dedupe((*store)->db());
  std::mutex posts_mu;
  std::vector<Post> stored;
  Ingestor ingest(nullptr, &engine->normalizer(), &evidence, &dedupe, nullptr,
                  [&](std::span<const Post> posts) -> StatusOr<int> {
                    std::lock_guard lock(posts_mu);
                    stored.insert(stored.end(), posts.begin(), posts.end());
                    return static_cast<int>(posts.size());
                  });
  ingest.SetAnalyzedClassifier(
      [engine](const Post&, const nlp::AnalyzedText& a) {
        return engine->Classify(a);
      });
  SourceConfig source;
  source.id = "site";
  auto ingest_one = [&](int thread, int i) {
    FetchedPage page;
    page.url = page.final_url =
        "http://a.kz/" + std::to_string(thread) + "/" + std::to_string(i);
    page.body = "<html></html>";
    page.fetched_at = 1700000000;
    ExtractResult result;
    ExtractedPost e;
    e.native_id = page.url;
    e.text = "В школе травля и плохая еда в столовой, пост " + page.url;
    e.published_at = 1700000000;
    result.posts.push_back(e);
    auto stats = ingest.Ingest(source, page, result);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  };

  std::weak_ptr<const nlp::RuleSet> old = engine->rules();
  ASSERT_FALSE(old.expired());
  std::atomic<bool> stop{false};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      // Bounded: stops when told, or after 2,000 pages.
      for (int i = 0; i < 2000 && !stop.load(); ++i) {
        ingest_one(t, i);
        done.fetch_add(1);
      }
    });
  }
  // Reload while the threads are classifying.
  for (int i = 0; i < 100000 && done.load() < 20; ++i)
    std::this_thread::yield();
  dir.Write("rules/school.yaml", kReloadRulesWithFood);
  ASSERT_TRUE(engine->ReloadIfChanged().ok());
  EXPECT_EQ(engine->reloads(), 1);
  const int at_reload = done.load();
  for (int i = 0; i < 100000 && done.load() < at_reload + 20; ++i) {
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(old.expired()) << "the replaced rule set is still referenced";
  ingest_one(9, 0);
  ASSERT_FALSE(stored.empty());
  EXPECT_TRUE(HasCategory(stored.back(), "food"));
  EXPECT_TRUE(HasCategory(stored.front(), "bullying"));
}

// What glibc keeps after a replaced rule set is freed: many pieces amid
// memory still in use. ReleaseFreeMemory gives those pages back.
TEST(MemoryReleaseTest, FreedHeapAmidLiveMemoryIsGivenBack) {
#if !defined(__GLIBC__) || defined(SHAGYM_TEST_ASAN) || \
    defined(SHAGYM_TEST_TSAN)
  GTEST_SKIP() << "needs glibc's own malloc";
#else
  ReleaseFreeMemory();
  // Every other piece is freed, so that no freed piece can merge with its
  // neighbours into the top of the heap, whatever free memory was there.
  constexpr size_t kPieces = 4096;
  constexpr size_t kPiece = 32 * 1024;  // under the mmap threshold
  std::vector<std::unique_ptr<char[]>> pieces;
  for (size_t i = 0; i < kPieces; ++i) {
    pieces.push_back(std::make_unique<char[]>(kPiece));
    std::memset(pieces.back().get(), 1, kPiece);
  }
  for (size_t i = 0; i < kPieces; i += 2) pieces[i].reset();
  const int64_t before = ResidentBytes();
  ASSERT_GT(before, 0);
  ReleaseFreeMemory();
  const int64_t after = ResidentBytes();
  // 64 MiB were freed; at least half of it must leave.
  EXPECT_LT(after, before - 32 * 1024 * 1024)
      << "before " << before << " after " << after;
#endif
}

}  // namespace memory_release_test
}  // namespace shagym::crawler
