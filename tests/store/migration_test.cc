// Schema migrations on open, from a store exactly as a schema-1 build left it
// on disk. The schema-1 records are written here byte by byte with the raw
// column families (the layouts of that build: whole post records keyed by id,
// summaries in the time index, counters as merge operands, evidence pages
// without references), never with the current writers, then the current
// Store opens the directory and must read every post, label, counter, review
// and export as they were, with the page references that schema 2 added.
// A migration killed half-way (SIGKILL of a child process after one of its
// batches) is resumed by the next open.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>

#include "store/db.h"
#include "store/evidence.h"
#include "store/export.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "tests/store/store_test_util.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace shagym::store {
namespace migration_test {

using testutil::ExportToString;
using testutil::FixedClock;
using testutil::T;

// ---- The schema-1 on-disk format, written independently of store/ --------

namespace v1 {

void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void Signed(std::string* out, int64_t v) {
  Varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void Str(std::string* out, std::string_view s) {
  Varint(out, s.size());
  out->append(s);
}
void Be(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}
std::string TimeKey(int64_t t) {
  std::string k;
  Be(&k, static_cast<uint64_t>(t) ^ (uint64_t{1} << 63), 8);
  return k;
}

void LabelsBody(std::string* out, const Labels& l) {
  Str(out, l.lang);
  Varint(out, l.categories.size());
  for (const auto& c : l.categories) Str(out, c);
  Str(out, l.severity);
  Str(out, l.region);
  Str(out, l.school_number);
  Str(out, l.institution);
  Varint(out, l.matches.size());
  for (const auto& m : l.matches) {
    Str(out, m.rule);
    Str(out, m.category);
    Signed(out, m.start);
    Signed(out, m.end);
  }
  Str(out, l.rules_version);
}

// posts: id -> format 1 record.
std::string PostRecord(const Post& p) {
  std::string out(1, '\x01');
  Str(&out, p.id);
  Str(&out, p.source);
  Str(&out, p.url);
  Signed(&out, p.published_at);
  Signed(&out, p.fetched_at);
  Str(&out, p.author);
  Str(&out, p.text);
  LabelsBody(&out, p.labels);
  Str(&out, p.duplicate_of);
  Str(&out, p.incident_id);
  Str(&out, p.review);
  Str(&out, p.title);
  Str(&out, p.forwarded_from);
  Str(&out, p.content_hash);
  Varint(&out, p.simhash);
  Str(&out, p.evidence_id);
  return out;
}

// labels: id \0 rules_version -> the labels a later version replaced.
std::string LabelsRecord(const Labels& l) {
  std::string out(1, '\x01');
  LabelsBody(&out, l);
  return out;
}

// time_index: BE64(time) id -> format 1 summary.
std::string Summary(const Post& p) {
  std::string out(1, '\x01');
  Varint(&out, p.labels.categories.size());
  for (const auto& c : p.labels.categories) Str(&out, c);
  Str(&out, p.labels.region);
  Str(&out, p.labels.lang);
  Str(&out, p.source);
  Str(&out, p.review);
  Str(&out, p.labels.school_number);
  Str(&out, p.labels.severity);
  out.push_back(p.duplicate_of.empty() ? 0 : 1);
  return out;
}

// reviews: "h" id \0 BE64(at_ms) BE32(seq) -> event.
std::string ReviewKey(const std::string& id, int64_t at_ms, uint32_t seq) {
  std::string k = "h" + id;
  k.push_back('\0');
  Be(&k, static_cast<uint64_t>(at_ms), 8);
  Be(&k, seq, 4);
  return k;
}
std::string ReviewRecord(const ReviewEvent& e) {
  std::string out(1, '\x01');
  Signed(&out, e.at_ms);
  Str(&out, e.user);
  Str(&out, e.from);
  Str(&out, e.to);
  Str(&out, e.note);
  return out;
}

// evidence: sha256 hex -> "e1" BE64(fetched_at) BE32(url length) url
// BE64(raw length) zlib(bytes).
std::string EvidenceRecord(const std::string& url, int64_t fetched_at,
                           const std::string& bytes) {
  std::string out = "e1";
  Be(&out, static_cast<uint64_t>(fetched_at), 8);
  Be(&out, url.size(), 4);
  out += url;
  Be(&out, bytes.size(), 8);
  uLongf n = compressBound(static_cast<uLong>(bytes.size()));
  std::string z(n, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &n,
                      reinterpret_cast<const Bytef*>(bytes.data()),
                      static_cast<uLong>(bytes.size()), Z_BEST_SPEED),
            Z_OK);
  z.resize(n);
  return out + z;
}

// trends: merge operands of little-endian int64s, added element-wise.
std::string Counters(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t x : v) {
    for (int i = 0; i < 8; ++i) {
      out.push_back(static_cast<char>((static_cast<uint64_t>(x) >> (8 * i))));
    }
  }
  return out;
}

int64_t TimeOf(const Post& p) {
  return p.published_at != 0 ? p.published_at : p.fetched_at;
}

// The counters a schema-1 ingest merged for `p`: per hour
// (cat, region, lang, source) [volume, incidents]; per month (cat, region)
// day slots of [volume, incidents]; per source and day [posts]; per rule
// [hits, confirmed, false positives]. cat "*" = any complaint.
void AddCounters(const Post& p,
                 std::map<std::string, std::vector<int64_t>>* out) {
  const int64_t t = TimeOf(p);
  const uint32_t hour = static_cast<uint32_t>(t / 3600);
  const uint32_t day = static_cast<uint32_t>(t / 86400);
  const time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  const uint32_t month =
      static_cast<uint32_t>((tm.tm_year + 1900) * 12 + tm.tm_mon);
  const size_t slot = static_cast<size_t>(tm.tm_mday - 1);
  const int64_t original = p.duplicate_of.empty() ? 1 : 0;
  auto add = [out](const std::string& key, size_t at,
                   std::vector<int64_t> values) {
    std::vector<int64_t>& v = (*out)[key];
    if (v.size() < at + values.size()) v.resize(at + values.size(), 0);
    for (size_t i = 0; i < values.size(); ++i) v[at + i] += values[i];
  };
  std::vector<std::string> cats = p.labels.categories;
  if (!cats.empty()) cats.push_back("*");
  for (const std::string& c : cats) {
    std::string h = "h" + c;
    for (const std::string* part :
         {&p.labels.region, &p.labels.lang, &p.source}) {
      h.push_back('\0');
      h += *part;
    }
    h.push_back('\0');
    Be(&h, hour, 4);
    add(h, 0, {1, original});
    std::string m = "M" + c;
    m.push_back('\0');
    m += p.labels.region;
    m.push_back('\0');
    Be(&m, month, 4);
    add(m, 2 * slot, {1, original});
  }
  std::string s = "s" + p.source;
  s.push_back('\0');
  Be(&s, day, 4);
  add(s, 0, {1});
  std::set<std::string> rules;
  for (const Match& m : p.labels.matches) rules.insert(m.rule);
  for (const std::string& r : rules) {
    add("r" + r, 0,
        {1, p.review == "confirmed" ? 1 : 0,
         p.review == "false_positive" ? 1 : 0});
  }
}

}  // namespace v1

// ---- The data set ----------------------------------------------------------

struct Page {
  std::string url;
  int64_t fetched_at;
  std::string bytes;
  std::string id() const { return EvidenceStore::IdOf(bytes); }
};

const Page& PageOne() {
  static const Page p{"https://t.me/s/a?before=10", T("2024-01-05T06:01:00Z"),
                      "<html><p>Мектепте ұрады</p> one</html>"};
  return p;
}
const Page& PageTwo() {
  static const Page p{"https://t.me/s/b", T("2024-05-03T09:01:00Z"),
                      "<html><p>two posts on this page</p></html>"};
  return p;
}
const Page& PageThree() {
  static const Page p{"https://news.example.kz/1", T("2024-05-10T08:00:00Z"),
                      "<html>three</html>"};
  return p;
}
const Page& PageOld() {
  static const Page p{"https://t.me/s/a?before=5", T("2024-01-06T07:01:00Z"),
                      "<html>only an old post</html>"};
  return p;
}

Post P(const std::string& id, const char* time, const std::string& source,
       const std::string& lang, std::vector<std::string> cats,
       const std::string& region) {
  Post p;
  p.id = id;
  p.source = source;
  p.url = "https://t.me/s/" + source + "/" + id;
  p.published_at = T(time);
  p.fetched_at = p.published_at + 60;
  p.author = "pseud_" + id;
  p.text = "Текст " + id + ", звоните 87011234567";
  p.labels.lang = lang;
  p.labels.categories = std::move(cats);
  p.labels.severity = p.labels.categories.empty() ? "none" : "medium";
  p.labels.region = region;
  p.labels.rules_version = "v1";
  int k = 1;
  for (const std::string& c : p.labels.categories) {
    p.labels.matches.push_back(
        {lang + "." + c + "." + std::to_string(k++), c, 0, 10});
  }
  p.incident_id = id;
  p.content_hash = "hash_" + id;
  p.simhash = std::hash<std::string>()(id);
  return p;
}

// Seven posts: an incident with a repost, two complaint categories, a post
// with no complaint, one filed under fetched_at, reviews, and two posts
// older than the retention tests' cut-off (2024-04-16).
std::vector<Post> Posts() {
  std::vector<Post> v;
  Post a1 =
      P("a1", "2024-05-02T10:00:00Z", "tg_a", "kk", {"bullying"}, "jambyl");
  a1.labels.school_number = "12";
  a1.labels.institution = "school";
  a1.review = "confirmed";
  a1.evidence_id = PageOne().id();
  a1.title = "title of a1";
  v.push_back(a1);
  Post a2 =
      P("a2", "2024-05-02T15:00:00Z", "tg_b", "ru", {"bullying"}, "jambyl");
  a2.duplicate_of = "a1";
  a2.incident_id = "a1";
  a2.forwarded_from = "tg_a";
  a2.evidence_id = PageTwo().id();
  v.push_back(a2);
  Post a3 = P("a3", "2024-05-03T09:00:00Z", "tg_b", "ru", {"food", "violence"},
              "almaty");
  a3.evidence_id = PageTwo().id();
  v.push_back(a3);
  Post a4 = P("a4", "2024-05-20T12:00:00Z", "tg_a", "ru", {}, "");
  v.push_back(a4);
  Post a5 =
      P("a5", "2024-05-10T08:00:00Z", "site_b", "ru", {"violence"}, "astana");
  a5.fetched_at = a5.published_at;
  a5.published_at = 0;
  a5.review = "false_positive";
  a5.evidence_id = PageThree().id();
  v.push_back(a5);
  Post old1 =
      P("old1", "2024-01-05T06:00:00Z", "tg_a", "ru", {"food"}, "jambyl");
  old1.evidence_id = PageOne().id();  // the same page bytes as a1's
  v.push_back(old1);
  Post old2 = P("old2", "2024-01-06T07:00:00Z", "tg_a", "ru", {}, "jambyl");
  old2.evidence_id = PageOld().id();
  v.push_back(old2);
  return v;
}

// a3 was relabelled: v0 said food only.
Labels A3LabelsV0() {
  Labels l;
  l.lang = "ru";
  l.categories = {"food"};
  l.severity = "low";
  l.region = "almaty";
  l.matches = {{"ru.food.0", "food", 0, 4}};
  l.rules_version = "v0";
  return l;
}

std::vector<std::pair<std::string, ReviewEvent>> Reviews() {
  return {
      {"a1",
       {T("2024-05-05T00:00:00Z") * 1000, "ann", "new", "confirmed",
        "checked with the school"}},
      {"a5",
       {T("2024-05-11T00:00:00Z") * 1000, "bob", "new", "false_positive", ""}}};
}

std::string LabelsKey(const std::string& id, const std::string& version) {
  std::string k = id;
  k.push_back('\0');
  return k + version;
}

// Writes Posts() as a schema-1 build left them in `data_dir`/db.
void WriteSchema1Store(const std::string& data_dir) {
  auto db = Db::Open(data_dir + "/db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Db& d = **db;
  rocksdb::WriteBatch b;
  std::map<std::string, std::vector<int64_t>> counters;
  for (const Post& p : Posts()) {
    b.Put(d.cf(Cf::kPosts), p.id, v1::PostRecord(p));
    b.Put(d.cf(Cf::kTimeIndex), v1::TimeKey(v1::TimeOf(p)) + p.id,
          v1::Summary(p));
    if (p.incident_id != p.id) {
      std::string m = "m" + p.incident_id;
      m.push_back('\0');
      b.Put(d.cf(Cf::kIncidents), m + v1::TimeKey(v1::TimeOf(p)) + p.id, "");
    }
    v1::AddCounters(p, &counters);
  }
  b.Put(d.cf(Cf::kLabels), LabelsKey("a3", "v0"),
        v1::LabelsRecord(A3LabelsV0()));
  uint32_t seq = 0;
  for (const auto& [id, e] : Reviews()) {
    b.Put(d.cf(Cf::kReviews), v1::ReviewKey(id, e.at_ms, seq++),
          v1::ReviewRecord(e));
  }
  for (const Page* page : {&PageOne(), &PageTwo(), &PageThree(), &PageOld()}) {
    b.Put(d.cf(Cf::kEvidence), page->id(),
          v1::EvidenceRecord(page->url, page->fetched_at, page->bytes));
  }
  for (const auto& [key, values] : counters) {
    b.Merge(d.cf(Cf::kTrends), key, v1::Counters(values));
  }
  b.Put(d.cf(Cf::kMeta), "schema_version", "1");
  ASSERT_TRUE(d.raw()->Write(rocksdb::WriteOptions(), &b).ok());
}

std::string MetaVersion(Db* db) {
  std::string v;
  rocksdb::Status s = db->raw()->Get(rocksdb::ReadOptions(), db->cf(Cf::kMeta),
                                     "schema_version", &v);
  return s.ok() ? v : "(" + s.ToString() + ")";
}

// The keys of Cf::kEvidence that are not pages (references, seen times).
std::set<std::string> EvidenceRefs(Db* db) {
  std::set<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(rocksdb::ReadOptions(), db->cf(Cf::kEvidence)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string k = it->key().ToString();
    if (k.size() > 64) out.insert(k);
  }
  return out;
}

std::string Ref(const Page& page, const std::string& id) {
  return page.id() + '\0' + id;
}

std::set<std::string> WantedRefs() {
  return {Ref(PageOne(), "a1"), Ref(PageOne(), "old1"), Ref(PageTwo(), "a2"),
          Ref(PageTwo(), "a3"), Ref(PageThree(), "a5"), Ref(PageOld(), "old2")};
}

const TrendRow* Row(const TrendTable& t, const std::string& bucket,
                    const std::string& category = "",
                    const std::string& region = "") {
  for (const TrendRow& r : t.rows) {
    if (r.bucket == bucket && r.category == category && r.region == region) {
      return &r;
    }
  }
  return nullptr;
}

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override { clock_.now_ms = T("2024-06-15T00:00:00Z") * 1000; }

  StoreOptions Options() const {
    StoreOptions o;
    o.data_dir = dir_.path();
    o.retention_days = 60;  // cut-off 2024-04-16
    return o;
  }

  // Everything a schema-1 store held reads back through the current Store.
  void ExpectMigrated(Store& store) {
    EXPECT_EQ(MetaVersion(store.db()), std::to_string(Store::kSchemaVersion));
    // Schema 2: every page knows the posts that refer to it.
    EXPECT_EQ(EvidenceRefs(store.db()), WantedRefs());

    std::vector<Post> want = Posts();
    for (const Post& p : want) {
      auto got = store.GetPost(p.id);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->has_value()) << p.id;
      EXPECT_EQ(PostToJsonLine(**got), PostToJsonLine(p));
      EXPECT_TRUE(**got == p) << p.id << " differs in an internal field";
    }
    auto n = store.CountPosts(PostQuery());
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 7);
    PostQuery bullying;
    bullying.category = "bullying";
    bullying.region = "jambyl";
    n = store.CountPosts(bullying);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 2);

    // The labels a3 had under v0 are still kept beside the current ones.
    std::string old_labels;
    ASSERT_TRUE(store.db()
                    ->raw()
                    ->Get(rocksdb::ReadOptions(), store.db()->cf(Cf::kLabels),
                          LabelsKey("a3", "v0"), &old_labels)
                    .ok());
    EXPECT_EQ(old_labels, v1::LabelsRecord(A3LabelsV0()));

    // Export: every post, oldest first, unmasked, as its JSON line.
    std::sort(want.begin(), want.end(), [](const Post& a, const Post& b) {
      return std::make_pair(v1::TimeOf(a), a.id) <
             std::make_pair(v1::TimeOf(b), b.id);
    });
    std::string want_export;
    for (const Post& p : want) want_export += PostToJsonLine(p) + "\n";
    std::string got_export;
    auto exported = ExportToString(
        store, PostQuery(),
        ExportOptions{ExportFormat::kJsonl, false, false, nullptr},
        &got_export);
    ASSERT_TRUE(exported.ok()) << exported.status().ToString();
    EXPECT_EQ(*exported, 7);
    EXPECT_EQ(got_export, want_export);

    // Trends from the schema-1 counters.
    TrendQuery tq;
    tq.from = T("2024-05-01T00:00:00Z");
    tq.to = T("2024-06-01T00:00:00Z");
    auto any = store.Trends(tq);
    ASSERT_TRUE(any.ok()) << any.status().ToString();
    const std::vector<std::tuple<const char*, int64_t, int64_t>> days = {
        {"2024-05-02", 2, 1},
        {"2024-05-03", 1, 1},
        {"2024-05-10", 1, 1},
        {"2024-05-20", 0, 0},
        {"2024-05-01", 0, 0}};
    for (const auto& d : days) {
      const TrendRow* r = Row(*any, std::get<0>(d));
      ASSERT_NE(r, nullptr) << std::get<0>(d);
      EXPECT_EQ(r->volume, std::get<1>(d)) << std::get<0>(d);
      EXPECT_EQ(r->incidents, std::get<2>(d)) << std::get<0>(d);
    }
    ASSERT_EQ(any->totals.size(), 1u);
    EXPECT_EQ(any->totals[0].volume, 4);
    EXPECT_EQ(any->totals[0].incidents, 3);
    tq.category = "violence";
    tq.by_region = true;
    auto violence = store.Trends(tq);
    ASSERT_TRUE(violence.ok());
    const TrendRow* almaty = Row(*violence, "2024-05-03", "", "almaty");
    const TrendRow* astana = Row(*violence, "2024-05-10", "", "astana");
    ASSERT_NE(almaty, nullptr);
    ASSERT_NE(astana, nullptr);
    EXPECT_EQ(almaty->volume, 1);
    EXPECT_EQ(astana->volume, 1);
    tq = TrendQuery();
    tq.from = T("2024-01-01T00:00:00Z");
    tq.to = T("2024-02-01T00:00:00Z");
    tq.bucket = Bucket::kMonth;
    tq.category = "food";
    tq.source = "tg_a";  // read from the hour counters
    auto food = store.Trends(tq);
    ASSERT_TRUE(food.ok());
    const TrendRow* january = Row(*food, "2024-01");
    ASSERT_NE(january, nullptr);
    EXPECT_EQ(january->volume, 1);
    EXPECT_EQ(january->incidents, 1);

    // Per-rule counters and reviews.
    auto rules = store.RuleStatistics();
    ASSERT_TRUE(rules.ok());
    std::map<std::string, std::vector<int64_t>> got_rules;
    for (const RuleStats& r : *rules) {
      got_rules[r.rule] = {r.hits, r.confirmed, r.false_positive};
    }
    const std::map<std::string, std::vector<int64_t>> want_rules = {
        {"kk.bullying.1", {1, 1, 0}},
        {"ru.bullying.1", {1, 0, 0}},
        {"ru.food.1", {2, 0, 0}},
        {"ru.violence.2", {1, 0, 0}},
        {"ru.violence.1", {1, 0, 1}}};
    EXPECT_EQ(got_rules, want_rules);
    auto history = store.ReviewHistory("a1");
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), 1u);
    EXPECT_EQ((*history)[0].to, "confirmed");
    EXPECT_EQ((*history)[0].note, "checked with the school");
    auto incident = store.GetIncident("a1");
    ASSERT_TRUE(incident.ok() && incident->has_value());
    EXPECT_EQ((*incident)->members, (std::vector<std::string>{"a1", "a2"}));

    // Counters equal a recount from the migrated labels.
    auto check = store.Check();
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_TRUE(check->ok())
        << (check->problems.empty() ? "" : check->problems[0]);
    EXPECT_EQ(check->posts, 7);
    EXPECT_GT(check->counters_checked, 0);

    // Retention needs the references: old1 shares its page with a1, which
    // stays, so that page stays; old2's page goes with it. Without the
    // schema-2 references both pages would go (a1 would lose its evidence).
    auto r = store.ApplyRetention();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->posts_removed, 2);
    EvidenceStore evidence(store.db());
    for (const Page* page : {&PageOne(), &PageTwo(), &PageThree()}) {
      auto got = evidence.Get(page->id());
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_TRUE(got->has_value()) << page->url << " was removed";
      EXPECT_EQ((*got)->bytes, page->bytes);
      EXPECT_EQ((*got)->url, page->url);
    }
    auto gone = evidence.Contains(PageOld().id());
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(*gone);
    auto a1 = store.GetPost("a1");
    ASSERT_TRUE(a1.ok() && a1->has_value());
    EXPECT_EQ((*a1)->evidence_id, PageOne().id());
  }

  testing::TempDir dir_;
  FixedClock clock_;
};

TEST_F(MigrationTest, Schema1StoreReadsTheSameAfterMigration) {
  WriteSchema1Store(dir_.path());
  {
    auto db = Db::Open(dir_.path() + "/db");
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(MetaVersion(db->get()), "1");
    EXPECT_TRUE(EvidenceRefs(db->get()).empty());
  }
  auto store = Store::Open(Options(), &clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectMigrated(**store);
}

TEST_F(MigrationTest, OpeningAMigratedStoreAgainChangesNothing) {
  WriteSchema1Store(dir_.path());
  {
    auto store = Store::Open(Options(), &clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  auto store = Store::Open(Options(), &clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectMigrated(**store);
}

// The child: opens the store with migrations committing two records per
// batch, and kills itself (SIGKILL: no destructor, no flush) right after
// the first batch of the step from version SHAGYM_MIGRATION_KILL_AT.
TEST(MigrationChild, OpenAndDieMidway) {
  const char* dir = std::getenv("SHAGYM_MIGRATION_DIR");
  const char* at = std::getenv("SHAGYM_MIGRATION_KILL_AT");
  if (!dir || !at) GTEST_SKIP() << "runs only as the migration test's child";
  const int kill_at = std::atoi(at);
  internal::SetMigrationHookForTesting(2, [kill_at](int from) {
    if (from == kill_at) raise(SIGKILL);
  });
  StoreOptions o;
  o.data_dir = dir;
  auto s = Store::Open(o);
  _exit(s.ok() ? 3 : 4);  // reaching here means the hook never fired
}

class KilledMigrationTest : public MigrationTest,
                            public ::testing::WithParamInterface<int> {};

TEST_P(KilledMigrationTest, IsResumedByTheNextOpen) {
  const int kill_at = GetParam();
  WriteSchema1Store(dir_.path());
  pid_t pid = testing::SpawnThisTest(
      "MigrationChild.OpenAndDieMidway",
      {"SHAGYM_MIGRATION_DIR=" + dir_.path(),
       "SHAGYM_MIGRATION_KILL_AT=" + std::to_string(kill_at)});
  ASSERT_GE(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child exited with " << WEXITSTATUS(status);
  {
    // Half-way: still version 1 in meta, part of the step's writes done.
    auto db = Db::Open(dir_.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(MetaVersion(db->get()), "1");
    const size_t refs = EvidenceRefs(db->get()).size();
    int moved = 0;
    std::unique_ptr<rocksdb::Iterator> it((*db)->raw()->NewIterator(
        rocksdb::ReadOptions(), (*db)->cf(Cf::kPosts)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->value().size() == 8) ++moved;  // a schema-3 pointer
    }
    if (kill_at == 1) {
      EXPECT_GT(refs, 0u);
      EXPECT_LT(refs, WantedRefs().size());
      EXPECT_EQ(moved, 0);
    } else {
      EXPECT_EQ(refs, WantedRefs().size());
      EXPECT_GT(moved, 0);
      EXPECT_LT(moved, 7);
    }
  }
  auto store = Store::Open(Options(), &clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectMigrated(**store);
}

INSTANTIATE_TEST_SUITE_P(FromVersion, KilledMigrationTest,
                         ::testing::Values(1, 2));

}  // namespace migration_test
}  // namespace shagym::store
