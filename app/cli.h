#pragma once

// Shared wiring for the subcommands of `shagym`: the global flags and the
// configuration every command loads. Each cmd_*.cc registers one command
// group; main.cc only parses and dispatches.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"

namespace shagym::app {

// Exit codes shared by every command (SPEC "Command line").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 2;
inline constexpr int kExitNothingFetched = 3;

struct Context {
  std::string config_path = "config/shagym.yaml";
  std::string log_level;  // overrides config when set
  int exit_code = kExitOk;

  // Loads the configuration once and sets up logging. On failure prints the
  // one-line error to stderr and returns nullptr; the caller returns
  // kExitConfig.
  const config::Config* LoadConfig();

 private:
  std::optional<config::Config> config_;
};

// The personal-data masker of what is shown or exported (nlp/privacy.h), or
// an identity function when privacy.mask_personal_data is false.
std::function<std::string(std::string_view)> MakeMasker(
    const config::Config& config);

// Prints "shagym: <what>" to stderr.
void PrintError(const std::string& what);

// Registers a command callback that stores its exit code in `ctx`.
void OnRun(CLI::App* cmd, Context* ctx, std::function<int()> body);

// Says that a command is not available yet and fails, so that nothing
// silently pretends to work.
int NotBuiltYet(const std::string& command);

void RegisterCrawlCommands(CLI::App& app,
                           Context* ctx);  // crawl, fetch, robots, url
void RegisterTextCommands(CLI::App& app, Context* ctx);  // classify, rules
void RegisterStoreCommands(
    CLI::App& app,
    Context* ctx);  // trends, export, reclassify, backup, restore, db
void RegisterServeCommands(CLI::App& app, Context* ctx);  // serve, users
void RegisterDemoCommand(CLI::App& app, Context* ctx);    // demo

}  // namespace shagym::app
