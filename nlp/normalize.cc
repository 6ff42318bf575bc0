#include "nlp/normalize.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace shagym::nlp {

std::pair<size_t, size_t> NormalizedText::ToOriginal(size_t begin,
                                                     size_t end) const {
  size_t b = orig_begin[begin];
  size_t e = orig_end[begin];
  for (size_t i = begin; i < end; ++i) {
    if (orig_begin[i] < b) b = orig_begin[i];
    if (orig_end[i] > e) e = orig_end[i];
  }
  return {b, e};
}

struct Normalizer::Impl {};

Normalizer::Normalizer() : impl_(std::make_unique<Impl>()) {}
Normalizer::~Normalizer() = default;

StatusOr<std::unique_ptr<Normalizer>> Normalizer::Create() {
  return std::unique_ptr<Normalizer>(new Normalizer());
}

NormalizedText Normalizer::Normalize(std::string_view in) const {
  NormalizedText out;
  out.text.reserve(in.size());
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(in.size());
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) c = 0xFFFD;
    c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    if (c == 0x0451) c = 0x0435;  // ё -> е
    char buf[4];
    int32_t len = 0;
    UBool err = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, c, err);
    (void)err;
    for (int32_t k = 0; k < len; ++k) {
      out.text.push_back(buf[k]);
      out.orig_begin.push_back(static_cast<uint32_t>(start));
      out.orig_end.push_back(static_cast<uint32_t>(i));
    }
  }
  return out;
}

}  // namespace shagym::nlp
