#include "app/crawl_sink.h"

#include <filesystem>

#include "config/gazetteer_loader.h"
#include "config/rules_loader.h"
#include "crawler/ingest.h"
#include "nlp/classifier.h"
#include "nlp/entities.h"
#include "nlp/normalize.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"

namespace shagym::app {

namespace {

// The ingest pipeline of `shagym crawl`: identity, keyed author pseudonyms,
// content hashes and near-duplicate links, evidence, labels, store.
class IngestSink : public crawler::PageSink {
 public:
  IngestSink(crawler::Pseudonymizer pseudonyms,
             std::unique_ptr<nlp::Normalizer> normalizer, store::Store* store,
             crawler::ClassifyFn classify)
      : pseudonyms_(std::move(pseudonyms)),
        normalizer_(std::move(normalizer)),
        evidence_(store->db()),
        dedupe_(store->db()),
        ingestor_(&pseudonyms_, normalizer_.get(), &evidence_, &dedupe_,
                  std::move(classify), crawler::StoreHook(store)) {}

  Status Consume(const crawler::SourceAdapter& adapter,
                 const crawler::FetchedPage& page,
                 const crawler::ExtractResult& result) override {
    if (result.posts.empty()) return Status::Ok();
    StatusOr<crawler::IngestStats> s =
        ingestor_.Ingest(adapter.source(), page, result);
    if (!s.ok()) return s.status().WithContext("ingest " + page.url);
    return Status::Ok();
  }

 private:
  crawler::Pseudonymizer pseudonyms_;
  std::unique_ptr<nlp::Normalizer> normalizer_;
  store::EvidenceStore evidence_;
  store::DedupeIndex dedupe_;
  crawler::Ingestor ingestor_;
};

}  // namespace

StatusOr<EntityFiller> MakeEntityFiller(
    const config::Config& config,
    std::shared_ptr<const nlp::Normalizer> normalizer) {
  std::error_code ec;
  if (!std::filesystem::exists(config.gazetteer, ec)) {
    return EntityFiller([](std::string_view, Labels*) {});
  }
  StatusOr<nlp::Gazetteer> g = config::LoadGazetteer(config.gazetteer);
  if (!g.ok()) return g.status();
  auto e = nlp::EntityExtractor::Create(*g);
  if (!e.ok()) return e.status();
  if (normalizer == nullptr) {
    auto n = nlp::Normalizer::Create();
    if (!n.ok()) return n.status();
    normalizer = std::move(n).value();
  }
  std::shared_ptr<const nlp::EntityExtractor> entities = std::move(e).value();
  return EntityFiller(
      [entities, normalizer](std::string_view text, Labels* labels) {
        nlp::Entities found = entities->Extract(normalizer->Normalize(text));
        if (labels->region.empty()) labels->region = found.region;
        if (labels->school_number.empty()) {
          labels->school_number = found.school_number;
        }
        if (labels->institution.empty())
          labels->institution = found.institution;
      });
}

StatusOr<crawler::ClassifyFn> MakeClassifier(const config::Config& config) {
  std::error_code ec;
  if (!std::filesystem::is_directory(config.rules_dir, ec)) {
    // No rules configured: posts are stored unlabelled; `shagym reclassify`
    // labels them once rules exist. A broken rule set, in contrast, fails.
    Log(nullptr, LogLevel::kWarn, "no_rules",
        {{"rules_dir", config.rules_dir},
         {"effect", "posts stored without labels"}});
    return crawler::ClassifyFn();
  }
  StatusOr<std::unique_ptr<nlp::Normalizer>> n = nlp::Normalizer::Create();
  if (!n.ok()) return n.status();
  std::shared_ptr<const nlp::Normalizer> normalizer = std::move(n).value();
  std::vector<std::string> errors;
  auto rules = config::LoadRuleSet(config.rules_dir, *normalizer, &errors);
  if (!rules.ok()) {
    // The first problem names file and line; `rules check` lists them all.
    return errors.empty() ? rules.status() : InvalidArgument(errors.front());
  }
  std::shared_ptr<const nlp::RuleSet> set = std::move(rules).value();
  auto classifier = std::make_shared<nlp::Classifier>(normalizer.get());
  StatusOr<EntityFiller> fill = MakeEntityFiller(config, normalizer);
  if (!fill.ok()) return fill.status();
  return crawler::ClassifyFn(
      [normalizer, set, classifier,
       fill = std::move(fill).value()](const Post& post) {
        Labels labels = classifier->Classify(*set, post.text);
        fill(post.text, &labels);
        return labels;
      });
}

StatusOr<std::unique_ptr<crawler::PageSink>> MakeCrawlSink(
    const config::Config& config, store::Store* store,
    crawler::ClassifyFn classify) {
  StatusOr<crawler::Pseudonymizer> p =
      crawler::Pseudonymizer::Open(config.privacy, config.store.data_dir);
  if (!p.ok()) return p.status();
  StatusOr<std::unique_ptr<nlp::Normalizer>> n = nlp::Normalizer::Create();
  if (!n.ok()) return n.status();
  return std::unique_ptr<crawler::PageSink>(new IngestSink(
      std::move(p).value(), std::move(n).value(), store, std::move(classify)));
}

}  // namespace shagym::app
