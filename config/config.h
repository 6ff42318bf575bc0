#pragma once

// The only reader of shagym.yaml. Loads the file (and `sources_dir:`) into the
// option structs of every module, validating everything up front: the first
// problem comes back as one line "FILE:LINE:COL: what is wrong".
//
//   StatusOr<Config> config = config::Load("config/shagym.yaml");
//   if (!config.ok()) { fprintf(stderr, "%s\n", ...message()); return 2; }

#include <map>
#include <string>
#include <vector>

#include "common/logger.h"
#include "common/privacy_options.h"
#include "common/status.h"
#include "crawler/crawl_options.h"
#include "crawler/source_config.h"
#include "dashboards/server_options.h"
#include "store/store_options.h"

namespace shagym::config {

struct LogOptions {
  LogLevel level = LogLevel::kInfo;     // Default: info.
  LogFormat format = LogFormat::kText;  // Default: text.
};

struct Config {
  std::string path;  // the file that was loaded
  store::StoreOptions store;
  crawler::CrawlOptions crawl;
  std::vector<crawler::SourceConfig> sources;
  std::string rules_dir;  // resolved path
  std::string gazetteer;  // resolved path
  dashboards::ServerOptions server;
  PrivacyOptions privacy;
  LogOptions log;
};

// The 20 region ids of SPEC.md, sorted.
const std::vector<std::string>& RegionIds();
bool IsRegionId(std::string_view id);

// Loads `path`. Relative paths inside the file are resolved against the
// file's directory. Errors: NotFound/IOError for an unreadable file,
// InvalidArgument with "FILE:LINE:COL: ..." for everything else.
StatusOr<Config> Load(const std::string& path);

// Same, from text; `name` is used in messages and `base_dir` for relative
// paths. For tests and `--config -`.
StatusOr<Config> LoadFromString(const std::string& text,
                                const std::string& name,
                                const std::string& base_dir);

}  // namespace shagym::config
