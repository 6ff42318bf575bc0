#pragma once

// The PageSink of `shagym crawl`: turns extracted posts into stored Posts
// through crawler::Ingestor. Thread-safe (the ingestor and the store are).

#include <functional>
#include <memory>
#include <string_view>

#include "config/config.h"
#include "crawler/ingest.h"
#include "crawler/page_sink.h"
#include "nlp/normalize.h"
#include "store/store.h"

namespace shagym::app {

// Fills region, school number and institution of `labels` from the
// configured gazetteer where the rules (or a source hint) left them empty.
using EntityFiller = std::function<void(std::string_view text, Labels*)>;
// `normalizer` is shared with the caller's classifier when given (null =
// create one), so start-up builds the ICU tables once.
StatusOr<EntityFiller> MakeEntityFiller(
    const config::Config& config,
    std::shared_ptr<const nlp::Normalizer> normalizer = nullptr);

// The classifier of the configured rules (rules_dir, gazetteer), loaded and
// checked once. No rules_dir: an empty function (posts stay unlabelled).
// Errors: rule files that do not load, with file:line.
StatusOr<crawler::ClassifyFn> MakeClassifier(const config::Config& config);

// `store` must outlive the sink. `classify` labels each post (empty = no
// labels). Errors: the pseudonym key file cannot be read or created.
StatusOr<std::unique_ptr<crawler::PageSink>> MakeCrawlSink(
    const config::Config& config, store::Store* store,
    crawler::ClassifyFn classify);

}  // namespace shagym::app
