#include "config/rules_backtest.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "nlp/rules/rule_spec.h"

namespace shagym::config {

namespace {

constexpr int64_t kProgressEvery = 2000;

// The distinct rule ids of `labels`' matches.
std::set<std::string> RulesHit(const Labels& labels) {
  std::set<std::string> ids;
  for (const Match& m : labels.matches) ids.insert(m.rule);
  return ids;
}

// Keeps the last `max` posts pushed (the newest: posts come oldest first).
class Newest {
 public:
  explicit Newest(size_t max) : max_(max) {}
  void Push(BacktestPost p) {
    if (max_ == 0) return;
    if (posts_.size() == max_) posts_.pop_front();
    posts_.push_back(std::move(p));
  }
  std::vector<BacktestPost> NewestFirst() {
    return std::vector<BacktestPost>(std::make_move_iterator(posts_.rbegin()),
                                     std::make_move_iterator(posts_.rend()));
  }

 private:
  size_t max_;
  std::deque<BacktestPost> posts_;
};

}  // namespace

StatusOr<BacktestReport> Backtest(store::Store* store, const RuleEngine& engine,
                                  const nlp::RuleSet* before,
                                  const nlp::RuleSet& after,
                                  const BacktestOptions& options) {
  BacktestReport report;
  report.version_before = before != nullptr ? before->version() : "stored";
  report.version_after = after.version();

  std::map<std::string, BacktestRule> rules;
  auto add_rules = [&rules](const nlp::RuleSet& set, bool is_before) {
    for (size_t i = 0; i < set.rule_count(); ++i) {
      const nlp::RuleInfo& info = set.rule(static_cast<int>(i));
      BacktestRule& r = rules[info.id];
      r.rule = info.id;
      r.category = info.category;
      (is_before ? r.in_before : r.in_after) = true;
    }
  };
  if (before != nullptr) add_rules(*before, true);
  add_rules(after, false);
  std::map<std::string, BacktestCategory> categories;
  for (const std::string& c : nlp::CategoryIds()) {
    categories[c].category = c;
  }

  store::PostQuery query;
  query.from = options.from;
  query.to = options.to;
  int64_t skip = 0;
  if (options.max_posts > 0) {
    StatusOr<int64_t> n = store->CountPosts(query);
    if (!n.ok()) return n.status();
    skip = std::max<int64_t>(0, *n - options.max_posts);
  }

  Newest added(options.max_examples), dropped(options.max_examples),
      changed(options.max_examples);
  const nlp::Classifier& classifier = engine.classifier();
  int64_t seen = 0;
  Status s = store->ForEachPost(query, [&](const Post& post) -> Status {
    if (seen++ < skip) return Status::Ok();
    nlp::NormalizedText nt = engine.normalizer().Normalize(post.text);
    Labels old_labels =
        before != nullptr ? classifier.Classify(*before, nt) : post.labels;
    Labels new_labels = classifier.Classify(after, nt);
    ++report.posts_scanned;

    for (const std::string& id : RulesHit(old_labels)) {
      BacktestRule& r = rules[id];
      r.rule = id;
      // Stored labels: the rules that made them existed then.
      if (before == nullptr) r.in_before = true;
      ++r.before;
    }
    for (const Match& m : old_labels.matches) {
      BacktestRule& r = rules[m.rule];
      if (r.category.empty()) r.category = m.category;
    }
    for (const std::string& id : RulesHit(new_labels)) ++rules[id].after;

    const std::vector<std::string>& b = old_labels.categories;
    const std::vector<std::string>& a = new_labels.categories;
    for (const std::string& c : b) {
      BacktestCategory& cat = categories[c];
      cat.category = c;
      ++cat.before;
      if (!std::binary_search(a.begin(), a.end(), c)) ++cat.dropped;
    }
    for (const std::string& c : a) {
      BacktestCategory& cat = categories[c];
      cat.category = c;
      ++cat.after;
      if (!std::binary_search(b.begin(), b.end(), c)) ++cat.added;
    }
    if (!b.empty()) ++report.complaints_before;
    if (!a.empty()) ++report.complaints_after;
    if (a != b) {
      BacktestPost p{post.id, store::PostTime(post), post.text, b, a};
      if (b.empty()) {
        ++report.added;
        added.Push(std::move(p));
      } else if (a.empty()) {
        ++report.dropped;
        dropped.Push(std::move(p));
      } else {
        ++report.changed;
        changed.Push(std::move(p));
      }
    }
    if (options.progress && report.posts_scanned % kProgressEvery == 0) {
      options.progress(report.posts_scanned);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (options.progress) options.progress(report.posts_scanned);

  for (auto& [id, c] : categories) report.categories.push_back(std::move(c));
  for (auto& [id, r] : rules) report.rules.push_back(std::move(r));
  report.added_posts = added.NewestFirst();
  report.dropped_posts = dropped.NewestFirst();
  report.changed_posts = changed.NewestFirst();
  return report;
}

}  // namespace shagym::config
