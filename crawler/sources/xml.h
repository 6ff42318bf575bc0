#pragma once

// A forgiving XML reader for feeds and sitemaps (internal to
// crawler/sources). Total: any bytes give a tree; unclosed elements are
// closed at the end, stray end tags are ignored, unknown entities are kept
// as written. Handles CDATA, comments, processing instructions, DOCTYPE,
// the XML entities, numeric references and the HTML entities common in
// feeds. Nodes live in one flat vector, so nothing recurses.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shagym::crawler::sources {

class XmlDoc {
 public:
  static XmlDoc Parse(std::string_view xml);

  static constexpr int kRoot = 0;  // the document node

  // The first element child of the document, or -1.
  int DocumentElement() const;
  // The element's name as written ("content:encoded").
  const std::string& Name(int node) const { return nodes_[node].name; }
  // Name without its prefix ("encoded").
  std::string_view LocalName(int node) const;
  // True when the element is called `name`: exactly (ASCII case-insensitive)
  // when `name` has a prefix, else when it has no prefix or the "atom:" one.
  bool Is(int node, std::string_view name) const;
  // Element children called `name` (all element children when empty).
  std::vector<int> Children(int node, std::string_view name = "") const;
  // The first of Children(node, name), or -1.
  int Child(int node, std::string_view name) const;
  // Text of all descendants, concatenated (CDATA included), untrimmed.
  std::string Text(int node) const;
  // Trimmed text of the first child called `name`; "" when absent.
  std::string ChildText(int node, std::string_view name) const;
  // Attribute value or nullptr.
  const std::string* Attr(int node, std::string_view name) const;

 private:
  struct Node {
    std::string name;  // empty for text and the document
    std::vector<std::pair<std::string, std::string>> attrs;
    std::vector<int> children;
    std::string text;  // text nodes only
    bool is_text = false;
  };
  std::vector<Node> nodes_;
};

// Decodes XML/HTML character references in `s`.
std::string DecodeEntities(std::string_view s);

}  // namespace shagym::crawler::sources
