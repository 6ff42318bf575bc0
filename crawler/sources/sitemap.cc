// The `sitemap` source: sitemap.xml files (urlset and sitemapindex, plain or
// gzip) discover the pages of a site; those pages are then read like an
// `html` source with the source's `post:` selectors. `follow` patterns, when
// given, limit which listed pages are fetched.

#include <zlib.h>

#include <utility>

#include "crawler/dates.h"
#include "crawler/html/dom.h"
#include "crawler/sources/source_util.h"
#include "crawler/sources/xml.h"

namespace shagym::crawler::sources {

namespace {

constexpr size_t kMaxInflatedBytes = 64 * 1024 * 1024;

// Inflates gzip data; nullopt when it is not valid gzip.
std::optional<std::string> Gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < kMaxInflatedBytes) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END && rc != Z_OK) return std::nullopt;
  return out;
}

class SitemapAdapter : public SourceAdapter {
 public:
  SitemapAdapter(SourceConfig source, PageExtractor pages, LinkFilter filter)
      : source_(std::move(source)),
        pages_(std::move(pages)),
        filter_(std::move(filter)) {}

  const SourceConfig& source() const override { return source_; }
  std::vector<std::string> StartUrls() const override { return source_.seeds; }

  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult out;
    const std::string& base =
        page.final_url.empty() ? page.url : page.final_url;
    std::string body = page.body;
    if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
        static_cast<unsigned char>(body[1]) == 0x8b) {
      auto inflated = Gunzip(body);
      if (!inflated) {
        out.problem = PageProblem::kUnparseable;
        out.problem_detail = "broken gzip sitemap";
        return out;
      }
      body = std::move(*inflated);
    }
    XmlDoc doc = XmlDoc::Parse(body);
    int root = doc.DocumentElement();
    const bool urlset = root >= 0 && doc.LocalName(root) == "urlset";
    const bool index = root >= 0 && doc.LocalName(root) == "sitemapindex";
    if (!urlset && !index) {
      auto html_doc = html::Document::Parse(page.body);
      pages_.Extract(*html_doc, page, &out);
      return out;
    }
    for (int entry : doc.Children(root, index ? "sitemap" : "url")) {
      std::string loc = ResolveUrl(base, doc.ChildText(entry, "loc"));
      if (loc.empty()) continue;
      if (index) {
        AddUnique(&out.next_pages, loc);
        continue;
      }
      loc = StripFragment(loc);
      if (!filter_.empty() && !filter_.Accepts(loc)) continue;
      out.links.push_back(loc);
      out.link_lastmod.push_back(
          ParseWebDate(doc.ChildText(entry, "lastmod"), page.fetched_at)
              .value_or(0));
    }
    return out;
  }

 private:
  SourceConfig source_;
  PageExtractor pages_;
  LinkFilter filter_;
};

}  // namespace

StatusOr<std::unique_ptr<SourceAdapter>> MakeSitemapAdapter(
    const SourceConfig& source) {
  auto pages = PageExtractor::Compile(source);
  if (!pages.ok()) return pages.status();
  auto filter = LinkFilter::Compile(source);
  if (!filter.ok()) return filter.status();
  return std::unique_ptr<SourceAdapter>(std::make_unique<SitemapAdapter>(
      source, std::move(pages).value(), std::move(filter).value()));
}

}  // namespace shagym::crawler::sources
