#pragma once

// The JSON Lines of `shagym classify` (SPEC "Post"): one input object in,
// the same object with the labels added out. Not thread-safe: one per
// reading thread; its buffers are reused from line to line.
//
//   ClassifyJsonl codec;
//   std::string problem = codec.Parse(line);
//   if (problem.empty()) {
//     Labels l = engine->Classify(codec.text(), {.region = codec.region()});
//     codec.Write(l, &out);
//   }
//
// Most lines are flat objects of strings ({"id":"1","text":"..."}): those
// are parsed and written by hand, without a JSON tree. Anything else
// (numbers, nesting, duplicate keys, a malformed line) goes through
// nlohmann::ordered_json, whose output the fast path reproduces byte for
// byte (tests/config/classify_jsonl_test.cc compares the two).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/post.h"

namespace shagym::config {

class ClassifyJsonl {
 public:
  // `fast` false: every line through nlohmann (the reference).
  explicit ClassifyJsonl(bool fast = true) : fast_enabled_(fast) {}

  // Parses one line (without its newline). Returns "" when it is an object
  // with a string "text", else the problem ("not valid JSON", "not a JSON
  // object", "missing string field \"text\"").
  std::string Parse(std::string_view line);

  // The parsed "text", and the "region" hint ("" when absent or not a
  // string). Valid until the next Parse().
  std::string_view text() const;
  std::string region() const;
  // Sets `*out` to region(), reusing its buffer.
  void Region(std::string* out) const;

  // Appends the output line and '\n': SPEC "Post" keys in order (the
  // computed labels; the other keys from the input when it has them), then
  // the input's other keys in input order.
  void Write(const Labels& labels, std::string* out);

  // Whether the last Parse() took the hand-written path.
  bool fast() const { return fast_; }

 private:
  bool ParseFast(std::string_view line);
  bool WriteFast(const Labels& labels, std::string* out) const;
  void WriteGeneric(const Labels& labels, std::string* out);

  bool fast_enabled_;
  bool fast_ = false;
  // Fast path: the keys and string values, in input order; `used_` of them.
  std::vector<std::pair<std::string, std::string>> fields_;
  // [field]: the value had no escape, so its JSON is `"` value `"` (what
  // nlohmann's dump writes for it too).
  std::vector<char> plain_;
  size_t used_ = 0;
  int text_field_ = -1;
  // Fast path, for the writer: [field] its index in the SPEC "Post" keys
  // (-1: another key), and [SPEC key] the field carrying it (-1: none).
  std::vector<signed char> spec_of_field_;
  int field_of_spec_[18] = {};
  // Generic path.
  nlohmann::ordered_json obj_;
  std::string text_;
};

}  // namespace shagym::config
