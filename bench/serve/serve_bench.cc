// bench/serve: HTTP API throughput and latency on a big store.
//
//   serve_bench --dir DIR --posts N [--seconds S] [--connections C]
//               [--workers W] [--no-cache]
//
// Fills DIR with N generated posts (once; reused when already there), starts
// the dashboard server on 127.0.0.1 with a bearer token, and runs wrk against
// /api/health (the peer: server and auth overhead only), /api/trends and
// /api/posts. Prints one line per endpoint: requests/s, p50, p99, and the
// ratio of each to the peer measured in the same run. --no-cache computes
// every answer (the API otherwise reuses answers while the store is
// unchanged, which a static bench store always is).
//
// Per endpoint it also prints the server's CPU time per request (user+sys of
// this process, which is the server; wrk runs as a child), the growth of the
// kernel's TcpExtListenOverflows / ListenDrops counters (connections refused
// because the listen queue was full; each costs the client a 1 s SYN
// retransmit), and the 1-minute load average at the end of the run.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "dashboards/server.h"
#include "dashboards/store_api.h"
#include "nlp/entities.h"
#include "store/store.h"

namespace {

using shagym::Post;

const char* const kCategories[] = {"bullying",
                                   "violence",
                                   "food",
                                   "infrastructure",
                                   "extortion_corruption",
                                   "mental_health",
                                   "safety_security",
                                   "exams"};

Post MakePost(uint64_t i, int64_t now, uint32_t* rng) {
  auto next = [rng] { return *rng = *rng * 1103515245u + 12345u, *rng >> 8; };
  Post p;
  p.id = "b" + std::to_string(i);
  p.source = "src" + std::to_string(next() % 40);
  p.url = "https://example.org/" + p.id;
  p.published_at = now - static_cast<int64_t>(next() % (365 * 86400));
  p.fetched_at = p.published_at + 60;
  p.author = "a" + std::to_string(next() % 5000);
  const char* cat = kCategories[next() % std::size(kCategories)];
  p.text = std::to_string(next() % 90 + 1) +
           "-мектепте балаларды буллинг жасайды, ата-аналар шағымданып жүр. "
           "В школе опять поборы и никто не отвечает, пост номер " +
           std::to_string(i);
  p.labels.lang = next() % 2 ? "kk" : "ru";
  if (next() % 5 != 0) {
    p.labels.categories = {cat};
    p.labels.severity = "medium";
    const int64_t s = static_cast<int64_t>(p.text.find("буллинг"));
    p.labels.matches = {{"bench.1", cat, s, s + 14}};
  }
  p.labels.region = shagym::nlp::SpecRegionIds()[next() % 20];
  p.labels.rules_version = "bench";
  if (i > 10 && next() % 10 == 0) {
    p.duplicate_of = "b" + std::to_string(i - 1 - next() % 10);
  }
  return p;
}

struct WrkResult {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string raw;
};

double ToMs(const std::string& v) {
  double x = std::atof(v.c_str());
  if (v.find("us") != std::string::npos) return x / 1000;
  if (v.find("ms") != std::string::npos) return x;
  if (v.find("s") != std::string::npos) return x * 1000;
  return x;
}

WrkResult RunWrk(const std::string& url, const std::string& token,
                 int connections, int seconds) {
  std::string cmd = "wrk -t2 -c" + std::to_string(connections) + " -d" +
                    std::to_string(seconds) +
                    "s --latency -H 'Authorization: Bearer " + token + "' '" +
                    url + "' 2>&1";
  WrkResult r;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  char buf[512];
  while (fgets(buf, sizeof(buf), f)) r.raw += buf;
  pclose(f);
  auto field = [&](const std::string& key) -> std::string {
    size_t at = r.raw.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    while (at < r.raw.size() && r.raw[at] == ' ') ++at;
    size_t end = r.raw.find_first_of(" \n", at);
    return r.raw.substr(at, end - at);
  };
  r.rps = std::atof(field("Requests/sec:").c_str());
  r.p50_ms = ToMs(field(" 50%"));
  r.p99_ms = ToMs(field(" 99%"));
  return r;
}

// TcpExt counters of /proc/net/netstat (header line, then values line).
std::map<std::string, long long> TcpExtCounters() {
  std::map<std::string, long long> out;
  std::ifstream in("/proc/net/netstat");
  std::string names;
  std::string values;
  while (std::getline(in, names) && std::getline(in, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    std::istringstream n(names);
    std::istringstream v(values);
    std::string name;
    std::string value;
    n >> name;
    v >> value;
    while (n >> name && v >> value) out[name] = std::atoll(value.c_str());
  }
  return out;
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double LoadAverage1() {
  double l = -1;
  if (getloadavg(&l, 1) != 1) return -1;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench/out/serve";
  int64_t posts = 100000;
  int seconds = 10;
  int connections = 64;
  int workers = 64;
  bool cache = true;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--no-cache") {
      cache = false;
      continue;
    }
    if (i + 1 >= argc) break;
    std::string v = argv[++i];
    if (k == "--dir")
      dir = v;
    else if (k == "--posts")
      posts = std::atoll(v.c_str());
    else if (k == "--seconds")
      seconds = std::atoi(v.c_str());
    else if (k == "--connections")
      connections = std::atoi(v.c_str());
    else if (k == "--workers")
      workers = std::atoi(v.c_str());
  }
  shagym::store::StoreOptions so;
  so.data_dir = dir;
  auto st = shagym::store::Store::Open(so);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.status().message().c_str());
    return 1;
  }
  shagym::store::Store& store = **st;
  const int64_t now = shagym::SystemNowSeconds();
  auto have = store.CountPosts({});
  int64_t existing = have.ok() ? *have : 0;
  if (existing < posts) {
    auto t0 = std::chrono::steady_clock::now();
    uint32_t rng = static_cast<uint32_t>(existing) * 2654435761u + 1;
    std::vector<Post> batch;
    for (int64_t i = existing; i < posts; ++i) {
      batch.push_back(MakePost(static_cast<uint64_t>(i), now, &rng));
      if (batch.size() == 5000 || i + 1 == posts) {
        auto r = store.IngestBatch(batch);
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", r.status().message().c_str());
          return 1;
        }
        batch.clear();
        if ((i + 1) % 100000 == 0) {
          std::printf("  %lld posts\n", static_cast<long long>(i + 1));
          std::fflush(stdout);
        }
      }
    }
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    std::printf("filled %lld posts in %.1f s (%.0f posts/s)\n",
                static_cast<long long>(posts - existing), s,
                static_cast<double>(posts - existing) / s);
    (void)store.db()->raw()->CompactRange(rocksdb::CompactRangeOptions(),
                                          nullptr, nullptr);
  }
  shagym::dashboards::StoreApiOptions ao;
  ao.store = &store;
  ao.mask = [](std::string_view s) { return std::string(s); };
  if (!cache) ao.cache_ttl_ms = 0;
  shagym::dashboards::StoreApi api(ao);
  shagym::dashboards::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.workers = workers;
  shagym::dashboards::ServerDeps deps;
  deps.db = store.db();
  deps.data = &api;
  auto server = shagym::dashboards::Server::Start(options, deps);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().message().c_str());
    return 1;
  }
  if (!(*server)
           ->auth()
           ->AddUser("bench", shagym::dashboards::Role::kAnalyst,
                     "bench-password")
           .ok()) {
    return 1;
  }
  auto token = (*server)->auth()->NewToken("bench");
  if (!token.ok()) return 1;
  const std::string base =
      "http://127.0.0.1:" + std::to_string((*server)->port());
  const std::string to = shagym::FormatDateUtc(now);
  const std::string from30 = shagym::FormatDateUtc(now - 29 * 86400);
  struct Case {
    const char* name;
    std::string path;
  };
  std::vector<Case> cases = {
      {"health (peer)", "/api/health"},
      {"trends 30d by category",
       "/api/trends?from=" + from30 + "&to=" + to + "&by=category"},
      {"trends 365d weekly",
       "/api/trends?from=" + shagym::FormatDateUtc(now - 364 * 86400) +
           "&to=" + to + "&bucket=week"},
      {"posts page 50", "/api/posts?limit=50"},
      {"posts bullying folded",
       "/api/posts?category=bullying&originals=1&limit=50"},
  };
  std::printf(
      "store: %lld posts in %s; wrk -t2 -c%d -d%ds; server workers %d; "
      "answer cache %s\n",
      static_cast<long long>(std::max(existing, posts)), dir.c_str(),
      connections, seconds, workers, cache ? "on" : "off");
  std::printf("%-26s %9s %8s %8s %8s %10s %9s %11s %6s\n", "endpoint", "req/s",
              "p50 ms", "p99 ms", "vs peer", "cpu us/req", "cpu vs pr",
              "ovfl/drops", "load1");
  double peer = 0;
  double peer_cpu = 0;
  for (const auto& c : cases) {
    const auto before = TcpExtCounters();
    const double cpu0 = SelfCpuSeconds();
    WrkResult r = RunWrk(base + c.path, *token, connections, seconds);
    const double cpu = SelfCpuSeconds() - cpu0;
    const auto after = TcpExtCounters();
    if (r.rps == 0) {
      std::fprintf(stderr, "wrk failed for %s:\n%s\n", c.path.c_str(),
                   r.raw.c_str());
      return 1;
    }
    auto delta = [&](const char* k) {
      auto a = after.find(k);
      auto b = before.find(k);
      return a == after.end() || b == before.end() ? -1LL
                                                   : a->second - b->second;
    };
    // Server CPU per request: wrk's request count is rps * seconds.
    const double us_per_req = cpu * 1e6 / (r.rps * seconds);
    if (peer == 0) peer = r.rps;
    if (peer_cpu == 0) peer_cpu = us_per_req;
    std::printf(
        "%-26s %9.0f %8.2f %8.2f %7.2fx %10.1f %8.2fx %5lld/%-5lld %6.1f\n",
        c.name, r.rps, r.p50_ms, r.p99_ms, r.rps / peer, us_per_req,
        us_per_req / peer_cpu, delta("ListenOverflows"), delta("ListenDrops"),
        LoadAverage1());
    std::fflush(stdout);
  }
  (*server)->Stop();
  return 0;
}
