// CSS selectors come from hand-edited source files, pages from strangers.
// First line: a selector (with an optional @attr); the rest: an HTML page it
// runs on. Parse never crashes, matching is total, and Select agrees with
// SelectFirst.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crawler/html/dom.h"
#include "crawler/html/selector.h"

using shagym::crawler::html::Document;
using shagym::crawler::html::FieldSelector;
using shagym::crawler::html::Selector;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view spec = in.substr(0, nl);
  std::string_view html =
      nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto field = FieldSelector::Parse(spec);
  auto sel = Selector::Parse(spec);
  if (!sel.ok() && sel.status().message().find('\n') != std::string::npos) {
    __builtin_trap();  // one-line errors
  }
  if (!sel.ok() && !field.ok()) return 0;
  auto doc = Document::Parse(html);
  if (sel.ok()) {
    auto all = sel->Select(doc->root());
    const auto* first = sel->SelectFirst(doc->root());
    if (all.empty() != (first == nullptr)) __builtin_trap();
    if (!all.empty() && all.front() != first) __builtin_trap();
    for (const auto* n : all) (void)shagym::crawler::html::ExtractText(n);
  }
  if (field.ok()) (void)field->Extract(doc->root());
  return 0;
}
