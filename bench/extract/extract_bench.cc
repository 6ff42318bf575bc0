// Extraction throughput: MB of HTML per second per core through Gumbo parsing
// plus a source adapter's extraction (selectors, text layout, dates), next to
// a bare Gumbo parse of the same bytes measured in the same run as the peer.
// Inputs: the real Telegram preview page and the RSS feed of the shared
// realworld folder, and a synthetic forum page for the `html` adapter.
//
//   build/bench/extract_bench [--realworld DIR] [--min-seconds S]
//                             [--pages DIR [--max-pages N]]
//
// --pages reads the .html files under DIR (the crawl benchmark's generated
// site, bench/crawl/gen_site.py) instead, and reports CPU milliseconds per
// page for a bare Gumbo parse and for the `html` adapter with the crawl
// benchmark's selectors: the floor under `shagym crawl`'s CPU per page,
// next to the crawl issue's 0.25 CPU s per 1,000 pages.
//
// Single thread: the figure is per core.

#include <gumbo.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crawler/adapter.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `fn` until `min_seconds` have passed; returns MB/s over `bytes` per
// call.
template <typename F>
double Rate(size_t bytes, double min_seconds, F fn, size_t* sink) {
  size_t calls = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    *sink += fn();
    ++calls;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds);
  return static_cast<double>(bytes) * calls / elapsed / 1e6;
}

std::string ForumPage() {
  std::string html = "<html><body><div class=thread>";
  for (int i = 0; i < 200; ++i) {
    html += "<div class=post id=p" + std::to_string(i) +
            "><a class=user href=/u/" + std::to_string(i) +
            ">Пайдаланушы</a><span class=date>13.05.2024 12:" +
            std::to_string(10 + i % 50) +
            "</span><div class=content><p>Мектептегі жағдай туралы жазамын, "
            "балалар қорқады.</p><p>В школе опять проблемы с едой и "
            "отоплением.<br>Помогите.</p></div><a class=num href=#p" +
            std::to_string(i) + ">#</a></div>";
  }
  return html + "<a class=next href=?page=2>next</a></div></body></html>";
}

shagym::crawler::SourceConfig Source(std::string id,
                                     shagym::crawler::SourceType type,
                                     std::string seed) {
  shagym::crawler::SourceConfig source;
  source.id = std::move(id);
  source.type = type;
  source.seeds = {std::move(seed)};
  return source;
}

// The peer: a bare Gumbo parse of `body` and its release; returns the
// number of the root's children (so the work is not optimised away).
size_t BareGumbo(const std::string& body) {
  GumboOutput* out =
      gumbo_parse_with_options(&kGumboDefaultOptions, body.data(), body.size());
  size_t n = out->root->v.element.children.length;
  gumbo_destroy_output(&kGumboDefaultOptions, out);
  return n;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// CPU ms per page of `fn` over `pages`, repeated until `min_seconds` of CPU.
template <typename F>
double MsPerPage(const std::vector<std::string>& pages, double min_seconds,
                 F fn, size_t* sink) {
  size_t calls = 0;
  const double start = CpuSeconds();
  double elapsed = 0;
  do {
    for (const std::string& page : pages) *sink += fn(page);
    calls += pages.size();
    elapsed = CpuSeconds() - start;
  } while (elapsed < min_seconds);
  return elapsed * 1e3 / static_cast<double>(calls);
}

// The crawl benchmark's pages: bare Gumbo and Gumbo + the html adapter with
// the selectors of bench/crawl/bench_config.sh, in CPU ms per page.
int RunPages(const std::string& dir, size_t max_pages, double min_seconds) {
  using namespace shagym::crawler;
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".html") {
      files.push_back(it->path().string());
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no .html files under %s\n", dir.c_str());
    return 1;
  }
  std::sort(files.begin(), files.end());
  if (files.size() > max_pages) files.resize(max_pages);
  std::vector<std::string> pages;
  size_t bytes = 0;
  for (const auto& f : files) {
    pages.push_back(ReadAll(f));
    bytes += pages.back().size();
  }
  SourceConfig source =
      Source("bench", SourceType::kHtml, "http://127.0.0.1:18100/p/0.html");
  source.post.item = "div.post";
  source.post.text = "p.text";
  source.post.author = "span.author";
  auto adapter = MakeAdapter(source);
  if (!adapter.ok()) {
    std::fprintf(stderr, "%s\n", adapter.status().ToString().c_str());
    return 1;
  }
  size_t sink = 0, posts = 0;
  FetchedPage page;
  page.url = page.final_url = source.seeds[0];
  page.fetched_at = 1715594400;
  for (const auto& body : pages) {
    page.body = body;
    posts += (*adapter)->Extract(page).posts.size();
  }
  const double gumbo = MsPerPage(pages, min_seconds, BareGumbo, &sink);
  const double extract = MsPerPage(
      pages, min_seconds,
      [&](const std::string& body) {
        page.body = body;
        return (*adapter)->Extract(page).posts.size();
      },
      &sink);
  std::printf("%zu pages, %.1f KB each on average, %.2f posts per page\n",
              pages.size(), bytes / 1024.0 / pages.size(),
              static_cast<double>(posts) / pages.size());
  std::printf("%-26s %14s\n", "per page, one core", "CPU s / 1000");
  std::printf("%-26s %14.3f\n", "bare Gumbo parse", gumbo);
  std::printf("%-26s %14.3f\n", "Gumbo + html adapter", extract);
  std::printf(
      "crawl target (issue 3): 0.25 CPU s per 1,000 pages, whole "
      "pipeline; Gumbo alone is %.2fx of it\n",
      gumbo / 0.25);
  return sink == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string realworld, pages_dir;
  double min_seconds = 1.0;
  size_t max_pages = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--realworld") == 0) realworld = argv[i + 1];
    if (std::strcmp(argv[i], "--min-seconds") == 0) {
      min_seconds = std::atof(argv[i + 1]);
    }
    if (std::strcmp(argv[i], "--pages") == 0) pages_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--max-pages") == 0) {
      max_pages = std::strtoul(argv[i + 1], nullptr, 10);
    }
  }
  if (!pages_dir.empty()) return RunPages(pages_dir, max_pages, min_seconds);
  if (realworld.empty()) {
    realworld = std::string(SHAGYM_SOURCE_DIR) + "/../shared/realworld";
  }
  using namespace shagym::crawler;
  struct Input {
    const char* name;
    SourceConfig source;
    std::string url;
    std::string body;
  };
  SourceConfig tg =
      Source("tg", SourceType::kTelegram, "https://t.me/s/topwar_official");
  SourceConfig rss =
      Source("rss", SourceType::kRss, "https://ulpressa.ru/feed/");
  SourceConfig forum =
      Source("forum", SourceType::kHtml, "https://forum.kz/t/1");
  forum.post.item = "div.post";
  forum.post.text = ".content";
  forum.post.author = ".user";
  forum.post.time = ".date";
  forum.post.link = "a.num@href";
  forum.next_page = "a.next";
  Input inputs[] = {
      {"telegram_preview", tg, "https://t.me/s/topwar_official?before=71009",
       ReadAll(realworld + "/telegram/tme_s_topwar_official_any2feed.html")},
      {"rss_feed", rss, "https://ulpressa.ru/feed/",
       ReadAll(realworld + "/feeds/rss_ulpressa_ru_excerpt.xml")},
      {"forum_html", forum, "https://forum.kz/t/1", ForumPage()},
  };
  std::printf("%-18s %8s %6s %14s %16s %8s\n", "input", "KB", "posts",
              "gumbo MB/s", "extract MB/s", "ratio");
  size_t sink = 0;
  for (auto& in : inputs) {
    if (in.body.empty()) {
      std::printf("%-18s missing (no %s)\n", in.name, realworld.c_str());
      continue;
    }
    auto adapter = MakeAdapter(in.source);
    if (!adapter.ok()) {
      std::fprintf(stderr, "%s\n", adapter.status().ToString().c_str());
      return 1;
    }
    FetchedPage page;
    page.url = page.final_url = in.url;
    page.body = in.body;
    page.fetched_at = 1715594400;
    size_t posts = (*adapter)->Extract(page).posts.size();
    double gumbo = Rate(
        in.body.size(), min_seconds, [&] { return BareGumbo(in.body); }, &sink);
    double ours = Rate(
        in.body.size(), min_seconds,
        [&] { return (*adapter)->Extract(page).posts.size(); }, &sink);
    std::printf("%-18s %8.1f %6zu %14.1f %16.1f %8.2f\n", in.name,
                in.body.size() / 1024.0, posts, gumbo, ours, ours / gumbo);
  }
  return sink == 0 ? 1 : 0;
}
