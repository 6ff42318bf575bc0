#include "crawler/sources/xml.h"

#include <cctype>
#include <cstdint>
#include <cstring>

#include "common/utf8.h"
#include "crawler/html/dom.h"

namespace shagym::crawler::sources {

namespace {

constexpr size_t kMaxDepth = 256;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == ':' || c == '-' || c == '_' || c == '.' ||
         u >= 0x80;
}

// XML forbids the character U+0000 as well (a reference to it reads as U+FFFD).
void AppendXmlChar(uint32_t cp, std::string* out) {
  AppendUtf8(cp == 0 ? 0xFFFD : cp, out);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string DecodeEntities(std::string_view s) {
  static const struct {
    const char* name;
    uint32_t cp;
  } kNamed[] = {{"lt", '<'},       {"gt", '>'},        {"amp", '&'},
                {"quot", '"'},     {"apos", '\''},     {"nbsp", 0xA0},
                {"laquo", 0xAB},   {"raquo", 0xBB},    {"mdash", 0x2014},
                {"ndash", 0x2013}, {"hellip", 0x2026}, {"copy", 0xA9},
                {"reg", 0xAE},     {"trade", 0x2122},  {"ldquo", 0x201C},
                {"rdquo", 0x201D}, {"lsquo", 0x2018},  {"rsquo", 0x2019},
                {"bdquo", 0x201E}, {"laquo", 0xAB},    {"numero", 0x2116},
                {"deg", 0xB0},     {"times", 0xD7},    {"middot", 0xB7},
                {"bull", 0x2022},  {"euro", 0x20AC},   {"shy", 0xAD}};
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    size_t semi = s.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back(s[i++]);
      continue;
    }
    std::string_view ref = s.substr(i + 1, semi - i - 1);
    bool done = false;
    if (!ref.empty() && ref[0] == '#') {
      uint32_t cp = 0;
      bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
      std::string_view digits = ref.substr(hex ? 2 : 1);
      bool ok = !digits.empty();
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) cp = 0x110000;
      }
      if (ok) {
        AppendXmlChar(cp, &out);
        done = true;
      }
    } else {
      for (const auto& e : kNamed) {
        if (ref == e.name) {
          AppendXmlChar(e.cp, &out);
          done = true;
          break;
        }
      }
    }
    if (done) {
      i = semi + 1;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

XmlDoc XmlDoc::Parse(std::string_view s) {
  XmlDoc doc;
  doc.nodes_.emplace_back();
  std::vector<int> open{kRoot};
  auto add_text = [&](std::string text) {
    if (text.empty()) return;
    int parent = open.back();
    auto& kids = doc.nodes_[parent].children;
    if (!kids.empty() && doc.nodes_[kids.back()].is_text) {
      doc.nodes_[kids.back()].text += text;
      return;
    }
    Node n;
    n.is_text = true;
    n.text = std::move(text);
    doc.nodes_.push_back(std::move(n));
    doc.nodes_[parent].children.push_back(static_cast<int>(doc.nodes_.size()) -
                                          1);
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '<') {
      size_t lt = s.find('<', i);
      if (lt == std::string_view::npos) lt = s.size();
      add_text(DecodeEntities(s.substr(i, lt - i)));
      i = lt;
      continue;
    }
    std::string_view rest = s.substr(i);
    if (rest.substr(0, 9) == "<![CDATA[") {
      size_t end = s.find("]]>", i + 9);
      if (end == std::string_view::npos) end = s.size();
      add_text(std::string(s.substr(i + 9, end - i - 9)));
      i = end == s.size() ? end : end + 3;
      continue;
    }
    if (rest.substr(0, 4) == "<!--") {
      size_t end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      size_t end = s.find("?>", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
      continue;
    }
    if (rest.substr(0, 2) == "<!") {
      // DOCTYPE, possibly with an internal subset in brackets.
      size_t j = i + 2;
      int depth = 0;
      while (j < s.size()) {
        if (s[j] == '[') ++depth;
        if (s[j] == ']') --depth;
        if (s[j] == '>' && depth <= 0) break;
        ++j;
      }
      i = j < s.size() ? j + 1 : j;
      continue;
    }
    if (rest.substr(0, 2) == "</") {
      size_t j = i + 2;
      while (j < s.size() && IsNameChar(s[j])) ++j;
      std::string name(s.substr(i + 2, j - i - 2));
      size_t gt = s.find('>', j);
      i = gt == std::string_view::npos ? s.size() : gt + 1;
      for (size_t k = open.size(); k > 1; --k) {
        if (EqualsIgnoreCase(doc.nodes_[open[k - 1]].name, name)) {
          open.resize(k - 1);
          break;
        }
      }
      continue;
    }
    size_t j = i + 1;
    while (j < s.size() && IsNameChar(s[j])) ++j;
    if (j == i + 1) {  // a lone '<'
      add_text("<");
      ++i;
      continue;
    }
    Node el;
    el.name = std::string(s.substr(i + 1, j - i - 1));
    bool self_closing = false;
    // Attributes until '>'.
    while (j < s.size() && s[j] != '>') {
      if (IsSpace(s[j])) {
        ++j;
        continue;
      }
      if (s[j] == '/') {
        self_closing = true;
        ++j;
        continue;
      }
      size_t k = j;
      while (k < s.size() && IsNameChar(s[k])) ++k;
      if (k == j) {
        ++j;
        continue;
      }
      std::string attr(s.substr(j, k - j));
      std::string value;
      while (k < s.size() && IsSpace(s[k])) ++k;
      if (k < s.size() && s[k] == '=') {
        ++k;
        while (k < s.size() && IsSpace(s[k])) ++k;
        if (k < s.size() && (s[k] == '"' || s[k] == '\'')) {
          char q = s[k];
          size_t e = s.find(q, k + 1);
          if (e == std::string_view::npos) e = s.size();
          value = DecodeEntities(s.substr(k + 1, e - k - 1));
          k = e < s.size() ? e + 1 : e;
        } else {
          size_t e = k;
          while (e < s.size() && !IsSpace(s[e]) && s[e] != '>') ++e;
          value = DecodeEntities(s.substr(k, e - k));
          k = e;
        }
      }
      el.attrs.emplace_back(std::move(attr), std::move(value));
      self_closing = false;
      j = k;
    }
    i = j < s.size() ? j + 1 : j;
    int parent = open.back();
    doc.nodes_.push_back(std::move(el));
    int index = static_cast<int>(doc.nodes_.size()) - 1;
    doc.nodes_[parent].children.push_back(index);
    if (!self_closing && open.size() < kMaxDepth) open.push_back(index);
  }
  return doc;
}

int XmlDoc::DocumentElement() const { return Child(kRoot, ""); }

std::string_view XmlDoc::LocalName(int node) const {
  std::string_view n = nodes_[node].name;
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

bool XmlDoc::Is(int node, std::string_view name) const {
  const Node& n = nodes_[node];
  if (n.is_text || node == kRoot) return false;
  if (name.empty()) return true;
  if (EqualsIgnoreCase(n.name, name)) return true;
  if (name.find(':') != std::string_view::npos) return false;
  std::string_view full = n.name;
  size_t colon = full.find(':');
  return colon != std::string_view::npos &&
         EqualsIgnoreCase(full.substr(0, colon), "atom") &&
         EqualsIgnoreCase(full.substr(colon + 1), name);
}

std::vector<int> XmlDoc::Children(int node, std::string_view name) const {
  std::vector<int> out;
  if (node < 0) return out;
  for (int c : nodes_[node].children) {
    if (Is(c, name)) out.push_back(c);
  }
  return out;
}

int XmlDoc::Child(int node, std::string_view name) const {
  if (node < 0) return -1;
  for (int c : nodes_[node].children) {
    if (Is(c, name)) return c;
  }
  return -1;
}

std::string XmlDoc::Text(int node) const {
  std::string out;
  if (node < 0) return out;
  std::vector<int> stack{node};
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    if (nodes_[n].is_text) {
      out += nodes_[n].text;
      continue;
    }
    const auto& kids = nodes_[n].children;
    for (size_t k = kids.size(); k > 0; --k) stack.push_back(kids[k - 1]);
  }
  return out;
}

std::string XmlDoc::ChildText(int node, std::string_view name) const {
  int c = Child(node, name);
  return c < 0 ? "" : html::TrimSpace(Text(c));
}

const std::string* XmlDoc::Attr(int node, std::string_view name) const {
  if (node < 0) return nullptr;
  for (const auto& [k, v] : nodes_[node].attrs) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

}  // namespace shagym::crawler::sources
