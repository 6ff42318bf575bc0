#include "crawler/html/dom.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace shagym::crawler::html {

namespace {

// Gumbo stops reporting parse errors after this many; we never read them.
constexpr int kMaxParseErrors = 0;

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Breaks a block element asks for around itself: 1 = new line, 2 = blank
// line.
int BlockBreak(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
      return 2;
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HTML:
      return 1;
    default:
      return 0;
  }
}

bool IsHiddenElement(const GumboNode* node) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
      return true;
    default:
      break;
  }
  if (Attr(node, "hidden") != nullptr) return true;
  if (const char* style = Attr(node, "style")) {
    std::string s;
    for (const char* p = style; *p; ++p) {
      if (!IsAsciiSpace(*p)) {
        s.push_back(
            static_cast<char>(std::tolower(static_cast<unsigned char>(*p))));
      }
    }
    if (s.find("display:none") != std::string::npos ||
        s.find("visibility:hidden") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Accumulates laid-out text.
class TextBuilder {
 public:
  void Word(std::string_view word) {
    Flush();
    out_.append(word);
  }
  void Space() { pending_space_ = true; }
  void Break(int n) { pending_breaks_ = std::max(pending_breaks_, n); }
  void HardBreak() {
    TrimTrailingSpaces();
    out_.push_back('\n');
    pending_space_ = false;
    pending_breaks_ = 0;
  }
  void Raw(std::string_view text) {
    if (text.empty()) return;
    Flush();
    out_.append(text);
  }
  void Text(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      if (IsAsciiSpace(text[i])) {
        pending_space_ = true;
        ++i;
        continue;
      }
      size_t j = i;
      while (j < text.size() && !IsAsciiSpace(text[j])) ++j;
      Word(text.substr(i, j - i));
      i = j;
    }
  }
  std::string Finish() {
    TrimTrailingSpaces();
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) {
      out_.pop_back();
    }
    size_t b = 0;
    while (b < out_.size() && (out_[b] == '\n' || out_[b] == ' ')) ++b;
    return out_.substr(b);
  }

 private:
  void TrimTrailingSpaces() {
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) {
      out_.pop_back();
    }
  }
  void Flush() {
    if (!out_.empty()) {
      if (pending_breaks_ > 0) {
        TrimTrailingSpaces();
        int have = 0;
        for (size_t k = out_.size(); k > 0 && out_[k - 1] == '\n'; --k) ++have;
        for (int k = have; k < pending_breaks_; ++k) out_.push_back('\n');
      } else if (pending_space_ && out_.back() != '\n' && out_.back() != ' ') {
        out_.push_back(' ');
      }
    }
    pending_space_ = false;
    pending_breaks_ = 0;
  }

  std::string out_;
  bool pending_space_ = false;
  int pending_breaks_ = 0;
};

// Gumbo's tree builder walks the stack of open elements for many start tags,
// so a page of 100,000 unclosed <div>s costs O(n^2). Before parsing we cap
// nesting lexically: start tags beyond kMaxNesting open elements are dropped
// (with their matching end tags), the text stays. Pages within the cap are
// parsed unchanged.
constexpr size_t kMaxNesting = 512;

bool IsTagNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':' ||
         c == '_';
}

bool IsVoidTag(std::string_view n) {
  static const char* const kVoid[] = {
      "area", "base", "br",    "col",    "embed", "hr",  "img",   "input",
      "link", "meta", "param", "source", "track", "wbr", "keygen"};
  for (const char* v : kVoid) {
    if (n == v) return true;
  }
  return false;
}

bool IsRawTextTag(std::string_view n) {
  return n == "script" || n == "style" || n == "textarea" || n == "title" ||
         n == "xmp" || n == "iframe" || n == "noembed" || n == "noframes";
}

// Elements a sibling of the same name closes implicitly.
bool IsSelfClosingSibling(std::string_view n) {
  return n == "p" || n == "li" || n == "dt" || n == "dd" || n == "option" ||
         n == "tr" || n == "td" || n == "th";
}

size_t FindCaseInsensitive(std::string_view hay, std::string_view needle,
                           size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() &&
           std::tolower(static_cast<unsigned char>(hay[i + k])) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) return i;
  }
  return std::string::npos;
}

// Returns true and fills `out` when `html` nests deeper than the cap.
bool LimitNesting(std::string_view html, std::string* out) {
  std::vector<std::string> open;
  std::unordered_map<std::string, int> dropped;
  bool changed = false;
  size_t copied = 0;  // html[copied, i) is still to be copied to `out`
  auto drop = [&](size_t begin, size_t end) {
    if (!changed) {
      changed = true;
      out->reserve(html.size());
    }
    out->append(html.substr(copied, begin - copied));
    copied = end;
  };
  size_t i = 0;
  while (i < html.size()) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) break;
    i = lt + 1;
    if (i >= html.size()) break;
    if (html.compare(lt, 4, "<!--") == 0) {
      size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (html[i] == '!' || html[i] == '?') {
      size_t end = html.find('>', i);
      i = end == std::string_view::npos ? html.size() : end + 1;
      continue;
    }
    bool end_tag = html[i] == '/';
    size_t name_begin = end_tag ? i + 1 : i;
    if (name_begin >= html.size() ||
        !std::isalpha(static_cast<unsigned char>(html[name_begin]))) {
      continue;
    }
    size_t name_end = name_begin;
    while (name_end < html.size() && IsTagNameChar(html[name_end])) ++name_end;
    std::string name(html.substr(name_begin, name_end - name_begin));
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    // The end of the tag, skipping quoted attribute values.
    size_t j = name_end;
    char quote = 0;
    while (j < html.size()) {
      char c = html[j];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
      ++j;
    }
    size_t tag_end = j < html.size() ? j + 1 : html.size();
    bool self_closing = j > name_end && html[j - 1] == '/';
    i = tag_end;
    if (end_tag) {
      auto d = dropped.find(name);
      if (d != dropped.end() && d->second > 0) {
        --d->second;
        drop(lt, tag_end);
        continue;
      }
      for (size_t k = open.size(); k > 0; --k) {
        if (open[k - 1] == name) {
          open.resize(k - 1);
          break;
        }
      }
      continue;
    }
    if (IsRawTextTag(name)) {
      size_t close = FindCaseInsensitive(html, "</" + name, tag_end);
      i = close == std::string::npos ? html.size() : close;
      continue;
    }
    if (self_closing || IsVoidTag(name)) continue;
    if (IsSelfClosingSibling(name)) {
      // Look for an open one of the same name, not past a scope boundary.
      const bool cell = name == "td" || name == "th" || name == "tr";
      for (size_t k = open.size(); k > 0; --k) {
        const std::string& o = open[k - 1];
        if (o == name) {
          open.resize(k - 1);
          break;
        }
        if (o == "table" || o == "template" || o == "object" || o == "button" ||
            o == "marquee" || o == "applet" ||
            (!cell && (o == "td" || o == "th" || o == "caption")) ||
            (name == "li" && (o == "ul" || o == "ol")) ||
            ((name == "dt" || name == "dd") && o == "dl")) {
          break;
        }
      }
    }
    if (open.size() >= kMaxNesting) {
      ++dropped[name];
      drop(lt, tag_end);
      continue;
    }
    open.push_back(std::move(name));
  }
  if (changed) out->append(html.substr(copied));
  return changed;
}

}  // namespace

std::unique_ptr<Document> Document::Parse(std::string_view html) {
  std::unique_ptr<Document> doc(new Document());
  if (!LimitNesting(html, &doc->buffer_)) {
    doc->buffer_.assign(html.data(), html.size());
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = kMaxParseErrors;
  doc->output_ = gumbo_parse_with_options(&options, doc->buffer_.data(),
                                          doc->buffer_.size());
  return doc;
}

Document::~Document() {
  if (output_ != nullptr) gumbo_destroy_output(&kGumboDefaultOptions, output_);
}

bool IsElement(const GumboNode* node) {
  return node != nullptr && (node->type == GUMBO_NODE_ELEMENT ||
                             node->type == GUMBO_NODE_TEMPLATE);
}

std::string TagName(const GumboNode* node) {
  if (!IsElement(node)) return "";
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string name(piece.data, piece.length);
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // Strip attributes that gumbo_tag_from_original_text leaves for some tags.
  size_t end = 0;
  while (end < name.size() && !IsAsciiSpace(name[end]) && name[end] != '/' &&
         name[end] != '>') {
    ++end;
  }
  name.resize(end);
  return name;
}

const char* Attr(const GumboNode* node, const char* name) {
  if (!IsElement(node)) return nullptr;
  const GumboAttribute* a =
      gumbo_get_attribute(&node->v.element.attributes, name);
  return a == nullptr ? nullptr : a->value;
}

bool HasClass(const GumboNode* node, std::string_view cls) {
  const char* value = Attr(node, "class");
  if (value == nullptr || cls.empty()) return false;
  std::string_view v(value);
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && IsAsciiSpace(v[i])) ++i;
    size_t j = i;
    while (j < v.size() && !IsAsciiSpace(v[j])) ++j;
    if (v.substr(i, j - i) == cls) return true;
    i = j;
  }
  return false;
}

const GumboNode* ParentElement(const GumboNode* node) {
  if (node == nullptr) return nullptr;
  const GumboNode* p = node->parent;
  return IsElement(p) ? p : nullptr;
}

bool IsAncestor(const GumboNode* ancestor, const GumboNode* node) {
  if (node == nullptr) return false;
  for (const GumboNode* p = node->parent; p != nullptr; p = p->parent) {
    if (p == ancestor) return true;
  }
  return false;
}

const GumboVector* Children(const GumboNode* node) {
  if (node == nullptr) return nullptr;
  if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
  if (IsElement(node)) return &node->v.element.children;
  return nullptr;
}

void ForEachElement(const GumboNode* scope,
                    const std::function<bool(const GumboNode*)>& visit) {
  std::vector<const GumboNode*> stack;
  auto push_children = [&stack](const GumboNode* n) {
    const GumboVector* kids = Children(n);
    if (kids == nullptr) return;
    for (unsigned i = kids->length; i > 0; --i) {
      const auto* child = static_cast<const GumboNode*>(kids->data[i - 1]);
      if (child->type == GUMBO_NODE_ELEMENT) stack.push_back(child);
    }
  };
  push_children(scope);
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (visit(n)) push_children(n);
  }
}

std::string ExtractText(const GumboNode* node, const TextOptions& options) {
  if (node == nullptr) return "";
  TextBuilder b;
  struct Frame {
    const GumboNode* node;
    bool exit;
  };
  std::vector<Frame> stack{{node, false}};
  int pre_depth = 0;
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    const GumboNode* n = f.node;
    switch (n->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        if (pre_depth > 0) {
          b.Raw(n->v.text.text);
        } else {
          b.Text(n->v.text.text);
        }
        break;
      case GUMBO_NODE_DOCUMENT:
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        GumboTag tag = n->type == GUMBO_NODE_DOCUMENT ? GUMBO_TAG_UNKNOWN
                                                      : n->v.element.tag;
        if (f.exit) {
          if (tag == GUMBO_TAG_PRE) --pre_depth;
          if (int br = BlockBreak(tag)) b.Break(br);
          if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) b.Space();
          break;
        }
        if (n != node && n->type != GUMBO_NODE_DOCUMENT) {
          if (options.drop_hidden && IsHiddenElement(n)) break;
          if (options.skip && options.skip(n)) break;
        }
        if (tag == GUMBO_TAG_BR) {
          b.HardBreak();
          break;
        }
        if (tag == GUMBO_TAG_IMG || tag == GUMBO_TAG_INPUT) {
          b.Space();
          break;
        }
        if (int br = BlockBreak(tag)) b.Break(br);
        if (tag == GUMBO_TAG_PRE) ++pre_depth;
        stack.push_back({n, true});
        const GumboVector* kids = Children(n);
        for (unsigned i = kids->length; i > 0; --i) {
          stack.push_back(
              {static_cast<const GumboNode*>(kids->data[i - 1]), false});
        }
        break;
      }
      case GUMBO_NODE_COMMENT:
        break;
    }
  }
  return b.Finish();
}

std::string HtmlToText(std::string_view html) {
  if (html.find('<') == std::string_view::npos &&
      html.find('&') == std::string_view::npos) {
    TextBuilder b;
    b.Text(html);
    return b.Finish();
  }
  auto doc = Document::Parse(html);
  return ExtractText(doc->root());
}

std::string RawText(const GumboNode* node) {
  std::string out;
  if (node == nullptr) return out;
  std::vector<const GumboNode*> stack{node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
      out.append(n->v.text.text);
      continue;
    }
    const GumboVector* kids = Children(n);
    if (kids == nullptr) continue;
    for (unsigned i = kids->length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(kids->data[i - 1]));
    }
  }
  return out;
}

std::string TrimSpace(std::string_view s) {
  auto is_space_at = [&s](size_t i, size_t* len) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsAsciiSpace(static_cast<char>(c)) || c == '\v') {
      *len = 1;
      return true;
    }
    // U+00A0 NO-BREAK SPACE.
    if (c == 0xC2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      *len = 2;
      return true;
    }
    return false;
  };
  size_t b = 0, len = 0;
  while (b < s.size() && is_space_at(b, &len)) b += len;
  size_t e = s.size();
  while (e > b) {
    if (IsAsciiSpace(s[e - 1]) || s[e - 1] == '\v') {
      --e;
    } else if (e - b >= 2 && static_cast<unsigned char>(s[e - 2]) == 0xC2 &&
               static_cast<unsigned char>(s[e - 1]) == 0xA0) {
      e -= 2;
    } else {
      break;
    }
  }
  return std::string(s.substr(b, e - b));
}

}  // namespace shagym::crawler::html
