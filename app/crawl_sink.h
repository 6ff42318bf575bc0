#pragma once

// The PageSink of `shagym crawl`: turns extracted posts into stored Posts
// through crawler::Ingestor. Thread-safe (the ingestor and the store are).

#include <chrono>
#include <memory>
#include <string_view>

#include "config/config.h"
#include "config/rule_engine.h"
#include "crawler/ingest.h"
#include "crawler/page_sink.h"
#include "nlp/normalize.h"
#include "store/store.h"

namespace shagym::app {

// The configured rule engine (rules_dir and gazetteer), loaded and checked
// once. No rules_dir directory: null (posts stay unlabelled, with a warning).
// Errors: rule files that do not load (the first problem, with file:line),
// a broken gazetteer.
StatusOr<std::shared_ptr<config::RuleEngine>> LoadRuleEngine(
    const config::Config& config);

// How often `crawl` and `serve` look for edited rule files (hot reload).
inline constexpr std::chrono::milliseconds kRulesReloadInterval{2000};

// Labels posts with `engine`'s running rule set (hot reload included). A
// null engine gives an empty function (no labels).
crawler::ClassifyFn ClassifyWith(
    std::shared_ptr<const config::RuleEngine> engine);

// ClassifyWith(LoadRuleEngine(config)).
StatusOr<crawler::ClassifyFn> MakeClassifier(const config::Config& config);

// Same as ClassifyWith, on the text as the crawl's ingest analysed it
// (one normalisation per post for hashes, duplicate links and labels).
crawler::AnalyzedClassifyFn AnalyzedClassifyWith(
    std::shared_ptr<const config::RuleEngine> engine);

// MakeCrawlSink labelling with `engine` (null: no labels) on the ingest's
// own analysis of each post.
StatusOr<std::unique_ptr<crawler::PageSink>> MakeCrawlSink(
    const config::Config& config, store::Store* store,
    std::shared_ptr<const config::RuleEngine> engine);

// `store` must outlive the sink. `classify` labels each post (empty = no
// labels). Errors: the pseudonym key file cannot be read or created.
StatusOr<std::unique_ptr<crawler::PageSink>> MakeCrawlSink(
    const config::Config& config, store::Store* store,
    crawler::ClassifyFn classify);

}  // namespace shagym::app
