#include "dashboards/auth.h"

#include <gtest/gtest.h>

#include <atomic>

#include "store/db.h"
#include "tests/testing/temp_dir.h"

namespace shagym::dashboards {
namespace auth_test {

class FakeClock : public Clock {
 public:
  int64_t NowMs() const override { return now_ms_.load(); }
  void AdvanceSeconds(int64_t s) { now_ms_ += s * 1000; }

 private:
  std::atomic<int64_t> now_ms_{1'700'000'000'000};
};

AuthOptions FastOptions() {
  AuthOptions o;
  o.argon2_t_cost = 1;
  o.argon2_m_cost_kib = 1024;  // tests only: production uses 19 MiB
  o.session_ttl_s = 3600;
  return o;
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Db::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auth_ = std::make_unique<Auth>(db_.get(), &clock_, FastOptions());
  }
  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<store::Db> db_;
  std::unique_ptr<Auth> auth_;
};

TEST_F(AuthTest, StoresOnlyArgon2idHashOfPassword) {
  ASSERT_TRUE(auth_->AddUser("aigerim", Role::kAnalyst, "s3cret pass").ok());
  std::string value;
  ASSERT_TRUE(db_->raw()
                  ->Get(rocksdb::ReadOptions(), db_->cf(store::Cf::kUsers),
                        "user:aigerim", &value)
                  .ok());
  EXPECT_NE(value.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(value.find("s3cret"), std::string::npos);
  auto role = auth_->UserRole("aigerim");
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(*role, Role::kAnalyst);
}

TEST_F(AuthTest, LoginOpensSessionAndLogoutClosesIt) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kAdmin, "pw").ok());
  auto s = auth_->Login("a", "pw", "10.0.0.1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->id.size(), 64u);
  EXPECT_NE(s->csrf_token, s->id);
  auto who = auth_->FromSession(s->id);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user, "a");
  EXPECT_EQ(who->role, Role::kAdmin);
  EXPECT_EQ(who->csrf_token, s->csrf_token);
  EXPECT_FALSE(who->via_token);
  ASSERT_TRUE(auth_->Logout(s->id).ok());
  EXPECT_FALSE(auth_->FromSession(s->id).ok());
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserGiveSameError) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kViewer, "pw").ok());
  auto bad = auth_->Login("a", "nope", "ip1");
  auto unknown = auth_->Login("b", "pw", "ip2");
  ASSERT_FALSE(bad.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(bad.status(), unknown.status());
  EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(AuthTest, SessionExpires) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kViewer, "pw").ok());
  auto s = auth_->Login("a", "pw", "ip");
  ASSERT_TRUE(s.ok());
  clock_.AdvanceSeconds(3599);
  EXPECT_TRUE(auth_->FromSession(s->id).ok());
  clock_.AdvanceSeconds(2);
  EXPECT_FALSE(auth_->FromSession(s->id).ok());
}

TEST_F(AuthTest, RateLimitsFailedLoginsPerClientThenForgives) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kViewer, "pw").ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth_->Login("a", "wrong", "ip").status().code(),
              StatusCode::kPermissionDenied);
  }
  // Even the right password is refused while limited.
  EXPECT_EQ(auth_->Login("a", "pw", "ip").status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(auth_->rate_limited(), 1);
  clock_.AdvanceSeconds(301);
  EXPECT_TRUE(auth_->Login("a", "pw", "ip").ok());
}

TEST_F(AuthTest, RateLimitsPerUserAcrossClients) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kViewer, "pw").ok());
  for (int i = 0; i < 5; ++i) {
    (void)auth_->Login("a", "wrong", "ip" + std::to_string(i));
  }
  EXPECT_EQ(auth_->Login("a", "pw", "ip-new").status().code(),
            StatusCode::kUnavailable);
}

TEST_F(AuthTest, TokensAreStoredHashedAndIdentifyTheUser) {
  ASSERT_TRUE(auth_->AddUser("bot", Role::kAnalyst, "pw").ok());
  auto t = auth_->NewToken("bot");
  ASSERT_TRUE(t.ok());
  auto who = auth_->FromToken(*t);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user, "bot");
  EXPECT_TRUE(who->via_token);
  EXPECT_FALSE(auth_->FromToken(*t + "x").ok());
  // The raw token is nowhere in the store.
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(store::Cf::kUsers)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_EQ(it->key().ToString().find(*t), std::string::npos);
    EXPECT_EQ(it->value().ToString().find(*t), std::string::npos);
  }
  EXPECT_EQ(auth_->NewToken("nobody").status().code(), StatusCode::kNotFound);
}

TEST_F(AuthTest, RoleChangeAppliesToLiveSessions) {
  ASSERT_TRUE(auth_->AddUser("a", Role::kAdmin, "pw").ok());
  auto s = auth_->Login("a", "pw", "ip");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(auth_->AddUser("a", Role::kViewer, "pw2").ok());
  auto who = auth_->FromSession(s->id);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->role, Role::kViewer);
}

TEST_F(AuthTest, RejectsBadNamesAndEmptyPasswords) {
  EXPECT_EQ(auth_->AddUser("", Role::kViewer, "pw").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(auth_->AddUser("a b", Role::kViewer, "pw").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(auth_->AddUser("a", Role::kViewer, "").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AuthTest, AuditIsNewestFirst) {
  ASSERT_TRUE(auth_->Audit("root", "rules.put", "kk.yaml").ok());
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(auth_->Audit("root", "posts.unmask", "p1").ok());
  auto entries = auth_->RecentAudit(10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "posts.unmask");
  EXPECT_EQ(entries[1].action, "rules.put");
}

TEST(AuthHelpersTest, RolesParseAndOrder) {
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_LT(static_cast<int>(Role::kViewer), static_cast<int>(Role::kAnalyst));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace auth_test
}  // namespace shagym::dashboards
