#include "config/rules_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "config/yaml_reader.h"

namespace shagym::config {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string_view> kFileKeys = {
    "category", "lang", "severity", "lists", "not", "rules", "examples"};
const std::vector<std::string_view> kRuleKeys = {
    "id",  "category", "lang", "severity", "any",
    "all", "near",     "not",  "negation"};
const std::vector<std::string_view> kNearKeys = {"terms", "within", "ordered",
                                                 "across_sentences"};
const std::vector<std::string_view> kTermKeys = {"word", "stem", "re"};
const std::vector<std::string_view> kExampleKeys = {"match", "no_match"};

// Raw list definitions, resolved after every file has been read.
struct ListDef {
  YamlReader* reader;
  YAML::Node node;
};

class Parser {
 public:
  explicit Parser(std::vector<std::string>* errors) : errors_(errors) {}

  void ReadFile(const RuleFileText& f) {
    readers_.push_back(std::make_unique<YamlReader>(f.name));
    YamlReader* r = readers_.back().get();
    try {
      YAML::Node root = r->Parse(f.text);
      if (!root.IsDefined() || root.IsNull()) {
        errors_->push_back(f.name + ": empty rule file");
        return;
      }
      if (!root.IsMap()) r->Fail(root, "a rule file must be a mapping");
      r->CheckMap(root, "rule file", kFileKeys);
      if (YAML::Node lists = root["lists"]) {
        if (!lists.IsMap()) r->Fail(lists, "lists: must be a mapping");
        for (const auto& kv : lists) {
          std::string name = r->String(kv.first, "list name");
          if (lists_.count(name)) {
            Error(r->Where(kv.first) + ": list '" + OneLine(name) +
                  "' is already defined");
            continue;
          }
          lists_[name] = ListDef{r, kv.second};
        }
      }
      files_.push_back(Pending{r, root});
    } catch (const ConfigError& e) {
      Error(e.what());
    } catch (const YAML::Exception& e) {
      Error(f.name + ": " + e.what());
    }
  }

  nlp::RuleSetSpec Finish() {
    nlp::RuleSetSpec spec;
    for (const Pending& p : files_) spec.files.push_back(ParseFile(p));
    return spec;
  }

 private:
  struct Pending {
    YamlReader* r;
    YAML::Node root;
  };

  void Error(const std::string& line) { errors_->push_back(line); }

  nlp::RuleFileSpec ParseFile(const Pending& p) {
    YamlReader& r = *p.r;
    nlp::RuleFileSpec file;
    file.path = r.file();
    std::string category, lang = "any", severity;
    nlp::TermGroup file_not;
    try {
      if (auto n = p.root["category"]) category = r.String(n, "category");
      if (auto n = p.root["lang"]) lang = r.String(n, "lang");
      if (auto n = p.root["severity"]) severity = r.String(n, "severity");
      if (auto n = p.root["not"]) file_not = Group(r, n, 0);
    } catch (const ConfigError& e) {
      Error(e.what());
    }
    if (YAML::Node rules = p.root["rules"]) {
      if (!rules.IsSequence()) {
        Error(r.Where(rules) + ": rules: must be a list");
      } else {
        for (const YAML::Node& rn : rules) {
          nlp::RuleSpec rule;
          rule.category = category;
          rule.lang = lang;
          if (!severity.empty()) rule.severity = severity;
          rule.where = r.Where(rn);
          try {
            ParseRule(r, rn, &rule);
            rule.exclude.insert(rule.exclude.end(), file_not.begin(),
                                file_not.end());
            file.rules.push_back(std::move(rule));
          } catch (const ConfigError& e) {
            std::string msg = e.what();
            // Name the rule when it is known: FILE:L:C: rule 'id': what.
            if (!rule.id.empty()) {
              size_t colon = msg.find(": ");
              if (colon != std::string::npos) {
                msg = msg.substr(0, colon) + ": rule '" + OneLine(rule.id) +
                      "'" + msg.substr(colon);
              }
            }
            Error(msg);
          }
        }
      }
    }
    if (YAML::Node ex = p.root["examples"]) {
      try {
        r.CheckMap(ex, "examples", kExampleKeys);
        for (const char* key : {"match", "no_match"}) {
          YAML::Node list = ex[key];
          if (!list) continue;
          if (!list.IsSequence())
            r.Fail(list, std::string(key) + ": must be a list");
          for (const YAML::Node& t : list) {
            file.examples.push_back(
                nlp::ExampleSpec{r.String(t, "example"),
                                 std::string(key) == "match", r.Where(t)});
          }
        }
      } catch (const ConfigError& e) {
        Error(e.what());
      }
    }
    return file;
  }

  void ParseRule(YamlReader& r, const YAML::Node& n, nlp::RuleSpec* rule) {
    if (!n.IsMap()) r.Fail(n, "a rule must be a mapping");
    if (auto id = n["id"]) rule->id = r.String(id, "id");
    r.CheckMap(n, "rule", kRuleKeys);
    r.Require(n, "id", "rule");
    if (auto v = n["category"]) rule->category = r.String(v, "category");
    if (rule->category.empty()) {
      r.Fail(n, "missing category (in the rule or at the top of the file)");
    }
    if (!nlp::IsCategoryId(rule->category) &&
        rule->category != nlp::kSeverityCategory) {
      std::vector<std::string_view> ids(nlp::CategoryIds().begin(),
                                        nlp::CategoryIds().end());
      std::string s = Suggest(rule->category, ids);
      r.Fail(n["category"] ? n["category"] : n,
             "unknown category '" + rule->category + "'" +
                 (s.empty() ? "" : " (did you mean '" + s + "'?)"));
    }
    if (auto v = n["lang"]) rule->lang = r.String(v, "lang");
    if (rule->lang != "kk" && rule->lang != "ru" && rule->lang != "any") {
      r.Fail(n["lang"] ? n["lang"] : n,
             "lang must be kk, ru or any, not '" + rule->lang + "'");
    }
    if (auto v = n["severity"]) rule->severity = r.String(v, "severity");
    if (nlp::SeverityRank(rule->severity) == 0) {
      r.Fail(
          n["severity"] ? n["severity"] : n,
          "severity must be high, medium or low, not '" + rule->severity + "'");
    }
    if (auto v = n["negation"]) rule->negation = r.Bool(v, "negation");
    if (auto v = n["any"]) rule->any = Group(r, v, 0);
    if (auto v = n["all"]) {
      if (!v.IsSequence()) r.Fail(v, "all: must be a list of groups");
      for (const YAML::Node& g : v) rule->all.push_back(Group(r, g, 0));
    }
    if (auto v = n["near"]) {
      std::vector<YAML::Node> clauses;
      if (v.IsMap()) {
        clauses.push_back(v);
      } else if (v.IsSequence()) {
        for (const YAML::Node& c : v) clauses.push_back(c);
      } else {
        r.Fail(v, "near: must be a mapping {terms: [...], within: N}");
      }
      for (const YAML::Node& c : clauses) {
        if (!c.IsMap()) r.Fail(c, "near: must be a mapping");
        r.CheckMap(c, "near", kNearKeys);
        r.Require(c, "terms", "near");
        nlp::NearSpec ns;
        ns.where = r.Where(c);
        YAML::Node terms = c["terms"];
        if (!terms.IsSequence()) r.Fail(terms, "terms: must be a list");
        for (const YAML::Node& g : terms) ns.groups.push_back(Group(r, g, 0));
        if (auto w = c["within"])
          ns.within = static_cast<int>(r.Int(w, "within", 1, 100));
        if (auto o = c["ordered"]) ns.ordered = r.Bool(o, "ordered");
        if (auto o = c["across_sentences"]) {
          ns.across_sentences = r.Bool(o, "across_sentences");
        }
        rule->near.push_back(std::move(ns));
      }
    }
    if (auto v = n["not"]) rule->exclude = Group(r, v, 0);
    if (rule->any.empty() && rule->all.empty() && rule->near.empty()) {
      r.Fail(n, "empty condition: give any:, all: or near:");
    }
    for (const auto& g : rule->all) {
      if (g.empty()) r.Fail(n["all"], "empty group in all:");
    }
  }

  // A group: one term, "@list", or a list of those.
  nlp::TermGroup Group(YamlReader& r, const YAML::Node& n, int depth) {
    nlp::TermGroup out;
    if (depth > 8) r.Fail(n, "lists nest too deeply (a cycle?)");
    if (n.IsSequence()) {
      for (const YAML::Node& t : n) {
        nlp::TermGroup g = Group(r, t, depth);
        out.insert(out.end(), g.begin(), g.end());
      }
      return out;
    }
    if (n.IsMap()) {
      r.CheckMap(n, "term", kTermKeys);
      if (n.size() != 1) r.Fail(n, "a term has exactly one of word, stem, re");
      auto kv = *n.begin();
      std::string key = kv.first.as<std::string>();
      nlp::TermSpec::Kind kind = key == "stem" ? nlp::TermSpec::Kind::kStem
                                 : key == "re" ? nlp::TermSpec::Kind::kRegex
                                               : nlp::TermSpec::Kind::kWord;
      for (const std::string& v : r.StringList(kv.second, key)) {
        if (v.empty()) r.Fail(kv.second, "empty " + key);
        out.push_back(nlp::TermSpec{kind, v, r.Where(kv.second)});
      }
      return out;
    }
    std::string s = r.String(n, "term");
    if (s.empty()) r.Fail(n, "empty term");
    if (s[0] == '@') {
      std::string name = s.substr(1);
      auto it = lists_.find(name);
      if (it == lists_.end()) {
        std::vector<std::string_view> names;
        for (const auto& [k, v] : lists_) names.push_back(k);
        std::string sug = Suggest(name, names);
        r.Fail(n, "unknown list '@" + name + "'" +
                      (sug.empty() ? "" : " (did you mean '@" + sug + "'?)"));
      }
      // A list is expanded once: rules refer to "@school" or "@exclude"
      // hundreds of times, and walking its YAML nodes again each time was
      // most of the cost of loading the shipped rules.
      auto done = expanded_.find(name);
      if (done != expanded_.end()) return done->second;
      nlp::TermGroup g = Group(*it->second.reader, it->second.node, depth + 1);
      expanded_.emplace(name, g);
      return g;
    }
    out.push_back(nlp::TermSpec{nlp::TermSpec::Kind::kWord, s, r.Where(n)});
    return out;
  }

  std::vector<std::string>* errors_;
  std::vector<std::unique_ptr<YamlReader>> readers_;
  std::map<std::string, ListDef> lists_;
  std::map<std::string, nlp::TermGroup> expanded_;  // by list name
  std::vector<Pending> files_;
};

}  // namespace

StatusOr<std::vector<RuleFileText>> ReadRuleDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFound(dir + ": rule directory not found");
  }
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > 5 &&
        name.substr(name.size() - 5) == ".yaml" && name[0] != '.') {
      names.push_back(name);
    }
  }
  if (ec) return IOError(dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  if (names.empty()) return NotFound(dir + ": no *.yaml rule files");
  std::vector<RuleFileText> out;
  std::string prefix = dir;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  for (const std::string& name : names) {
    std::string path = prefix + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) return IOError(path + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(RuleFileText{path, ss.str()});
  }
  return out;
}

StatusOr<nlp::RuleSetSpec> ParseRuleFiles(
    const std::vector<RuleFileText>& files, std::vector<std::string>* errors) {
  size_t first = errors->size();
  Parser parser(errors);
  for (const RuleFileText& f : files) parser.ReadFile(f);
  nlp::RuleSetSpec spec = parser.Finish();
  if (errors->size() > first) {
    size_t n = errors->size() - first;
    return InvalidArgument(
        (*errors)[first] +
        (n > 1 ? " (and " + std::to_string(n - 1) + " more problems)" : ""));
  }
  return spec;
}

StatusOr<std::shared_ptr<const nlp::RuleSet>> LoadRuleSet(
    const std::string& dir, const nlp::Normalizer& normalizer,
    std::vector<std::string>* errors) {
  StatusOr<std::vector<RuleFileText>> files = ReadRuleDir(dir);
  if (!files.ok()) {
    errors->push_back(files.status().message());
    return files.status();
  }
  return CompileRuleFiles(*files, normalizer, errors);
}

bool IsRuleFileName(std::string_view name) {
  constexpr std::string_view kExt = ".yaml";
  if (name.size() <= kExt.size() || name.size() > 200 || name[0] == '.' ||
      !name.ends_with(kExt)) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

StatusOr<std::shared_ptr<const nlp::RuleSet>> CompileRuleFiles(
    const std::vector<RuleFileText>& files, const nlp::Normalizer& normalizer,
    std::vector<std::string>* errors) {
  size_t first = errors->size();
  StatusOr<nlp::RuleSetSpec> spec = ParseRuleFiles(files, errors);
  // Compile even when parsing found problems, so that bad patterns are
  // reported in the same run; the result is refused either way.
  nlp::RuleSetSpec partial = spec.ok() ? std::move(*spec) : nlp::RuleSetSpec{};
  if (!spec.ok()) {
    // Re-parse leniently is not possible; compile what parsed cleanly.
    std::vector<std::string> ignored;
    Parser lenient(&ignored);
    for (const RuleFileText& f : files) lenient.ReadFile(f);
    partial = lenient.Finish();
    for (auto& file : partial.files) file.examples.clear();
  }
  auto set = nlp::RuleSet::Compile(partial, normalizer, errors);
  if (errors->size() > first) {
    size_t n = errors->size() - first;
    return InvalidArgument(
        (*errors)[first] +
        (n > 1 ? " (and " + std::to_string(n - 1) + " more problems)" : ""));
  }
  return set;
}

std::string RuleDirFingerprint(const std::string& dir) {
  StatusOr<std::vector<RuleFileText>> files = ReadRuleDir(dir);
  if (!files.ok()) return "";
  std::string fp;
  for (const auto& f : *files) {
    fp += f.name;
    fp += '\0';
    fp += std::to_string(std::hash<std::string>()(f.text));
    fp += '\0';
  }
  return fp;
}

std::unique_ptr<nlp::RulesReloader> MakeRulesReloader(
    const std::string& dir, const nlp::Normalizer* normalizer,
    std::shared_ptr<const nlp::RuleSet> initial, Logger* logger) {
  auto loader =
      [dir, normalizer]() -> StatusOr<std::shared_ptr<const nlp::RuleSet>> {
    std::vector<std::string> errors;
    return LoadRuleSet(dir, *normalizer, &errors);
  };
  auto fingerprint = [dir] { return RuleDirFingerprint(dir); };
  return std::make_unique<nlp::RulesReloader>(std::move(initial), loader,
                                              fingerprint, logger);
}

}  // namespace shagym::config
