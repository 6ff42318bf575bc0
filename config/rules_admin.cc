#include "config/rules_admin.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/rules_backtest.h"

namespace shagym::config {

namespace {

constexpr int64_t kDay = 86400;
constexpr size_t kExamplesPerKind = 10;

// The directory's files, named by their plain names ("kk.yaml") so that
// messages speak of the file the user edits, not of the server's paths.
StatusOr<std::vector<RuleFileText>> ReadPlain(const std::string& dir) {
  StatusOr<std::vector<RuleFileText>> files = ReadRuleDir(dir);
  if (!files.ok()) return files.status();
  for (RuleFileText& f : *files) {
    f.name = std::filesystem::path(f.name).filename().string();
  }
  return files;
}

Status CheckName(const std::string& file) {
  if (!IsRuleFileName(file)) {
    return InvalidArgument("'" + file +
                           "': not a rule file name (letters, digits, '-', "
                           "'_', '.', ending in .yaml)");
  }
  return Status::Ok();
}

// Writes `text` to `path` through a temporary file in the same directory
// and a rename, so that readers (the hot reload of another process) see the
// old file or the new one, never half of it.
Status WriteAtomically(const std::string& dir, const std::string& file,
                       const std::string& text) {
  const std::string path = dir + "/" + file;
  const std::string tmp =
      dir + "/." + file + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError(tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return IOError(tmp + ": write failed: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IOError(tmp + ": " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IOError(path + ": " + why);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

dashboards::RuleError ParseRuleError(const std::string& line) {
  dashboards::RuleError e;
  e.message = line;
  // FILE:LINE:COL: or FILE:LINE: or FILE: what
  size_t c1 = line.find(':');
  if (c1 == std::string::npos) return e;
  e.file = line.substr(0, c1);
  auto number = [&line](size_t at, size_t* end) {
    int n = 0;
    size_t i = at;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && n < 1000000) {
      n = n * 10 + (line[i] - '0');
      ++i;
    }
    *end = i;
    return i > at ? n : -1;
  };
  size_t end = 0;
  int ln = number(c1 + 1, &end);
  if (ln < 0 || end >= line.size() || line[end] != ':') return e;
  e.line = ln;
  int col = number(end + 1, &end);
  if (col >= 0 && end < line.size() && line[end] == ':') e.column = col;
  return e;
}

RulesAdmin::RulesAdmin(RuleEngine* engine, store::Store* store,
                       const Clock* clock)
    : engine_(engine),
      store_(store),
      clock_(clock != nullptr ? clock : SystemClock()) {}

StatusOr<std::vector<dashboards::RuleFile>> RulesAdmin::ListFiles() {
  StatusOr<std::vector<RuleFileText>> files = ReadPlain(engine_->rules_dir());
  if (!files.ok()) return files.status();
  std::vector<dashboards::RuleFile> out;
  for (RuleFileText& f : *files) {
    out.push_back(dashboards::RuleFile{std::move(f.name), std::move(f.text)});
  }
  return out;
}

StatusOr<std::shared_ptr<const nlp::RuleSet>> RulesAdmin::CompileWith(
    const std::string& file, const std::string& text,
    std::vector<dashboards::RuleError>* errors) const {
  if (Status s = CheckName(file); !s.ok()) {
    errors->push_back(dashboards::RuleError{file, 0, 0, s.message()});
    return s;
  }
  StatusOr<std::vector<RuleFileText>> files = ReadPlain(engine_->rules_dir());
  if (!files.ok() && files.status().code() != StatusCode::kNotFound) {
    errors->push_back(
        dashboards::RuleError{"", 0, 0, files.status().message()});
    return files.status();
  }
  std::vector<RuleFileText> set =
      files.ok() ? std::move(files).value() : std::vector<RuleFileText>{};
  bool replaced = false;
  for (RuleFileText& f : set) {
    if (f.name == file) {
      f.text = text;
      replaced = true;
    }
  }
  if (!replaced) {
    set.push_back(RuleFileText{file, text});
    std::sort(set.begin(), set.end(),
              [](const RuleFileText& a, const RuleFileText& b) {
                return a.name < b.name;
              });
  }
  std::vector<std::string> lines;
  auto compiled = engine_->Compile(set, &lines);
  for (const std::string& l : lines) errors->push_back(ParseRuleError(l));
  if (!compiled.ok() && lines.empty()) {
    errors->push_back(ParseRuleError(compiled.status().message()));
  }
  return compiled;
}

std::vector<dashboards::RuleError> RulesAdmin::Validate(
    const std::string& file, const std::string& text) {
  std::vector<dashboards::RuleError> errors;
  (void)CompileWith(file, text, &errors);
  return errors;
}

Status RulesAdmin::Save(const std::string& file, const std::string& text) {
  std::lock_guard<std::mutex> lock(save_mu_);
  std::vector<dashboards::RuleError> errors;
  auto set = CompileWith(file, text, &errors);
  if (!set.ok()) {
    return InvalidArgument(errors.empty() ? set.status().message()
                                          : errors.front().message);
  }
  Status s = WriteAtomically(engine_->rules_dir(), file, text);
  if (!s.ok()) return s;
  engine_->Install(std::move(set).value());
  return Status::Ok();
}

StatusOr<Labels> RulesAdmin::Test(const std::string& text) {
  return engine_->Classify(text);
}

StatusOr<dashboards::BacktestResult> RulesAdmin::Backtest(
    const std::string& file, const std::string& text, int64_t days,
    int64_t max_posts) {
  std::vector<dashboards::RuleError> errors;
  auto candidate = CompileWith(file, text, &errors);
  if (!candidate.ok()) {
    return InvalidArgument(errors.empty() ? candidate.status().message()
                                          : errors.front().message);
  }
  BacktestOptions o;
  if (days > 0) o.from = clock_->NowSeconds() - days * kDay;
  o.max_posts = max_posts;
  o.max_examples = kExamplesPerKind;
  std::shared_ptr<const nlp::RuleSet> running = engine_->rules();
  StatusOr<BacktestReport> r =
      config::Backtest(store_, *engine_, running.get(), **candidate, o);
  if (!r.ok()) return r.status();
  dashboards::BacktestResult out;
  out.posts_scanned = r->posts_scanned;
  out.added = r->added;
  out.dropped = r->dropped;
  out.changed = r->changed;
  for (auto* kind : {&r->added_posts, &r->dropped_posts, &r->changed_posts}) {
    for (BacktestPost& p : *kind) {
      out.examples.push_back(
          dashboards::BacktestChange{std::move(p.id), std::move(p.text),
                                     std::move(p.before), std::move(p.after)});
    }
  }
  for (const BacktestCategory& c : r->categories) {
    if (c.before == 0 && c.after == 0) continue;
    out.categories.push_back(dashboards::BacktestCategoryCount{
        c.category, c.before, c.after, c.added, c.dropped});
  }
  for (const BacktestRule& x : r->rules) {
    out.rules.push_back(
        dashboards::BacktestRuleCount{x.rule, x.category, x.before, x.after});
  }
  return out;
}

}  // namespace shagym::config
