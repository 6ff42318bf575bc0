// demo: the offline showcase. Serves the bundled sample site on loopback,
// runs the normal `crawl` on it (private addresses allowed for this run
// only), creates a demo login, then runs the normal `serve` until Ctrl-C.
// Each step is this same binary run as a child, so the demo exercises exactly
// what a user runs.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "config/demo_config.h"
#include "dashboards/demo_site.h"

namespace shagym::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMarker = ".shagym-demo";
constexpr const char* kDemoUser = "demo";
constexpr const char* kDemoPassword = "shagym-demo";

volatile sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

void InstallStopHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void Say(const std::string& line) {
  std::fprintf(stdout, "demo: %s\n", line.c_str());
  std::fflush(stdout);
}

std::string SelfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "shagym" : p.string();
}

// The directory with shagym.yaml, site/ and expected.json.
std::string FindDemoDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ec;
  if (fs::is_directory("config/demo/site", ec)) return "config/demo";
  return std::string(SHAGYM_SOURCE_DIR) + "/config/demo";
}

// A child process of this binary with the given arguments. Not copyable.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      execv(argv[0], argv.data());
      std::fprintf(stderr, "shagym: cannot run %s\n", argv[0]);
      _exit(127);
    }
  }
  ~Child() { Stop(std::chrono::seconds(10)); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }
  bool running() {
    Reap(false);
    return pid_ > 0 && !exited_;
  }
  // Waits for the exit; forwards a stop signal received meanwhile. Returns
  // the exit code, or 128+signal.
  int Wait() {
    bool forwarded = false;
    while (running()) {
      if (g_stop_signal && !forwarded) {
        kill(pid_, SIGINT);
        forwarded = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return code_;
  }
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int Stop(std::chrono::seconds grace) {
    if (!running()) return code_;
    kill(pid_, SIGTERM);
    auto deadline = Clock::now() + grace;
    while (running() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (running()) {
      kill(pid_, SIGKILL);
      Reap(true);
    }
    return code_;
  }

 private:
  void Reap(bool block) {
    if (pid_ <= 0 || exited_) return;
    int status = 0;
    pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) {
      exited_ = true;
      code_ = WIFEXITED(status)
                  ? WEXITSTATUS(status)
                  : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

// Runs one step to completion; returns its exit code.
int RunStep(const std::vector<std::string>& args) {
  Child child(args);
  if (!child.started()) return 127;
  return child.Wait();
}

// A free loopback port (bound and released; the child binds it right after).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool PortFree(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1 &&
            bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// Empties `dir` for a fresh run, but only if an earlier demo made it.
bool PrepareDataDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    bool empty = fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
    if (!empty && !fs::exists(dir / kMarker, ec)) {
      PrintError(dir.string() +
                 ": exists and is not a demo data directory (no " + kMarker +
                 "); choose another --data-dir");
      return false;
    }
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      fs::remove_all(e.path(), ec);
    }
  }
  fs::create_directories(dir, ec);
  std::ofstream marker(dir / kMarker);
  marker << "Made by `shagym demo`; emptied at the start of every demo run.\n";
  if (!marker) {
    PrintError(dir.string() + ": cannot write to the demo data directory");
    return false;
  }
  return true;
}

bool WriteFile(const fs::path& p, const std::string& text, bool secret) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (secret) {
    std::error_code ec;
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
  }
  return static_cast<bool>(out);
}

// Waits until GET /api/health answers 200 or `server` exits or the deadline
// passes.
bool WaitHealthy(Child* server, const std::string& host, int port,
                 std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline && !g_stop_signal) {
    if (!server->running()) return false;
    if (dashboards::HttpGetStatus(host, port, "/api/health") == 200) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

struct DemoFlags {
  bool exit_after_crawl = false;
  int64_t serve_seconds = 0;  // 0 = until Ctrl-C
  std::string data_dir = "demo-data";
  std::string listen = "127.0.0.1:8080";
  std::string demo_dir;
  bool site_only = false;
  bool keep_data = false;
};

int RunDemo(DemoFlags f, const std::string& global_log_level) {
  if (const char* v = std::getenv("SHAGYM_DEMO_EXIT_AFTER_CRAWL");
      v && *v && std::string(v) != "0") {
    f.exit_after_crawl = true;
  }
  if (const char* v = std::getenv("SHAGYM_DEMO_SERVE_SECONDS"); v && *v) {
    f.serve_seconds = std::atoll(v);
  }
  InstallStopHandlers();
  const std::string demo_dir = FindDemoDir(f.demo_dir);
  std::error_code ec;
  const fs::path data_dir = fs::absolute(f.data_dir, ec).lexically_normal();
  const bool reuse = f.keep_data && fs::exists(data_dir / kMarker, ec) &&
                     fs::exists(data_dir / "data", ec);
  if (!reuse && !PrepareDataDir(data_dir)) return kExitConfig;

  // 1. The sample site.
  auto site = dashboards::DemoSite::Start(demo_dir + "/site");
  if (!site.ok()) {
    PrintError(site.status().message());
    return kExitFailure;
  }
  nlohmann::json expected;
  {
    std::ifstream in(demo_dir + "/expected.json");
    expected = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  }
  Say("sample site " + (*site)->base_url() + " (" + demo_dir + "/site, " +
      (expected.is_object() ? std::to_string(expected.value("total_posts", 0))
                            : std::string("?")) +
      " posts)");

  if (f.site_only) {
    // For whoever works on adapters: the site alone, e.g. for `shagym fetch`.
    Say("serving only the sample site; press Ctrl-C to stop");
    auto until = f.serve_seconds > 0
                     ? Clock::now() + std::chrono::seconds(f.serve_seconds)
                     : Clock::time_point::max();
    while (!g_stop_signal && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Say("stopped");
    return kExitOk;
  }

  // 2. The run's configuration.
  std::string host = "127.0.0.1";
  int port = 8080;
  if (auto colon = f.listen.rfind(':'); colon != std::string::npos) {
    host = f.listen.substr(0, colon);
    port = std::atoi(f.listen.c_str() + colon + 1);
  }
  if (port == 0 || !PortFree(host, port)) {
    int chosen = FreePort();
    if (port != 0) {
      Say("port " + std::to_string(port) + " is busy; using " +
          std::to_string(chosen));
    }
    port = chosen;
  }
  config::DemoOverrides o;
  o.placeholder_base = dashboards::DemoSite::kPlaceholderBase;
  o.site_base = (*site)->base_url();
  o.data_dir = (data_dir / "data").string();
  o.listen = host + ":" + std::to_string(port);
  auto yaml = config::MakeDemoConfig(demo_dir + "/shagym.yaml", o);
  if (!yaml.ok()) {
    PrintError(yaml.status().message());
    return kExitConfig;
  }
  const std::string run_config = (data_dir / "shagym.yaml").string();
  if (!WriteFile(run_config, *yaml, false)) {
    PrintError(run_config + ": cannot write");
    return kExitFailure;
  }
  if (auto c = config::Load(run_config); !c.ok()) {
    std::fprintf(stderr, "%s\n", c.status().message().c_str());
    return kExitConfig;
  }
  const std::string self = SelfPath();
  std::vector<std::string> base_args = {self, "--config", run_config};
  if (!global_log_level.empty()) {
    base_args.push_back("--log-level");
    base_args.push_back(global_log_level);
  }
  auto args = [&](std::initializer_list<std::string> rest) {
    std::vector<std::string> a = base_args;
    a.insert(a.end(), rest);
    return a;
  };

  // 3. Crawl (classification and storage happen in the pipeline).
  if (reuse) {
    Say("reusing the data of the last demo run in " + data_dir.string());
  } else {
    Say("crawling with " + run_config);
    auto t0 = Clock::now();
    int rc = RunStep(args({"crawl", "--until-idle"}));
    if (g_stop_signal) {
      Say("interrupted");
      return kExitOk;
    }
    if (rc != 0) {
      PrintError("demo: the crawl step failed (exit " + std::to_string(rc) +
                 "); its messages are above");
      return kExitFailure;
    }
    auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t0);
    Say("crawl done in " + std::to_string(secs.count()) + " s, " +
        std::to_string((*site)->requests_served()) + " requests to the site");
  }

  // 4. What spiked, as `shagym trends --spikes` shows it.
  if (expected.is_object() && expected.contains("first_post")) {
    std::string from = expected["first_post"].get<std::string>().substr(0, 10);
    std::string to = expected["last_post"].get<std::string>().substr(0, 10);
    Say("spikes between " + from + " and " + to + ":");
    if (int r =
            RunStep(args({"trends", "--from", from, "--to", to, "--spikes"}));
        r != 0) {
      PrintError("demo: `trends --spikes` failed (exit " + std::to_string(r) +
                 ")");
    }
  }

  // 5. A login for the dashboard.
  const fs::path password_file = data_dir / "demo-password.txt";
  WriteFile(password_file, std::string(kDemoPassword) + "\n", true);
  if (int r = RunStep(args({"users", "add", kDemoUser, "--role", "admin",
                            "--password-file", password_file.string()}));
      r != 0) {
    PrintError("demo: could not create the demo login (exit " +
               std::to_string(r) + ")");
  }
  if (f.exit_after_crawl || g_stop_signal) {
    Say("data in " + data_dir.string() + "; explore it with: shagym --config " +
        run_config + " trends|export|serve ...");
    return kExitOk;
  }

  // 6. The dashboard, until Ctrl-C or --serve-seconds.
  Child server(args({"serve", "--listen", o.listen}));
  if (!server.started() ||
      !WaitHealthy(&server, host, port, std::chrono::seconds(60))) {
    if (g_stop_signal) return kExitOk;
    PrintError("demo: the dashboard did not come up on " + o.listen);
    return kExitFailure;
  }
  Say("dashboard: http://" + o.listen + "/");
  Say(std::string("login: ") + kDemoUser + " / " + kDemoPassword);
  Say(f.serve_seconds > 0
          ? "serving for " + std::to_string(f.serve_seconds) + " s"
          : "press Ctrl-C to stop");
  auto until = f.serve_seconds > 0
                   ? Clock::now() + std::chrono::seconds(f.serve_seconds)
                   : Clock::time_point::max();
  while (!g_stop_signal && server.running() && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  bool server_died = !server.running();
  int server_rc = server.Stop(std::chrono::seconds(10));
  Say("stopped");
  if (server_died && !g_stop_signal) {
    PrintError("demo: the dashboard exited on its own (exit " +
               std::to_string(server_rc) + ")");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, Context* ctx) {
  auto* demo = app.add_subcommand(
      "demo", "Offline showcase: sample site on loopback, crawl, dashboard");
  static DemoFlags flags;
  demo->add_flag("--exit-after-crawl", flags.exit_after_crawl,
                 "Stop after the crawl (env SHAGYM_DEMO_EXIT_AFTER_CRAWL=1)");
  demo->add_option("--serve-seconds", flags.serve_seconds,
                   "Serve the dashboard this long, then stop (env "
                   "SHAGYM_DEMO_SERVE_SECONDS); default: until Ctrl-C");
  demo->add_option("--data-dir", flags.data_dir,
                   "Demo data directory, emptied at every run");
  demo->add_option("--listen", flags.listen,
                   "Dashboard address; port 0 or a busy port picks a free one");
  demo->add_option("--demo-dir", flags.demo_dir,
                   "Directory of the demo world (default: config/demo)");
  demo->add_flag("--keep-data", flags.keep_data,
                 "Reuse the data of the last demo run: no new crawl");
  demo->add_flag("--site-only", flags.site_only,
                 "Serve only the sample site (for trying adapters with "
                 "`shagym fetch`)");
  OnRun(demo, ctx, [ctx] { return RunDemo(flags, ctx->log_level); });
}

}  // namespace shagym::app
