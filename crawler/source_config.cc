#include "crawler/source_config.h"

namespace shagym::crawler {

namespace {
constexpr struct {
  const char* name;
  SourceType type;
} kTypes[] = {{"telegram", SourceType::kTelegram},
              {"rss", SourceType::kRss},
              {"html", SourceType::kHtml},
              {"json", SourceType::kJson},
              {"sitemap", SourceType::kSitemap}};
}  // namespace

const char* SourceTypeName(SourceType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "html";
}

bool ParseSourceType(const std::string& name, SourceType* type) {
  for (const auto& t : kTypes) {
    if (name == t.name) {
      *type = t.type;
      return true;
    }
  }
  return false;
}

}  // namespace shagym::crawler
