// `shagym crawl` without the internet (issue 9): every source fails with its
// reason (DNS failure, connection refused), the command exits 3 (SPEC: no
// source could be fetched at all) and never hangs.
//
// Nothing leaves 127.0.0.1: host names are resolved over DNS-over-HTTPS at a
// loopback port where nobody listens (`--doh-url`), so no DNS query is ever
// sent, and the system resolver is never asked (the fetcher fails a
// transfer rather than fall back to it).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace offline_test {

using shagym::testing::RunCommand;
using shagym::testing::ShagymBinary;

// A TCP port on 127.0.0.1 that refuses connections: bound, never listening,
// held until the destructor so nobody else can take it meanwhile.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd_ >= 0 &&
        bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~ClosedPort() {
    if (fd_ >= 0) close(fd_);
  }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `shagym crawl --until-idle` with names resolved at a dead loopback
// DoH server; returns the result and the wall time in seconds.
shagym::testing::CommandResult CrawlOffline(const std::string& config,
                                            int doh_port, double* seconds) {
  auto start = std::chrono::steady_clock::now();
  auto r = RunCommand(
      {ShagymBinary(), "--config", config, "crawl", "--until-idle", "--doh-url",
       "https://127.0.0.1:" + std::to_string(doh_port) + "/dns-query"},
      "", 90);
  *seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return r;
}

TEST(OfflineCrawlTest, EverySourceFailsWithItsReasonAndExit3) {
  ClosedPort doh, site;
  ASSERT_GT(doh.port(), 0);
  ASSERT_GT(site.port(), 0);
  shagym::testing::TempDir dir;
  std::string config = dir.Write(
      "shagym.yaml",
      "data_dir: data\n"
      "crawl:\n"
      "  user_agent: \"shagym-test/1.0\"\n"
      "  timeout_s: 5\n"
      "  retries: 1\n"
      "  allow_private_addresses: true\n"
      "sources:\n"
      "  - {id: tg_gone, type: telegram, url: \"https://t.me/s/nochannel\"}\n"
      "  - {id: rss_gone, type: rss, url: \"http://news.invalid/rss\"}\n"
      "  - id: local_closed\n"
      "    type: html\n"
      "    seeds: [\"http://127.0.0.1:" +
          std::to_string(site.port()) +
          "/\"]\n"
          "    post: {item: \"div.post\", text: \"p\"}\n"
          "log: {level: error}\n");
  double seconds = 0;
  auto r = CrawlOffline(config, doh.port(), &seconds);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(seconds, 60);
  for (const char* id : {"tg_gone", "rss_gone"}) {
    std::string line = "source " + std::string(id) + ": nothing fetched";
    size_t at = r.err.find(line);
    ASSERT_NE(at, std::string::npos) << r.err;
    std::string rest = r.err.substr(at, r.err.find('\n', at) - at);
    EXPECT_NE(rest.find(": dns: "), std::string::npos) << rest;
    EXPECT_NE(rest.find("robots.txt"), std::string::npos) << rest;
  }
  size_t at = r.err.find("source local_closed: nothing fetched");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string rest = r.err.substr(at, r.err.find('\n', at) - at);
  EXPECT_NE(rest.find(": connect: "), std::string::npos) << rest;
  EXPECT_NE(r.err.find("nothing could be fetched"), std::string::npos);
}

// The shipped example of real sources, every one switched on, on a machine
// without a usable resolver: each fails by name with the DNS reason.
TEST(OfflineCrawlTest, ShippedRealSourcesAllEnabledFailPerSource) {
  std::string shipped = ReadFileOrEmpty(std::string(SHAGYM_SOURCE_DIR) +
                                        "/config/sources/kazakhstan.yaml");
  ASSERT_FALSE(shipped.empty());
  std::vector<std::string> ids;
  std::string enabled;
  std::istringstream lines(shipped);
  for (std::string line; std::getline(lines, line);) {
    size_t hash = line.find_first_not_of(' ');
    bool comment = hash != std::string::npos && line[hash] == '#';
    size_t id = line.find("id: ");
    if (!comment && id != std::string::npos) {
      size_t end = line.find_first_of(",} ", id + 4);
      ids.push_back(line.substr(id + 4, end - id - 4));
    }
    size_t off = line.find("enabled: false");
    if (!comment && off != std::string::npos) {
      line.replace(off, 14, "enabled: true");
    }
    enabled += line + "\n";
  }
  ASSERT_GE(ids.size(), 5u);
  ClosedPort doh;
  ASSERT_GT(doh.port(), 0);
  shagym::testing::TempDir dir;
  dir.Write("sources/kazakhstan.yaml", enabled);
  std::string config = dir.Write("shagym.yaml",
                                 "data_dir: data\n"
                                 "sources_dir: sources\n"
                                 "crawl:\n"
                                 "  timeout_s: 5\n"
                                 "  retries: 0\n"
                                 "log: {level: error}\n");
  double seconds = 0;
  auto r = CrawlOffline(config, doh.port(), &seconds);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(seconds, 60);
  for (const std::string& id : ids) {
    size_t at = r.err.find("source " + id + ": nothing fetched");
    ASSERT_NE(at, std::string::npos) << id << "\n" << r.err;
    std::string rest = r.err.substr(at, r.err.find('\n', at) - at);
    EXPECT_NE(rest.find(": dns: "), std::string::npos) << rest;
  }
}

}  // namespace offline_test
}  // namespace shagym::crawler
