// Kills a writing child process with SIGKILL at random points of ingest,
// re-ingest, relabel, review and reclassify, then proves that the counters
// still equal a recount from the labels (Store::Check).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "store/codec.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace crash_test {

const char* const kCategories[] = {"bullying", "violence", "food",
                                   "infrastructure", "mental_health"};
const char* const kRegions[] = {"jambyl", "almaty", "astana", ""};

Labels RandomLabels(std::mt19937_64& rng, const std::string& version) {
  Labels l;
  l.lang = rng() % 2 ? "ru" : "kk";
  int n = static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) {
    std::string c = kCategories[rng() % std::size(kCategories)];
    if (std::find(l.categories.begin(), l.categories.end(), c) ==
        l.categories.end()) {
      l.categories.push_back(c);
      l.matches.push_back({l.lang + "." + c + ".1", c, 0, 3});
    }
  }
  std::sort(l.categories.begin(), l.categories.end());
  l.severity = l.categories.empty() ? "none" : "low";
  l.region = kRegions[rng() % std::size(kRegions)];
  l.rules_version = version;
  return l;
}

Post RandomPost(std::mt19937_64& rng, int64_t n) {
  Post p;
  p.id = "p" + std::to_string(n % 3000);  // ids repeat: re-ingest
  p.source = "src" + std::to_string(rng() % 4);
  p.url = "https://example.org/" + p.id;
  p.published_at = 1715000000 + static_cast<int64_t>(rng() % (40 * 86400));
  p.fetched_at = p.published_at + 10;
  p.text = "some text";
  p.labels = RandomLabels(rng, "v1");
  if (rng() % 4 == 0) p.duplicate_of = "p" + std::to_string(rng() % 3000);
  return p;
}

// The child (a fresh exec of this test binary, never a bare fork of a
// process that has RocksDB threads): writes forever, one byte to `progress`
// after every operation.
[[noreturn]] void Writer(const std::string& dir, int progress, uint64_t seed) {
  StoreOptions o;
  o.data_dir = dir;
  auto s = Store::Open(o);
  if (!s.ok()) _exit(3);
  Store& store = **s;
  std::mt19937_64 rng(seed);
  for (int64_t op = 0;; ++op) {
    Status st;
    switch (rng() % 5) {
      case 0:
      case 1: {  // batch ingest (new posts and re-ingests)
        std::vector<Post> batch;
        for (int i = 0; i < 20; ++i) {
          batch.push_back(RandomPost(rng, static_cast<int64_t>(rng())));
        }
        st = store.IngestBatch(batch).status();
        break;
      }
      case 2: {  // relabel
        st = store.Relabel("p" + std::to_string(rng() % 3000),
                           RandomLabels(rng, "v2"));
        if (st.code() == StatusCode::kNotFound) st = Status::Ok();
        break;
      }
      case 3: {  // review
        st = store.SetReview("p" + std::to_string(rng() % 3000),
                             ReviewStatuses()[rng() % 5], "u", "");
        if (st.code() == StatusCode::kNotFound) st = Status::Ok();
        break;
      }
      case 4: {  // reclassify a slice of days
        PostQuery q;
        q.from = 1715000000 + static_cast<int64_t>(rng() % 40) * 86400;
        q.to = q.from + 86400;
        uint64_t round = rng();
        auto r = store.Reclassify(q, [round](const Post& p) {
          std::mt19937_64 r2(round ^ std::hash<std::string>()(p.id));
          return StatusOr<Labels>(RandomLabels(r2, "v3"));
        });
        st = r.status();
        break;
      }
    }
    if (!st.ok()) _exit(4);
    char b = 1;
    if (write(progress, &b, 1) != 1) _exit(5);
  }
}

// The writer side of the test below; skipped when run on its own.
TEST(CrashTest, WriterProcess) {
  const char* dir = std::getenv("SHAGYM_CRASH_WRITER_DIR");
  const char* fd = std::getenv("SHAGYM_CRASH_WRITER_FD");
  const char* seed = std::getenv("SHAGYM_CRASH_WRITER_SEED");
  if (!dir || !fd || !seed)
    GTEST_SKIP() << "runs only as the crash test's child";
  Writer(dir, std::atoi(fd), std::strtoull(seed, nullptr, 10));
}

TEST(CrashTest, CountersEqualRecountAfterSigkillAtRandomPoints) {
  testing::TempDir dir;
  std::mt19937_64 rng(std::random_device{}());
  const uint64_t base_seed = rng();
  SCOPED_TRACE("seed " + std::to_string(base_seed));
  int64_t last_posts = 0;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(fcntl(fds[0], F_SETFD, FD_CLOEXEC), 0);
    pid_t pid = testing::SpawnThisTest(
        "CrashTest.WriterProcess",
        {"SHAGYM_CRASH_WRITER_DIR=" + dir.path(),
         "SHAGYM_CRASH_WRITER_FD=" + std::to_string(fds[1]),
         "SHAGYM_CRASH_WRITER_SEED=" + std::to_string(base_seed + round)});
    ASSERT_GE(pid, 0);
    close(fds[1]);
    // Let it do a random number of operations, then kill it mid-write.
    const int ops = 5 + static_cast<int>(rng() % 150);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int seen = 0;
    char buf[64];
    while (seen < ops && std::chrono::steady_clock::now() < deadline) {
      pollfd pfd = {fds[0], POLLIN, 0};
      if (poll(&pfd, 1, 1000) == 0) continue;  // re-check the deadline
      ssize_t n = read(fds[0], buf, std::min<int>(sizeof buf, ops - seen));
      if (n <= 0) break;  // the child died on its own: reported below
      seen += static_cast<int>(n);
    }
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "writer exited on its own with " << WEXITSTATUS(status);
    ASSERT_EQ(seen, ops) << "writer stalled";

    StoreOptions o;
    o.data_dir = dir.path();
    auto store = Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto check = (*store)->Check();
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    std::string problems;
    for (const auto& p : check->problems) problems += p + "\n";
    EXPECT_TRUE(check->ok()) << "round " << round << ":\n" << problems;
    EXPECT_GT(check->counters_checked, 0);
    EXPECT_GE(check->posts, last_posts);
    last_posts = check->posts;
  }
  EXPECT_GT(last_posts, 0);
}

// The check above must be able to fail: a counter moved without its label
// is reported.
TEST(CrashTest, CheckReportsACounterThatDisagreesWithLabels) {
  testing::TempDir dir;
  StoreOptions o;
  o.data_dir = dir.path();
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok());
  std::mt19937_64 rng(7);
  Post p = RandomPost(rng, 1);
  p.labels.categories = {"food"};
  ASSERT_TRUE((*s)->Ingest(p).ok());
  auto ok = (*s)->Check();
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok());
  Db* db = (*s)->db();
  ASSERT_TRUE(
      db->raw()
          ->Merge(rocksdb::WriteOptions(), db->cf(Cf::kTrends),
                  internal::TrendMonthKey(
                      "food", p.labels.region,
                      internal::MonthOfDay(internal::DayOf(PostTime(p)))),
                  codec::EncodeCounters({1, 0, 0, 0}))
          .ok());
  auto bad = (*s)->Check();
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok());
  EXPECT_EQ(bad->counter_mismatches, 1);
  ASSERT_FALSE(bad->problems.empty());
  EXPECT_NE(bad->problems[0].find("Mfood"), std::string::npos)
      << bad->problems[0];
  // A stale time index entry is reported too.
  ASSERT_TRUE(db->raw()
                  ->Delete(rocksdb::WriteOptions(), db->cf(Cf::kTimeIndex),
                           internal::TimeIndexKey(PostTime(p), p.id))
                  .ok());
  bad = (*s)->Check();
  ASSERT_TRUE(bad.ok());
  EXPECT_GE(bad->index_mismatches, 1);
}

}  // namespace crash_test
}  // namespace shagym::store
