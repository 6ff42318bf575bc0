// The escapes of JSON strings (RFC 8259 section 7), written as
// nlohmann::json's dump writes them, for the hand-written JSON writers (the
// log lines, classify's output).

#ifndef SHAGYM_COMMON_JSON_ESCAPE_H_
#define SHAGYM_COMMON_JSON_ESCAPE_H_

#include <string>

namespace shagym {

// True for the bytes a JSON string cannot hold as they are.
inline bool NeedsJsonEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

// Appends the escape of `c`, a byte for which NeedsJsonEscape is true.
inline void AppendJsonEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out->append(esc, 6);
    }
  }
}

}  // namespace shagym

#endif  // SHAGYM_COMMON_JSON_ESCAPE_H_
