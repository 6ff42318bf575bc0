#include "config/rule_engine.h"

#include <filesystem>

#include "config/gazetteer_loader.h"
#include "nlp/analysis.h"
#include "nlp/entities.h"

namespace shagym::config {

StatusOr<std::unique_ptr<RuleEngine>> RuleEngine::Load(
    const std::string& rules_dir, const std::string& gazetteer,
    std::vector<std::string>* errors, Logger* logger) {
  std::unique_ptr<RuleEngine> engine(new RuleEngine());
  engine->rules_dir_ = rules_dir;
  StatusOr<std::unique_ptr<nlp::Normalizer>> n = nlp::Normalizer::Create();
  if (!n.ok()) return n.status();
  engine->normalizer_ = std::move(n).value();
  engine->classifier_ =
      std::make_unique<nlp::Classifier>(engine->normalizer_.get());

  std::vector<std::string> local;
  if (errors == nullptr) errors = &local;
  size_t first = errors->size();
  auto rules = LoadRuleSet(rules_dir, *engine->normalizer_, errors);
  if (!rules.ok()) {
    // The first problem names file and line; `rules check` lists them all.
    return errors->size() > first ? InvalidArgument((*errors)[first])
                                  : rules.status();
  }

  std::error_code ec;
  if (!gazetteer.empty() && std::filesystem::exists(gazetteer, ec)) {
    StatusOr<nlp::Gazetteer> g = LoadGazetteer(gazetteer);
    if (!g.ok()) return g.status();
    auto e = nlp::EntityExtractor::Create(*g);
    if (!e.ok()) return e.status();
    engine->entities_ = std::move(e).value();
  }
  engine->reloader_ = MakeRulesReloader(rules_dir, engine->normalizer_.get(),
                                        std::move(rules).value(), logger);
  return engine;
}

// The reloader's thread borrows the normaliser: stop it first.
RuleEngine::~RuleEngine() {
  if (reloader_) reloader_->Stop();
}

std::shared_ptr<const nlp::RuleSet> RuleEngine::rules() const {
  return reloader_->current();
}

Labels RuleEngine::Classify(const nlp::RuleSet& rules, std::string_view text,
                            const nlp::ClassifyHints& hints) const {
  // One analysis (normalised text + tokens) for language id, rules and
  // entities.
  return Classify(rules, nlp::Analyze(*normalizer_, text), hints);
}

Labels RuleEngine::Classify(const nlp::AnalyzedText& a,
                            const nlp::ClassifyHints& hints) const {
  std::shared_ptr<const nlp::RuleSet> set = rules();
  return Classify(*set, a, hints);
}

Labels RuleEngine::Classify(const nlp::RuleSet& rules,
                            const nlp::AnalyzedText& a,
                            const nlp::ClassifyHints& hints) const {
  Labels labels;
  Label(rules, a, hints, &labels);
  return labels;
}

void RuleEngine::Classify(const nlp::RuleSet& rules, std::string_view text,
                          const nlp::ClassifyHints& hints,
                          nlp::AnalyzedText* analysis, Labels* labels) const {
  // What nlp::Analyze does, into the caller's buffers.
  normalizer_->Normalize(text, &analysis->normalized, &analysis->tokens);
  Label(rules, *analysis, hints, labels);
}

void RuleEngine::Label(const nlp::RuleSet& rules, const nlp::AnalyzedText& a,
                       const nlp::ClassifyHints& hints, Labels* out) const {
  Labels& labels = *out;
  classifier_->Classify(rules, a, hints, &labels);
  if (entities_ != nullptr) {
    nlp::Entities found = entities_->Extract(a);
    if (labels.region.empty()) labels.region = found.region;
    if (labels.school_number.empty()) {
      labels.school_number = found.school_number;
    }
    if (labels.institution.empty()) labels.institution = found.institution;
  }
}

Labels RuleEngine::Classify(std::string_view text,
                            const nlp::ClassifyHints& hints) const {
  std::shared_ptr<const nlp::RuleSet> set = rules();
  return Classify(*set, text, hints);
}

StatusOr<std::shared_ptr<const nlp::RuleSet>> RuleEngine::Compile(
    const std::vector<RuleFileText>& files,
    std::vector<std::string>* errors) const {
  return CompileRuleFiles(files, *normalizer_, errors);
}

void RuleEngine::Install(std::shared_ptr<const nlp::RuleSet> set) {
  reloader_->Replace(std::move(set));
}

Status RuleEngine::ReloadIfChanged() { return reloader_->ReloadIfChanged(); }

void RuleEngine::StartReloading(std::chrono::milliseconds interval) {
  reloader_->Start(interval);
}

void RuleEngine::StopReloading() { reloader_->Stop(); }

int RuleEngine::reloads() const { return reloader_->reloads(); }
int RuleEngine::failures() const { return reloader_->failures(); }

}  // namespace shagym::config
