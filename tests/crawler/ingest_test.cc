#include "crawler/ingest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "nlp/normalize.h"
#include "store/dedupe_index.h"
#include "store/evidence.h"
#include "store/store.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace ingest_test {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.data_dir = dir_.path();
    auto s = store::Store::Open(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto keys = Pseudonymizer::Open(PrivacyOptions{}, dir_.path());
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::make_unique<Pseudonymizer>(std::move(keys).value());
    auto n = nlp::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(n).value();
    evidence_ = std::make_unique<store::EvidenceStore>(store_->db());
    dedupe_ = std::make_unique<store::DedupeIndex>(store_->db());
    ingest_ = std::make_unique<Ingestor>(
        keys_.get(), normalizer_.get(), evidence_.get(), dedupe_.get(),
        [](const Post& p) {
          Labels l;
          if (p.text.find("отбирают деньги") != std::string::npos) {
            l.categories = {"bullying"};
            l.severity = "medium";
          }
          return l;
        },
        StoreHook(store_.get()));
  }

  static SourceConfig Source(const std::string& id) {
    SourceConfig s;
    s.id = id;
    s.region = id == "tg_taraz" ? "jambyl" : "";
    return s;
  }

  static FetchedPage Page(const std::string& url, const std::string& body,
                          int64_t at) {
    FetchedPage p;
    p.url = p.final_url = url;
    p.body = body;
    p.fetched_at = at;
    return p;
  }

  static ExtractedPost Extracted(const std::string& native_id,
                                 const std::string& text,
                                 const std::string& author, int64_t at) {
    ExtractedPost e;
    e.native_id = native_id;
    e.text = text;
    e.author = author;
    e.published_at = at;
    e.url = "https://t.me/" + native_id;
    return e;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Pseudonymizer> keys_;
  std::unique_ptr<nlp::Normalizer> normalizer_;
  std::unique_ptr<store::EvidenceStore> evidence_;
  std::unique_ptr<store::DedupeIndex> dedupe_;
  std::unique_ptr<Ingestor> ingest_;
};

constexpr char kStory[] =
    "В школе №12 города Тараз старшеклассники уже месяц отбирают "
    "деньги у младших учеников и снимают это на телефон. Каждый день "
    "после уроков они ждут детей у ворот школы, а учителя и охрана делают вид, "
    "что ничего не происходит. Мой сын боится идти на занятия, плачет по утрам "
    "и просит перевести его в другую школу. Директор на наши жалобы отвечает, "
    "что это детские шалости. Родители просят акимат, отдел образования и "
    "полицию вмешаться и наконец защитить детей.";

TEST_F(IngestTest, IdentityPrivacyEvidenceAndLabels) {
  ExtractResult r;
  r.posts = {Extracted("taraz/5", kStory, "Асель Н.", 1715594400)};
  auto stats = ingest_->Ingest(
      Source("tg_taraz"),
      Page("https://t.me/s/taraz", "<html>page</html>", 1715600000), r);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->posts, 1);
  EXPECT_EQ(stats->new_posts, 1);
  const std::string id = PostId("tg_taraz", "taraz/5");
  auto got = store_->GetPost(id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Post& p = **got;
  EXPECT_EQ(p.text, kStory);
  EXPECT_EQ(p.author, keys_->Pseudonym("tg_taraz", "Асель Н."));
  EXPECT_EQ(p.author.rfind("a_", 0), 0u);
  EXPECT_EQ(p.author.find("Асель"), std::string::npos);
  EXPECT_EQ(p.labels.categories, std::vector<std::string>{"bullying"});
  EXPECT_EQ(p.labels.region, "jambyl");  // forced by the source
  EXPECT_EQ(p.fetched_at, 1715600000);
  EXPECT_EQ(p.content_hash.size(), 64u);
  EXPECT_NE(p.simhash, 0u);
  // The page is kept and retrievable from the post.
  auto page = evidence_->Get(p.evidence_id);
  ASSERT_TRUE(page.ok() && page->has_value());
  EXPECT_EQ((*page)->bytes, "<html>page</html>");

  // Re-crawling the page creates no second post.
  auto again = ingest_->Ingest(
      Source("tg_taraz"),
      Page("https://t.me/s/taraz?before=9", "<html>page</html>", 1715700000),
      r);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->new_posts, 0);
  store::PostQuery all;
  EXPECT_EQ(store_->CountPosts(all).value(), 1);
}

TEST_F(IngestTest, RepostsAreLinkedToTheEarliest) {
  ExtractResult first;
  first.posts = {Extracted("taraz/5", kStory, "a", 1715594400)};
  ASSERT_TRUE(ingest_
                  ->Ingest(Source("tg_taraz"),
                           Page("https://t.me/s/taraz", "p1", 1715600000),
                           first)
                  .ok());
  ExtractResult reposts;
  reposts.posts = {
      // Exact repost with other spacing and case.
      // Exact repost with other spacing.
      Extracted("other/1", "  " + std::string(kStory) + "  ", "b", 1715598000),
      // A rewrite: one word added.
      Extracted("other/2", std::string(kStory) + " Репост.", "c", 1715599000),
      // Unrelated.
      Extracted("other/3",
                "В детском саду Астаны третью неделю нет горячей воды и "
                "отопления",
                "d", 1715599500),
      // Too short to link.
      Extracted("other/4", "+1", "e", 1715599600),
      Extracted("other/5", "+1", "f", 1715599700),
  };
  auto stats =
      ingest_->Ingest(Source("tg_other"),
                      Page("https://t.me/s/other", "p2", 1715600100), reposts);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->duplicates, 2);
  const std::string original = PostId("tg_taraz", "taraz/5");
  auto get = [&](const std::string& native) {
    return store_->GetPost(PostId("tg_other", native)).value().value();
  };
  EXPECT_EQ(get("other/1").duplicate_of, original);
  EXPECT_EQ(get("other/2").duplicate_of, original);
  EXPECT_EQ(get("other/3").duplicate_of, "");
  EXPECT_EQ(get("other/4").duplicate_of, "");
  EXPECT_EQ(get("other/5").duplicate_of, "");
  // Same incident as the original.
  Post orig = store_->GetPost(original).value().value();
  EXPECT_FALSE(orig.incident_id.empty());
  EXPECT_EQ(get("other/1").incident_id, orig.incident_id);
  EXPECT_NE(get("other/3").incident_id, orig.incident_id);
  // Re-ingesting the original does not link it to its own reposts.
  ASSERT_TRUE(ingest_
                  ->Ingest(Source("tg_taraz"),
                           Page("https://t.me/s/taraz", "p1", 1715700000),
                           first)
                  .ok());
  EXPECT_EQ(store_->GetPost(original).value()->duplicate_of, "");
}

TEST_F(IngestTest, IdWithoutNativeIdIgnoresTheUrl) {
  ExtractedPost e;
  e.text = "Текст комментария";
  e.author = "x";
  Post a =
      ingest_->MakePost(Source("forum"), Page("https://f.kz/t/1", "", 1), e);
  Post b = ingest_->MakePost(Source("forum"),
                             Page("https://f.kz/t/1?page=1", "", 2), e);
  EXPECT_EQ(a.id, b.id);
  e.text = "Другой текст";
  EXPECT_NE(
      ingest_->MakePost(Source("forum"), Page("https://f.kz/t/1", "", 1), e).id,
      a.id);
  EXPECT_NE(PostId("a", "1"), PostId("b", "1"));
}

TEST_F(IngestTest, SecretKeyIsCreatedOnceWithMode0600) {
  const std::string path = dir_.path() + "/secret.key";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = Pseudonymizer::Open(PrivacyOptions{}, dir_.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Pseudonym("s", "Асель"), keys_->Pseudonym("s", "Асель"));
  Pseudonymizer other(std::string(64, 'k'));
  EXPECT_NE(other.Pseudonym("s", "Асель"), keys_->Pseudonym("s", "Асель"));
  EXPECT_EQ(keys_->Pseudonym("s", ""), "");
  PrivacyOptions custom;
  custom.key_file = dir_.path() + "/keys/k";
  testing::TempDir unused;
  auto c = Pseudonymizer::Open(custom, unused.path());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(::stat(custom.key_file.c_str(), &st), 0);
  // A key file that is too short is an error naming the file.
  testing::TempDir bad;
  bad.Write("secret.key", "short");
  auto b = Pseudonymizer::Open(PrivacyOptions{}, bad.path());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("secret.key"), std::string::npos);
}

}  // namespace ingest_test
}  // namespace shagym::crawler
