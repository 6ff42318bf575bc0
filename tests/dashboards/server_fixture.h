#pragma once

// A real dashboard server on 127.0.0.1 (port 0) over a real RocksDB store in
// a temp dir, with one user per role, and an HTTP client that logs in as any
// of them. Shared by the dashboards tests.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "dashboards/data_api.h"
#include "dashboards/server.h"
#include "store/store.h"
#include "tests/testing/temp_dir.h"

namespace shagym::dashboards {

class FakeClock : public Clock {
 public:
  int64_t NowMs() const override { return now_ms_.load(); }
  void AdvanceSeconds(int64_t s) { now_ms_ += s * 1000; }
  void SetSeconds(int64_t s) { now_ms_ = s * 1000; }

 private:
  std::atomic<int64_t> now_ms_{1'715'600'000'000};  // 2024-05-13
};

// A logged-in browser: cookie + CSRF token.
struct Login {
  std::string cookie;  // "shagym_session=..."
  std::string csrf;
};

class ServerFixture : public ::testing::Test {
 protected:
  // Opens the store in the temp dir (StartServer does when not yet open).
  void OpenStore();
  // Builds the web dir and starts the server; `data` may be null.
  void StartServer(DataApi* data = nullptr);
  void TearDown() override;

  std::unique_ptr<httplib::Client> Client();
  // Logs `user` in (password "pw-<user>"); fails the test on error.
  Login LoginAs(const std::string& user);
  httplib::Headers Headers(const Login& l, bool with_csrf = true);
  static nlohmann::json Json(const httplib::Result& r);

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Server> server_;
  std::string web_dir_;
};

// Definitions kept in the header: the test glob builds only *_test.cc.

inline void ServerFixture::OpenStore() {
  store::StoreOptions so;
  so.data_dir = dir_.File("data");
  auto st = store::Store::Open(so, &clock_);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store_ = std::move(st).value();
}

inline void ServerFixture::StartServer(DataApi* data) {
  if (!store_) OpenStore();
  web_dir_ = dir_.path() + "/web";
  dir_.Write("web/index.html", "<!doctype html><title>shagym</title>");
  dir_.Write("web/app.js", "console.log('hi');\n" + std::string(4000, ' '));
  dir_.Write("web/node_modules/chart.js/dist/chart.umd.js", "/*chart*/");
  dir_.Write("web/node_modules/secret.js", "secret");
  dir_.Write("web/package.json", "{}");
  dir_.Write("outside.js", "outside");
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.web_dir = web_dir_;
  options.workers = 4;
  options.max_body_bytes = 64 * 1024;
  ServerDeps deps;
  deps.db = store_->db();
  deps.clock = &clock_;
  deps.data = data;
  deps.auth.argon2_t_cost = 1;
  deps.auth.argon2_m_cost_kib = 1024;  // tests only
  auto server = Server::Start(options, deps);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(server).value();
  for (const char* role : {"viewer", "analyst", "admin"}) {
    ASSERT_TRUE(server_->auth()
                    ->AddUser(role, *ParseRole(role), std::string("pw-") + role)
                    .ok());
  }
}

inline void ServerFixture::TearDown() {
  if (server_) server_->Stop();
  server_.reset();
}

inline std::unique_ptr<httplib::Client> ServerFixture::Client() {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(30, 0);
  return c;
}

inline Login ServerFixture::LoginAs(const std::string& user) {
  nlohmann::json body = {{"user", user}, {"password", "pw-" + user}};
  auto r = Client()->Post("/api/login", body.dump(), "application/json");
  Login l;
  if (!r || r->status != 200) {
    ADD_FAILURE() << "login " << user << " failed";
    return l;
  }
  std::string set_cookie = r->get_header_value("Set-Cookie");
  l.cookie = set_cookie.substr(0, set_cookie.find(';'));
  l.csrf = Json(r).value("csrf", "");
  return l;
}

inline httplib::Headers ServerFixture::Headers(const Login& l, bool with_csrf) {
  httplib::Headers h = {{"Cookie", l.cookie}};
  if (with_csrf) h.emplace("X-CSRF-Token", l.csrf);
  return h;
}

inline nlohmann::json ServerFixture::Json(const httplib::Result& r) {
  if (!r) return nlohmann::json();
  return nlohmann::json::parse(r->body, nullptr, false);
}

}  // namespace shagym::dashboards
