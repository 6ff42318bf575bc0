// The server core over real HTTP on loopback: health, login, sessions, CSRF,
// roles, tokens, limits, gzip, static files and /metrics.

#include "dashboards/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/dashboards/server_fixture.h"

namespace shagym::dashboards {
namespace server_test {

class ServerTest : public ServerFixture {
 protected:
  void SetUp() override { StartServer(); }
};

TEST_F(ServerTest, HealthIsOpen) {
  auto r = Client()->Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["status"], "ok");
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(
      r->get_header_value("Content-Security-Policy").find("script-src 'self'"),
      std::string::npos);
}

TEST_F(ServerTest, NoSessionIs401) {
  for (const char* path : {"/api/me", "/metrics", "/api/audit"}) {
    auto r = Client()->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  auto r = Client()->Post("/api/logout", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServerTest, LoginSetsStrictHttpOnlyCookieAndReturnsCsrf) {
  nlohmann::json body = {{"user", "viewer"}, {"password", "pw-viewer"}};
  auto r = Client()->Post("/api/login", body.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("shagym_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
  EXPECT_EQ(Json(r)["role"], "viewer");
  EXPECT_EQ(Json(r)["csrf"].get<std::string>().size(), 64u);
}

TEST_F(ServerTest, LoginRefusesWrongPasswordAndFormPosts) {
  nlohmann::json body = {{"user", "viewer"}, {"password", "nope"}};
  auto r = Client()->Post("/api/login", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(r->get_header_value("Set-Cookie").empty());
  // A cross-site HTML form can only send form or text content types.
  r = Client()->Post("/api/login", "user=viewer&password=pw-viewer",
                     "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  r = Client()->Post("/api/login", "not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, LoginIsRateLimited) {
  nlohmann::json bad = {{"user", "admin"}, {"password", "guess"}};
  for (int i = 0; i < 5; ++i) {
    auto r = Client()->Post("/api/login", bad.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  nlohmann::json good = {{"user", "admin"}, {"password", "pw-admin"}};
  auto r = Client()->Post("/api/login", good.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
  clock_.AdvanceSeconds(301);
  r = Client()->Post("/api/login", good.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, SessionIdentifiesUser) {
  Login l = LoginAs("analyst");
  auto r = Client()->Get("/api/me", Headers(l));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["user"], "analyst");
  EXPECT_EQ(Json(r)["role"], "analyst");
  EXPECT_EQ(Json(r)["csrf"], l.csrf);
}

TEST_F(ServerTest, ForgedOrMissingCsrfIsRefused) {
  Login l = LoginAs("viewer");
  auto r = Client()->Post("/api/logout", Headers(l, false), "{}",
                          "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  httplib::Headers forged = {{"Cookie", l.cookie},
                             {"X-CSRF-Token", std::string(64, 'a')}};
  r = Client()->Post("/api/logout", forged, "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // Another user's token does not fit this session either.
  Login other = LoginAs("admin");
  httplib::Headers crossed = {{"Cookie", l.cookie},
                              {"X-CSRF-Token", other.csrf}};
  r = Client()->Post("/api/logout", crossed, "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // Still logged in.
  r = Client()->Get("/api/me", Headers(l));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, LogoutEndsSession) {
  Login l = LoginAs("viewer");
  auto r = Client()->Post("/api/logout", Headers(l), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Set-Cookie").find("Max-Age=0"),
            std::string::npos);
  r = Client()->Get("/api/me", Headers(l));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServerTest, ExpiredSessionIs401) {
  Login l = LoginAs("viewer");
  clock_.AdvanceSeconds(13 * 3600);
  auto r = Client()->Get("/api/me", Headers(l));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServerTest, TooLowRoleIs403) {
  Login l = LoginAs("analyst");
  auto r = Client()->Get("/api/audit", Headers(l));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("admin"),
            std::string::npos);
  Login admin = LoginAs("admin");
  r = Client()->Get("/api/audit", Headers(admin));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, BearerTokenNeedsNoCsrf) {
  auto token = server_->auth()->NewToken("viewer");
  ASSERT_TRUE(token.ok());
  httplib::Headers h = {{"Authorization", "Bearer " + *token}};
  auto r = Client()->Get("/api/me", h);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["user"], "viewer");
  r = Client()->Post("/api/logout", h, "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  httplib::Headers wrong = {{"Authorization", "Bearer shg_0000"}};
  r = Client()->Get("/api/me", wrong);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServerTest, MetricsInPrometheusText) {
  Login l = LoginAs("viewer");
  ASSERT_TRUE(Client()->Get("/api/health"));
  auto r = Client()->Get("/metrics", Headers(l));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
  EXPECT_NE(r->body.find("# TYPE shagym_http_requests_total counter"),
            std::string::npos);
  EXPECT_NE(r->body.find("shagym_http_requests_total{route=\"/api/health\","
                         "method=\"GET\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(r->body.find("shagym_store_keys{cf=\"users\"}"), std::string::npos);
  EXPECT_NE(r->body.find("shagym_http_request_duration_seconds_bucket"),
            std::string::npos);
}

TEST_F(ServerTest, BodyLargerThanLimitIs413) {
  Login l = LoginAs("viewer");
  std::string big(128 * 1024, 'x');
  auto r = Client()->Post("/api/logout", Headers(l), big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, TooManyHeadersIs431) {
  httplib::Headers h;
  for (int i = 0; i < 80; ++i) h.emplace("X-H" + std::to_string(i), "v");
  auto r = Client()->Get("/api/health", h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ServerTest, GzipWhenAccepted) {
  auto r = Client()->Get("/app.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  // The client inflated it back.
  EXPECT_EQ(r->body.rfind("console.log('hi');", 0), 0u);
}

TEST_F(ServerTest, BrowsersGetGzipNeverSlowBrotli) {
  // Browsers offer br first; the server answers gzip (brotli at the
  // library's quality 11 took seconds for the chart library).
  auto r = Client()->Get("/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
  r = Client()->Get("/app.js", {{"Accept-Encoding", "br"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
  EXPECT_EQ(r->body.rfind("console.log('hi');", 0), 0u);
  r = Client()->Get("/app.js", {{"Accept-Encoding", "gzip;q=0, br"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
}

TEST_F(ServerTest, ApiAnswersAreGzipped) {
  Login l = LoginAs("viewer");
  httplib::Headers h = Headers(l);
  h.emplace("Accept-Encoding", "gzip, deflate, br");
  auto r = Client()->Get("/metrics", h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_NE(r->body.find("shagym_http_requests_total"), std::string::npos);
  // Small answers are not worth it.
  r = Client()->Get("/api/health", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
}

TEST_F(ServerTest, StaticFilesRevalidateWithEtag) {
  auto r = Client()->Get("/app.js");
  ASSERT_TRUE(r);
  const std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  r = Client()->Get("/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  // A changed file gets a new tag.
  dir_.Write("web/app.js", "console.log('changed');");
  r = Client()->Get("/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "console.log('changed');");
  EXPECT_NE(r->get_header_value("ETag"), etag);
}

TEST_F(ServerTest, IdleKeepAliveConnectionYieldsToWaitingClient) {
  // Every worker (4) holds a keep-alive connection; a fifth client waits.
  std::vector<std::unique_ptr<httplib::Client>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(Client());
    held.back()->set_keep_alive(true);
    auto r = held.back()->Get("/api/health");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Connection"), "");
  }
  std::atomic<int> waiting_status{0};
  std::thread waiting([&] {
    auto r = Client()->Get("/api/health");
    waiting_status = r ? r->status : -1;
  });
  // The next answer on a held connection closes it once the fifth
  // connection is queued, which frees a worker for it.
  bool closed = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    auto r = held[0]->Get("/api/health");
    ASSERT_TRUE(r);
    closed = r->get_header_value("Connection") == "close";
  }
  EXPECT_TRUE(closed);
  waiting.join();
  EXPECT_EQ(waiting_status.load(), 200);
}

TEST_F(ServerTest, StaticFilesAndChartLibraryFromNodeModules) {
  auto r = Client()->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  r = Client()->Get("/vendor/chart.umd.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/*chart*/");
}

TEST_F(ServerTest, StaticRefusesTraversalAndPrivateFiles) {
  for (const char* path :
       {"/../outside.js", "/%2e%2e/outside.js", "/..%2foutside.js",
        "/node_modules/secret.js", "/package.json", "/.hidden.js",
        "/vendor/../../outside.js", "/app.js%00.png", "/web/../outside.js"}) {
    auto r = Client()->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_NE(r->status, 200) << path;
    EXPECT_EQ(r->body.find("outside"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("secret"), std::string::npos) << path;
  }
}

TEST_F(ServerTest, UnknownApiPathIsJson404) {
  auto r = Client()->Get("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(Json(r).contains("error"));
}

TEST(ServerStartTest, RejectsBadListenAndMissingWebDir) {
  testing::TempDir dir;
  auto db = store::Db::Open(dir.File("db"));
  ASSERT_TRUE(db.ok());
  ServerDeps deps;
  deps.db = db->get();
  ServerOptions o;
  o.listen = "localhost";
  EXPECT_EQ(Server::Start(o, deps).status().code(),
            StatusCode::kInvalidArgument);
  o.listen = "127.0.0.1:0";
  o.web_dir = dir.File("none");
  EXPECT_EQ(Server::Start(o, deps).status().code(), StatusCode::kNotFound);
}

TEST(ServerStartTest, ParseListen) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseListen("127.0.0.1:8080", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  EXPECT_TRUE(ParseListen("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListen("::1:80", &host, &port));
  EXPECT_FALSE(ParseListen("host:99999", &host, &port));
  EXPECT_FALSE(ParseListen(":80", &host, &port));
}

}  // namespace server_test
}  // namespace shagym::dashboards
