#pragma once

// A parsed HTML document (Gumbo) and the few DOM helpers the source adapters
// need: attributes, classes, element walks and readable text. Parsing is
// total: any byte string gives a tree (invalid UTF-8 becomes U+FFFD). Nothing
// here recurses over the tree, so deeply nested input cannot exhaust the
// stack. A Document is immutable after Parse() and may be read from several
// threads.
//
//   auto doc = html::Document::Parse(page.body);
//   for (const GumboNode* a : compiled_selector.Select(doc->root())) ...

#include <gumbo.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::crawler::html {

class Document {
 public:
  // Never fails; keeps its own copy of `html`.
  static std::unique_ptr<Document> Parse(std::string_view html);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // The document node (parent of <html>); a valid scope for selectors.
  const GumboNode* root() const { return output_->document; }
  // The <html> element.
  const GumboNode* html() const { return output_->root; }

 private:
  Document() = default;
  std::string buffer_;  // Gumbo points into it
  GumboOutput* output_ = nullptr;
};

// True for element (and template) nodes.
bool IsElement(const GumboNode* node);
// Lower-case tag name ("div"; the source spelling for unknown tags); empty
// for non-elements.
std::string TagName(const GumboNode* node);
// The attribute value, or nullptr when absent (or not an element).
const char* Attr(const GumboNode* node, const char* name);
// True when the class attribute holds `cls` as one of its words.
bool HasClass(const GumboNode* node, std::string_view cls);
// Nearest element ancestor, or nullptr.
const GumboNode* ParentElement(const GumboNode* node);
// True when `ancestor` is a proper ancestor of `node`.
bool IsAncestor(const GumboNode* ancestor, const GumboNode* node);
// Child nodes (all kinds) of an element or document; empty otherwise.
const GumboVector* Children(const GumboNode* node);

// Visits the element descendants of `scope` (not `scope` itself) in document
// order. `visit` returns false to skip the subtree of that element.
void ForEachElement(const GumboNode* scope,
                    const std::function<bool(const GumboNode*)>& visit);

struct TextOptions {
  // Leave out <script>, <style>, <template>, <noscript>, elements with the
  // `hidden` attribute or an inline style hiding them. Default: true.
  bool drop_hidden = true;
  // Subtrees whose root element matches this are left out (e.g. link
  // previews inside a message). Default: none.
  std::function<bool(const GumboNode*)> skip;
};

// Readable text of `node` as a browser would lay it out: runs of white space
// collapse to one space, <br> is a line break, block elements (p, div, li,
// headings, ...) start new lines, <p> and headings are separated by a blank
// line; entities are decoded (Gumbo does that); no leading or trailing white
// space. <pre> keeps its white space.
std::string ExtractText(const GumboNode* node, const TextOptions& options = {});

// Convenience: text of an HTML fragment ("<p>a</p><p>b</p>" -> "a\n\nb").
std::string HtmlToText(std::string_view html);

// Raw concatenated text nodes of `node` (no layout), e.g. for <time> or a
// counter.
std::string RawText(const GumboNode* node);

// Trims ASCII and Unicode white space (incl. NBSP) at both ends.
std::string TrimSpace(std::string_view s);

}  // namespace shagym::crawler::html
