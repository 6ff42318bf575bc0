// SIGKILL `shagym crawl` in the middle of a crawl, start it again, and prove
// from the server's log and the store that every page was fetched and none
// twice apart from those in flight when the process died; and that the
// per-host page limit counts what the killed run already queued.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>

#include "store/db.h"
#include "store/store.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace shagym::crawler {
namespace kill_resume_test {

using shagym::testing::CannedResponse;
using shagym::testing::ServedRequest;
using shagym::testing::TestServer;

constexpr int kPages = 300;
constexpr int kMaxConnections = 8;
// Work a killed process may lose: transfers in flight plus pages fetched but
// still being processed.
constexpr size_t kMayRepeat = 3 * kMaxConnections + 16;

// Starts `argv` with stdout/stderr going to `log_path`; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  // Built before fork(): the child of this threaded process must not
  // allocate before exec (see child_fork_test.cc).
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

std::string Page(int n) {
  std::string body = "<html><body><div class=\"post\"><p>Пост номер " +
                     std::to_string(n) + " о школе</p></div>";
  for (int k : {n + 1, n + 2, n + 3, (n * 7) % kPages}) {
    if (k < kPages) {
      body += "<a href=\"/p/" + std::to_string(k) + "\">next</a>";
    }
  }
  return body + "</body></html>";
}

// Rows of `cf` that are frontier entries or seen URLs (8-byte URL hashes; the
// frontier's page counts have longer keys).
int CountUrlRows(store::Db* db, store::Cf cf) {
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(cf)));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n += it->key().size() == 8;
  return n;
}

class KillResumeTest : public ::testing::Test {
 protected:
  KillResumeTest() {
    server_.SetRobots("User-agent: *\nAllow: /\n");
    server_.SetFallback([](const ServedRequest& r) {
      CannedResponse resp;
      if (r.path.rfind("/p/", 0) != 0) {
        resp.status = 404;
        return resp;
      }
      resp.body = Page(std::atoi(r.path.c_str() + 3));
      // Two chunks 10 ms apart: a crawl long enough to be killed in.
      resp.chunk_bytes = resp.body.size() / 2 + 1;
      resp.chunk_interval = std::chrono::milliseconds(10);
      return resp;
    });
  }

  std::string WriteConfig(int64_t max_pages_per_host) {
    return dir_.Write("shagym.yaml",
                      "data_dir: data\n"
                      "crawl:\n"
                      "  user_agent: \"shagym-test/1.0\"\n"
                      "  max_connections: " +
                          std::to_string(kMaxConnections) +
                          "\n"
                          "  per_host_connections: 4\n"
                          "  per_host_delay_ms: 0\n"
                          "  timeout_s: 10\n"
                          "  retries: 1\n"
                          "  max_depth: 1000\n"
                          "  max_pages_per_host: " +
                          std::to_string(max_pages_per_host) +
                          "\n"
                          "  allow_private_addresses: true\n"
                          // Most of the queue waits in the store's spill
                          // area when the kill comes.
                          "  frontier_window: 4\n"
                          "sources:\n"
                          "  - id: site\n"
                          "    type: html\n"
                          "    seeds: [\"" +
                          server_.Url("/p/0") +
                          "\"]\n"
                          "    follow: [\"/p/\"]\n"
                          "    max_depth: 1000\n"
                          "    post: {item: \"div.post\", text: \"p\"}\n"
                          "log: {level: warn}\n");
  }

  // Crawls with `config`, SIGKILLs the crawl once the server saw
  // `kill_after` requests, then crawls again to the end. Returns the number
  // of requests before the kill (0 after a failed assertion).
  size_t KillAndResume(const std::string& config, size_t kill_after) {
    const std::string binary = shagym::testing::ShagymBinary();
    EXPECT_EQ(binary[0], '/') << "SHAGYM_BINARY must be an absolute path";
    pid_t pid = Spawn({binary, "--config", config, "crawl", "--until-idle"},
                      dir_.File("first.log"));
    EXPECT_GT(pid, 0);
    if (pid <= 0) return 0;
    bool reached =
        server_.WaitForRequests(kill_after, std::chrono::seconds(60));
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    EXPECT_TRUE(reached) << shagym::testing::ReadFile(dir_.File("first.log"));
    EXPECT_TRUE(WIFSIGNALED(wstatus)) << "the crawl ended before the kill";
    EXPECT_TRUE(server_.WaitForIdle(std::chrono::seconds(10)));
    if (!reached || !WIFSIGNALED(wstatus)) return 0;
    const size_t before_kill = server_.Requests().size();
    auto second = shagym::testing::RunCommand(
        {binary, "--config", config, "crawl", "--until-idle"}, "", 120);
    EXPECT_EQ(second.exit_code, 0) << second.err;
    return before_kill;
  }

  // Pages fetched per path; checks that a page fetched twice was first
  // fetched among the last requests before the kill.
  std::map<std::string, std::vector<size_t>> CheckRepeats(size_t before_kill,
                                                          int* twice) {
    auto log = server_.Requests();
    std::map<std::string, std::vector<size_t>> by_path;
    for (size_t i = 0; i < log.size(); ++i) by_path[log[i].path].push_back(i);
    *twice = 0;
    for (const auto& [path, hits] : by_path) {
      if (path == "/robots.txt") continue;
      EXPECT_LE(hits.size(), 2u) << path;
      if (hits.size() == 2) {
        ++*twice;
        EXPECT_LT(hits[0], before_kill);
        EXPECT_GE(hits[1], before_kill);
        EXPECT_GE(hits[0] + kMayRepeat, before_kill)
            << path << " was completed long before the kill";
      }
    }
    EXPECT_LE(static_cast<size_t>(*twice), kMayRepeat);
    EXPECT_LE(by_path["/robots.txt"].size(), 2u);
    return by_path;
  }

  TestServer server_;
  shagym::testing::TempDir dir_;
};

TEST_F(KillResumeTest, SigkillMidCrawlThenResumeFetchesEveryPageOnce) {
  std::string config = WriteConfig(100000);
  size_t before_kill = KillAndResume(config, 100);
  ASSERT_GT(before_kill, 0u);

  // Server's view: every page at least once, none twice unless in flight.
  int twice = 0;
  auto by_path = CheckRepeats(before_kill, &twice);
  for (int n = 0; n < kPages; ++n) {
    EXPECT_GE(by_path["/p/" + std::to_string(n)].size(), 1u)
        << "/p/" << n << " never fetched";
  }

  // Store's view: nothing left queued, every page seen, one post per page.
  auto store = store::Store::Open({dir_.File("data"), 0});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store::Db* db = (*store)->db();
  EXPECT_EQ(CountUrlRows(db, store::Cf::kFrontier), 0);
  EXPECT_EQ(CountUrlRows(db, store::Cf::kSeen), kPages);
  auto posts = (*store)->CountPosts(store::PostQuery{});
  ASSERT_TRUE(posts.ok());
  EXPECT_EQ(*posts, kPages);
}

// The per-host limit (max_pages_per_host) counts the URLs the killed run
// queued: the resumed run does not get a fresh allowance.
TEST_F(KillResumeTest, SigkillThenResumeKeepsThePerHostLimit) {
  constexpr int kLimit = 120;
  std::string config = WriteConfig(kLimit);
  size_t before_kill = KillAndResume(config, 60);
  ASSERT_GT(before_kill, 0u);
  int twice = 0;
  auto by_path = CheckRepeats(before_kill, &twice);
  by_path.erase("/robots.txt");
  EXPECT_EQ(by_path.size(), static_cast<size_t>(kLimit));

  auto store = store::Store::Open({dir_.File("data"), 0});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store::Db* db = (*store)->db();
  EXPECT_EQ(CountUrlRows(db, store::Cf::kFrontier), 0);
  EXPECT_EQ(CountUrlRows(db, store::Cf::kSeen), kLimit);
  auto posts = (*store)->CountPosts(store::PostQuery{});
  ASSERT_TRUE(posts.ok());
  EXPECT_EQ(*posts, kLimit);
}

}  // namespace kill_resume_test
}  // namespace shagym::crawler
