// The `html` source: seed pages, links followed by `follow` patterns up to
// `max_depth`, posts cut out by the `post:` selectors, pagination by
// `next_page` (forums, news comment threads).

#include <utility>

#include "crawler/html/dom.h"
#include "crawler/sources/source_util.h"

namespace shagym::crawler::sources {

namespace {

class HtmlAdapter : public SourceAdapter {
 public:
  HtmlAdapter(SourceConfig source, PageExtractor extractor)
      : source_(std::move(source)), extractor_(std::move(extractor)) {}

  const SourceConfig& source() const override { return source_; }
  std::vector<std::string> StartUrls() const override { return source_.seeds; }

  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult out;
    auto doc = html::Document::Parse(page.body);
    extractor_.Extract(*doc, page, &out);
    return out;
  }

 private:
  SourceConfig source_;
  PageExtractor extractor_;
};

}  // namespace

StatusOr<std::unique_ptr<SourceAdapter>> MakeHtmlAdapter(
    const SourceConfig& source) {
  auto extractor = PageExtractor::Compile(source);
  if (!extractor.ok()) return extractor.status();
  return std::unique_ptr<SourceAdapter>(
      std::make_unique<HtmlAdapter>(source, std::move(extractor).value()));
}

}  // namespace shagym::crawler::sources
