#pragma once

// Where the crawl engine hands what it fetched and extracted: the ingest
// pipeline (identity, privacy, classification, store) in `shagym crawl`, a
// printer in `shagym fetch`, a collector in tests.

#include "common/status.h"
#include "crawler/adapter.h"

namespace shagym::crawler {

class PageSink {
 public:
  virtual ~PageSink() = default;
  // Called once per page that answered 2xx, on a worker thread, after the
  // source's adapter extracted it; concurrent calls happen, so
  // implementations must be thread-safe. The page's frontier entry is
  // completed only after this returns, so what it stores survives a kill
  // (the page is fetched again otherwise). An error is logged and counted;
  // the page is not retried.
  virtual Status Consume(const SourceAdapter& adapter, const FetchedPage& page,
                         const ExtractResult& result) = 0;
  // Consume() that also says how many of the page's posts were new to the
  // store (-1 = unknown, the default). The crawl stops paging back through
  // a Telegram channel or JSON timeline at a page with no new post.
  virtual Status ConsumeAndCount(const SourceAdapter& adapter,
                                 const FetchedPage& page,
                                 const ExtractResult& result, int* new_posts) {
    *new_posts = -1;
    return Consume(adapter, page, result);
  }
  // Called by the crawl loop before it returns.
  virtual Status Flush() { return Status::Ok(); }
};

}  // namespace shagym::crawler
