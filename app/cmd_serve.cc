// serve, users add|token.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "app/crawl_sink.h"
#include "config/rules_admin.h"
#include "dashboards/auth.h"
#include "dashboards/server.h"
#include "dashboards/store_api.h"
#include "store/store.h"

namespace shagym::app {

namespace {

// The password: the first line of the file, or of stdin. Trailing CR/LF is
// not part of it.
bool ReadPassword(const std::string& file, std::string* out) {
  std::string line;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      PrintError(file + ": cannot read the password file");
      return false;
    }
    std::getline(in, line);
  } else {
    std::getline(std::cin, line);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.pop_back();
  }
  if (line.empty()) {
    PrintError((file.empty() ? std::string("stdin") : file) +
               ": empty password");
    return false;
  }
  *out = line;
  return true;
}

int Serve(const config::Config& c, const std::string& listen) {
  // Block the stop signals before any thread starts, so that only sigwait()
  // below receives them and the server shuts down in order.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto st = store::Store::Open(c.store);
  if (!st.ok()) {
    PrintError(st.status().message());
    return kExitFailure;
  }
  dashboards::ServerOptions options = c.server;
  if (!listen.empty()) options.listen = listen;
  // The rules endpoints work on the configured rules; edits on disk are
  // picked up while serving, a broken edit is logged and the running rules
  // stay.
  StatusOr<std::shared_ptr<config::RuleEngine>> engine = LoadRuleEngine(c);
  if (!engine.ok()) {
    PrintError(engine.status().message());
    return kExitConfig;
  }
  std::unique_ptr<config::RulesAdmin> rules_admin;
  if (*engine) {
    (*engine)->StartReloading(kRulesReloadInterval);
    rules_admin =
        std::make_unique<config::RulesAdmin>(engine->get(), st->get());
  }
  dashboards::StoreApiOptions api_options;
  api_options.store = st->get();
  api_options.rules = rules_admin.get();
  api_options.mask = MakeMasker(c);
  dashboards::StoreApi api(api_options);
  dashboards::ServerDeps deps;
  deps.db = (*st)->db();
  deps.data = &api;
  auto server = dashboards::Server::Start(options, deps);
  if (!server.ok()) {
    PrintError(server.status().message());
    return server.status().code() == StatusCode::kInvalidArgument
               ? kExitConfig
               : kExitFailure;
  }
  std::fprintf(stderr, "shagym: serving on http://%s/\n",
               (*server)->address().c_str());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  Status s = (*st)->db()->Flush();
  if (!s.ok()) PrintError(s.message());
  return kExitOk;
}

}  // namespace

void RegisterServeCommands(CLI::App& app, Context* ctx) {
  auto* serve = app.add_subcommand("serve", "Dashboard and HTTP API");
  static std::string listen;
  serve->add_option("--listen", listen, "ADDR:PORT (default: server.listen)");
  OnRun(serve, ctx, [ctx] {
    const config::Config* c = ctx->LoadConfig();
    if (c == nullptr) return kExitConfig;
    if (!listen.empty()) {
      std::string host;
      int port = 0;
      if (!dashboards::ParseListen(listen, &host, &port)) {
        PrintError("--listen: expected ADDRESS:PORT, got '" + listen + "'");
        return kExitConfig;
      }
    }
    return Serve(*c, listen);
  });

  auto* users = app.add_subcommand("users", "Dashboard accounts");
  users->require_subcommand(1);
  auto* add = users->add_subcommand("add", "Add or update an account");
  static std::string name, role, password_file;
  add->add_option("name", name, "User name")->required();
  add->add_option("--role", role, "viewer, analyst or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "analyst", "admin"}));
  add->add_option("--password-file", password_file,
                  "File with the password (default: read from stdin)");
  OnRun(add, ctx, [ctx] {
    const config::Config* c = ctx->LoadConfig();
    if (c == nullptr) return kExitConfig;
    std::string password;
    if (!ReadPassword(password_file, &password)) return kExitFailure;
    auto st = store::Store::Open(c->store);
    if (!st.ok()) {
      PrintError(st.status().message());
      return kExitFailure;
    }
    dashboards::Auth auth((*st)->db(), SystemClock());
    Status s = auth.AddUser(name, *dashboards::ParseRole(role), password);
    if (s.ok()) s = auth.Audit("cli", "users.add", name + " role=" + role);
    if (!s.ok()) {
      PrintError(s.message());
      return kExitFailure;
    }
    std::printf("user %s: %s\n", name.c_str(), role.c_str());
    return kExitOk;
  });
  auto* token =
      users->add_subcommand("token", "Print a new bearer token, once");
  static std::string token_name;
  token->add_option("name", token_name, "User name")->required();
  OnRun(token, ctx, [ctx] {
    const config::Config* c = ctx->LoadConfig();
    if (c == nullptr) return kExitConfig;
    auto st = store::Store::Open(c->store);
    if (!st.ok()) {
      PrintError(st.status().message());
      return kExitFailure;
    }
    dashboards::Auth auth((*st)->db(), SystemClock());
    StatusOr<std::string> t = auth.NewToken(token_name);
    if (!t.ok()) {
      PrintError(t.status().message());
      return kExitFailure;
    }
    (void)auth.Audit("cli", "users.token", token_name);
    std::printf("%s\n", t->c_str());
    return kExitOk;
  });
}

}  // namespace shagym::app
