#include "app/crawl_sink.h"

#include <filesystem>

#include "crawler/ingest.h"
#include "nlp/analysis.h"
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
             crawler::ClassifyFn classify,
             crawler::AnalyzedClassifyFn classify_analyzed = {})
      : pseudonyms_(std::move(pseudonyms)),
        normalizer_(std::move(normalizer)),
        evidence_(store->db()),
        dedupe_(store->db()),
        ingestor_(&pseudonyms_, normalizer_.get(), &evidence_, &dedupe_,
                  std::move(classify), crawler::StoreHook(store)) {
    if (classify_analyzed) {
      ingestor_.SetAnalyzedClassifier(std::move(classify_analyzed));
    }
  }

  Status Consume(const crawler::SourceAdapter& adapter,
                 const crawler::FetchedPage& page,
                 const crawler::ExtractResult& result) override {
    int new_posts = 0;
    return ConsumeAndCount(adapter, page, result, &new_posts);
  }

  Status ConsumeAndCount(const crawler::SourceAdapter& adapter,
                         const crawler::FetchedPage& page,
                         const crawler::ExtractResult& result,
                         int* new_posts) override {
    *new_posts = 0;
    if (result.posts.empty()) return Status::Ok();
    StatusOr<crawler::IngestStats> s =
        ingestor_.Ingest(adapter.source(), page, result);
    if (!s.ok()) return s.status().WithContext("ingest " + page.url);
    *new_posts = s->new_posts;
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

StatusOr<std::shared_ptr<config::RuleEngine>> LoadRuleEngine(
    const config::Config& config) {
  std::error_code ec;
  if (!std::filesystem::is_directory(config.rules_dir, ec)) {
    // No rules configured: posts are stored unlabelled; `shagym reclassify`
    // labels them once rules exist. A broken rule set, in contrast, fails.
    Log(nullptr, LogLevel::kWarn, "no_rules",
        {{"rules_dir", config.rules_dir},
         {"effect", "posts stored without labels"}});
    return std::shared_ptr<config::RuleEngine>();
  }
  StatusOr<std::unique_ptr<config::RuleEngine>> engine =
      config::RuleEngine::Load(config.rules_dir, config.gazetteer);
  if (!engine.ok()) return engine.status();
  return std::shared_ptr<config::RuleEngine>(std::move(engine).value());
}

crawler::ClassifyFn ClassifyWith(
    std::shared_ptr<const config::RuleEngine> engine) {
  if (engine == nullptr) return crawler::ClassifyFn();
  return [engine = std::move(engine)](const Post& post) {
    return engine->Classify(post.text);
  };
}

crawler::AnalyzedClassifyFn AnalyzedClassifyWith(
    std::shared_ptr<const config::RuleEngine> engine) {
  if (engine == nullptr) return crawler::AnalyzedClassifyFn();
  return [engine = std::move(engine)](const Post&,
                                      const nlp::AnalyzedText& analyzed) {
    return engine->Classify(analyzed);
  };
}

StatusOr<crawler::ClassifyFn> MakeClassifier(const config::Config& config) {
  StatusOr<std::shared_ptr<config::RuleEngine>> engine = LoadRuleEngine(config);
  if (!engine.ok()) return engine.status();
  return ClassifyWith(std::move(engine).value());
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

StatusOr<std::unique_ptr<crawler::PageSink>> MakeCrawlSink(
    const config::Config& config, store::Store* store,
    std::shared_ptr<const config::RuleEngine> engine) {
  StatusOr<crawler::Pseudonymizer> p =
      crawler::Pseudonymizer::Open(config.privacy, config.store.data_dir);
  if (!p.ok()) return p.status();
  StatusOr<std::unique_ptr<nlp::Normalizer>> n = nlp::Normalizer::Create();
  if (!n.ok()) return n.status();
  return std::unique_ptr<crawler::PageSink>(
      new IngestSink(std::move(p).value(), std::move(n).value(), store,
                     ClassifyWith(engine), AnalyzedClassifyWith(engine)));
}

}  // namespace shagym::app
