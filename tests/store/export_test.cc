#include "store/export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/store/store_test_util.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace export_test {

using testutil::ExportToString;
using testutil::MakePost;
using testutil::MaskDigits;
using testutil::T;

// Stands in for nlp/privacy.h's masker in these tests: digits become '*'.
class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.data_dir = dir_.path();
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    Post a = MakePost("a", T("2024-05-13T10:00:00Z"), {"bullying"}, "jambyl");
    a.text = "Звоните 87011234567, \"срочно\",\nшкола №12";
    Post b = MakePost("b", T("2024-05-14T10:00:00Z"), {"food"}, "almaty");
    Post c = MakePost("c", T("2024-05-15T10:00:00Z"), {"food"}, "almaty");
    c.duplicate_of = "b";
    for (const Post& p : {a, b, c}) ASSERT_TRUE(store_->Ingest(p).ok());
  }

  std::string Export(const PostQuery& q, ExportOptions o, int64_t* rows) {
    std::string out;
    auto r = ExportToString(*store_, q, o, &out);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) *rows = *r;
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ExportTest, CsvIsRfc4180WithBomAndMaskedText) {
  ExportOptions o;
  o.format = ExportFormat::kCsv;
  o.bom = true;
  o.mask = MaskDigits;
  int64_t rows = 0;
  std::string csv = Export(PostQuery(), o, &rows);
  EXPECT_EQ(rows, 3);
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBFid,source,url,published_at,", 0), 0u) << csv;
  // Quotes doubled, the newline kept inside the quoted field, digits masked.
  EXPECT_NE(
      csv.find(",\"Звоните ***********, \"\"срочно\"\",\nшкола №**\"\r\n"),
      std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("87011234567"), std::string::npos);
  EXPECT_NE(csv.find("\r\nb,tg_a,https://t.me/s/a/b,2024-05-14T10:00:00Z,"),
            std::string::npos);
  EXPECT_NE(csv.find(",v1,ru.food.1,"), std::string::npos);  // version, rules
}

TEST_F(ExportTest, JsonlCarriesSpecFieldsAndFilters) {
  ExportOptions o;
  o.format = ExportFormat::kJsonl;
  o.mask_personal_data = false;
  PostQuery q;
  q.category = "food";
  int64_t rows = 0;
  std::string out = Export(q, o, &rows);
  EXPECT_EQ(rows, 2);
  std::vector<nlohmann::json> lines;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    lines.push_back(nlohmann::json::parse(out.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["id"], "b");
  EXPECT_EQ(lines[0]["categories"], nlohmann::json::array({"food"}));
  EXPECT_EQ(lines[0]["rules_version"], "v1");
  EXPECT_EQ(lines[0]["review"], "new");
  EXPECT_EQ(lines[1]["duplicate_of"], "b");
  EXPECT_EQ(lines[1]["incident"], "b");
  q.originals_only = true;
  Export(q, o, &rows);
  EXPECT_EQ(rows, 1);
  // Unmasked: the original text.
  q = PostQuery();
  q.region = "jambyl";
  EXPECT_NE(Export(q, o, &rows).find("87011234567"), std::string::npos);
}

TEST_F(ExportTest, MaskingWithoutAMaskerIsRefusedAndSinkErrorsStop) {
  ExportOptions o;
  auto r = ExportPosts(*store_, PostQuery(), o,
                       [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  o.mask = MaskDigits;
  r = ExportPosts(*store_, PostQuery(), o,
                  [](std::string_view) { return IOError("disk full"); });
  EXPECT_EQ(r.status().message(), "disk full");
}

TEST_F(ExportTest, ManyPostsStreamInBoundedChunks) {
  std::vector<Post> batch;
  for (int i = 0; i < 3000; ++i) {
    Post p = MakePost("m" + std::to_string(i), T("2024-06-01T00:00:00Z") + i,
                      {"food"}, "almaty");
    p.text = std::string(100, 'x');
    batch.push_back(p);
  }
  ASSERT_TRUE(store_->IngestBatch(batch).ok());
  ExportOptions o;
  o.mask = MaskDigits;
  size_t chunks = 0, biggest = 0, total = 0;
  auto r = ExportPosts(*store_, PostQuery(), o, [&](std::string_view c) {
    ++chunks;
    biggest = std::max(biggest, c.size());
    total += c.size();
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3003);
  EXPECT_GT(chunks, 5u);
  EXPECT_LT(biggest, 128u * 1024);  // never the whole export at once
  EXPECT_GT(total, 3000u * 100);
}

}  // namespace export_test
}  // namespace shagym::store
