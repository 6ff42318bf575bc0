// The store commands end to end: the real binary on a store written here.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/evidence.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace cmd_store_test {

using testing::RunCommand;
using testing::ShagymBinary;
using testutil::MakePost;
using testutil::T;

class CmdStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Write("shagym.yaml", "data_dir: data\n");
    StoreOptions o;
    o.data_dir = dir_.path() + "/data";
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok());
    std::vector<Post> posts = {
        MakePost("a", T("2024-05-01T10:00:00Z"), {"bullying"}, "jambyl"),
        MakePost("b", T("2024-05-02T10:00:00Z"), {"bullying"}, "jambyl"),
        MakePost("c", T("2024-05-02T11:00:00Z"), {"bullying"}, "jambyl"),
        MakePost("d", T("2024-05-03T10:00:00Z"), {"food"}, "almaty"),
    };
    posts[2].duplicate_of = "b";
    posts[3].text = "a \"quoted\", text";
    ASSERT_TRUE((*s)->IngestBatch(posts).ok());
  }
  testing::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {ShagymBinary(), "--config", config_});
    return RunCommand(args);
  }

  testing::TempDir dir_;
  std::string config_;
};

TEST_F(CmdStoreTest, TrendsPrintsTableCsvAndJson) {
  auto r = Run({"trends", "--from", "2024-05-01", "--to", "2024-05-03",
                "--category", "bullying", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "bucket,bucket_start,category,region,incidents,"
            "incidents_change_pct,volume,volume_change_pct\r\n"
            "2024-05-01,2024-05-01,,,1,,1,\r\n"
            "2024-05-02,2024-05-02,,,1,0.0,2,100.0\r\n"
            "2024-05-03,2024-05-03,,,0,-100.0,0,-100.0\r\n");
  r = Run({"trends", "--from", "2024-05-01", "--to", "2024-05-31", "--bucket",
           "month", "--by", "region", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["bucket"], "month");
  ASSERT_EQ(j["totals"].size(), 2u);
  EXPECT_EQ(j["totals"][0]["region"], "almaty");
  EXPECT_EQ(j["totals"][1]["region"], "jambyl");
  EXPECT_EQ(j["totals"][1]["volume"], 3);
  EXPECT_EQ(j["totals"][1]["incidents"], 2);
  r = Run({"trends", "--from", "2024-05-01", "--to", "2024-05-03"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2024-05-02  1          0.0%    2       +100.0%"),
            std::string::npos)
      << r.out;
  r = Run({"trends", "--from", "2024-05-01", "--to", "2024-05-03", "--spikes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no spikes\n");
}

TEST_F(CmdStoreTest, BadArgumentsAreOneLineErrors) {
  auto r = Run({"trends", "--from", "May", "--to", "2024-05-03"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "shagym: --from: 'May' is not a date (YYYY-MM-DD or ISO 8601 "
            "time)\n");
  r = Run({"trends", "--from", "2024-05-01", "--to", "2024-05-03", "--region",
           "mars"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "shagym: --region: unknown region 'mars'\n");
  r = Run({"trends", "--from", "2024-05-03", "--to", "2024-05-01"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(CmdStoreTest, ExportWritesFilteredCsvToAFile) {
  std::string out = dir_.path() + "/out.csv";
  auto r =
      Run({"export", "--format", "csv", "--unmasked", "--from", "2024-05-02",
           "--to", "2024-05-03", "--category", "food", "--output", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string csv = testing::ReadFile(out);
  EXPECT_EQ(csv.rfind("id,source,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\r\nd,tg_a,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"a \"\"quoted\"\", text\"\r\n"), std::string::npos);
  EXPECT_EQ(csv.find("\r\na,"), std::string::npos);
  r = Run({"export", "--format", "jsonl", "--unmasked", "--incidents-only"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
}

TEST_F(CmdStoreTest, BackupRestoreAndCheck) {
  auto r = Run({"db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("posts: 4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("incidents: 3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  std::string backup = dir_.path() + "/backup";
  r = Run({"backup", backup});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"backup", backup});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  r = Run({"restore", backup});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"db", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = Run({"restore", dir_.path() + "/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a shagym backup"), std::string::npos) << r.err;
}

// `db retention` with retention_days 0 keeps every post and removes only
// the kept pages no post refers to (here: stored in 2024, never used).
TEST_F(CmdStoreTest, RetentionRemovesUnreferencedEvidencePages) {
  std::string orphan, used;
  {
    StoreOptions o;
    o.data_dir = dir_.path() + "/data";
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EvidenceStore evidence((*s)->db());
    orphan = evidence.Put("u1", T("2024-05-01T00:00:00Z"), "orphan").value();
    used = evidence.Put("u2", T("2024-05-01T00:00:00Z"), "used").value();
    Post p = MakePost("e", T("2024-05-01T10:00:00Z"), {"food"}, "almaty");
    p.evidence_id = used;
    ASSERT_TRUE((*s)->Ingest(p).ok());
  }
  auto r = Run({"db", "retention"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "retention_days is 0: no posts removed\n"
            "removed 1 evidence pages no post refers to\n");
  r = Run({"db", "retention"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 0 evidence pages"), std::string::npos) << r.out;
  StoreOptions o;
  o.data_dir = dir_.path() + "/data";
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EvidenceStore evidence((*s)->db());
  EXPECT_FALSE(evidence.Contains(orphan).value());
  EXPECT_TRUE(evidence.Contains(used).value());
  auto n = (*s)->CountPosts(PostQuery());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
}

}  // namespace cmd_store_test
}  // namespace shagym::store
