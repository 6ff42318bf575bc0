#include "app/crawl_sink.h"

#include "crawler/ingest.h"
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

StatusOr<crawler::ClassifyFn> MakeClassifier(const config::Config&) {
  // Without a rule engine in this build, posts are stored unlabelled and
  // `shagym reclassify` labels them later.
  return crawler::ClassifyFn();
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
