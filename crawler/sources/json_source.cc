// The `json` source: open JSON APIs (Mastodon timelines first). `fields:`
// names dotted paths into each element of the items array; the next page
// comes from the Link header (rel="next") or from a cursor field put into
// the `cursor_param` query parameter.

#include <nlohmann/json.hpp>
#include <utility>

#include "crawler/dates.h"
#include "crawler/html/dom.h"
#include "crawler/sources/source_util.h"

namespace shagym::crawler::sources {

namespace {

using nlohmann::json;

// Follows a dotted path ("account.acct", "media.0.url"); nullptr when any
// step is missing. An empty path is `root` itself.
const json* AtPath(const json& root, const std::string& path) {
  const json* cur = &root;
  if (path.empty()) return cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t dot = path.find('.', i);
    if (dot == std::string::npos) dot = path.size();
    std::string key = path.substr(i, dot - i);
    if (cur->is_object()) {
      auto it = cur->find(key);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      if (key.empty() || key.size() > 9 ||
          key.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      size_t index = std::stoul(key);
      if (index >= cur->size()) return nullptr;
      cur = &(*cur)[index];
    } else {
      return nullptr;
    }
    i = dot + 1;
  }
  return cur;
}

std::string Scalar(const json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number_unsigned()) return std::to_string(v->get<uint64_t>());
  if (v->is_number_float()) return std::to_string(v->get<double>());
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  return "";
}

// The rel="next" target of an HTTP Link header (RFC 8288).
std::string NextFromLinkHeader(const std::string& header) {
  size_t i = 0;
  while (i < header.size()) {
    size_t lt = header.find('<', i);
    if (lt == std::string::npos) break;
    size_t gt = header.find('>', lt);
    if (gt == std::string::npos) break;
    std::string target = header.substr(lt + 1, gt - lt - 1);
    size_t next_lt = header.find('<', gt);
    std::string params =
        header.substr(gt + 1, next_lt == std::string::npos ? std::string::npos
                                                           : next_lt - gt - 1);
    for (char& c : params) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    size_t rel = params.find("rel=");
    if (rel != std::string::npos) {
      std::string value = params.substr(rel + 4);
      if (!value.empty() && value[0] == '"') value = value.substr(1);
      size_t end = value.find_first_of("\";,");
      std::string rels = value.substr(0, end);
      // rel may hold several space-separated relation types.
      size_t p = 0;
      while (p < rels.size()) {
        size_t q = rels.find(' ', p);
        if (q == std::string::npos) q = rels.size();
        if (rels.substr(p, q - p) == "next") return target;
        p = q + 1;
      }
    }
    i = gt + 1;
  }
  return "";
}

bool LooksLikeHtml(const std::string& s) {
  return s.find('<') != std::string::npos || s.find('&') != std::string::npos;
}

class JsonAdapter : public SourceAdapter {
 public:
  explicit JsonAdapter(SourceConfig source) : source_(std::move(source)) {}

  const SourceConfig& source() const override { return source_; }
  std::vector<std::string> StartUrls() const override { return source_.seeds; }

  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult out;
    const std::string& base =
        page.final_url.empty() ? page.url : page.final_url;
    json doc = json::parse(page.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      out.problem = PageProblem::kUnparseable;
      out.problem_detail = "not valid JSON";
      return out;
    }
    const JsonFields& f = source_.fields;
    const json* items = AtPath(doc, f.items);
    if (items == nullptr || !items->is_array()) {
      out.problem = PageProblem::kUnparseable;
      out.problem_detail = f.items.empty() ? "the response is not a JSON array"
                                           : "no array at '" + f.items + "'";
      return out;
    }
    for (const json& item : *items) {
      ExtractedPost post;
      std::string text = Scalar(AtPath(item, f.text));
      post.text =
          LooksLikeHtml(text) ? html::HtmlToText(text) : html::TrimSpace(text);
      if (post.text.empty()) continue;
      if (!f.id.empty()) post.native_id = Scalar(AtPath(item, f.id));
      if (!f.author.empty()) post.author = Scalar(AtPath(item, f.author));
      if (!f.url.empty()) {
        std::string u = Scalar(AtPath(item, f.url));
        if (!u.empty()) post.url = ResolveUrl(base, u);
      }
      if (post.url.empty()) post.url = base;
      if (!f.time.empty()) {
        post.published_at =
            ParseWebDate(Scalar(AtPath(item, f.time)), page.fetched_at)
                .value_or(0);
      }
      out.posts.push_back(std::move(post));
    }
    std::string next;
    if (!f.cursor.empty()) {
      std::string cursor = Scalar(AtPath(doc, f.cursor));
      if (!cursor.empty() && !source_.cursor_param.empty()) {
        next = SetQueryParam(base, source_.cursor_param, cursor);
      }
    } else if (!page.link_header.empty()) {
      std::string target = NextFromLinkHeader(page.link_header);
      if (!target.empty()) next = ResolveUrl(base, target);
    }
    // An empty page ends the paging (Mastodon keeps sending Link headers).
    if (!next.empty() && next != base && !items->empty()) {
      AddUnique(&out.next_pages, next);
    }
    return out;
  }

 private:
  SourceConfig source_;
};

}  // namespace

StatusOr<std::unique_ptr<SourceAdapter>> MakeJsonAdapter(
    const SourceConfig& source) {
  if (source.fields.text.empty()) {
    return InvalidArgument("json source needs fields.text");
  }
  if (!source.fields.cursor.empty() && source.cursor_param.empty()) {
    return InvalidArgument("fields.cursor needs cursor_param");
  }
  return std::unique_ptr<SourceAdapter>(std::make_unique<JsonAdapter>(source));
}

}  // namespace shagym::crawler::sources
