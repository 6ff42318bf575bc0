#pragma once

// `server:` in shagym.yaml. Plain data.

#include <cstdint>
#include <string>

namespace shagym::dashboards {

struct ServerOptions {
  // Address and port to bind. Default: "127.0.0.1:8080".
  std::string listen = "127.0.0.1:8080";
  // Directory of the built web UI; empty = the one next to the binary's
  // source tree. Default: "".
  std::string web_dir;
  // Worker threads for requests. Default: 8.
  int workers = 8;
  // Session lifetime. Default: 12 h.
  int64_t session_ttl_s = 12 * 3600;
  // Largest request body accepted. Default: 1 MiB.
  int64_t max_body_bytes = 1024 * 1024;
  // Set the Secure flag on the session cookie (behind TLS). Default: false.
  bool secure_cookies = false;
};

}  // namespace shagym::dashboards
