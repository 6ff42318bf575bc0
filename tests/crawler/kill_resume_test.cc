// SIGKILL `shagym crawl` in the middle of a crawl, start it again, and prove
// from the server's log and the store that every page was fetched and none
// twice apart from those in flight when the process died.

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
namespace {

using shagym::testing::CannedResponse;
using shagym::testing::ServedRequest;
using shagym::testing::TestServer;

constexpr int kPages = 300;
constexpr int kMaxConnections = 8;

// Starts `argv` with stdout/stderr going to `log_path`; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
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

TEST(KillResumeTest, SigkillMidCrawlThenResumeFetchesEveryPageOnce) {
  TestServer server;
  server.SetRobots("User-agent: *\nAllow: /\n");
  server.SetFallback([](const ServedRequest& r) {
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
  shagym::testing::TempDir dir;
  std::string config =
      dir.Write("shagym.yaml",
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
                    "  allow_private_addresses: true\n"
                    "sources:\n"
                    "  - id: site\n"
                    "    type: html\n"
                    "    seeds: [\"" +
                    server.Url("/p/0") +
                    "\"]\n"
                    "    follow: [\"/p/\"]\n"
                    "    max_depth: 1000\n"
                    "    post: {item: \"div.post\", text: \"p\"}\n"
                    "log: {level: warn}\n");
  const std::string binary = shagym::testing::ShagymBinary();
  ASSERT_EQ(binary[0], '/') << "SHAGYM_BINARY must be an absolute path";

  pid_t pid = Spawn({binary, "--config", config, "crawl", "--until-idle"},
                    dir.File("first.log"));
  ASSERT_GT(pid, 0);
  bool reached = server.WaitForRequests(100, std::chrono::seconds(60));
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(reached) << shagym::testing::ReadFile(dir.File("first.log"));
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the crawl ended before the kill";
  ASSERT_TRUE(server.WaitForIdle(std::chrono::seconds(10)));
  const size_t before_kill = server.Requests().size();

  auto second = shagym::testing::RunCommand(
      {binary, "--config", config, "crawl", "--until-idle"}, "", 120);
  ASSERT_EQ(second.exit_code, 0) << second.err;

  // Server's view: every page at least once; a page fetched twice was
  // fetched the first time among the last requests before the kill (in
  // flight, or fetched but not yet committed).
  auto log = server.Requests();
  std::map<std::string, std::vector<size_t>> by_path;
  for (size_t i = 0; i < log.size(); ++i) by_path[log[i].path].push_back(i);
  int twice = 0;
  for (int n = 0; n < kPages; ++n) {
    const auto& hits = by_path["/p/" + std::to_string(n)];
    ASSERT_GE(hits.size(), 1u) << "/p/" << n << " never fetched";
    EXPECT_LE(hits.size(), 2u) << "/p/" << n;
    if (hits.size() == 2) {
      ++twice;
      EXPECT_LT(hits[0], before_kill);
      EXPECT_GE(hits[1], before_kill);
      // Work a killed process may lose: transfers in flight plus pages
      // fetched but still being processed.
      EXPECT_GE(hits[0] + 3 * kMaxConnections + 16, before_kill)
          << "/p/" << n << " was completed long before the kill";
    }
  }
  EXPECT_LE(twice, 3 * kMaxConnections + 16);
  EXPECT_LE(by_path["/robots.txt"].size(), 2u);

  // Store's view: nothing left queued, every page seen, one post per page.
  auto store = store::Store::Open({dir.File("data"), 0});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store::Db* db = (*store)->db();
  std::unique_ptr<rocksdb::Iterator> it(db->raw()->NewIterator(
      rocksdb::ReadOptions(), db->cf(store::Cf::kFrontier)));
  int queued = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++queued;
  EXPECT_EQ(queued, 0);
  it.reset(
      db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(store::Cf::kSeen)));
  int seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  EXPECT_EQ(seen, kPages);
  auto posts = (*store)->CountPosts(store::PostQuery{});
  ASSERT_TRUE(posts.ok());
  EXPECT_EQ(*posts, kPages);
}

}  // namespace
}  // namespace shagym::crawler
