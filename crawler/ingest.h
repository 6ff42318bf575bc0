#pragma once

// Ingest: turns what an adapter extracted from one page into Post records
// (common/post.h) and hands them to the store. Per post: a stable id from
// the source and the native id (else from author, time and text), the author
// replaced by a keyed pseudonym, the content hash and SimHash of the
// normalised text, duplicate_of linked to a post of the same (or nearly the
// same: SimHash, then MinHash of the word bigrams) text — the store resolves
// it to the story's earliest published post —, the classifier's labels, and the
// evidence id of the page. Thread-safe; borrowed pointers must outlive the
// Ingestor.
//
//   auto keys = crawler::Pseudonymizer::Open(config.privacy, data_dir);
//   store::EvidenceStore evidence(store->db());
//   store::DedupeIndex dedupe(store->db());
//   crawler::Ingestor ingest(&*keys, normalizer.get(), &evidence, &dedupe,
//                            classify, crawler::StoreHook(store.get()));
//   auto stats = ingest.Ingest(source, page, adapter->Extract(page));

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "common/post.h"
#include "common/privacy_options.h"
#include "common/status.h"
#include "crawler/adapter.h"

namespace shagym::nlp {
class Normalizer;
struct AnalyzedText;
}  // namespace shagym::nlp
namespace shagym::store {
class DedupeIndex;
class EvidenceStore;
class Store;
}  // namespace shagym::store

namespace shagym::crawler {

// Keyed author pseudonyms (HMAC-SHA256). Immutable, thread-safe.
class Pseudonymizer {
 public:
  // Reads the secret from privacy.key_file, or <data_dir>/secret.key when
  // that is empty; on first run creates it (32 random bytes, hex, mode
  // 0600). Errors name the file.
  static StatusOr<Pseudonymizer> Open(const PrivacyOptions& privacy,
                                      const std::string& data_dir);
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}

  // "a_" + 16 hex digits of HMAC-SHA256(key, source "\0" author): stable per
  // source and author, not reversible without the key. "" for "".
  std::string Pseudonym(std::string_view source, std::string_view author) const;

 private:
  std::string key_;
};

// Stable post id: 24 hex digits of SHA-256(source "\0" native_id).
std::string PostId(std::string_view source, std::string_view native_id);
// Hex SHA-256 of `normalised` with white space runs folded to one space.
std::string ContentHash(std::string_view normalised);

// Labels for a post (nlp::Classifier plugs in here); may be empty.
using ClassifyFn = std::function<Labels(const Post&)>;
// Labels for a post from its text as the Ingestor analysed it for the
// content hash and duplicate detection (nlp::Analyze: normalised text and
// tokens), so that a post is normalised once for hashes, links and labels.
using AnalyzedClassifyFn =
    std::function<Labels(const Post&, const nlp::AnalyzedText&)>;
// Stores posts; returns how many of them were new to the store.
using StoreFn = std::function<StatusOr<int>(std::span<const Post>)>;
// A StoreFn writing to `store` (one WriteBatch per page).
StoreFn StoreHook(store::Store* store);

struct IngestOptions {
  // Near-duplicates: SimHash Hamming distance at most this (0..3).
  // Default: 3.
  int near_duplicate_distance = 3;
  // Near-duplicates by MinHash (a forward with a comment, a reworded
  // repost): estimated Jaccard similarity of the word bigrams at least this.
  // The DedupeIndex's own min_similarity is the floor. Default: 0.4.
  double near_duplicate_similarity = 0.4;
  // Texts with fewer words are never linked as duplicates ("+1", "Да").
  // Default: 5.
  int min_words_for_duplicates = 5;
};

struct IngestStats {
  int posts = 0;            // posts handed to the store
  int new_posts = 0;        // of which new to the store (0: a page seen before)
  int duplicates = 0;       // posts linked to an earlier one
  std::string evidence_id;  // where the page bytes were kept, "" if not
};

class Ingestor {
 public:
  // `normalizer`, `evidence`, `dedupe`, `classify` and `store` may be null /
  // empty: then texts are folded with a basic lower-casing, no evidence is
  // kept, nothing is linked, labels stay empty, nothing is stored.
  Ingestor(const Pseudonymizer* pseudonyms, const nlp::Normalizer* normalizer,
           store::EvidenceStore* evidence, store::DedupeIndex* dedupe,
           ClassifyFn classify, StoreFn store, IngestOptions options = {});

  // Labels posts with `classify` on the Ingestor's own analysis of their
  // text instead of the constructor's ClassifyFn (which normalises again).
  // Only with a normalizer. Call before the first Ingest().
  void SetAnalyzedClassifier(AnalyzedClassifyFn classify) {
    classify_analyzed_ = std::move(classify);
  }

  // Builds, links, labels and stores the posts of one page.
  StatusOr<IngestStats> Ingest(const SourceConfig& source,
                               const FetchedPage& page,
                               const ExtractResult& result);

  // The Post for one extracted post: identity, pseudonym, hashes, labels;
  // no evidence, no duplicate link, nothing stored.
  Post MakePost(const SourceConfig& source, const FetchedPage& page,
                const ExtractedPost& extracted) const;

 private:
  std::string Normalise(std::string_view text) const;
  // MakePost, also giving the normalised text the hashes were taken of.
  Post MakePost(const SourceConfig& source, const FetchedPage& page,
                const ExtractedPost& extracted, std::string* normalised) const;

  const Pseudonymizer* pseudonyms_;
  const nlp::Normalizer* normalizer_;
  store::EvidenceStore* evidence_;
  store::DedupeIndex* dedupe_;
  ClassifyFn classify_;
  AnalyzedClassifyFn classify_analyzed_;
  StoreFn store_;
  IngestOptions options_;
  std::mutex dedupe_mu_;  // serialises Find + Add of the dedupe index
};

}  // namespace shagym::crawler
