#include "crawler/ingest.h"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "nlp/simhash.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"

namespace shagym::crawler {

namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return Hex(d, sizeof(d));
}

std::string FoldSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

StatusOr<Pseudonymizer> Pseudonymizer::Open(const PrivacyOptions& privacy,
                                            const std::string& data_dir) {
  std::string path =
      privacy.key_file.empty() ? data_dir + "/secret.key" : privacy.key_file;
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
      ::close(fd);
      ::unlink(path.c_str());
      return Internal(path + ": no randomness for the pseudonym key");
    }
    std::string key = Hex(raw, sizeof(raw)) + "\n";
    ssize_t n = ::write(fd, key.data(), key.size());
    ::fchmod(fd, 0600);
    ::close(fd);
    if (n != static_cast<ssize_t>(key.size())) {
      ::unlink(path.c_str());
      return IOError(path + ": cannot write the pseudonym key");
    }
  } else if (errno != EEXIST) {
    return IOError(
        path + ": cannot create the pseudonym key: " + std::strerror(errno));
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() &&
         (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  if (!in && !in.eof())
    return IOError(path + ": cannot read the pseudonym key");
  if (key.size() < 16) {
    return InvalidArgument(path + ": pseudonym key is too short (" +
                           std::to_string(key.size()) +
                           " bytes; at least 16 expected)");
  }
  return Pseudonymizer(std::move(key));
}

std::string Pseudonymizer::Pseudonym(std::string_view source,
                                     std::string_view author) const {
  if (author.empty()) return "";
  std::string msg(source);
  msg.push_back('\0');
  msg.append(author);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac,
       &len);
  return "a_" + Hex(mac, 8);
}

std::string PostId(std::string_view source, std::string_view native_id) {
  std::string s(source);
  s.push_back('\0');
  s.append(native_id);
  return Sha256Hex(s).substr(0, 24);
}

std::string ContentHash(std::string_view normalised) {
  return Sha256Hex(FoldSpaces(normalised));
}

StoreFn StoreHook(store::Store* store) {
  return [store](std::span<const Post> posts) -> StatusOr<int> {
    auto results = store->IngestBatch(posts);
    if (!results.ok()) return results.status();
    int inserted = 0;
    for (const auto& r : *results) inserted += r.inserted ? 1 : 0;
    return inserted;
  };
}

Ingestor::Ingestor(const Pseudonymizer* pseudonyms,
                   const nlp::Normalizer* normalizer,
                   store::EvidenceStore* evidence, store::DedupeIndex* dedupe,
                   ClassifyFn classify, StoreFn store, IngestOptions options)
    : pseudonyms_(pseudonyms),
      normalizer_(normalizer),
      evidence_(evidence),
      dedupe_(dedupe),
      classify_(std::move(classify)),
      store_(std::move(store)),
      options_(options) {}

std::string Ingestor::Normalise(std::string_view text) const {
  if (normalizer_ != nullptr) return normalizer_->Normalize(text).text;
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Post Ingestor::MakePost(const SourceConfig& source, const FetchedPage& page,
                        const ExtractedPost& e) const {
  std::string normalised;
  return MakePost(source, page, e, &normalised);
}

Post Ingestor::MakePost(const SourceConfig& source, const FetchedPage& page,
                        const ExtractedPost& e,
                        std::string* normalised_out) const {
  Post p;
  p.source = source.id;
  p.url = e.url.empty() ? (page.final_url.empty() ? page.url : page.final_url)
                        : e.url;
  p.published_at = e.published_at;
  p.fetched_at = page.fetched_at;
  p.text = e.text;
  p.title = e.title;
  p.forwarded_from = e.forwarded_from;
  // One analysis per post: the hashes, the duplicate links (Ingest) and,
  // with an AnalyzedClassifyFn, the labels all read it.
  std::optional<nlp::AnalyzedText> analyzed;
  if (normalizer_ != nullptr) analyzed = nlp::Analyze(*normalizer_, e.text);
  std::string& normalised = *normalised_out;
  normalised = analyzed ? analyzed->normalized.text : Normalise(e.text);
  p.content_hash = ContentHash(normalised);
  p.simhash = nlp::SimHash(normalised);
  // Without a native id the post is what it says, who said it and when:
  // independent of the URL it was seen under (/t/1 and /t/1?page=1).
  std::string native = e.native_id;
  if (native.empty()) {
    native = "t:" + e.author + "\n" + std::to_string(e.published_at) + "\n" +
             p.content_hash;
  }
  p.id = PostId(source.id, native);
  if (pseudonyms_ != nullptr)
    p.author = pseudonyms_->Pseudonym(source.id, e.author);
  if (classify_analyzed_ && analyzed) {
    p.labels = classify_analyzed_(p, *analyzed);
  } else if (classify_) {
    p.labels = classify_(p);
  }
  if (!source.region.empty()) p.labels.region = source.region;
  if (!source.lang.empty()) p.labels.lang = source.lang;
  return p;
}

StatusOr<IngestStats> Ingestor::Ingest(const SourceConfig& source,
                                       const FetchedPage& page,
                                       const ExtractResult& result) {
  IngestStats stats;
  if (result.posts.empty()) return stats;
  if (evidence_ != nullptr) {
    auto id = evidence_->Put(page.final_url.empty() ? page.url : page.final_url,
                             page.fetched_at, page.body);
    if (!id.ok()) return id.status();
    stats.evidence_id = *id;
  }
  std::vector<Post> posts;
  std::vector<std::string> normalised(result.posts.size());
  posts.reserve(result.posts.size());
  for (size_t k = 0; k < result.posts.size(); ++k) {
    Post p = MakePost(source, page, result.posts[k], &normalised[k]);
    p.evidence_id = stats.evidence_id;
    posts.push_back(std::move(p));
  }
  // One post seen twice on a page (pinned messages, quotes) is stored once.
  std::vector<Post> unique;
  std::vector<std::string> unique_normalised;
  for (size_t k = 0; k < posts.size(); ++k) {
    bool seen = false;
    for (const auto& u : unique) seen = seen || u.id == posts[k].id;
    if (!seen) {
      unique.push_back(std::move(posts[k]));
      unique_normalised.push_back(std::move(normalised[k]));
    }
  }
  if (dedupe_ != nullptr) {
    // Fingerprints first, outside the lock: only the look-up and the record
    // of each post need to be serialised (two workers must not both miss a
    // text the other is adding).
    std::vector<char> linkable(unique.size());
    std::vector<nlp::MinHash> minhashes(unique.size());
    for (size_t k = 0; k < unique.size(); ++k) {
      const std::string& text = unique_normalised[k];  // as MakePost hashed it
      linkable[k] = nlp::CountWords(text) >= options_.min_words_for_duplicates;
      if (linkable[k]) minhashes[k] = nlp::MinHashOf(text);
    }
    std::lock_guard<std::mutex> lock(dedupe_mu_);
    for (size_t k = 0; k < unique.size(); ++k) {
      Post& p = unique[k];
      std::span<const uint32_t> sig;
      std::optional<bool> hash_stored;
      if (linkable[k]) {
        sig = minhashes[k];
        bool stored = false;
        auto match =
            dedupe_->Find(p.id, p.content_hash, p.simhash, sig, &stored);
        if (!match.ok()) return match.status();
        hash_stored = stored;
        if (*match && (*match)->original_id != p.id &&
            (*match)->distance <= options_.near_duplicate_distance &&
            (*match)->similarity >= options_.near_duplicate_similarity) {
          p.duplicate_of = (*match)->original_id;
          ++stats.duplicates;
        }
      }
      const int64_t time = p.published_at != 0 ? p.published_at : p.fetched_at;
      Status s =
          dedupe_->Add(p.id, p.duplicate_of.empty() ? p.id : p.duplicate_of,
                       linkable[k] ? p.content_hash : "",
                       linkable[k] ? p.simhash : 0, time, sig, hash_stored);
      if (!s.ok()) return s;
    }
  }
  // The store write needs no lock of ours: a repost stored before its
  // original (another worker's page) is linked up by the store itself.
  stats.posts = static_cast<int>(unique.size());
  if (store_) {
    auto inserted = store_(unique);
    if (!inserted.ok()) return inserted.status();
    stats.new_posts = *inserted;
  }
  return stats;
}

}  // namespace shagym::crawler
