// classify, rules check|test|backtest.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "common/logger.h"
#include "common/time_util.h"
#include "config/classify_jsonl.h"
#include "config/rule_engine.h"
#include "config/rules_backtest.h"
#include "store/store.h"

namespace shagym::app {
namespace {

using OJson = nlohmann::ordered_json;

// Loads the rules of `dir` (and the gazetteer when given); prints every
// problem on its own line.
std::unique_ptr<config::RuleEngine> LoadEngine(const std::string& dir,
                                               const std::string& gazetteer) {
  std::vector<std::string> errors;
  auto engine = config::RuleEngine::Load(dir, gazetteer, &errors);
  if (!engine.ok()) {
    for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (errors.empty()) PrintError(engine.status().message());
    return nullptr;
  }
  return std::move(engine).value();
}

// The rule directory: the argument, else the configuration's rules_dir.
bool RulesDir(Context* ctx, const std::string& arg, std::string* dir) {
  if (!arg.empty()) {
    *dir = arg;
    return true;
  }
  const config::Config* cfg = ctx->LoadConfig();
  if (cfg == nullptr) return false;
  *dir = cfg->rules_dir;
  return true;
}

// Calls `fn(line)` for every line of `in` (without '\n'; like
// std::getline, a last line without a newline counts). Reads in large
// blocks: classify's input is often hundreds of MB. False on a read error.
template <typename Fn>
bool ForEachLine(std::FILE* in, Fn fn) {
  std::string buf;
  std::vector<char> block(size_t{1} << 20);
  while (true) {
    size_t n = std::fread(block.data(), 1, block.size(), in);
    if (n == 0) break;
    size_t begin = 0;
    while (begin < n) {
      const void* nl = std::memchr(block.data() + begin, '\n', n - begin);
      if (nl == nullptr) break;
      const size_t i =
          static_cast<size_t>(static_cast<const char*>(nl) - block.data());
      if (buf.empty()) {
        fn(std::string_view(block.data() + begin, i - begin));
      } else {
        buf.append(block.data() + begin, i - begin);
        fn(std::string_view(buf));
        buf.clear();
      }
      begin = i + 1;
    }
    buf.append(block.data() + begin, n - begin);
  }
  if (!buf.empty()) fn(std::string_view(buf));
  return !std::ferror(in);
}

int RunClassify(Context* ctx, const std::string& input,
                const std::string& output) {
  const config::Config* cfg = ctx->LoadConfig();
  if (cfg == nullptr) return kExitConfig;
  std::unique_ptr<config::RuleEngine> engine =
      LoadEngine(cfg->rules_dir, cfg->gazetteer);
  if (engine == nullptr) return kExitConfig;

  std::FILE* in = stdin;
  std::string in_name = "<stdin>";
  if (!input.empty() && input != "-") {
    in = std::fopen(input.c_str(), "rb");
    if (in == nullptr) {
      PrintError(input + ": cannot open input");
      return kExitFailure;
    }
    in_name = input;
  }
  std::FILE* out = stdout;
  if (!output.empty() && output != "-") {
    out = std::fopen(output.c_str(), "wb");
    if (out == nullptr) {
      if (in != stdin) std::fclose(in);
      PrintError(output + ": cannot open output");
      return kExitFailure;
    }
  }
  // One rule set for the whole run, one codec and one output buffer reused
  // from line to line.
  std::shared_ptr<const nlp::RuleSet> rules = engine->rules();
  config::ClassifyJsonl codec;
  nlp::AnalyzedText analysis;
  nlp::ClassifyHints hints;
  Labels labels;
  std::string buffer;
  int64_t line_no = 0, bad = 0, done = 0;
  bool read_ok = ForEachLine(in, [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    std::string problem = codec.Parse(line);
    if (!problem.empty()) {
      std::fprintf(stderr, "%s:%lld: %s (line skipped)\n", in_name.c_str(),
                   static_cast<long long>(line_no), problem.c_str());
      ++bad;
      return;
    }
    codec.Region(&hints.region);
    engine->Classify(*rules, codec.text(), hints, &analysis, &labels);
    codec.Write(labels, &buffer);
    if (buffer.size() >= (size_t{1} << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
    ++done;
  });
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (in != stdin) std::fclose(in);
  bool write_failed = std::fflush(out) != 0 || std::ferror(out);
  if (out != stdout) write_failed = std::fclose(out) != 0 || write_failed;
  if (!read_ok) {
    PrintError(in_name + ": read failed");
    return kExitFailure;
  }
  if (write_failed) {
    PrintError((output.empty() ? "<stdout>" : output) + ": write failed");
    return kExitFailure;
  }
  Log(nullptr, LogLevel::kInfo, "classify_done",
      {{"posts", static_cast<long long>(done)},
       {"skipped", static_cast<long long>(bad)}});
  return kExitOk;
}

int RunRulesCheck(Context* ctx, const std::string& arg) {
  std::string dir;
  if (!RulesDir(ctx, arg, &dir)) return kExitConfig;
  std::unique_ptr<config::RuleEngine> engine = LoadEngine(dir, "");
  if (engine == nullptr) return kExitFailure;
  std::shared_ptr<const nlp::RuleSet> rules = engine->rules();
  std::printf("ok: %zu rules, %zu patterns, version %s\n", rules->rule_count(),
              rules->pattern_count(), rules->version().c_str());
  return kExitOk;
}

int RunRulesTest(Context* ctx, const std::string& text) {
  const config::Config* cfg = ctx->LoadConfig();
  if (cfg == nullptr) return kExitConfig;
  std::unique_ptr<config::RuleEngine> engine =
      LoadEngine(cfg->rules_dir, cfg->gazetteer);
  if (engine == nullptr) return kExitConfig;
  Labels l = engine->Classify(text);
  OJson j = OJson::object();
  j["lang"] = l.lang;
  j["categories"] = l.categories;
  j["severity"] = l.severity;
  j["region"] = l.region.empty() ? OJson(nullptr) : OJson(l.region);
  j["school_number"] =
      l.school_number.empty() ? OJson(nullptr) : OJson(l.school_number);
  OJson matches = OJson::array();
  for (const Match& m : l.matches) {
    matches.push_back(
        OJson{{"rule", m.rule},
              {"category", m.category},
              {"start", m.start},
              {"end", m.end},
              {"text", text.substr(static_cast<size_t>(m.start),
                                   static_cast<size_t>(m.end - m.start))}});
  }
  j["matches"] = std::move(matches);
  j["rules_version"] = l.rules_version;
  j["normalized"] = engine->normalizer().Normalize(text).text;
  std::printf("%s\n",
              j.dump(2, ' ', false, OJson::error_handler_t::replace).c_str());
  return kExitOk;
}

struct BacktestFlags {
  std::string dir;
  std::string since;
  int64_t days = 0;
  int64_t max_posts = 0;
  int64_t examples = 20;
  std::string format = "table";
};

// At most `max` bytes of `text` on one line, cut on a UTF-8 boundary.
std::string Snippet(std::string_view text, size_t max) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < max; ++i) {
    char c = text[i];
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  if (out.size() < text.size()) {
    while (!out.empty() &&
           (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      out.pop_back();
    }
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) {
      out.pop_back();
    }
    out += "…";
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ",";
    out += s;
  }
  return out.empty() ? "-" : out;
}

OJson BacktestJson(const config::BacktestReport& r,
                   const std::function<std::string(std::string_view)>& mask,
                   int64_t from, int64_t to) {
  OJson j = OJson::object();
  j["from"] = from > 0 ? OJson(FormatIso8601Utc(from)) : OJson(nullptr);
  j["to"] = to > 0 ? OJson(FormatIso8601Utc(to)) : OJson(nullptr);
  j["version_before"] = r.version_before;
  j["version_after"] = r.version_after;
  j["posts_scanned"] = r.posts_scanned;
  j["complaints_before"] = r.complaints_before;
  j["complaints_after"] = r.complaints_after;
  j["added"] = r.added;
  j["dropped"] = r.dropped;
  j["changed"] = r.changed;
  OJson cats = OJson::array();
  for (const auto& c : r.categories) {
    cats.push_back(OJson{{"category", c.category},
                         {"before", c.before},
                         {"after", c.after},
                         {"added", c.added},
                         {"dropped", c.dropped}});
  }
  j["categories"] = std::move(cats);
  OJson rules = OJson::array();
  for (const auto& x : r.rules) {
    rules.push_back(OJson{{"rule", x.rule},
                          {"category", x.category},
                          {"before", x.before},
                          {"after", x.after},
                          {"in_before", x.in_before},
                          {"in_after", x.in_after}});
  }
  j["rules"] = std::move(rules);
  auto posts = [&mask](const std::vector<config::BacktestPost>& v) {
    OJson a = OJson::array();
    for (const auto& p : v) {
      a.push_back(OJson{{"id", p.id},
                        {"time", FormatIso8601Utc(p.time)},
                        {"before", p.before},
                        {"after", p.after},
                        {"text", mask(p.text)}});
    }
    return a;
  };
  j["added_posts"] = posts(r.added_posts);
  j["dropped_posts"] = posts(r.dropped_posts);
  j["changed_posts"] = posts(r.changed_posts);
  return j;
}

void PrintBacktestTable(
    const config::BacktestReport& r,
    const std::function<std::string(std::string_view)>& mask, int64_t from,
    int64_t to) {
  std::printf("backtest: %lld posts from %s to %s; rules %s -> %s\n",
              static_cast<long long>(r.posts_scanned),
              from > 0 ? FormatDateUtc(from).c_str() : "the first",
              to > 0 ? FormatDateUtc(to).c_str() : "now",
              r.version_before.c_str(), r.version_after.c_str());
  std::printf(
      "complaints: %lld -> %lld (added %lld, dropped %lld, category "
      "changes %lld)\n",
      static_cast<long long>(r.complaints_before),
      static_cast<long long>(r.complaints_after),
      static_cast<long long>(r.added), static_cast<long long>(r.dropped),
      static_cast<long long>(r.changed));
  std::printf("\n%-22s %8s %8s %8s %8s\n", "category", "before", "after",
              "added", "dropped");
  for (const auto& c : r.categories) {
    if (c.before == 0 && c.after == 0) continue;
    std::printf(
        "%-22s %8lld %8lld %8lld %8lld\n", c.category.c_str(),
        static_cast<long long>(c.before), static_cast<long long>(c.after),
        static_cast<long long>(c.added), static_cast<long long>(c.dropped));
  }
  bool header = false;
  for (const auto& x : r.rules) {
    if (x.before == x.after && x.in_before == x.in_after) continue;
    if (!header) {
      std::printf("\n%-30s %8s %8s\n", "rule (hits changed)", "before",
                  "after");
      header = true;
    }
    const char* note = !x.in_before  ? "  new rule"
                       : !x.in_after ? "  removed rule"
                                     : "";
    std::printf("%-30s %8lld %8lld%s\n", x.rule.c_str(),
                static_cast<long long>(x.before),
                static_cast<long long>(x.after), note);
  }
  if (!header) std::printf("\nno rule's hit count changed\n");
  auto list = [&mask](const char* what, int64_t n,
                      const std::vector<config::BacktestPost>& v) {
    if (v.empty()) return;
    std::printf("\n%s (%lld, newest %zu):\n", what, static_cast<long long>(n),
                v.size());
    for (const auto& p : v) {
      std::printf("  %s %s [%s] -> [%s] %s\n", p.id.c_str(),
                  FormatDateUtc(p.time).c_str(), Join(p.before).c_str(),
                  Join(p.after).c_str(), Snippet(mask(p.text), 100).c_str());
    }
  };
  list("added", r.added, r.added_posts);
  list("dropped", r.dropped, r.dropped_posts);
  list("category changes", r.changed, r.changed_posts);
}

int RunRulesBacktest(Context* ctx, const BacktestFlags& flags) {
  const config::Config* cfg = ctx->LoadConfig();
  if (cfg == nullptr) return kExitConfig;
  if (flags.format != "table" && flags.format != "json") {
    PrintError("--format: expected table or json, got '" + flags.format + "'");
    return kExitConfig;
  }
  if (flags.days < 0 || flags.max_posts < 0 || flags.examples < 0) {
    PrintError("--days, --max-posts and --examples must not be negative");
    return kExitConfig;
  }
  int64_t from = 0;
  if (!flags.since.empty()) {
    std::optional<int64_t> t = ParseIso8601(flags.since);
    if (!t) {
      PrintError("--since: expected a date like 2024-05-13, got '" +
                 flags.since + "'");
      return kExitConfig;
    }
    from = *t;
  }
  if (flags.days > 0) {
    from = std::max(
        from, static_cast<int64_t>(std::time(nullptr)) - flags.days * 86400);
  }
  // The running rules (the baseline), then the candidate.
  std::unique_ptr<config::RuleEngine> engine = LoadEngine(cfg->rules_dir, "");
  if (engine == nullptr) return kExitConfig;
  std::shared_ptr<const nlp::RuleSet> running = engine->rules();
  std::shared_ptr<const nlp::RuleSet> candidate = running;
  if (!flags.dir.empty()) {
    std::vector<std::string> errors;
    StatusOr<std::vector<config::RuleFileText>> files =
        config::ReadRuleDir(flags.dir);
    if (!files.ok()) {
      PrintError(files.status().message());
      return kExitFailure;
    }
    auto set = engine->Compile(*files, &errors);
    if (!set.ok()) {
      for (const std::string& e : errors)
        std::fprintf(stderr, "%s\n", e.c_str());
      if (errors.empty()) PrintError(set.status().message());
      return kExitFailure;
    }
    candidate = std::move(set).value();
  }
  StatusOr<std::unique_ptr<store::Store>> st = store::Store::Open(cfg->store);
  if (!st.ok()) {
    PrintError(st.status().message());
    return kExitFailure;
  }
  config::BacktestOptions o;
  o.from = from;
  o.max_posts = flags.max_posts;
  o.max_examples = static_cast<size_t>(flags.examples);
  const bool tty = isatty(STDERR_FILENO) == 1;
  o.progress = [tty](int64_t n) {
    if (tty) {
      std::fprintf(stderr, "\rbacktest: %lld posts", static_cast<long long>(n));
    } else if (n % 100000 == 0 && n > 0) {
      Log(nullptr, LogLevel::kInfo, "backtest", {{"posts", n}});
    }
  };
  // Without DIR the stored labels are the baseline: what `reclassify` with
  // the running rules would change.
  StatusOr<config::BacktestReport> r = config::Backtest(
      st->get(), *engine, flags.dir.empty() ? nullptr : running.get(),
      *candidate, o);
  if (tty) std::fputc('\n', stderr);
  if (!r.ok()) {
    PrintError(r.status().message());
    return kExitFailure;
  }
  std::function<std::string(std::string_view)> mask = MakeMasker(*cfg);
  if (flags.format == "json") {
    std::printf("%s\n",
                BacktestJson(*r, mask, from, 0)
                    .dump(2, ' ', false, OJson::error_handler_t::replace)
                    .c_str());
  } else {
    PrintBacktestTable(*r, mask, from, 0);
  }
  Log(nullptr, LogLevel::kInfo, "backtest_done",
      {{"posts", r->posts_scanned},
       {"added", r->added},
       {"dropped", r->dropped},
       {"changed", r->changed}});
  return kExitOk;
}

}  // namespace

void RegisterTextCommands(CLI::App& app, Context* ctx) {
  auto* classify = app.add_subcommand(
      "classify", "Classify JSON Lines posts offline (stores nothing)");
  static std::string input, output;
  classify->add_option("--input", input, "JSON Lines input (default: stdin)");
  classify->add_option("--output", output,
                       "JSON Lines output (default: stdout)");
  OnRun(classify, ctx, [ctx] { return RunClassify(ctx, input, output); });

  auto* rules =
      app.add_subcommand("rules", "Validate, try and back-test rules");
  rules->require_subcommand(1);
  auto* check = rules->add_subcommand(
      "check", "Validate rule files and run their examples");
  static std::string check_dir;
  check->add_option("dir", check_dir, "Rule directory (default: rules_dir)");
  OnRun(check, ctx, [ctx] { return RunRulesCheck(ctx, check_dir); });
  auto* test =
      rules->add_subcommand("test", "Show the matches of the rules on a text");
  static std::string text;
  test->add_option("--text", text, "Text to classify")->required();
  OnRun(test, ctx, [ctx] { return RunRulesTest(ctx, text); });
  auto* backtest = rules->add_subcommand(
      "backtest", "Which stored posts a candidate rule set adds or drops");
  static BacktestFlags bt;
  backtest->add_option("dir", bt.dir,
                       "Candidate rule directory (default: compare the "
                       "stored labels with rules_dir)");
  backtest->add_option("--since", bt.since, "Only posts from this date on");
  backtest->add_option("--days", bt.days, "Only posts of the last N days");
  backtest->add_option("--max-posts", bt.max_posts,
                       "At most the newest N posts (default: all)");
  backtest->add_option("--examples", bt.examples,
                       "Example posts listed per kind (default: 20)");
  backtest->add_option("--format", bt.format, "table (default) or json");
  OnRun(backtest, ctx, [ctx] { return RunRulesBacktest(ctx, bt); });
}

}  // namespace shagym::app
