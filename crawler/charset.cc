#include "crawler/charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

#include <memory>
#include <vector>

namespace shagym::crawler {

namespace {

struct ConverterDeleter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
struct DetectorDeleter {
  void operator()(UCharsetDetector* d) const { ucsdet_close(d); }
};

// How far into a page the meta prescan looks (WHATWG uses 1024 bytes; real
// pages put long scripts first, so look further).
constexpr size_t kPrescanBytes = 4096;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Reads a charset value at `pos` (after '='): quoted or up to a delimiter.
std::string ReadValue(std::string_view s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  if (pos < s.size() && (s[pos] == '"' || s[pos] == '\'')) ++pos;
  size_t end = pos;
  while (end < s.size() && s[end] != '"' && s[end] != '\'' && s[end] != ';' &&
         s[end] != ' ' && s[end] != '>' && s[end] != '/' && s[end] != ',' &&
         s[end] != '\t' && s[end] != '\r' && s[end] != '\n') {
    ++end;
  }
  return std::string(s.substr(pos, end - pos));
}

// WHATWG Encoding: these labels mean windows-1252 in browsers.
std::string EffectiveLabel(const std::string& label) {
  std::string l = Lower(Trim(label));
  if (l == "iso-8859-1" || l == "latin1" || l == "us-ascii" || l == "ascii" ||
      l == "iso8859-1" || l == "l1") {
    return "windows-1252";
  }
  if (l == "x-cp1251") return "windows-1251";
  return l;
}

bool IsUtf8Label(const std::string& label) {
  std::string l = EffectiveLabel(label);
  return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8";
}

std::string MetaCharset(std::string_view bytes) {
  std::string head = Lower(bytes.substr(0, kPrescanBytes));
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    size_t end = head.find('>', pos);
    if (end == std::string::npos) end = head.size();
    std::string_view tag = std::string_view(head).substr(pos, end - pos);
    size_t cs = tag.find("charset");
    while (cs != std::string_view::npos) {
      size_t eq = cs + 7;
      while (eq < tag.size() && (tag[eq] == ' ' || tag[eq] == '\t')) ++eq;
      if (eq < tag.size() && tag[eq] == '=') {
        std::string v = ReadValue(tag, eq + 1);
        if (!v.empty()) return v;
      }
      cs = tag.find("charset", cs + 7);
    }
    pos = end;
  }
  return "";
}

std::string XmlDeclCharset(std::string_view bytes) {
  std::string_view s = Trim(bytes.substr(0, 512));
  if (s.substr(0, 5) != "<?xml") return "";
  size_t end = s.find("?>");
  std::string decl = Lower(s.substr(0, end));
  size_t enc = decl.find("encoding");
  if (enc == std::string::npos) return "";
  size_t eq = decl.find('=', enc);
  if (eq == std::string::npos) return "";
  return ReadValue(decl, eq + 1);
}

std::string Detect(std::string_view bytes) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, DetectorDeleter> det(ucsdet_open(&err));
  if (U_FAILURE(err)) return "";
  ucsdet_enableInputFilter(det.get(), true);  // skip markup
  size_t n = std::min<size_t>(bytes.size(), 64 * 1024);
  ucsdet_setText(det.get(), bytes.data(), static_cast<int32_t>(n), &err);
  int32_t count = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &count, &err);
  if (U_FAILURE(err) || count == 0) return "";
  const char* name = ucsdet_getName(matches[0], &err);
  return U_SUCCESS(err) && name != nullptr ? name : "";
}

// Replaces invalid sequences of (mostly valid) UTF-8 with U+FFFD.
std::string RepairUtf8(std::string_view bytes) {
  StatusOr<std::string> r = ConvertToUtf8(bytes, "UTF-8");
  return r.ok() ? *r : std::string();
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string CharsetParameter(std::string_view content_type) {
  std::string l = Lower(content_type);
  size_t pos = l.find("charset");
  while (pos != std::string::npos) {
    size_t eq = pos + 7;
    while (eq < l.size() && l[eq] == ' ') ++eq;
    if (eq < l.size() && l[eq] == '=') {
      // Keep the original spelling of the value.
      return ReadValue(content_type, eq + 1);
    }
    pos = l.find("charset", pos + 7);
  }
  return "";
}

std::string MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  return Lower(Trim(content_type.substr(0, semi)));
}

StatusOr<std::string> ConvertToUtf8(std::string_view bytes,
                                    std::string_view label) {
  std::string name = EffectiveLabel(std::string(label));
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterDeleter> conv(
      ucnv_open(name.c_str(), &err));
  if (U_FAILURE(err) || conv == nullptr) {
    return InvalidArgument("unknown charset '" + std::string(label) + "'");
  }
  // Invalid input becomes U+FFFD (ICU's default substitution).
  std::vector<UChar> u16(bytes.size() * 2 + 16);
  int32_t n16 =
      ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()),
                    bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    err = U_ZERO_ERROR;
    u16.resize(static_cast<size_t>(n16) + 1);
    n16 =
        ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()),
                      bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  }
  if (U_FAILURE(err)) {
    return InvalidArgument("cannot convert from '" + std::string(label) +
                           "': " + u_errorName(err));
  }
  std::string out(static_cast<size_t>(n16) * 3 + 4, '\0');
  int32_t n8 = 0;
  err = U_ZERO_ERROR;
  u_strToUTF8WithSub(out.data(), static_cast<int32_t>(out.size()), &n8,
                     u16.data(), n16, 0xFFFD, nullptr, &err);
  if (U_FAILURE(err)) {
    return InvalidArgument(std::string("UTF-8 output failed: ") +
                           u_errorName(err));
  }
  out.resize(static_cast<size_t>(n8));
  return out;
}

DecodedText DecodeToUtf8(std::string_view bytes,
                         std::string_view content_type) {
  DecodedText out;
  auto use = [&](const std::string& label, const char* source,
                 std::string_view body) -> bool {
    if (label.empty()) return false;
    if (IsUtf8Label(label)) {
      if (!IsValidUtf8(body)) return false;  // a lie; look further
      out.utf8 = std::string(body);
      out.charset = "UTF-8";
      out.source = source;
      return true;
    }
    // A UTF-16 label on a page without a BOM is almost always wrong (the
    // WHATWG prescan treats it as UTF-8).
    std::string l = EffectiveLabel(label);
    if (l.rfind("utf-16", 0) == 0 || l.rfind("utf-32", 0) == 0) return false;
    StatusOr<std::string> r = ConvertToUtf8(body, label);
    if (!r.ok()) return false;
    out.utf8 = std::move(*r);
    out.charset = l;
    out.source = source;
    return true;
  };

  // 1. Byte order marks.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    out.utf8 = RepairUtf8(bytes.substr(3));
    out.charset = "UTF-8";
    out.source = "bom";
    return out;
  }
  if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF") {
    const char* label = bytes[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE";
    StatusOr<std::string> r = ConvertToUtf8(bytes.substr(2), label);
    if (r.ok()) {
      out.utf8 = std::move(*r);
      out.charset = label;
      out.source = "bom";
      return out;
    }
  }
  // 2. The HTTP header.
  if (use(CharsetParameter(content_type), "header", bytes)) return out;
  // 3. <meta> and 4. the XML declaration.
  if (use(MetaCharset(bytes), "meta", bytes)) return out;
  if (use(XmlDeclCharset(bytes), "xml", bytes)) return out;
  // 5. Plain UTF-8 (ASCII included) needs no guessing.
  if (IsValidUtf8(bytes)) {
    out.utf8 = std::string(bytes);
    out.charset = "UTF-8";
    out.source = "default";
    return out;
  }
  // 6. ICU's detector.
  std::string detected = Detect(bytes);
  if (use(detected, "detected", bytes)) return out;
  out.utf8 = RepairUtf8(bytes);
  out.charset = "UTF-8";
  out.source = "default";
  return out;
}

}  // namespace shagym::crawler
