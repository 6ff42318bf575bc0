#include "dashboards/auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <nlohmann/json.hpp>

namespace shagym::dashboards {

namespace {

constexpr std::string_view kUserPrefix = "user:";
constexpr std::string_view kTokenPrefix = "token:";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

bool ValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t FromBigEndian64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(s[i]);
  }
  return v;
}

StatusOr<nlohmann::json> GetJson(store::Db* db, store::Cf cf,
                                 const std::string& key) {
  std::string value;
  rocksdb::Status s =
      db->raw()->Get(rocksdb::ReadOptions(), db->cf(cf), key, &value);
  if (s.IsNotFound()) return NotFound("no such key");
  if (!s.ok()) return store::FromRocks(s, "read " + std::string(CfName(cf)));
  nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Corruption("bad record in column family " + std::string(CfName(cf)));
  }
  return j;
}

Status PutJson(store::Db* db, store::Cf cf, const std::string& key,
               const nlohmann::json& j) {
  rocksdb::WriteOptions wo;
  wo.sync = true;  // accounts and sessions are few and must survive a crash
  return store::FromRocks(db->raw()->Put(wo, db->cf(cf), key, j.dump()),
                          "write " + std::string(CfName(cf)));
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "analyst") return Role::kAnalyst;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  // RAND_bytes only fails when the CSPRNG cannot be seeded, which makes every
  // secret we hand out guessable: refuse to go on.
  int ok = RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
                      static_cast<int>(bytes));
  assert(ok == 1);
  (void)ok;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Auth::Auth(store::Db* db, const Clock* clock, AuthOptions options)
    : db_(db), clock_(clock), options_(options) {}

Status Auth::AddUser(const std::string& name, Role role,
                     const std::string& password) {
  if (!ValidUserName(name)) {
    return InvalidArgument("user name '" + name +
                           "': use 1-64 letters, digits, '.', '_', '-', '@'");
  }
  if (password.empty()) return InvalidArgument("empty password");
  // 16 random bytes, hex encoded: 128 bits of salt.
  const std::string salt = RandomHex(kSaltBytes);
  size_t encoded_len = argon2_encodedlen(
      options_.argon2_t_cost, options_.argon2_m_cost_kib,
      options_.argon2_parallelism, salt.size(), kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(
      options_.argon2_t_cost, options_.argon2_m_cost_kib,
      options_.argon2_parallelism, password.data(), password.size(),
      salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Internal(std::string("argon2id: ") + argon2_error_message(rc));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  nlohmann::json j = {{"role", RoleName(role)},
                      {"hash", encoded},
                      {"updated_ms", clock_->NowMs()}};
  return PutJson(db_, store::Cf::kUsers, std::string(kUserPrefix) + name, j);
}

StatusOr<Role> Auth::UserRole(const std::string& name) const {
  auto j = GetJson(db_, store::Cf::kUsers, std::string(kUserPrefix) + name);
  if (!j.ok()) {
    if (j.status().code() == StatusCode::kNotFound) {
      return NotFound("no user '" + name + "'");
    }
    return j.status();
  }
  auto role = ParseRole(j->value("role", ""));
  if (!role) return Corruption("user '" + name + "' has no valid role");
  return *role;
}

StatusOr<std::string> Auth::NewToken(const std::string& name) {
  auto role = UserRole(name);
  if (!role.ok()) return role.status();
  std::string token = "shg_" + RandomHex(32);
  nlohmann::json j = {{"user", name}, {"created_ms", clock_->NowMs()}};
  SHAGYM_RETURN_IF_ERROR(PutJson(
      db_, store::Cf::kUsers, std::string(kTokenPrefix) + Sha256Hex(token), j));
  return token;
}

bool Auth::RateLimited(const std::string& key, int64_t now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  auto& times = it->second;
  std::erase_if(times,
                [&](int64_t t) { return t <= now - options_.login_window_s; });
  if (times.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(times.size()) >= options_.max_failed_logins;
}

void Auth::RecordFailure(const std::string& key, int64_t now) {
  // Bounded: at most max_failed_logins kept per key, and keys expire above.
  auto& times = failures_[key];
  times.push_back(now);
  if (times.size() > static_cast<size_t>(options_.max_failed_logins)) {
    times.erase(times.begin());
  }
  if (failures_.size() > 100000) failures_.clear();  // memory bound under abuse
}

StatusOr<Session> Auth::Login(const std::string& name,
                              const std::string& password,
                              const std::string& client) {
  const int64_t now = clock_->NowSeconds();
  const std::string ip_key = "ip:" + client;
  const std::string user_key = "user:" + name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (RateLimited(ip_key, now) || RateLimited(user_key, now)) {
      ++rate_limited_;
      return Unavailable("too many failed logins; try again later");
    }
  }
  bool good = false;
  Role role = Role::kViewer;
  auto j = ValidUserName(name) ? GetJson(db_, store::Cf::kUsers,
                                         std::string(kUserPrefix) + name)
                               : StatusOr<nlohmann::json>(NotFound("bad name"));
  if (j.ok()) {
    std::string hash = j->value("hash", "");
    auto r = ParseRole(j->value("role", ""));
    if (r && !hash.empty() &&
        argon2id_verify(hash.c_str(), password.data(), password.size()) ==
            ARGON2_OK) {
      good = true;
      role = *r;
    }
  } else if (j.status().code() != StatusCode::kNotFound) {
    return j.status();
  }
  if (!good) {
    std::lock_guard<std::mutex> lock(mu_);
    RecordFailure(ip_key, now);
    RecordFailure(user_key, now);
    return PermissionDenied("wrong user name or password");
  }
  Session s;
  s.id = RandomHex(32);
  s.csrf_token = RandomHex(32);
  s.user = name;
  s.role = role;
  s.expires_at = now + options_.session_ttl_s;
  nlohmann::json rec = {
      {"user", name}, {"csrf", s.csrf_token}, {"expires", s.expires_at}};
  SHAGYM_RETURN_IF_ERROR(
      PutJson(db_, store::Cf::kSessions, Sha256Hex(s.id), rec));
  return s;
}

Status Auth::Logout(const std::string& session_id) {
  if (session_id.empty()) return Status::Ok();
  return store::FromRocks(
      db_->raw()->Delete(rocksdb::WriteOptions(), db_->cf(store::Cf::kSessions),
                         Sha256Hex(session_id)),
      "delete session");
}

StatusOr<Identity> Auth::FromSession(const std::string& session_id) const {
  if (session_id.empty() || session_id.size() > 256) {
    return PermissionDenied("no session");
  }
  const std::string key = Sha256Hex(session_id);
  auto j = GetJson(db_, store::Cf::kSessions, key);
  if (!j.ok()) return PermissionDenied("no session");
  if (j->value("expires", int64_t{0}) <= clock_->NowSeconds()) {
    // Expired: drop it so the column family does not grow forever.
    (void)db_->raw()->Delete(rocksdb::WriteOptions(),
                             db_->cf(store::Cf::kSessions), key);
    return PermissionDenied("session expired");
  }
  Identity id;
  id.user = j->value("user", "");
  auto role = UserRole(id.user);
  if (!role.ok()) return PermissionDenied("user no longer exists");
  id.role = *role;
  id.csrf_token = j->value("csrf", "");
  id.session_hash = key;
  return id;
}

StatusOr<Identity> Auth::FromToken(const std::string& token) const {
  if (token.empty() || token.size() > 256) return PermissionDenied("no token");
  auto j = GetJson(db_, store::Cf::kUsers,
                   std::string(kTokenPrefix) + Sha256Hex(token));
  if (!j.ok()) return PermissionDenied("unknown token");
  Identity id;
  id.user = j->value("user", "");
  auto role = UserRole(id.user);
  if (!role.ok()) return PermissionDenied("user no longer exists");
  id.role = *role;
  id.via_token = true;
  return id;
}

Status Auth::Audit(const std::string& user, const std::string& action,
                   const std::string& detail) {
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = ++audit_seq_;
  }
  const int64_t now = clock_->NowMs();
  std::string key = BigEndian64(static_cast<uint64_t>(now)) + BigEndian64(seq);
  nlohmann::json j = {
      {"time_ms", now}, {"user", user}, {"action", action}, {"detail", detail}};
  return PutJson(db_, store::Cf::kAudit, key, j);
}

std::vector<AuditEntry> Auth::RecentAudit(size_t limit) const {
  std::vector<AuditEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(store::Cf::kAudit)));
  for (it->SeekToLast(); it->Valid() && out.size() < limit; it->Prev()) {
    nlohmann::json j =
        nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (!j.is_object()) continue;
    AuditEntry e;
    e.time_ms = j.value("time_ms", int64_t{0});
    if (e.time_ms == 0) {
      e.time_ms = static_cast<int64_t>(FromBigEndian64(it->key().ToString()));
    }
    e.user = j.value("user", "");
    e.action = j.value("action", "");
    e.detail = j.value("detail", "");
    out.push_back(std::move(e));
  }
  return out;
}

int64_t Auth::rate_limited() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rate_limited_;
}

}  // namespace shagym::dashboards
