#pragma once

// Charset detection and conversion to UTF-8 with ICU. The order: a byte
// order mark, the HTTP Content-Type charset, <meta charset> or http-equiv,
// the XML declaration, else ICU's detector (ucsdet). A declared UTF-8 that is
// not valid UTF-8 falls through to the next clue. Invalid bytes become
// U+FFFD; never fails. Thread-safe.

#include <string>
#include <string_view>

#include "common/status.h"

namespace shagym::crawler {

struct DecodedText {
  std::string utf8;
  std::string charset;  // what was used, as ICU names it ("windows-1251")
  // Where the charset came from: "bom", "header", "meta", "xml",
  // "detected", or "default" (nothing to go on: UTF-8).
  std::string source;
};

// `content_type` is the raw Content-Type header value (may be empty).
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view content_type);

// Converts `bytes` from the charset labelled `label` ("windows-1251",
// "KOI8-R", "IBM866", ...). InvalidArgument for a label ICU does not know.
StatusOr<std::string> ConvertToUtf8(std::string_view bytes,
                                    std::string_view label);

// "text/html; charset=KOI8-R" -> "KOI8-R" (unquoted); "" when absent.
std::string CharsetParameter(std::string_view content_type);
// "Text/HTML; charset=x" -> "text/html".
std::string MediaType(std::string_view content_type);

// True when `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace shagym::crawler
