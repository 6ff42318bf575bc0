// The ingest analyses each post once (nlp::Analyze): the content hash, the
// duplicate links and the labels of an AnalyzedClassifyFn all read the same
// normalised text.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crawler/ingest.h"
#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace ingest_analysis_test {

TEST(IngestAnalysisTest, OneAnalysisServesHashesLinksAndLabels) {
  testing::TempDir dir;
  store::StoreOptions options;
  options.data_dir = dir.path();
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto n = nlp::Normalizer::Create();
  ASSERT_TRUE(n.ok());
  store::EvidenceStore evidence((*store)->db());
  store::DedupeIndex dedupe((*store)->db());
  int plain_calls = 0;
  Ingestor ingest(
      nullptr, n->get(), &evidence, &dedupe,
      [&](const Post&) {
        ++plain_calls;
        return Labels{};
      },
      StoreHook(store->get()));
  std::vector<std::string> seen_normalised;
  ingest.SetAnalyzedClassifier([&](const Post& p, const nlp::AnalyzedText& a) {
    seen_normalised.push_back(a.normalized.text);
    // The analysis is of this post's text, with tokens.
    EXPECT_FALSE(a.tokens.empty()) << p.text;
    EXPECT_EQ(a.normalized.orig_begin.size(), a.normalized.text.size());
    Labels l;
    if (a.normalized.text.find("ақша жинайды") != std::string::npos) {
      l.categories = {"extortion_corruption"};
      l.severity = "medium";
    }
    return l;
  });

  SourceConfig source;
  source.id = "tg_a";
  const std::string text =
      "Мектепте мұғалім АҚША ЖИНАЙДЫ, ата-аналар наразы, көмектесіңіздер";
  auto extracted = [&](const std::string& id, const std::string& t) {
    ExtractedPost e;
    e.native_id = id;
    e.text = t;
    e.published_at = 1700000000;
    return e;
  };
  FetchedPage page;
  page.url = page.final_url = "https://t.me/s/a";
  page.body = "<html></html>";
  page.fetched_at = 1700000100;
  ExtractResult result;
  result.posts = {extracted("1", text), extracted("2", "Ещё один пост")};
  auto stats = ingest.Ingest(source, page, result);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->posts, 2);
  EXPECT_EQ(plain_calls, 0);
  ASSERT_EQ(seen_normalised.size(), 2u);
  // The hash is of the normalised text the classifier saw.
  Post made = ingest.MakePost(source, page, extracted("1", text));
  EXPECT_EQ(made.content_hash, ContentHash(seen_normalised[0]));
  EXPECT_EQ(made.labels.categories,
            std::vector<std::string>{"extortion_corruption"});

  // A repost elsewhere with other case and elongation is linked to it.
  SourceConfig other;
  other.id = "tg_b";
  FetchedPage page2 = page;
  page2.url = page2.final_url = "https://t.me/s/b";
  ExtractResult repost;
  repost.posts = {
      extracted("9",
                "мектепте мұғалім ақша жинайдыыы, ата-аналар наразы, "
                "көмектесіңіздер")};
  auto stats2 = ingest.Ingest(other, page2, repost);
  ASSERT_TRUE(stats2.ok()) << stats2.status().ToString();
  EXPECT_EQ(stats2->duplicates, 1);
}

}  // namespace ingest_analysis_test
}  // namespace shagym::crawler
