#pragma once

// The PageSink of `shagym crawl`: turns extracted posts into stored Posts.
// Thread-safe (the store is).

#include <memory>

#include "config/config.h"
#include "crawler/page_sink.h"
#include "store/store.h"

namespace shagym::app {

// `store` must outlive the sink.
std::unique_ptr<crawler::PageSink> MakeCrawlSink(const config::Config& config,
                                                 store::Store* store);

}  // namespace shagym::app
