#include "crawler/adapter.h"
#include "crawler/sources/source_util.h"

namespace shagym::crawler {

StatusOr<std::unique_ptr<SourceAdapter>> MakeAdapter(
    const SourceConfig& source) {
  StatusOr<std::unique_ptr<SourceAdapter>> adapter =
      InvalidArgument("unknown source type");
  switch (source.type) {
    case SourceType::kTelegram:
      adapter = sources::MakeTelegramAdapter(source);
      break;
    case SourceType::kRss:
      adapter = sources::MakeRssAdapter(source);
      break;
    case SourceType::kHtml:
      adapter = sources::MakeHtmlAdapter(source);
      break;
    case SourceType::kJson:
      adapter = sources::MakeJsonAdapter(source);
      break;
    case SourceType::kSitemap:
      adapter = sources::MakeSitemapAdapter(source);
      break;
  }
  if (adapter.ok()) return adapter;
  std::string where = source.origin.empty() ? "" : source.origin + ": ";
  return InvalidArgument(where + "source '" + source.id +
                         "': " + adapter.status().message());
}

}  // namespace shagym::crawler
