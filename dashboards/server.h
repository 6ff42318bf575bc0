#pragma once

// The dashboard: HTTP API of SPEC.md "HTTP API", the web UI's static files
// and /metrics, on a bounded pool of worker threads. Start() binds and serves
// on a background thread; Stop() (or the destructor) stops accepting,
// finishes the requests in flight and joins every thread.
//
//   ServerDeps deps;
//   deps.db = db.get();
//   auto server = Server::Start(options, deps);  // options.listen
//   "127.0.0.1:0"
//   ... (*server)->port() ...

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/logger.h"
#include "common/status.h"
#include "dashboards/auth.h"
#include "dashboards/server_options.h"
#include "store/db.h"

namespace shagym::dashboards {

class DataApi;

// What the server borrows; everything must outlive it.
struct ServerDeps {
  store::Db* db = nullptr;  // required: accounts, sessions, audit
  // The data side (posts, trends, rules, ...); null = only health, auth,
  // metrics and static files are served.
  DataApi* data = nullptr;
  const Clock* clock = nullptr;  // null = SystemClock()
  Logger* logger = nullptr;      // null = DefaultLogger()
  AuthOptions auth;
};

class Server {
 public:
  // Binds `options.listen` ("ADDR:PORT"; port 0 picks a free one) and starts
  // serving. InvalidArgument for a malformed address, Unavailable when the
  // port cannot be bound, NotFound when the web directory has no index.html.
  static StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                 const ServerDeps& deps);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  // "127.0.0.1:8080".
  std::string address() const;
  Auth* auth();

  // Idempotent; returns once every worker has finished.
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "ADDR:PORT" / "[v6]:PORT". False when malformed.
bool ParseListen(const std::string& listen, std::string* host, int* port);

// The bundled web UI directory (dashboards/web of the source tree).
std::string DefaultWebDir();

}  // namespace shagym::dashboards
