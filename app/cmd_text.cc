// classify, rules check|test|backtest.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/crawl_sink.h"
#include "config/rules_loader.h"
#include "nlp/classifier.h"
#include "nlp/normalize.h"

namespace shagym::app {
namespace {

using OJson = nlohmann::ordered_json;

struct Engine {
  std::unique_ptr<nlp::Normalizer> normalizer;
  std::shared_ptr<const nlp::RuleSet> rules;
};

// Loads the rules of `dir`; prints every problem on its own line.
bool LoadEngine(const std::string& dir, Engine* engine) {
  auto n = nlp::Normalizer::Create();
  if (!n.ok()) {
    PrintError(n.status().message());
    return false;
  }
  engine->normalizer = std::move(n).value();
  std::vector<std::string> errors;
  auto rules = config::LoadRuleSet(dir, *engine->normalizer, &errors);
  if (!rules.ok()) {
    for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (errors.empty()) PrintError(rules.status().message());
    return false;
  }
  engine->rules = std::move(rules).value();
  return true;
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

// Keys that classify computes; everything else comes from the input.
bool IsLabelKey(const std::string& k) {
  return k == "lang" || k == "categories" || k == "severity" || k == "region" ||
         k == "school_number" || k == "matches" || k == "institution" ||
         k == "rules_version";
}

int RunClassify(Context* ctx, const std::string& input,
                const std::string& output) {
  const config::Config* cfg = ctx->LoadConfig();
  if (cfg == nullptr) return kExitConfig;
  Engine engine;
  if (!LoadEngine(cfg->rules_dir, &engine)) return kExitConfig;
  nlp::Classifier classifier(engine.normalizer.get());
  StatusOr<EntityFiller> fill = MakeEntityFiller(*cfg);
  if (!fill.ok()) {
    PrintError(fill.status().message());
    return kExitConfig;
  }

  std::ifstream in_file;
  std::istream* in = &std::cin;
  std::string in_name = "<stdin>";
  if (!input.empty() && input != "-") {
    in_file.open(input, std::ios::binary);
    if (!in_file) {
      PrintError(input + ": cannot open input");
      return kExitFailure;
    }
    in = &in_file;
    in_name = input;
  }
  std::FILE* out = stdout;
  if (!output.empty() && output != "-") {
    out = std::fopen(output.c_str(), "wb");
    if (out == nullptr) {
      PrintError(output + ": cannot open output");
      return kExitFailure;
    }
  }
  std::string line;
  int64_t line_no = 0, bad = 0, done = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    OJson obj = OJson::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string problem;
    if (obj.is_discarded()) {
      problem = "not valid JSON";
    } else if (!obj.is_object()) {
      problem = "not a JSON object";
    } else if (!obj.contains("text") || !obj["text"].is_string()) {
      problem = "missing string field \"text\"";
    }
    if (!problem.empty()) {
      std::fprintf(stderr, "%s:%lld: %s (line skipped)\n", in_name.c_str(),
                   static_cast<long long>(line_no), problem.c_str());
      ++bad;
      continue;
    }
    nlp::ClassifyHints hints;
    if (obj.contains("region") && obj["region"].is_string()) {
      hints.region = obj["region"].get<std::string>();
    }
    Post post;
    post.text = obj["text"].get<std::string>();
    post.labels = classifier.Classify(*engine.rules, post.text, hints);
    (*fill)(post.text, &post.labels);
    OJson spec = PostToJson(post);
    OJson result = OJson::object();
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      if (!IsLabelKey(it.key()) && obj.contains(it.key())) {
        result[it.key()] = obj[it.key()];
      } else {
        result[it.key()] = it.value();
      }
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!result.contains(it.key())) result[it.key()] = it.value();
    }
    std::string s =
        result.dump(-1, ' ', false, OJson::error_handler_t::replace);
    s.push_back('\n');
    std::fwrite(s.data(), 1, s.size(), out);
    ++done;
  }
  bool write_failed = std::fflush(out) != 0 || std::ferror(out);
  if (out != stdout) write_failed = std::fclose(out) != 0 || write_failed;
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
  Engine engine;
  if (!LoadEngine(dir, &engine)) return kExitFailure;
  std::printf("ok: %zu rules, %zu patterns, version %s\n",
              engine.rules->rule_count(), engine.rules->pattern_count(),
              engine.rules->version().c_str());
  return kExitOk;
}

int RunRulesTest(Context* ctx, const std::string& text) {
  std::string dir;
  if (!RulesDir(ctx, "", &dir)) return kExitConfig;
  Engine engine;
  if (!LoadEngine(dir, &engine)) return kExitConfig;
  nlp::Classifier classifier(engine.normalizer.get());
  Labels l = classifier.Classify(*engine.rules, text);
  if (const config::Config* cfg = ctx->LoadConfig()) {
    if (auto fill = MakeEntityFiller(*cfg); fill.ok()) (*fill)(text, &l);
  }
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
  j["normalized"] = engine.normalizer->Normalize(text).text;
  std::printf("%s\n",
              j.dump(2, ' ', false, OJson::error_handler_t::replace).c_str());
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
  static std::string backtest_dir;
  backtest->add_option("dir", backtest_dir, "Candidate rule directory");
  OnRun(backtest, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("rules backtest");
  });
}

}  // namespace shagym::app
