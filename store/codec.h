#pragma once

// Internal: byte encodings of store keys and values. Keys use big-endian
// integers so that byte order is numeric order (DESIGN.md "Keys sort by
// time"); values use a version byte, varints and length-prefixed strings.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/post.h"

namespace shagym::store::codec {

void PutBe32(std::string* out, uint32_t v);
void PutBe64(std::string* out, uint64_t v);
uint32_t GetBe32(std::string_view in);  // REQUIRES: in.size() >= 4
uint64_t GetBe64(std::string_view in);  // REQUIRES: in.size() >= 8

// Signed times are biased so that negative values sort before positive ones.
inline uint64_t TimeKey(int64_t t) {
  return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63);
}
inline int64_t TimeFromKey(uint64_t k) {
  return static_cast<int64_t>(k ^ (uint64_t{1} << 63));
}

void PutVarint(std::string* out, uint64_t v);
void PutSignedVarint(std::string* out, int64_t v);
void PutString(std::string* out, std::string_view s);

// Reads from the front of `in_`; any overrun makes ok() false for good.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t Varint();
  int64_t SignedVarint();
  std::string String();
  std::string_view StringView();
  uint8_t Byte();
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// The whole post (labels, review, incident included).
std::string EncodePost(const Post& post);
bool DecodePost(std::string_view in, Post* post);

std::string EncodeLabels(const Labels& labels);
bool DecodeLabels(std::string_view in, Labels* labels);

// The filterable fields of a post, kept as the value of its time index
// entry so that queries filter without reading posts.
struct Summary {
  std::vector<std::string> categories;
  std::string region;
  std::string lang;
  std::string source;
  std::string review;
  std::string school;
  std::string severity;
  bool duplicate = false;
};
Summary SummaryOf(const Post& post);
std::string EncodeSummary(const Summary& s);
bool DecodeSummary(std::string_view in, Summary* s);

// The value of a time index entry (schema 3): the summary, length-prefixed,
// then the whole post record, so that scans in time order filter on the
// summary and read matching posts without a second look-up.
std::string EncodeIndexValue(const Post& post);
// Splits an index value; false when it is malformed.
bool SplitIndexValue(std::string_view in, std::string_view* summary,
                     std::string_view* record);

// Cf::kPosts values (schema 3): the post's biased time (TimeKey), 8 bytes
// big-endian, which with the id names its time index entry.
std::string EncodePostPointer(int64_t time);
bool DecodePostPointer(std::string_view in, int64_t* time);

// Counter values: little-endian int64s (the merge operator adds them
// element-wise).
std::string EncodeCounters(const std::vector<int64_t>& v);
std::vector<int64_t> DecodeCounters(std::string_view in);

}  // namespace shagym::store::codec
