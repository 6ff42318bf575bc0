// The `rss` source: RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 feeds; one post per
// item. With `follow_items: true` each item's page is fetched too and its
// comments are cut out with the source's `post:` selectors.

#include <optional>
#include <utility>

#include "crawler/dates.h"
#include "crawler/html/dom.h"
#include "crawler/sources/source_util.h"
#include "crawler/sources/xml.h"

namespace shagym::crawler::sources {

namespace {

// True when the body is a feed rather than an (item) HTML page.
bool LooksLikeFeed(const XmlDoc& doc) {
  int root = doc.DocumentElement();
  if (root < 0) return false;
  std::string_view local = doc.LocalName(root);
  return doc.Is(root, "rss") || doc.Is(root, "feed") || local == "RDF";
}

std::string ItemText(const std::string& title, const std::string& body) {
  if (body.empty()) return title;
  if (title.empty() || body.rfind(title, 0) == 0) return body;
  return title + "\n\n" + body;
}

class RssAdapter : public SourceAdapter {
 public:
  RssAdapter(SourceConfig source, std::optional<PageExtractor> item_pages)
      : source_(std::move(source)), item_pages_(std::move(item_pages)) {}

  const SourceConfig& source() const override { return source_; }
  std::vector<std::string> StartUrls() const override { return source_.seeds; }

  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult out;
    XmlDoc doc = XmlDoc::Parse(page.body);
    if (!LooksLikeFeed(doc)) {
      if (item_pages_ && page.depth > 0) {
        auto html_doc = html::Document::Parse(page.body);
        item_pages_->Extract(*html_doc, page, &out);
        return out;
      }
      out.problem = PageProblem::kUnparseable;
      out.problem_detail = "not an RSS or Atom feed";
      return out;
    }
    const std::string& base =
        page.final_url.empty() ? page.url : page.final_url;
    int root = doc.DocumentElement();
    std::vector<int> items;
    bool atom = doc.Is(root, "feed");
    if (atom) {
      items = doc.Children(root, "entry");
    } else {
      int channel = doc.Child(root, "channel");
      items = doc.Children(channel, "item");
      if (items.empty()) items = doc.Children(root, "item");  // RSS 1.0
    }
    for (int item : items) {
      ExtractedPost post = atom ? AtomEntry(doc, item, base, page.fetched_at)
                                : RssItem(doc, item, base, page.fetched_at);
      if (post.text.empty() && post.url.empty()) continue;
      if (source_.follow_items && !post.url.empty()) {
        AddUnique(&out.links, StripFragment(post.url));
      }
      out.posts.push_back(std::move(post));
    }
    return out;
  }

 private:
  static ExtractedPost RssItem(const XmlDoc& doc, int item,
                               const std::string& base, int64_t now) {
    ExtractedPost post;
    post.title = html::HtmlToText(doc.ChildText(item, "title"));
    std::string link = doc.ChildText(item, "link");
    int guid = doc.Child(item, "guid");
    std::string guid_text = guid < 0 ? "" : html::TrimSpace(doc.Text(guid));
    if (link.empty() && !guid_text.empty()) {
      const std::string* permalink = doc.Attr(guid, "isPermaLink");
      if (permalink == nullptr || *permalink != "false") link = guid_text;
    }
    if (link.empty()) {
      if (const std::string* about = doc.Attr(item, "rdf:about")) link = *about;
    }
    post.url = link.empty() ? "" : ResolveUrl(base, link);
    post.native_id = !guid_text.empty() ? guid_text : post.url;
    std::string body = doc.ChildText(item, "description");
    if (body.empty()) body = doc.ChildText(item, "content:encoded");
    post.text = ItemText(post.title, html::HtmlToText(body));
    post.author = doc.ChildText(item, "dc:creator");
    if (post.author.empty()) post.author = doc.ChildText(item, "author");
    std::string date = doc.ChildText(item, "pubDate");
    if (date.empty()) date = doc.ChildText(item, "dc:date");
    post.published_at = ParseWebDate(date, now).value_or(0);
    return post;
  }

  static ExtractedPost AtomEntry(const XmlDoc& doc, int entry,
                                 const std::string& base, int64_t now) {
    ExtractedPost post;
    post.title = ContentText(doc, doc.Child(entry, "title"));
    std::string link;
    for (int l : doc.Children(entry, "link")) {
      const std::string* rel = doc.Attr(l, "rel");
      const std::string* href = doc.Attr(l, "href");
      if (href != nullptr && (rel == nullptr || *rel == "alternate")) {
        link = *href;
        break;
      }
    }
    post.url = link.empty() ? "" : ResolveUrl(base, link);
    std::string id = doc.ChildText(entry, "id");
    post.native_id = id.empty() ? post.url : id;
    std::string body = ContentText(doc, doc.Child(entry, "summary"));
    if (body.empty()) body = ContentText(doc, doc.Child(entry, "content"));
    post.text = ItemText(post.title, body);
    int author = doc.Child(entry, "author");
    post.author = doc.ChildText(author, "name");
    std::string date = doc.ChildText(entry, "published");
    if (date.empty()) date = doc.ChildText(entry, "updated");
    post.published_at = ParseWebDate(date, now).value_or(0);
    return post;
  }

  // Atom text constructs: text, html (escaped) or xhtml (inline markup).
  static std::string ContentText(const XmlDoc& doc, int node) {
    if (node < 0) return "";
    const std::string* type = doc.Attr(node, "type");
    std::string raw = doc.Text(node);
    if (type != nullptr &&
        (*type == "html" || *type == "xhtml" || *type == "text/html")) {
      return html::HtmlToText(raw);
    }
    return html::HtmlToText(raw);
  }

  SourceConfig source_;
  std::optional<PageExtractor> item_pages_;
};

}  // namespace

StatusOr<std::unique_ptr<SourceAdapter>> MakeRssAdapter(
    const SourceConfig& source) {
  std::optional<PageExtractor> item_pages;
  if (source.follow_items || !source.post.item.empty()) {
    auto e = PageExtractor::Compile(source);
    if (!e.ok()) return e.status();
    item_pages = std::move(e).value();
  }
  return std::unique_ptr<SourceAdapter>(
      std::make_unique<RssAdapter>(source, std::move(item_pages)));
}

}  // namespace shagym::crawler::sources
