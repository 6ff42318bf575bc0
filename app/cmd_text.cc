// classify, rules check|test|backtest.

#include "app/cli.h"

namespace shagym::app {

void RegisterTextCommands(CLI::App& app, Context* ctx) {
  auto* classify = app.add_subcommand(
      "classify", "Classify JSON Lines posts offline (stores nothing)");
  static std::string input, output;
  classify->add_option("--input", input, "JSON Lines input (default: stdin)");
  classify->add_option("--output", output,
                       "JSON Lines output (default: stdout)");
  OnRun(classify, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("classify");
  });

  auto* rules =
      app.add_subcommand("rules", "Validate, try and back-test rules");
  rules->require_subcommand(1);
  auto* check = rules->add_subcommand(
      "check", "Validate rule files and run their examples");
  static std::string check_dir;
  check->add_option("dir", check_dir, "Rule directory (default: rules_dir)");
  OnRun(check, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("rules check");
  });
  auto* test =
      rules->add_subcommand("test", "Show the matches of the rules on a text");
  static std::string text;
  test->add_option("--text", text, "Text to classify")->required();
  OnRun(test, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("rules test");
  });
  auto* backtest = rules->add_subcommand(
      "backtest", "Which stored posts a candidate rule set adds or drops");
  static std::string backtest_dir;
  backtest->add_option("dir", backtest_dir, "Candidate rule directory");
  OnRun(backtest, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("rules backtest");
  });
}

}  // namespace shagym::app
