#include "store/codec.h"

namespace shagym::store::codec {

namespace {
constexpr uint8_t kPostFormat = 1;
constexpr uint8_t kLabelsFormat = 1;
constexpr uint8_t kSummaryFormat = 1;

void PutLabels(std::string* out, const Labels& l) {
  PutString(out, l.lang);
  PutVarint(out, l.categories.size());
  for (const auto& c : l.categories) PutString(out, c);
  PutString(out, l.severity);
  PutString(out, l.region);
  PutString(out, l.school_number);
  PutString(out, l.institution);
  PutVarint(out, l.matches.size());
  for (const auto& m : l.matches) {
    PutString(out, m.rule);
    PutString(out, m.category);
    PutSignedVarint(out, m.start);
    PutSignedVarint(out, m.end);
  }
  PutString(out, l.rules_version);
}

void GetLabels(Reader* r, Labels* l) {
  l->lang = r->String();
  uint64_t n = r->Varint();
  l->categories.clear();
  for (uint64_t i = 0; i < n && r->ok(); ++i) {
    l->categories.push_back(r->String());
  }
  l->severity = r->String();
  l->region = r->String();
  l->school_number = r->String();
  l->institution = r->String();
  n = r->Varint();
  l->matches.clear();
  for (uint64_t i = 0; i < n && r->ok(); ++i) {
    Match m;
    m.rule = r->String();
    m.category = r->String();
    m.start = r->SignedVarint();
    m.end = r->SignedVarint();
    l->matches.push_back(std::move(m));
  }
  l->rules_version = r->String();
}
}  // namespace

void PutBe32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutBe64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t GetBe32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
uint64_t GetBe64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutSignedVarint(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^
                     static_cast<uint64_t>(v >> 63));  // zig-zag
}
void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

uint64_t Reader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) break;
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return v;
  }
  ok_ = false;
  return 0;
}
int64_t Reader::SignedVarint() {
  uint64_t u = Varint();
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}
std::string_view Reader::StringView() {
  uint64_t n = Varint();
  if (!ok_ || n > in_.size()) {
    ok_ = false;
    return {};
  }
  std::string_view s = in_.substr(0, n);
  in_.remove_prefix(n);
  return s;
}
std::string Reader::String() { return std::string(StringView()); }
uint8_t Reader::Byte() {
  if (in_.empty()) {
    ok_ = false;
    return 0;
  }
  uint8_t b = static_cast<uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return b;
}

std::string EncodePost(const Post& p) {
  std::string out;
  out.reserve(64 + p.text.size() + p.url.size() + 32 * p.labels.matches.size());
  out.push_back(static_cast<char>(kPostFormat));
  PutString(&out, p.id);
  PutString(&out, p.source);
  PutString(&out, p.url);
  PutSignedVarint(&out, p.published_at);
  PutSignedVarint(&out, p.fetched_at);
  PutString(&out, p.author);
  PutString(&out, p.text);
  PutLabels(&out, p.labels);
  PutString(&out, p.duplicate_of);
  PutString(&out, p.incident_id);
  PutString(&out, p.review);
  PutString(&out, p.title);
  PutString(&out, p.forwarded_from);
  PutString(&out, p.content_hash);
  PutVarint(&out, p.simhash);
  PutString(&out, p.evidence_id);
  return out;
}

bool DecodePost(std::string_view in, Post* p) {
  Reader r(in);
  if (r.Byte() != kPostFormat) return false;
  p->id = r.String();
  p->source = r.String();
  p->url = r.String();
  p->published_at = r.SignedVarint();
  p->fetched_at = r.SignedVarint();
  p->author = r.String();
  p->text = r.String();
  GetLabels(&r, &p->labels);
  p->duplicate_of = r.String();
  p->incident_id = r.String();
  p->review = r.String();
  p->title = r.String();
  p->forwarded_from = r.String();
  p->content_hash = r.String();
  p->simhash = r.Varint();
  p->evidence_id = r.String();
  return r.ok();
}

std::string EncodeLabels(const Labels& labels) {
  std::string out;
  out.push_back(static_cast<char>(kLabelsFormat));
  PutLabels(&out, labels);
  return out;
}

bool DecodeLabels(std::string_view in, Labels* labels) {
  Reader r(in);
  if (r.Byte() != kLabelsFormat) return false;
  GetLabels(&r, labels);
  return r.ok();
}

Summary SummaryOf(const Post& p) {
  Summary s;
  s.categories = p.labels.categories;
  s.region = p.labels.region;
  s.lang = p.labels.lang;
  s.source = p.source;
  s.review = p.review;
  s.school = p.labels.school_number;
  s.severity = p.labels.severity;
  s.duplicate = !p.duplicate_of.empty();
  return s;
}

std::string EncodeSummary(const Summary& s) {
  std::string out;
  out.push_back(static_cast<char>(kSummaryFormat));
  PutVarint(&out, s.categories.size());
  for (const auto& c : s.categories) PutString(&out, c);
  PutString(&out, s.region);
  PutString(&out, s.lang);
  PutString(&out, s.source);
  PutString(&out, s.review);
  PutString(&out, s.school);
  PutString(&out, s.severity);
  out.push_back(s.duplicate ? 1 : 0);
  return out;
}

bool DecodeSummary(std::string_view in, Summary* s) {
  Reader r(in);
  if (r.Byte() != kSummaryFormat) return false;
  uint64_t n = r.Varint();
  s->categories.clear();
  for (uint64_t i = 0; i < n && r.ok(); ++i)
    s->categories.push_back(r.String());
  s->region = r.String();
  s->lang = r.String();
  s->source = r.String();
  s->review = r.String();
  s->school = r.String();
  s->severity = r.String();
  s->duplicate = r.Byte() != 0;
  return r.ok();
}

std::string EncodeIndexValue(const Post& post) {
  std::string summary = EncodeSummary(SummaryOf(post));
  std::string out;
  out.reserve(summary.size() + 80 + post.text.size() + post.url.size() +
              32 * post.labels.matches.size());
  PutString(&out, summary);
  out.append(EncodePost(post));
  return out;
}

bool SplitIndexValue(std::string_view in, std::string_view* summary,
                     std::string_view* record) {
  Reader r(in);
  *summary = r.StringView();
  if (!r.ok()) return false;
  *record = in.substr(in.size() - r.remaining());
  return true;
}

std::string EncodePostPointer(int64_t time) {
  std::string out;
  PutBe64(&out, TimeKey(time));
  return out;
}

bool DecodePostPointer(std::string_view in, int64_t* time) {
  if (in.size() != 8) return false;
  *time = TimeFromKey(GetBe64(in));
  return true;
}

std::string EncodeCounters(const std::vector<int64_t>& v) {
  std::string out(8 * v.size(), '\0');
  for (size_t k = 0; k < v.size(); ++k) {
    uint64_t u = static_cast<uint64_t>(v[k]);
    for (int i = 0; i < 8; ++i)
      out[8 * k + i] = static_cast<char>(u >> (8 * i));
  }
  return out;
}

std::vector<int64_t> DecodeCounters(std::string_view in) {
  std::vector<int64_t> v(in.size() / 8, 0);
  for (size_t k = 0; k < v.size(); ++k) {
    uint64_t u = 0;
    for (int i = 7; i >= 0; --i)
      u = (u << 8) | static_cast<uint8_t>(in[8 * k + i]);
    v[k] = static_cast<int64_t>(u);
  }
  return v;
}

}  // namespace shagym::store::codec
