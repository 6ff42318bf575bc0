// demo: the offline showcase.

#include "app/cli.h"

namespace shagym::app {

void RegisterDemoCommand(CLI::App& app, Context* ctx) {
  auto* demo = app.add_subcommand(
      "demo", "Offline showcase: sample site on loopback, crawl, dashboard");
  OnRun(demo, ctx, [] { return NotBuiltYet("demo"); });
}

}  // namespace shagym::app
