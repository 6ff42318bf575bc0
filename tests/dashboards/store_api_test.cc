// The data endpoints over real HTTP on loopback and a real store in a temp
// dir: trends, spikes, posts, reviews, export, sources, rules, and the role
// and CSRF checks on each.

#include "dashboards/store_api.h"

#include <gtest/gtest.h>

#include "common/time_util.h"
#include "store/evidence.h"
#include "tests/dashboards/server_fixture.h"

namespace shagym::dashboards {
namespace store_api_test {

// Byte offset of `needle` in `hay` (the tests build texts with known words).
int64_t At(const std::string& hay, const std::string& needle) {
  return static_cast<int64_t>(hay.find(needle));
}

Post MakePost(const std::string& id, const std::string& source,
              const std::string& when, const std::string& text,
              std::vector<std::string> categories, const std::string& word) {
  Post p;
  p.id = id;
  p.source = source;
  p.url = "https://example.org/" + id;
  p.published_at = *ParseIso8601(when);
  p.fetched_at = p.published_at + 60;
  p.author = "u_" + id;
  p.text = text;
  p.labels.lang = "kk";
  p.labels.categories = std::move(categories);
  p.labels.severity = p.labels.categories.empty() ? "none" : "medium";
  p.labels.region = "jambyl";
  p.labels.school_number = "12";
  if (!word.empty()) {
    int64_t s = At(text, word);
    p.labels.matches.push_back({"kk.test.1", p.labels.categories.front(), s,
                                s + static_cast<int64_t>(word.size())});
  }
  p.labels.rules_version = "v1";
  return p;
}

// Masks digits as "#0#": three bytes for one, so offsets must move.
std::string TestMask(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      out += "#0#";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class StoreApiTest : public ServerFixture {
 protected:
  void SetUp() override {
    clock_.SetSeconds(*ParseIso8601("2024-05-13T12:00:00Z"));
    OpenStore();
    original_ =
        MakePost("p1", "tg_a", "2024-05-12T10:00:00Z",
                 "Тел 87011234567: 12-мектепте балаларды буллинг жасайды",
                 {"bullying"}, "буллинг");
    Post dup = MakePost("p2", "tg_b", "2024-05-12T11:00:00Z",
                        "Forward: 12-мектепте балаларды буллинг жасайды",
                        {"bullying"}, "буллинг");
    dup.duplicate_of = "p1";
    Post hostile = MakePost(
        "p3", "tg_a", "2024-05-11T09:00:00Z",
        "<script>alert(1)</script><img src=x onerror=alert(2)> урып-соғу",
        {"violence"}, "урып");
    Post none = MakePost("p4", "tg_b", "2024-05-10T09:00:00Z",
                         "Мерекеңіздермен!", {}, "");
    for (const Post& p : {original_, dup, hostile, none}) {
      auto r = store_->Ingest(p);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    StoreApiOptions o;
    o.store = store_.get();
    o.mask = TestMask;
    o.clock = &clock_;
    api_ = std::make_unique<StoreApi>(o);
    StartServer(api_.get());
  }

  httplib::Result Get(const std::string& path, const Login& l) {
    return Client()->Get(path, Headers(l));
  }

  Post original_;
  std::unique_ptr<StoreApi> api_;
};

TEST_F(StoreApiTest, EveryDataEndpointNeedsLogin) {
  for (const char* path :
       {"/api/trends", "/api/spikes", "/api/posts", "/api/posts/p1",
        "/api/sources", "/api/export", "/api/rules"}) {
    auto r = Client()->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  for (const char* path :
       {"/api/posts/p1/review", "/api/rules/test", "/api/rules/backtest"}) {
    auto r = Client()->Post(path, "{}", "application/json");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  auto r = Client()->Put("/api/rules/kk.yaml", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(StoreApiTest, TrendsCountIncidentsAndVolume) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/trends?from=2024-05-10&to=2024-05-12&by=category", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = Json(r);
  EXPECT_EQ(j["bucket"], "day");
  bool found = false;
  for (const auto& row : j["rows"]) {
    if (row["category"] == "bullying" && row["bucket"] == "2024-05-12") {
      EXPECT_EQ(row["volume"], 2);
      EXPECT_EQ(row["incidents"], 1);
      found = true;
    }
  }
  EXPECT_TRUE(found) << r->body;
}

// Cache hits and misses as /metrics counts them.
std::pair<int64_t, int64_t> CacheCounts(const std::string& metrics) {
  auto value = [&](const std::string& label) -> int64_t {
    const std::string key =
        "shagym_api_cache_requests_total{result=\"" + label + "\"} ";
    size_t at = metrics.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(metrics.substr(at + key.size()));
  };
  return {value("hit"), value("miss")};
}

TEST_F(StoreApiTest, AnswersAreReusedUntilTheStoreChanges) {
  Login l = LoginAs("viewer");
  const std::string path = "/api/trends?from=2024-05-12&to=2024-05-12";
  auto volume = [&] {
    auto r = Get(path, l);
    EXPECT_TRUE(r && r->status == 200);
    return Json(r)["totals"][0]["volume"].get<int64_t>();
  };
  auto counts = [&] {
    auto r = Get("/metrics", l);
    EXPECT_TRUE(r && r->status == 200);
    return CacheCounts(r ? r->body : "");
  };
  auto posts = [&] {
    auto r = Get("/api/posts?limit=10", l);
    EXPECT_TRUE(r && r->status == 200);
    return Json(r)["items"].size();
  };
  const auto before = counts();
  EXPECT_EQ(volume(), 2);
  EXPECT_EQ(volume(), 2);
  EXPECT_EQ(posts(), 4u);
  EXPECT_EQ(posts(), 4u);
  const auto reused = counts();
  EXPECT_EQ(reused.first - before.first, 2);    // the second of each
  EXPECT_EQ(reused.second - before.second, 2);  // the first of each
  // A write is seen at once: never a stale answer.
  Post more = original_;
  more.id = "p9";
  ASSERT_TRUE(store_->Ingest(more).ok());
  EXPECT_EQ(volume(), 3);
  EXPECT_EQ(posts(), 5u);
  // And nothing is kept beyond the TTL.
  clock_.AdvanceSeconds(16);
  const auto late = counts();
  EXPECT_EQ(volume(), 3);
  EXPECT_EQ(counts().second - late.second, 1);
}

TEST_F(StoreApiTest, TrendsRejectBadParameters) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/trends?from=yesterday", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("from"),
            std::string::npos);
  r = Get("/api/trends?bucket=year", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Get("/api/trends?from=2024-05-12&to=2024-05-01", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(StoreApiTest, SpikesAnswerAList) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/spikes?from=2024-05-01&to=2024-05-13", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(Json(r)["items"].is_array());
}

TEST_F(StoreApiTest, PostsFoldDuplicatesUnderTheirIncident) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/posts?originals=1&complaints=1", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto items = Json(r)["items"];
  std::vector<std::string> ids;
  for (const auto& p : items) ids.push_back(p["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"p1", "p3"}));
  EXPECT_EQ(items[0]["incident_size"], 2);
  EXPECT_EQ(items[0]["incident_sources"],
            (std::vector<std::string>{"tg_a", "tg_b"}));
}

TEST_F(StoreApiTest, PostDetailListsTheIncidentsCopies) {
  Login l = LoginAs("viewer");
  for (const char* id : {"p1", "p2"}) {
    auto r = Get(std::string("/api/posts/") + id, l);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto members = Json(r)["incident"]["members"];
    ASSERT_EQ(members.size(), 2u) << id;
    EXPECT_EQ(members[0]["id"], "p1");
    EXPECT_EQ(members[0]["source"], "tg_a");
    EXPECT_TRUE(members[0]["duplicate_of"].is_null());
    EXPECT_EQ(members[1]["id"], "p2");
    EXPECT_EQ(members[1]["duplicate_of"], "p1");
    EXPECT_EQ(members[1]["published_at"], "2024-05-12T11:00:00Z");
  }
}

TEST_F(StoreApiTest, EvidenceIsServedSandboxedAndMasked) {
  store::EvidenceStore evidence(store_->db());
  const std::string page =
      "<!doctype html><html><body><script>alert(1)</script>"
      "<img src=\"https://tracker.example/x.png\">"
      "<p>Тел 87011234567: 12-мектепте буллинг</p></body></html>";
  auto id = evidence.Put("https://example.org/p1", 1715500000, page);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Post with = original_;
  with.evidence_id = *id;
  ASSERT_TRUE(store_->Ingest(with).ok());

  Login viewer = LoginAs("viewer");
  auto r = Get("/api/posts/p1/evidence", viewer);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  // One policy, ours: sandboxed (no scripts), nothing fetched, framable
  // only by the dashboard.
  ASSERT_EQ(r->get_header_value_count("Content-Security-Policy"), 1u);
  const std::string csp = r->get_header_value("Content-Security-Policy");
  EXPECT_EQ(csp.rfind("sandbox;", 0), 0u) << csp;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'self'"), std::string::npos);
  EXPECT_EQ(r->get_header_value_count("X-Frame-Options"), 1u);
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "SAMEORIGIN");
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->body.find("87011234567"), std::string::npos) << r->body;
  // The test masker turns every digit into "#0#".
  EXPECT_NE(r->body.find("#0##0#-мектепте буллинг"), std::string::npos);

  r = Get("/api/posts/p1/evidence?format=text", viewer);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; charset=utf-8");

  r = Get("/api/posts/p1/evidence?unmask=1", viewer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  Login admin = LoginAs("admin");
  r = Get("/api/posts/p1/evidence?unmask=1", admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, page);
  r = Get("/api/audit", admin);
  ASSERT_TRUE(r);
  EXPECT_EQ(Json(r)["items"][0]["action"], "posts.unmask_evidence");

  // No page kept, unknown post, and no login.
  r = Get("/api/posts/p3/evidence", viewer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("no page was kept"),
            std::string::npos);
  r = Get("/api/posts/nope/evidence", viewer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = Client()->Get("/api/posts/p1/evidence");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(StoreApiTest, PostsPageWithCursorAndFilters) {
  Login l = LoginAs("viewer");
  std::vector<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    auto r = Get("/api/posts?limit=1&cursor=" + cursor, l);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto j = Json(r);
    for (const auto& p : j["items"]) seen.push_back(p["id"]);
    cursor = j["next_cursor"];
    if (cursor.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"p2", "p1", "p3", "p4"}));
  auto r = Get("/api/posts?category=violence", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(Json(r)["items"].size(), 1u);
  EXPECT_EQ(Json(r)["items"][0]["id"], "p3");
  r = Get("/api/posts?source=tg_b&from=2024-05-11&to=2024-05-13", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(Json(r)["items"].size(), 1u);
  EXPECT_EQ(Json(r)["items"][0]["id"], "p2");
  r = Get("/api/posts?limit=5000", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Get("/api/posts?review=maybe", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(StoreApiTest, PostIsMaskedAndHighlightStaysOnTheWord) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/posts/p1", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = Json(r);
  std::string text = j["post"]["text"];
  EXPECT_EQ(text.find("87011234567"), std::string::npos) << text;
  EXPECT_NE(text.find("#0#"), std::string::npos);
  ASSERT_EQ(j["post"]["matches"].size(), 1u);
  int64_t s = j["post"]["matches"][0]["start"];
  int64_t e = j["post"]["matches"][0]["end"];
  EXPECT_EQ(text.substr(s, e - s), "буллинг");
  EXPECT_TRUE(j["masked"].get<bool>());
  EXPECT_EQ(j["incident"]["size"], 2);
  EXPECT_EQ(j["evidence"]["url"], "https://example.org/p1");
  r = Get("/api/posts/nope", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(StoreApiTest, OnlyAdminUnmasksAndItIsAudited) {
  Login analyst = LoginAs("analyst");
  auto r = Get("/api/posts/p1?unmask=1", analyst);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  Login admin = LoginAs("admin");
  r = Get("/api/posts/p1?unmask=1", admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["post"]["text"], original_.text);
  EXPECT_FALSE(Json(r)["masked"].get<bool>());
  r = Get("/api/audit", admin);
  ASSERT_TRUE(r);
  auto items = Json(r)["items"];
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0]["action"], "posts.unmask");
  EXPECT_EQ(items[0]["user"], "admin");
  EXPECT_EQ(items[0]["detail"], "p1");
}

TEST_F(StoreApiTest, HostileTextComesBackAsJsonData) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/posts/p3", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"),
            "application/json; charset=utf-8");
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Json(r)["post"]["text"].get<std::string>().rfind("<script>", 0),
            0u);
}

TEST_F(StoreApiTest, ReviewNeedsAnalystAndCsrf) {
  nlohmann::json body = {{"status", "confirmed"}, {"note", "called school"}};
  Login viewer = LoginAs("viewer");
  auto r = Client()->Post("/api/posts/p1/review", Headers(viewer), body.dump(),
                          "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  Login analyst = LoginAs("analyst");
  r = Client()->Post("/api/posts/p1/review", Headers(analyst, false),
                     body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = Client()->Post("/api/posts/p1/review", Headers(analyst), body.dump(),
                     "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  r = Get("/api/posts/p1", analyst);
  ASSERT_TRUE(r);
  auto j = Json(r);
  EXPECT_EQ(j["post"]["review"], "confirmed");
  ASSERT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(j["history"][0]["user"], "analyst");
  EXPECT_EQ(j["history"][0]["note"], "called school");
  nlohmann::json bad = {{"status", "maybe"}};
  r = Client()->Post("/api/posts/p1/review", Headers(analyst), bad.dump(),
                     "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Client()->Post("/api/posts/zzz/review", Headers(analyst), body.dump(),
                     "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(StoreApiTest, ViewerCannotExport) {
  Login l = LoginAs("viewer");
  auto r = Get("/api/export?format=csv", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST_F(StoreApiTest, AnalystExportsCsvAndJsonLinesMasked) {
  Login l = LoginAs("analyst");
  auto r = Get("/api/export?format=csv&category=bullying", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Disposition").find("attachment"),
            std::string::npos);
  EXPECT_EQ(r->body.rfind("id,", 0), 0u) << r->body.substr(0, 200);
  EXPECT_NE(r->body.find("p1"), std::string::npos);
  EXPECT_NE(r->body.find("p2"), std::string::npos);
  EXPECT_EQ(r->body.find("p3"), std::string::npos);
  EXPECT_EQ(r->body.find("87011234567"), std::string::npos);
  r = Get("/api/export?format=jsonl", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  int lines = 0;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 4);
  r = Get("/api/export?format=xml", l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(StoreApiTest, SourcesShowHealth) {
  store::FetchOutcome ok;
  ok.source = "tg_a";
  ok.ok = true;
  ok.http_status = 200;
  ok.posts = 3;
  ASSERT_TRUE(store_->RecordFetch(ok).ok());
  store::FetchOutcome bad;
  bad.source = "tg_a";
  bad.http_status = 503;
  bad.error = "HTTP 503";
  ASSERT_TRUE(store_->RecordFetch(bad).ok());
  Login l = LoginAs("viewer");
  auto r = Get("/api/sources", l);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto items = Json(r)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["source"], "tg_a");
  EXPECT_EQ(items[0]["fetches_7d"], 2);
  EXPECT_DOUBLE_EQ(items[0]["error_rate_7d"].get<double>(), 0.5);
  EXPECT_EQ(items[0]["last_error"], "HTTP 503");
  r = Get("/metrics", l);
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("shagym_source_fetches_7d{source=\"tg_a\"} 2"),
            std::string::npos);
}

TEST_F(StoreApiTest, OnlyAdminEditsRules) {
  nlohmann::json body = {{"text", "rules: []\n"}};
  for (const char* user : {"viewer", "analyst"}) {
    Login l = LoginAs(user);
    auto r = Client()->Put("/api/rules/kk.yaml", Headers(l), body.dump(),
                           "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << user;
  }
  Login viewer = LoginAs("viewer");
  for (const char* path : {"/api/rules/test", "/api/rules/backtest"}) {
    auto r =
        Client()->Post(path, Headers(viewer), body.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
  }
  auto r = Get("/api/rules", viewer);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // An admin with a forged CSRF token is refused too.
  Login admin = LoginAs("admin");
  httplib::Headers forged = {{"Cookie", admin.cookie},
                             {"X-CSRF-Token", "forged"}};
  r = Client()->Put("/api/rules/kk.yaml", forged, body.dump(),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST(MaskForDisplayTest, MovesEveryMatchWithTheMaskedText) {
  Post p;
  p.text = "1 ab 22 cd 333";
  p.labels.matches = {{"r1", "c", 2, 4}, {"r2", "c", 8, 10}};
  Post m = MaskForDisplay(p, TestMask);
  EXPECT_EQ(m.text, "#0# ab #0##0# cd #0##0##0#");
  ASSERT_EQ(m.labels.matches.size(), 2u);
  auto span = [&](const Match& x) {
    return m.text.substr(x.start, x.end - x.start);
  };
  EXPECT_EQ(span(m.labels.matches[0]), "ab");
  EXPECT_EQ(span(m.labels.matches[1]), "cd");
}

TEST(MaskForDisplayTest, OutOfRangeMatchLosesItsHighlightNotTheText) {
  Post p;
  p.text = "abc";
  p.labels.matches = {{"r1", "c", 2, 99}};
  Post m = MaskForDisplay(p, TestMask);
  EXPECT_EQ(m.text, "abc");
  EXPECT_EQ(m.labels.matches[0].start, m.labels.matches[0].end);
}

}  // namespace store_api_test
}  // namespace shagym::dashboards
