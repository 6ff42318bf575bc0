// shagym: one binary, one subcommand per job (SPEC "Command line").

#include <curl/curl.h>

#include <CLI/CLI.hpp>

#include "app/cli.h"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  shagym::app::Context ctx;
  CLI::App app{
      "shagym watches public posts in Kazakh and Russian about problems in "
      "schools and turns them into trends.",
      "shagym"};
  app.set_version_flag("--version", "shagym 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.add_option("--config", ctx.config_path, "Configuration file")
      ->capture_default_str();
  app.add_option(
      "--log-level", ctx.log_level,
      "debug, info, warn, error or off (overrides the configuration)");

  shagym::app::RegisterCrawlCommands(app, &ctx);
  shagym::app::RegisterTextCommands(app, &ctx);
  shagym::app::RegisterStoreCommands(app, &ctx);
  shagym::app::RegisterServeCommands(app, &ctx);
  shagym::app::RegisterDemoCommand(app, &ctx);

  int code = 0;
  try {
    app.parse(argc, argv);
    code = ctx.exit_code;
  } catch (const CLI::CallForHelp& e) {
    code = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    code = app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    code = app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    code = shagym::app::kExitConfig;
  }
  curl_global_cleanup();
  return code;
}
