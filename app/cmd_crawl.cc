// crawl, fetch, robots check, url canonical.

#include <cstdio>

#include "app/cli.h"
#include "crawler/robots.h"
#include "crawler/url.h"

namespace shagym::app {

namespace {

// `shagym robots check`: the crawler's own parser and matcher on a file.
int RobotsCheck(Context* ctx, const std::string& file, std::string agent,
                const std::vector<std::string>& urls) {
  if (agent.empty()) {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    agent = config->crawl.user_agent;
  }
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    PrintError(file + ": cannot read robots.txt");
    return kExitFailure;
  }
  std::string body;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) body.append(buf, n);
  std::fclose(f);
  crawler::RobotsTxt robots =
      crawler::RobotsTxt::Parse(body, crawler::ProductToken(agent));
  for (const std::string& url : urls) {
    StatusOr<std::string> canonical = crawler::CanonicalUrl(url);
    if (!canonical.ok()) {
      std::printf("invalid: %s: %s\n", canonical.status().message().c_str(),
                  url.c_str());
      continue;
    }
    StatusOr<crawler::UrlParts> parts = crawler::SplitUrl(*canonical);
    crawler::RobotsDecision d = robots.Check(parts->path_and_query);
    std::printf("%s %s %s\n", d.allowed ? "allowed" : "disallowed",
                canonical->c_str(), d.rule.c_str());
  }
  return kExitOk;
}

// `shagym url canonical`: what the crawler would queue for each URL.
int UrlCanonical(const std::string& base,
                 const std::vector<std::string>& urls) {
  if (!base.empty()) {
    StatusOr<std::string> b = crawler::CanonicalUrl(base);
    if (!b.ok()) {
      PrintError("--base " + base + ": " + b.status().message());
      return kExitConfig;
    }
  }
  for (const std::string& url : urls) {
    StatusOr<std::string> c = base.empty() ? crawler::CanonicalUrl(url)
                                           : crawler::ResolveUrl(base, url);
    if (c.ok()) {
      std::printf("%s\n", c->c_str());
    } else {
      std::printf("invalid: %s\n", c.status().message().c_str());
    }
  }
  return kExitOk;
}

}  // namespace

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
  OnRun(robots_check, ctx,
        [ctx] { return RobotsCheck(ctx, robots_file, agent, robots_urls); });

  auto* url = app.add_subcommand("url", "URL tools");
  url->require_subcommand(1);
  auto* canonical = url->add_subcommand("canonical", "Print canonical URLs");
  static std::string base;
  static std::vector<std::string> urls;
  canonical->add_option("--base", base, "Base URL for relative ones");
  canonical->add_option("urls", urls, "URLs")->required();
  OnRun(canonical, ctx, [] { return UrlCanonical(base, urls); });
}

}  // namespace shagym::app
