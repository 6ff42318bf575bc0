#pragma once

// The bundled sample world of `shagym demo`: an HTTP server on loopback that
// serves the files of config/demo/site/ with the page shapes of the real
// sources (Telegram previews with ?before= paging, an RSS feed with comment
// pages, a paginated forum, a Mastodon-like JSON API with Link paging,
// robots.txt, a windows-1251 page and a few broken pages).
//
//   StatusOr<std::unique_ptr<DemoSite>> site =
//   DemoSite::Start("config/demo/site");
//   ... crawl (*site)->base_url() ...
//   site->reset();  // stops and joins
//
// Request mapping (see config/demo/generate.py, which writes the files):
//   /a/b            -> a/b if it is a file, else a/b/index.{html,json,xml}
//   /a/b?before=N   -> a/b/before-N.{html,json} (also page=, max_id=);
//                      other query parameters are ignored
//   "<file>.headers" -> extra response lines: "Status: 302", "Location: ...",
//                      "Content-Type: ...", "Link: ..."
// Every "http://demo.invalid" in a body or header becomes base_url().
// Thread-safe; the server runs on its own threads until destruction.

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace shagym::dashboards {

class DemoSite {
 public:
  // The host name the files use for absolute links.
  static constexpr const char* kPlaceholderBase = "http://demo.invalid";

  // Binds `host`:`port` (port 0 = any free port) and starts serving
  // `site_dir`. Errors: NotFound when `site_dir` is not a directory,
  // Unavailable when the address cannot be bound.
  static StatusOr<std::unique_ptr<DemoSite>> Start(
      const std::string& site_dir, const std::string& host = "127.0.0.1",
      int port = 0);

  // Stops serving and joins the server thread.
  ~DemoSite();
  DemoSite(const DemoSite&) = delete;
  DemoSite& operator=(const DemoSite&) = delete;

  int port() const;
  // "http://HOST:PORT", no trailing slash.
  const std::string& base_url() const;
  // Requests answered so far (any status).
  int64_t requests_served() const;

  struct Impl;  // private to demo_site.cc
  // Use Start().
  explicit DemoSite(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// GET http://`host`:`port``path` with short timeouts; the HTTP status, or -1
// when nothing answered. For readiness probes of local servers.
int HttpGetStatus(const std::string& host, int port, const std::string& path);

}  // namespace shagym::dashboards
