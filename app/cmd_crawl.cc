// crawl, fetch, robots check, url canonical.

#include "app/cli.h"

namespace shagym::app {

void RegisterCrawlCommands(CLI::App& app, Context* ctx) {
  auto* crawl = app.add_subcommand("crawl", "Crawl the configured sources");
  static bool until_idle = false;
  static int64_t max_pages = 0;
  static int64_t duration_s = 0;
  static std::vector<std::string> source_ids;
  crawl->add_flag("--until-idle", until_idle, "Exit as soon as nothing is due");
  crawl->add_option("--max-pages", max_pages, "Stop after N pages");
  crawl->add_option("--duration", duration_s, "Stop after SECONDS");
  crawl->add_option("--source", source_ids,
                    "Crawl only this source (repeatable)");
  OnRun(crawl, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("crawl");
  });

  auto* fetch = app.add_subcommand(
      "fetch",
      "Fetch one page as the crawler would and print what it extracts");
  static std::string fetch_url, fetch_source;
  fetch->add_option("url", fetch_url, "URL to fetch")->required();
  fetch->add_option("--source", fetch_source, "Source whose adapter to use");
  OnRun(fetch, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("fetch");
  });

  auto* robots = app.add_subcommand("robots", "robots.txt tools");
  robots->require_subcommand(1);
  auto* robots_check =
      robots->add_subcommand("check", "Decide URLs against a robots.txt file");
  static std::string robots_file, agent;
  static std::vector<std::string> robots_urls;
  robots_check->add_option("--robots", robots_file, "robots.txt file")
      ->required();
  robots_check->add_option("--agent", agent,
                           "User agent (default: crawl.user_agent)");
  robots_check->add_option("urls", robots_urls, "URLs to check")->required();
  OnRun(robots_check, ctx, [] { return NotBuiltYet("robots check"); });

  auto* url = app.add_subcommand("url", "URL tools");
  url->require_subcommand(1);
  auto* canonical = url->add_subcommand("canonical", "Print canonical URLs");
  static std::string base;
  static std::vector<std::string> urls;
  canonical->add_option("--base", base, "Base URL for relative ones");
  canonical->add_option("urls", urls, "URLs")->required();
  OnRun(canonical, ctx, [] { return NotBuiltYet("url canonical"); });
}

}  // namespace shagym::app
