// The `telegram` source: public channel previews at https://t.me/s/<channel>.
//
// A preview page lists up to ~20 messages oldest first, each a
// `.tgme_widget_message[data-post="channel/id"]`; older messages come from
// `?before=<id>`, announced by `a.tme_messages_more[data-before]`. A name
// without a preview (private channel, group, user, deleted) serves the
// "contact" page instead (`.tgme_page`), which we report, not read as "no
// posts".

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "crawler/dates.h"
#include "crawler/html/dom.h"
#include "crawler/html/selector.h"
#include "crawler/sources/source_util.h"

namespace shagym::crawler::sources {

namespace {

html::Selector MustParse(const char* s) {
  auto sel = html::Selector::Parse(s);
  assert(sel.ok());
  return std::move(sel).value();
}

// "37.2K" -> 37200, "1.1M" -> 1100000, "950" -> 950; -1 when not a count.
int64_t ParseViews(const std::string& text) {
  std::string t = html::TrimSpace(text);
  if (t.empty()) return -1;
  double mult = 1;
  char last = t.back();
  if (last == 'K' || last == 'k') {
    mult = 1e3;
    t.pop_back();
  } else if (last == 'M' || last == 'm') {
    mult = 1e6;
    t.pop_back();
  } else if (last == 'B' || last == 'b') {
    mult = 1e9;
    t.pop_back();
  }
  if (t.empty() || t.size() > 12) return -1;
  int digits = 0, dots = 0;
  for (char c : t) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.') {
      ++dots;
    } else {
      return -1;
    }
  }
  if (digits == 0 || dots > 1) return -1;  // ".", "1.2.3"
  return static_cast<int64_t>(
      std::llround(std::strtod(t.c_str(), nullptr) * mult));
}

class TelegramAdapter : public SourceAdapter {
 public:
  explicit TelegramAdapter(SourceConfig source)
      : source_(std::move(source)),
        message_(MustParse(".tgme_widget_message[data-post]")),
        text_(MustParse(
            ".tgme_widget_message_bubble > .tgme_widget_message_text")),
        any_text_(MustParse(".tgme_widget_message_text")),
        poll_question_(MustParse(".tgme_widget_message_poll_question")),
        poll_option_(MustParse(".tgme_widget_message_poll_option_text")),
        date_link_(MustParse("a.tgme_widget_message_date")),
        time_(MustParse("time[datetime]")),
        owner_(MustParse(".tgme_widget_message_owner_name")),
        from_author_(MustParse(".tgme_widget_message_from_author")),
        views_(MustParse(".tgme_widget_message_views")),
        forwarded_(MustParse(".tgme_widget_message_forwarded_from_name")),
        more_(MustParse("a.tme_messages_more[data-before]")),
        history_(MustParse(".tgme_channel_history")),
        page_title_(MustParse(".tgme_page_title")),
        page_extra_(MustParse(".tgme_page_extra")),
        page_context_(MustParse("a.tgme_page_context_link")),
        page_(MustParse(".tgme_page, .tgme_page_wrap")),
        action_(MustParse(".tgme_page_action a")) {}

  const SourceConfig& source() const override { return source_; }

  std::vector<std::string> StartUrls() const override {
    std::vector<std::string> out;
    for (const auto& seed : source_.seeds) AddUnique(&out, PreviewUrl(seed));
    return out;
  }

  ExtractResult Extract(const FetchedPage& page) const override {
    ExtractResult out;
    const std::string& base =
        page.final_url.empty() ? page.url : page.final_url;
    auto doc = html::Document::Parse(page.body);
    html::TextOptions text_options;
    text_options.skip = [](const GumboNode* n) {
      return html::HasClass(n, "tgme_widget_message_link_preview") ||
             html::HasClass(n, "tgme_widget_message_reply") ||
             html::HasClass(n, "tgme_widget_message_poll");
    };
    for (const GumboNode* m : message_.Select(doc->root())) {
      // A message nested in another (never on real pages) is read once.
      ExtractedPost post;
      const std::string data_post = html::Attr(m, "data-post");
      post.native_id = data_post;
      if (const GumboNode* a = date_link_.SelectFirst(m)) {
        if (const char* href = html::Attr(a, "href")) {
          post.url = ResolveUrl(base, href);
        }
      }
      if (post.url.empty()) post.url = ResolveUrl(base, "/" + data_post);
      // The message's own text block; captions of media live there too.
      // Text blocks inside link previews and replies belong to others.
      const GumboNode* text = text_.SelectFirst(m);
      if (text == nullptr) {
        for (const GumboNode* t : any_text_.Select(m)) {
          if (!InsideExcluded(t, m)) {
            text = t;
            break;
          }
        }
      }
      if (text != nullptr) post.text = html::ExtractText(text, text_options);
      if (const GumboNode* q = poll_question_.SelectFirst(m)) {
        std::string poll = html::ExtractText(q);
        for (const GumboNode* o : poll_option_.Select(m)) {
          poll += "\n- " + html::ExtractText(o);
        }
        post.text = post.text.empty() ? poll : post.text + "\n\n" + poll;
      }
      if (const GumboNode* t = time_.SelectFirst(m)) {
        post.published_at =
            ParseWebDate(html::Attr(t, "datetime"), page.fetched_at)
                .value_or(0);
      }
      if (const GumboNode* a = from_author_.SelectFirst(m)) {
        post.author = html::TrimSpace(html::ExtractText(a));
      } else if (const GumboNode* o = owner_.SelectFirst(m)) {
        post.author = html::TrimSpace(html::ExtractText(o));
      }
      if (const GumboNode* v = views_.SelectFirst(m)) {
        post.views = ParseViews(html::RawText(v));
      }
      if (const GumboNode* f = forwarded_.SelectFirst(m)) {
        post.forwarded_from = html::TrimSpace(html::ExtractText(f));
        if (post.forwarded_from.empty()) {
          if (const char* href = html::Attr(f, "href")) {
            post.forwarded_from = href;
          }
        }
      }
      out.posts.push_back(std::move(post));
    }
    if (const GumboNode* more = more_.SelectFirst(doc->root())) {
      const char* href = html::Attr(more, "href");
      std::string next;
      if (href != nullptr) next = ResolveUrl(base, href);
      if (next.empty()) {
        next = SetQueryParam(StripFragment(base), "before",
                             html::Attr(more, "data-before"));
      }
      AddUnique(&out.next_pages, next);
    }
    if (out.posts.empty()) Diagnose(*doc, page, &out);
    return out;
  }

 private:
  // https://t.me/name -> https://t.me/s/name; other URLs unchanged.
  static std::string PreviewUrl(const std::string& seed) {
    std::string path = UrlPath(seed);
    if (path.empty() || path.rfind("/s/", 0) == 0) return seed;
    std::string name = path.substr(1);
    if (name.empty() || name.find('/') != std::string::npos) return seed;
    return ResolveUrl(seed, "/s/" + name);
  }

  static bool InsideExcluded(const GumboNode* n, const GumboNode* message) {
    for (const GumboNode* p = html::ParentElement(n); p && p != message;
         p = html::ParentElement(p)) {
      if (html::HasClass(p, "tgme_widget_message_link_preview") ||
          html::HasClass(p, "tgme_widget_message_reply")) {
        return true;
      }
    }
    return false;
  }

  // No messages: an empty channel, or a page that is not a preview at all.
  void Diagnose(const html::Document& doc, const FetchedPage& page,
                ExtractResult* out) const {
    const GumboNode* root = doc.root();
    if (history_.SelectFirst(root) != nullptr) return;  // empty channel
    if (page_.SelectFirst(root) == nullptr) {
      out->problem = PageProblem::kUnparseable;
      out->problem_detail = "not a Telegram channel preview page";
      return;
    }
    const GumboNode* title = page_title_.SelectFirst(root);
    std::string extra;
    if (const GumboNode* e = page_extra_.SelectFirst(root)) {
      extra = html::TrimSpace(html::ExtractText(e));
    }
    std::string action;
    if (const GumboNode* a = action_.SelectFirst(root)) {
      action = html::TrimSpace(html::ExtractText(a));
    }
    std::string name = title ? html::TrimSpace(html::ExtractText(title)) : "";
    if (title == nullptr || name.empty()) {
      out->problem = PageProblem::kNotFound;
      out->problem_detail = "no such public channel (deleted or unknown name)";
      return;
    }
    if (extra.find("member") != std::string::npos ||
        extra.find("online") != std::string::npos) {
      out->problem = PageProblem::kNotAChannel;
      out->problem_detail = "'" + name + "' is a group (" + extra +
                            "), not a channel with a public preview";
      return;
    }
    if (extra.find("subscriber") == std::string::npos &&
        action.find("Send Message") != std::string::npos) {
      out->problem = PageProblem::kNotAChannel;
      out->problem_detail = "'" + name + "' is a user, not a channel";
      return;
    }
    out->problem = PageProblem::kNoPublicPreview;
    out->problem_detail = "channel '" + name + "'" +
                          (extra.empty() ? "" : " (" + extra + ")") +
                          ": the page shows no public message preview";
    // A channel page linking its preview: follow it unless we came from it.
    if (const GumboNode* a = page_context_.SelectFirst(root)) {
      const char* href = html::Attr(a, "href");
      const std::string& base =
          page.final_url.empty() ? page.url : page.final_url;
      if (href != nullptr && UrlPath(page.url).rfind("/s/", 0) != 0) {
        std::string preview = ResolveUrl(base, href);
        if (UrlPath(preview).rfind("/s/", 0) == 0) {
          AddUnique(&out->next_pages, preview);
          out->problem_detail += "; preview at " + preview;
        }
      }
    }
  }

  SourceConfig source_;
  html::Selector message_, text_, any_text_, poll_question_, poll_option_,
      date_link_, time_, owner_, from_author_, views_, forwarded_, more_,
      history_, page_title_, page_extra_, page_context_, page_, action_;
};

}  // namespace

StatusOr<std::unique_ptr<SourceAdapter>> MakeTelegramAdapter(
    const SourceConfig& source) {
  return std::unique_ptr<SourceAdapter>(
      std::make_unique<TelegramAdapter>(source));
}

}  // namespace shagym::crawler::sources
