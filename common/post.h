#pragma once

// The Post record of SPEC.md "Post": what `classify` adds and `export` writes.
// Plain data, copyable; produced by source adapters (crawler/), labelled by
// the classifier (nlp/), kept by the store (store/).

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace shagym {

// One rule hit; offsets are bytes of the original UTF-8 `text`.
struct Match {
  std::string rule;
  std::string category;
  int64_t start = 0;
  int64_t end = 0;

  bool operator==(const Match&) const = default;
};

// The labels the classifier derives from a text.
struct Labels {
  std::string lang = "other";  // kk, ru, mixed, other
  std::vector<std::string>
      categories;                 // fixed ids, sorted; empty = no complaint
  std::string severity = "none";  // high, medium, low, none
  std::string region;             // region id, empty when unknown
  std::string school_number;      // "12", empty when none
  std::string institution;        // school, kindergarten, ..., or empty
  std::vector<Match> matches;
  std::string rules_version;  // hash of the rule set that produced these

  bool operator==(const Labels&) const = default;
};

struct Post {
  std::string id;            // stable: derived from source and native id
  std::string source;        // source id from the configuration
  std::string url;           // permalink
  int64_t published_at = 0;  // Unix seconds UTC; 0 when unknown
  int64_t fetched_at = 0;    // Unix seconds UTC
  std::string author;        // pseudonym (keyed hash), empty when none
  std::string text;          // original text, as shown (PII masked on output)
  Labels labels;
  std::string duplicate_of;  // id of the earliest copy, empty when original
  std::string incident_id;   // cluster of reposts/rewrites, empty when none
  std::string review = "new";

  // Internal, not part of the SPEC JSON.
  std::string title;           // item title when separate from text
  std::string forwarded_from;  // original channel of a forward
  std::string content_hash;    // hash of the normalised text (exact reposts)
  uint64_t simhash = 0;        // near-duplicate fingerprint, 0 = none
  std::string evidence_id;     // content address of the page it came from

  bool operator==(const Post&) const = default;
};

// SPEC.md "Post" JSON, keys in SPEC order. Null for empty region,
// school_number, duplicate_of, published_at == 0. Extra fields (rules_version,
// incident, institution) are added after the SPEC ones.
nlohmann::ordered_json PostToJson(const Post& post);
// One compact JSON line, no trailing newline.
std::string PostToJsonLine(const Post& post);
// Inverse of PostToJson; missing fields keep their defaults. Returns false
// when `j` is not an object or a field has the wrong type.
bool PostFromJson(const nlohmann::json& j, Post* post);

}  // namespace shagym
