// serve, users add|token.

#include "app/cli.h"

namespace shagym::app {

void RegisterServeCommands(CLI::App& app, Context* ctx) {
  auto* serve = app.add_subcommand("serve", "Dashboard and HTTP API");
  static std::string listen;
  serve->add_option("--listen", listen, "ADDR:PORT (default: server.listen)");
  OnRun(serve, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("serve");
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
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("users add");
  });
  auto* token =
      users->add_subcommand("token", "Print a new bearer token, once");
  static std::string token_name;
  token->add_option("name", token_name, "User name")->required();
  OnRun(token, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("users token");
  });
}

}  // namespace shagym::app
