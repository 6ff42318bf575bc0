#include "crawler/sources/source_util.h"

#include <curl/curl.h>

#include <unordered_set>
#include <utility>

#include "crawler/dates.h"

namespace shagym::crawler::sources {

namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

std::string GetPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK || out == nullptr) {
    return "";
  }
  std::unique_ptr<char, CurlFree> holder(out);
  return std::string(out);
}

CurlUrl ParseHttp(const std::string& url) {
  CurlUrl u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return nullptr;
  }
  std::string scheme = GetPart(u.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return nullptr;
  return u;
}

}  // namespace

std::string ResolveUrl(const std::string& base, const std::string& ref) {
  std::string r = html::TrimSpace(ref);
  if (r.empty() || r.size() > 8192) return "";
  CurlUrl u = ParseHttp(base);
  if (!u) return "";
  // Fragment-only and query-only references keep the whole base path
  // (RFC 3986 5.2.2); some libcurl versions drop its last segment.
  if (r[0] == '#' || r[0] == '?') {
    std::string b = GetPart(u.get(), CURLUPART_URL);
    b = StripFragment(b);
    if (r[0] == '?') b = b.substr(0, b.find('?'));
    r = b + r;
  }
  if (curl_url_set(u.get(), CURLUPART_URL, r.c_str(), 0) != CURLUE_OK) {
    return "";
  }
  std::string scheme = GetPart(u.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return "";
  return GetPart(u.get(), CURLUPART_URL);
}

std::string StripFragment(const std::string& url) {
  size_t hash = url.find('#');
  return hash == std::string::npos ? url : url.substr(0, hash);
}

std::string SetQueryParam(const std::string& url, const std::string& name,
                          const std::string& value) {
  CurlUrl u = ParseHttp(url);
  if (!u) return "";
  std::string query = GetPart(u.get(), CURLUPART_QUERY);
  std::string kept;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(i, amp - i);
    std::string key = part.substr(0, part.find('='));
    if (!part.empty() && key != name) {
      if (!kept.empty()) kept += '&';
      kept += part;
    }
    i = amp + 1;
  }
  curl_url_set(u.get(), CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str(),
               0);
  std::string param = name + "=" + value;
  if (curl_url_set(u.get(), CURLUPART_QUERY, param.c_str(),
                   CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK) {
    return "";
  }
  return GetPart(u.get(), CURLUPART_URL);
}

std::string Origin(const std::string& url) {
  CurlUrl u = ParseHttp(url);
  if (!u) return "";
  std::string out = GetPart(u.get(), CURLUPART_SCHEME) + "://" +
                    GetPart(u.get(), CURLUPART_HOST);
  std::string port = GetPart(u.get(), CURLUPART_PORT);
  if (!port.empty()) out += ":" + port;
  return out;
}

std::string UrlPath(const std::string& url) {
  CurlUrl u = ParseHttp(url);
  if (!u) return "";
  return GetPart(u.get(), CURLUPART_PATH);
}

void AddUnique(std::vector<std::string>* list, const std::string& url) {
  if (url.empty()) return;
  for (const auto& u : *list) {
    if (u == url) return;
  }
  list->push_back(url);
}

StatusOr<LinkFilter> LinkFilter::Compile(const SourceConfig& source) {
  LinkFilter f;
  f.max_depth_ = source.max_depth;
  for (const auto& p : source.follow) {
    auto re = std::make_shared<const RE2>(p, RE2::Quiet);
    if (!re->ok()) {
      return InvalidArgument("bad follow pattern '" + p + "': " + re->error());
    }
    f.patterns_.push_back(std::move(re));
  }
  return f;
}

bool LinkFilter::FollowFrom(int depth) const {
  return !patterns_.empty() && (max_depth_ < 0 || depth < max_depth_);
}

bool LinkFilter::Accepts(const std::string& url) const {
  for (const auto& re : patterns_) {
    if (RE2::PartialMatch(url, *re)) return true;
  }
  return false;
}

StatusOr<PageExtractor> PageExtractor::Compile(const SourceConfig& source) {
  PageExtractor e;
  e.source_id_ = source.id;
  if (!source.post.item.empty()) {
    auto item = html::Selector::Parse(source.post.item);
    if (!item.ok()) return item.status().WithContext("post.item");
    e.item_ = std::move(item).value();
  }
  struct Field {
    const char* name;
    const std::string* spec;
    html::FieldSelector* out;
  } fields[] = {{"post.text", &source.post.text, &e.text_},
                {"post.author", &source.post.author, &e.author_},
                {"post.time", &source.post.time, &e.time_},
                {"post.link", &source.post.link, &e.link_},
                {"next_page", &source.next_page, &e.next_page_}};
  for (const auto& f : fields) {
    if (f.spec->empty()) continue;
    auto parsed = html::FieldSelector::Parse(*f.spec);
    if (!parsed.ok()) return parsed.status().WithContext(f.name);
    *f.out = std::move(parsed).value();
  }
  auto links = LinkFilter::Compile(source);
  if (!links.ok()) return links.status();
  e.links_ = std::move(links).value();
  return e;
}

namespace {

// The URL an element points to: the attribute when the field names one, else
// its href, else the href of its first link.
std::string LinkOf(const html::FieldSelector& field, const GumboNode* scope) {
  const GumboNode* n = field.Find(scope);
  if (n == nullptr) return "";
  if (!field.attr().empty()) {
    const char* v = html::Attr(n, field.attr().c_str());
    return v == nullptr ? "" : v;
  }
  if (const char* href = html::Attr(n, "href")) return href;
  const GumboNode* found = nullptr;
  html::ForEachElement(n, [&found](const GumboNode* e) {
    if (found != nullptr) return false;
    if (e->v.element.tag == GUMBO_TAG_A && html::Attr(e, "href") != nullptr) {
      found = e;
      return false;
    }
    return true;
  });
  return found == nullptr ? "" : html::Attr(found, "href");
}

std::optional<int64_t> TimeOf(const html::FieldSelector& field,
                              const GumboNode* scope, int64_t now) {
  const GumboNode* n = field.Find(scope);
  if (n == nullptr) return std::nullopt;
  if (!field.attr().empty()) {
    const char* v = html::Attr(n, field.attr().c_str());
    return v == nullptr ? std::nullopt : ParseWebDate(v, now);
  }
  if (const char* dt = html::Attr(n, "datetime")) {
    if (auto t = ParseWebDate(dt, now)) return t;
  }
  if (auto t = ParseWebDate(html::ExtractText(n), now)) return t;
  if (const char* title = html::Attr(n, "title"))
    return ParseWebDate(title, now);
  return std::nullopt;
}

}  // namespace

void PageExtractor::Extract(const html::Document& doc, const FetchedPage& page,
                            ExtractResult* out) const {
  const std::string& base = page.final_url.empty() ? page.url : page.final_url;
  if (item_) {
    for (const GumboNode* item : item_->Select(doc.root())) {
      ExtractedPost post;
      post.text = text_.empty() ? html::ExtractText(item)
                                : text_.Extract(item).value_or("");
      if (post.text.empty()) continue;
      if (!author_.empty())
        post.author = html::TrimSpace(author_.Extract(item).value_or(""));
      if (!time_.empty()) {
        post.published_at = TimeOf(time_, item, page.fetched_at).value_or(0);
      }
      std::string link = link_.empty() ? "" : LinkOf(link_, item);
      if (!link.empty()) post.url = ResolveUrl(base, link);
      if (!post.url.empty()) {
        post.native_id = post.url;
      } else if (const char* id = html::Attr(item, "id"); id && *id) {
        post.native_id = std::string("#") + id;
        post.url = StripFragment(base) + "#" + id;
      } else {
        post.url = base;
      }
      out->posts.push_back(std::move(post));
    }
  }
  if (!next_page_.empty()) {
    std::string next = ResolveUrl(base, LinkOf(next_page_, doc.root()));
    next = StripFragment(next);
    if (!next.empty() && next != StripFragment(base) && next != page.url) {
      AddUnique(&out->next_pages, next);
    }
  }
  if (links_.FollowFrom(page.depth)) {
    std::unordered_set<std::string> seen(out->links.begin(), out->links.end());
    seen.insert(StripFragment(base));  // the page itself
    seen.insert(StripFragment(page.url));
    html::ForEachElement(doc.root(), [&](const GumboNode* e) {
      if (e->v.element.tag != GUMBO_TAG_A) return true;
      const char* href = html::Attr(e, "href");
      if (href == nullptr) return true;
      std::string url = StripFragment(ResolveUrl(base, href));
      if (url.empty() || !links_.Accepts(url)) return true;
      if (seen.insert(url).second) out->links.push_back(url);
      return true;
    });
  }
}

}  // namespace shagym::crawler::sources
