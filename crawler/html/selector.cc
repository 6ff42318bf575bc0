#include "crawler/html/selector.h"

#include <cctype>
#include <cstring>
#include <utility>

namespace shagym::crawler::html {

namespace {

constexpr size_t kMaxCompounds = 64;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool IsIdentChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_' || u >= 0x80;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Status Fail(const std::string& what) const {
    return InvalidArgument("bad selector '" + std::string(s_) + "': " + what +
                           " at column " + std::to_string(pos_ + 1));
  }

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void SkipSpaces() {
    while (!AtEnd() && IsSpace(s_[pos_])) ++pos_;
  }
  bool SkipSpacesReport() {
    size_t before = pos_;
    SkipSpaces();
    return pos_ != before;
  }

  // An identifier, with backslash escapes taken literally.
  std::string Ident() {
    std::string out;
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        out.push_back(s_[pos_ + 1]);
        pos_ += 2;
      } else if (IsIdentChar(c)) {
        out.push_back(c);
        ++pos_;
      } else {
        break;
      }
    }
    return out;
  }

  // A compound selector; `inside_not` forbids nesting :not().
  Status ParseCompound(std::vector<Selector::Simple>* out, bool inside_not) {
    using Kind = Selector::Simple::Kind;
    bool any = false;
    if (Peek() == '*') {
      ++pos_;
      out->push_back({});
      any = true;
    } else if (IsIdentChar(Peek())) {
      Selector::Simple s;
      s.kind = Kind::kType;
      s.name = Ident();
      for (char& c : s.name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      s.tag = gumbo_tag_enum(s.name.c_str());
      out->push_back(std::move(s));
      any = true;
    }
    while (!AtEnd()) {
      char c = Peek();
      if (c == '.' || c == '#') {
        ++pos_;
        Selector::Simple s;
        s.kind = c == '.' ? Kind::kClass : Kind::kId;
        s.name = Ident();
        if (s.name.empty()) {
          return Fail(std::string("expected a name after '") + c + "'");
        }
        out->push_back(std::move(s));
      } else if (c == '[') {
        ++pos_;
        SHAGYM_RETURN_IF_ERROR(ParseAttribute(out));
      } else if (c == ':') {
        ++pos_;
        std::string name = Ident();
        for (char& ch : name) {
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        Selector::Simple s;
        if (name == "not") {
          if (inside_not) return Fail("nested :not() is not supported");
          if (Peek() != '(') return Fail("expected '(' after :not");
          ++pos_;
          SkipSpaces();
          s.kind = Kind::kNot;
          SHAGYM_RETURN_IF_ERROR(ParseCompound(&s.negated, true));
          SkipSpaces();
          if (Peek() != ')') return Fail("expected ')' to close :not(");
          ++pos_;
        } else if (name == "first-child") {
          s.kind = Kind::kFirstChild;
        } else if (name == "last-child") {
          s.kind = Kind::kLastChild;
        } else {
          return Fail("unsupported pseudo-class ':" + name + "'");
        }
        out->push_back(std::move(s));
      } else {
        break;
      }
      any = true;
    }
    if (!any) {
      if (AtEnd()) return Fail("expected a selector");
      return Fail(std::string("unexpected '") + Peek() + "'");
    }
    return Status::Ok();
  }

  Status ParseAttribute(std::vector<Selector::Simple>* out) {
    using Kind = Selector::Simple::Kind;
    SkipSpaces();
    Selector::Simple s;
    s.name = Ident();
    for (char& c : s.name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (s.name.empty()) return Fail("expected an attribute name");
    SkipSpaces();
    char c = Peek();
    if (c == ']') {
      ++pos_;
      s.kind = Kind::kAttrExists;
      out->push_back(std::move(s));
      return Status::Ok();
    }
    if (c == '=') {
      s.kind = Kind::kAttrEquals;
      ++pos_;
    } else if ((c == '~' || c == '|' || c == '^' || c == '$' || c == '*') &&
               pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') {
      s.kind = c == '~'   ? Kind::kAttrWord
               : c == '|' ? Kind::kAttrLang
               : c == '^' ? Kind::kAttrPrefix
               : c == '$' ? Kind::kAttrSuffix
                          : Kind::kAttrContains;
      pos_ += 2;
    } else {
      return Fail("expected ']' or an attribute operator");
    }
    SkipSpaces();
    if (Peek() == '"' || Peek() == '\'') {
      char quote = Peek();
      ++pos_;
      while (!AtEnd() && s_[pos_] != quote) {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        s.value.push_back(s_[pos_++]);
      }
      if (AtEnd()) return Fail("unterminated string");
      ++pos_;
    } else {
      s.value = Ident();
      if (s.value.empty()) return Fail("expected an attribute value");
    }
    SkipSpaces();
    if (Peek() != ']') return Fail("expected ']'");
    ++pos_;
    out->push_back(std::move(s));
    return Status::Ok();
  }

  size_t pos() const { return pos_; }
  void Advance() { ++pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool MatchAttr(const Selector::Simple& s, const GumboNode* node) {
  using Kind = Selector::Simple::Kind;
  const char* v = Attr(node, s.name.c_str());
  if (v == nullptr) return false;
  std::string_view value(v);
  const std::string& want = s.value;
  switch (s.kind) {
    case Kind::kAttrExists:
      return true;
    case Kind::kAttrEquals:
      return value == want;
    case Kind::kAttrPrefix:
      return !want.empty() && value.substr(0, want.size()) == want;
    case Kind::kAttrSuffix:
      return !want.empty() && value.size() >= want.size() &&
             value.substr(value.size() - want.size()) == want;
    case Kind::kAttrContains:
      return !want.empty() && value.find(want) != std::string_view::npos;
    case Kind::kAttrLang:
      return value == want || (value.size() > want.size() &&
                               value.substr(0, want.size()) == want &&
                               value[want.size()] == '-');
    case Kind::kAttrWord: {
      size_t i = 0;
      while (i < value.size()) {
        while (i < value.size() && IsSpace(value[i])) ++i;
        size_t j = i;
        while (j < value.size() && !IsSpace(value[j])) ++j;
        if (j > i && value.substr(i, j - i) == want) return true;
        i = j;
      }
      return false;
    }
    default:
      return false;
  }
}

// Element siblings, for :first-child / :last-child.
bool IsEdgeChild(const GumboNode* node, bool first) {
  const GumboNode* parent = node->parent;
  if (parent == nullptr) return false;
  const GumboVector* kids = Children(parent);
  if (kids == nullptr) return false;
  if (first) {
    for (unsigned i = 0; i < kids->length; ++i) {
      const auto* k = static_cast<const GumboNode*>(kids->data[i]);
      if (k->type == GUMBO_NODE_ELEMENT) return k == node;
    }
  } else {
    for (unsigned i = kids->length; i > 0; --i) {
      const auto* k = static_cast<const GumboNode*>(kids->data[i - 1]);
      if (k->type == GUMBO_NODE_ELEMENT) return k == node;
    }
  }
  return false;
}

bool MatchSimple(const Selector::Simple& s, const GumboNode* node) {
  using Kind = Selector::Simple::Kind;
  switch (s.kind) {
    case Kind::kUniversal:
      return true;
    case Kind::kType:
      if (s.tag != GUMBO_TAG_UNKNOWN) return node->v.element.tag == s.tag;
      return node->v.element.tag == GUMBO_TAG_UNKNOWN &&
             TagName(node) == s.name;
    case Kind::kClass:
      return HasClass(node, s.name);
    case Kind::kId: {
      const char* id = Attr(node, "id");
      return id != nullptr && s.name == id;
    }
    case Kind::kNot:
      for (const auto& inner : s.negated) {
        if (!MatchSimple(inner, node)) return true;
      }
      return false;
    case Kind::kFirstChild:
      return IsEdgeChild(node, true);
    case Kind::kLastChild:
      return IsEdgeChild(node, false);
    default:
      return MatchAttr(s, node);
  }
}

}  // namespace

StatusOr<Selector> Selector::Parse(std::string_view text) {
  Selector sel;
  sel.text_ = std::string(text);
  Parser p(text);
  p.SkipSpaces();
  if (p.AtEnd()) return p.Fail("empty selector");
  int prev = -1;
  bool child = false;
  while (true) {
    Compound c;
    c.prev = prev;
    c.child_of_prev = child;
    SHAGYM_RETURN_IF_ERROR(p.ParseCompound(&c.simples, false));
    if (sel.compounds_.size() >= kMaxCompounds) {
      return p.Fail("too many parts (at most 64)");
    }
    const int index = static_cast<int>(sel.compounds_.size());
    if (prev < 0) sel.first_mask_ |= uint64_t{1} << index;
    sel.compounds_.push_back(std::move(c));
    const bool had_space = p.SkipSpacesReport();
    if (p.AtEnd() || p.Peek() == ',') {
      sel.last_mask_ |= uint64_t{1} << index;
      if (p.AtEnd()) break;
      p.Advance();
      p.SkipSpaces();
      if (p.AtEnd()) return p.Fail("expected a selector after ','");
      prev = -1;
      child = false;
      continue;
    }
    if (p.Peek() == '>') {
      p.Advance();
      p.SkipSpaces();
      child = true;
    } else if (had_space) {
      child = false;
    } else {
      return p.Fail(std::string("unexpected '") + p.Peek() + "'");
    }
    prev = index;
  }
  return sel;
}

bool Selector::MatchCompound(const Compound& c, const GumboNode* node) const {
  for (const auto& s : c.simples) {
    if (!MatchSimple(s, node)) return false;
  }
  return true;
}

// Top-down evaluation: for each element, M = the compounds whose whole
// left-hand chain matches ending at this element, A = M of this element or
// any ancestor below the scope. A compound matches at a node when it matches
// the node itself and its left neighbour is in the parent's M ('>') or A
// (' '). One pass, O(nodes x compounds).
template <typename F>
void Selector::Run(const GumboNode* scope, F on_match) const {
  struct Frame {
    const GumboNode* node;
    uint64_t parent_m;
    uint64_t parent_a;
  };
  std::vector<Frame> stack;
  auto push_children = [&stack](const GumboNode* n, uint64_t m, uint64_t a) {
    const GumboVector* kids = Children(n);
    if (kids == nullptr) return;
    for (unsigned i = kids->length; i > 0; --i) {
      const auto* k = static_cast<const GumboNode*>(kids->data[i - 1]);
      if (k->type == GUMBO_NODE_ELEMENT) stack.push_back({k, m, a});
    }
  };
  push_children(scope, 0, 0);
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    uint64_t m = 0;
    for (size_t i = 0; i < compounds_.size(); ++i) {
      const Compound& c = compounds_[i];
      if (c.prev >= 0) {
        const uint64_t need = uint64_t{1} << c.prev;
        if (((c.child_of_prev ? f.parent_m : f.parent_a) & need) == 0) continue;
      }
      if (MatchCompound(c, f.node)) m |= uint64_t{1} << i;
    }
    if ((m & last_mask_) != 0 && !on_match(f.node)) return;
    push_children(f.node, m, m | f.parent_a);
  }
}

std::vector<const GumboNode*> Selector::Select(const GumboNode* scope) const {
  std::vector<const GumboNode*> out;
  if (scope == nullptr) return out;
  Run(scope, [&out](const GumboNode* n) {
    out.push_back(n);
    return true;
  });
  return out;
}

const GumboNode* Selector::SelectFirst(const GumboNode* scope) const {
  const GumboNode* found = nullptr;
  if (scope == nullptr) return nullptr;
  Run(scope, [&found](const GumboNode* n) {
    found = n;
    return false;
  });
  return found;
}

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view spec) {
  FieldSelector f;
  // The attribute part starts at the last '@' outside brackets and quotes.
  size_t at = std::string_view::npos;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < spec.size(); ++i) {
    char c = spec[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '(') {
      ++depth;
    } else if (c == ']' || c == ')') {
      --depth;
    } else if (c == '@' && depth == 0) {
      at = i;
    }
  }
  std::string_view sel = spec;
  if (at != std::string_view::npos) {
    std::string_view attr = spec.substr(at + 1);
    sel = spec.substr(0, at);
    size_t b = 0, e = attr.size();
    while (b < e && IsSpace(attr[b])) ++b;
    while (e > b && IsSpace(attr[e - 1])) --e;
    attr = attr.substr(b, e - b);
    if (attr.empty()) {
      return InvalidArgument("bad selector '" + std::string(spec) +
                             "': expected an attribute name after '@'");
    }
    for (char c : attr) {
      if (!IsIdentChar(c) && c != ':') {
        return InvalidArgument("bad selector '" + std::string(spec) +
                               "': bad attribute name '" + std::string(attr) +
                               "'");
      }
    }
    f.attr_ = std::string(attr);
    for (char& c : f.attr_) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  bool blank = true;
  for (char c : sel) {
    if (!IsSpace(c)) blank = false;
  }
  if (!blank) {
    auto s = Selector::Parse(sel);
    if (!s.ok()) return s.status();
    f.selector_ = std::move(s).value();
    f.has_selector_ = true;
  }
  return f;
}

const GumboNode* FieldSelector::Find(const GumboNode* scope) const {
  if (scope == nullptr || empty()) return nullptr;
  if (!has_selector_) return scope;
  return selector_->SelectFirst(scope);
}

std::optional<std::string> FieldSelector::Extract(
    const GumboNode* scope, const TextOptions& options) const {
  const GumboNode* n = Find(scope);
  if (n == nullptr) return std::nullopt;
  if (!attr_.empty()) {
    const char* v = Attr(n, attr_.c_str());
    if (v == nullptr) return std::nullopt;
    return TrimSpace(v);
  }
  return ExtractText(n, options);
}

}  // namespace shagym::crawler::html
