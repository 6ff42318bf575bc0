#pragma once

// Dashboard accounts, bearer tokens, browser sessions and the audit log, kept
// in the store's column families (users, sessions, audit). Passwords are
// hashed with argon2id; tokens and session ids are stored only as SHA-256
// hashes, so a copy of the store gives no way in. Thread-safe.
//
//   Auth auth(db, SystemClock());
//   auth.AddUser("aigerim", Role::kAnalyst, "correct horse");
//   StatusOr<Session> s = auth.Login("aigerim", "correct horse", "127.0.0.1");
//   StatusOr<Identity> who = auth.FromSession(s->id);

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace shagym::dashboards {

// viewer < analyst < admin: each role can do what the ones below it can.
enum class Role { kViewer = 0, kAnalyst = 1, kAdmin = 2 };

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Identity {
  std::string user;
  Role role = Role::kViewer;
  bool via_token = false;    // bearer token (scripts), not a browser session
  std::string csrf_token;    // the session's CSRF token; empty for tokens
  std::string session_hash;  // key of the session; empty for tokens
};

struct Session {
  std::string id;          // cookie value, shown once
  std::string csrf_token;  // sent back by the browser on every state change
  std::string user;
  Role role = Role::kViewer;
  int64_t expires_at = 0;  // Unix seconds
};

struct AuthOptions {
  // argon2id cost. Defaults follow the OWASP minimum (19 MiB, t=2). Tests
  // lower them. Default: 2 passes, 19456 KiB, 1 lane.
  uint32_t argon2_t_cost = 2;
  uint32_t argon2_m_cost_kib = 19456;
  uint32_t argon2_parallelism = 1;
  // Session lifetime. Default: 12 h.
  int64_t session_ttl_s = 12 * 3600;
  // Failed logins allowed per client address (and per user name) within
  // the window before further attempts are refused. Default: 5 per 300 s.
  int max_failed_logins = 5;
  int64_t login_window_s = 300;
};

// One audit entry (admin actions: rule changes, unmasking, accounts).
struct AuditEntry {
  int64_t time_ms = 0;
  std::string user;
  std::string action;
  std::string detail;
};

class Auth {
 public:
  // `db` and `clock` must outlive the Auth.
  Auth(store::Db* db, const Clock* clock, AuthOptions options = {});
  Auth(const Auth&) = delete;
  Auth& operator=(const Auth&) = delete;

  // Creates the user, or updates role and password of an existing one.
  // InvalidArgument for an empty/odd name or an empty password.
  Status AddUser(const std::string& name, Role role,
                 const std::string& password);
  // NotFound when there is no such user.
  StatusOr<Role> UserRole(const std::string& name) const;

  // A new random bearer token for `name`, returned once; only its hash is
  // kept. NotFound for an unknown user.
  StatusOr<std::string> NewToken(const std::string& name);

  // Checks the password and opens a session. PermissionDenied on a wrong
  // user or password (same message for both); Unavailable when `client` or
  // the user name has too many recent failures (rate limit).
  StatusOr<Session> Login(const std::string& name, const std::string& password,
                          const std::string& client);
  // Removes the session; OK when it did not exist.
  Status Logout(const std::string& session_id);

  // Identity of a live session or token. PermissionDenied (unauthenticated)
  // when unknown or expired, or the user was removed.
  StatusOr<Identity> FromSession(const std::string& session_id) const;
  StatusOr<Identity> FromToken(const std::string& token) const;

  // Appends an audit entry; errors are returned, not hidden.
  Status Audit(const std::string& user, const std::string& action,
               const std::string& detail);
  // Most recent first, at most `limit`.
  std::vector<AuditEntry> RecentAudit(size_t limit) const;

  // Number of logins refused by the rate limit so far (for /metrics).
  int64_t rate_limited() const;

 private:
  bool RateLimited(const std::string& key, int64_t now);
  void RecordFailure(const std::string& key, int64_t now);

  store::Db* db_;
  const Clock* clock_;
  AuthOptions options_;

  mutable std::mutex mu_;
  // Failure times per "ip:" / "user:" key. Guarded by mu_.
  std::map<std::string, std::vector<int64_t>> failures_;
  int64_t rate_limited_ = 0;  // Guarded by mu_.
  uint64_t audit_seq_ = 0;    // Guarded by mu_.
};

// Hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// `bytes` random bytes from the OpenSSL CSPRNG, hex encoded.
std::string RandomHex(size_t bytes);
// Compares in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace shagym::dashboards
