#include "config/config.h"

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml_reader.h"
#include "nlp/entities.h"

namespace shagym::config {

namespace fs = std::filesystem;

const std::vector<std::string>& RegionIds() { return nlp::SpecRegionIds(); }

bool IsRegionId(std::string_view id) {
  const auto& ids = RegionIds();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

namespace {

const std::vector<std::string_view> kTopKeys = {
    "data_dir",       "crawl",     "sources",     "sources_dir",
    "rules_dir",      "gazetteer", "server",      "privacy",
    "retention_days", "log",       "store_memory"};

const std::vector<std::string_view> kCrawlKeys = {
    "user_agent",        "max_connections",    "per_host_connections",
    "per_host_delay_ms", "max_crawl_delay_ms", "timeout_s",
    "connect_timeout_s", "max_page_bytes",     "max_redirects",
    "retries",           "respect_robots",     "allow_private_addresses",
    "ca_file",           "max_pages_per_host", "max_depth",
    "frontier_window"};

const std::vector<std::string_view> kSourceKeys = {
    "id",     "type",         "url",          "seeds",
    "region", "lang",         "recrawl",      "max_pages",
    "follow", "max_depth",    "post",         "next_page",
    "fields", "cursor_param", "follow_items", "enabled"};

const std::vector<std::string_view> kPostKeys = {"item", "text", "author",
                                                 "time", "link"};
const std::vector<std::string_view> kFieldKeys = {
    "items", "id", "text", "time", "author", "url", "cursor"};
const std::vector<std::string_view> kServerKeys = {
    "listen",      "web_dir",        "workers",
    "session_ttl", "max_body_bytes", "secure_cookies"};
const std::vector<std::string_view> kPrivacyKeys = {"key_file",
                                                    "mask_personal_data"};
const std::vector<std::string_view> kLogKeys = {"level", "format"};

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || base_dir.empty()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

bool IsHttpUrl(const std::string& url) {
  return (url.rfind("http://", 0) == 0 && url.size() > 7) ||
         (url.rfind("https://", 0) == 0 && url.size() > 8);
}

bool IsValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

class Loader {
 public:
  Loader(const YamlReader& r, std::string base_dir)
      : r_(r), base_dir_(std::move(base_dir)) {}

  void LoadTop(const YAML::Node& root, Config* c) {
    if (!root || root.IsNull()) {
      r_.FailAt(YAML::Mark::null_mark(), "configuration is empty");
    }
    r_.CheckMap(root, "the configuration", kTopKeys);
    c->store.data_dir = Resolve(base_dir_, "data");
    c->rules_dir = Resolve(base_dir_, "rules");
    c->gazetteer = Resolve(base_dir_, "gazetteer/regions.yaml");
    if (auto n = root["data_dir"]) {
      c->store.data_dir = Resolve(base_dir_, r_.String(n, "data_dir"));
    }
    if (auto n = root["retention_days"]) {
      c->store.retention_days =
          static_cast<int>(r_.Int(n, "retention_days", 0, 100000));
    }
    if (auto n = root["store_memory"]) {
      c->store.memory_bytes = r_.SizeBytes(n, "store_memory");
      if (c->store.memory_bytes < store::kMinStoreMemory) {
        r_.Fail(n, "store_memory: at least 16MiB, got " + n.Scalar());
      }
    }
    if (auto n = root["rules_dir"]) {
      c->rules_dir = Resolve(base_dir_, r_.String(n, "rules_dir"));
    }
    if (auto n = root["gazetteer"]) {
      c->gazetteer = Resolve(base_dir_, r_.String(n, "gazetteer"));
    }
    if (auto n = root["crawl"]) LoadCrawl(n, &c->crawl);
    if (auto n = root["server"]) LoadServer(n, &c->server);
    if (auto n = root["privacy"]) LoadPrivacy(n, &c->privacy);
    if (auto n = root["log"]) LoadLog(n, &c->log);
    if (auto n = root["sources"]) LoadSources(r_, n, &c->sources);
    if (auto n = root["sources_dir"]) {
      LoadSourcesDir(n, Resolve(base_dir_, r_.String(n, "sources_dir")),
                     &c->sources);
    }
  }

 private:
  void LoadCrawl(const YAML::Node& n, crawler::CrawlOptions* o) {
    r_.CheckMap(n, "crawl", kCrawlKeys);
    constexpr int64_t kBig = int64_t{1} << 40;
    if (auto v = n["user_agent"]) {
      o->user_agent = r_.String(v, "crawl.user_agent");
      if (o->user_agent.empty())
        r_.Fail(v, "crawl.user_agent: must not be empty");
    }
    if (auto v = n["max_connections"])
      o->max_connections =
          static_cast<int>(r_.Int(v, "crawl.max_connections", 1, 10000));
    if (auto v = n["per_host_connections"])
      o->per_host_connections =
          static_cast<int>(r_.Int(v, "crawl.per_host_connections", 1, 1000));
    if (auto v = n["per_host_delay_ms"])
      o->per_host_delay_ms = r_.DurationMs(v, "crawl.per_host_delay_ms", 1);
    if (auto v = n["max_crawl_delay_ms"])
      o->max_crawl_delay_ms = r_.DurationMs(v, "crawl.max_crawl_delay_ms", 1);
    if (auto v = n["timeout_s"])
      o->timeout_s = r_.DurationMs(v, "crawl.timeout_s", 1000) / 1000;
    if (auto v = n["connect_timeout_s"])
      o->connect_timeout_s =
          r_.DurationMs(v, "crawl.connect_timeout_s", 1000) / 1000;
    if (o->timeout_s <= 0)
      r_.Fail(n["timeout_s"], "crawl.timeout_s: must be at least 1s");
    if (auto v = n["max_page_bytes"]) {
      o->max_page_bytes = r_.SizeBytes(v, "crawl.max_page_bytes");
      if (o->max_page_bytes < 1024)
        r_.Fail(v, "crawl.max_page_bytes: must be at least 1KB");
    }
    if (auto v = n["max_redirects"])
      o->max_redirects =
          static_cast<int>(r_.Int(v, "crawl.max_redirects", 0, 50));
    if (auto v = n["retries"])
      o->retries = static_cast<int>(r_.Int(v, "crawl.retries", 0, 20));
    if (auto v = n["respect_robots"])
      o->respect_robots = r_.Bool(v, "crawl.respect_robots");
    if (auto v = n["allow_private_addresses"])
      o->allow_private_addresses = r_.Bool(v, "crawl.allow_private_addresses");
    if (auto v = n["ca_file"])
      o->ca_file = Resolve(base_dir_, r_.String(v, "crawl.ca_file"));
    if (auto v = n["max_pages_per_host"])
      o->max_pages_per_host = r_.Int(v, "crawl.max_pages_per_host", 1, kBig);
    if (auto v = n["max_depth"])
      o->max_depth = static_cast<int>(r_.Int(v, "crawl.max_depth", 0, 1000));
    if (auto v = n["frontier_window"])
      o->frontier_window =
          static_cast<int>(r_.Int(v, "crawl.frontier_window", 2, 1000000));
  }

  void LoadServer(const YAML::Node& n, dashboards::ServerOptions* o) {
    r_.CheckMap(n, "server", kServerKeys);
    if (auto v = n["listen"]) {
      o->listen = r_.String(v, "server.listen");
      auto colon = o->listen.rfind(':');
      bool ok = colon != std::string::npos && colon + 1 < o->listen.size() &&
                std::all_of(o->listen.begin() + colon + 1, o->listen.end(),
                            [](char c) { return c >= '0' && c <= '9'; });
      if (ok) {
        long port = std::stol(o->listen.substr(colon + 1));
        ok = port >= 0 && port <= 65535;
      }
      if (!ok)
        r_.Fail(
            v, "server.listen: expected ADDRESS:PORT, got '" + o->listen + "'");
    }
    if (auto v = n["web_dir"])
      o->web_dir = Resolve(base_dir_, r_.String(v, "server.web_dir"));
    if (auto v = n["workers"])
      o->workers = static_cast<int>(r_.Int(v, "server.workers", 1, 1024));
    if (auto v = n["session_ttl"])
      o->session_ttl_s = r_.DurationMs(v, "server.session_ttl", 1000) / 1000;
    if (auto v = n["max_body_bytes"])
      o->max_body_bytes = r_.SizeBytes(v, "server.max_body_bytes");
    if (auto v = n["secure_cookies"])
      o->secure_cookies = r_.Bool(v, "server.secure_cookies");
  }

  void LoadPrivacy(const YAML::Node& n, PrivacyOptions* o) {
    r_.CheckMap(n, "privacy", kPrivacyKeys);
    if (auto v = n["key_file"])
      o->key_file = Resolve(base_dir_, r_.String(v, "privacy.key_file"));
    if (auto v = n["mask_personal_data"])
      o->mask_personal_data = r_.Bool(v, "privacy.mask_personal_data");
  }

  void LoadLog(const YAML::Node& n, LogOptions* o) {
    r_.CheckMap(n, "log", kLogKeys);
    if (auto v = n["level"]) {
      std::string s = r_.String(v, "log.level");
      if (!ParseLogLevel(s, &o->level))
        r_.Fail(v,
                "log.level: expected debug, info, warn, error or off, got '" +
                    s + "'");
    }
    if (auto v = n["format"]) {
      std::string s = r_.String(v, "log.format");
      if (s == "text") {
        o->format = LogFormat::kText;
      } else if (s == "json") {
        o->format = LogFormat::kJson;
      } else {
        r_.Fail(v, "log.format: expected text or json, got '" + s + "'");
      }
    }
  }

 public:
  void LoadSources(const YamlReader& r, const YAML::Node& n,
                   std::vector<crawler::SourceConfig>* out) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) r.Fail(n, "sources: expected a list of sources");
    for (const auto& item : n) LoadSource(r, item, out);
  }

 private:
  void LoadSourcesDir(const YAML::Node& where, const std::string& dir,
                      std::vector<crawler::SourceConfig>* out) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      r_.Fail(where, "sources_dir: '" + dir + "' is not a directory");
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      YamlReader r(f.string());
      YAML::Node root = r.Parse(ss.str());
      if (!root || root.IsNull()) continue;
      if (root.IsMap()) {
        r.CheckMap(root, "a sources file", {"sources"});
        LoadSources(r, root["sources"], out);
      } else {
        LoadSources(r, root, out);
      }
    }
  }

  void LoadSource(const YamlReader& r, const YAML::Node& n,
                  std::vector<crawler::SourceConfig>* out) {
    r.CheckMap(n, "a source", kSourceKeys);
    r.Require(n, "id", "source");
    crawler::SourceConfig s;
    s.origin = r.Where(n);
    s.id = r.String(n["id"], "source id");
    if (!IsValidId(s.id)) {
      r.Fail(n["id"], "source id '" + s.id +
                          "': use lower-case letters, digits, '_', '-' or '.'");
    }
    const std::string ctx = "source '" + s.id + "'";
    if (auto it = ids_.find(s.id); it != ids_.end()) {
      r.Fail(n["id"], "duplicate source id '" + s.id + "' (first defined at " +
                          it->second + ")");
    }
    ids_[s.id] = r.Where(n["id"]);
    r.Require(n, "type", ctx);
    std::string type = r.String(n["type"], ctx + " type");
    if (!crawler::ParseSourceType(type, &s.type)) {
      std::string msg = ctx + ": unknown type '" + type +
                        "' (expected telegram, rss, html, json or sitemap)";
      std::string hint =
          Suggest(type, {"telegram", "rss", "html", "json", "sitemap"});
      if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
      r.Fail(n["type"], msg);
    }
    if (auto v = n["url"]) s.seeds.push_back(r.String(v, ctx + " url"));
    if (auto v = n["seeds"]) {
      for (auto& u : r.StringList(v, ctx + " seeds")) s.seeds.push_back(u);
    }
    if (s.seeds.empty()) {
      r.Fail(n, ctx + " is missing required key 'url' (or 'seeds')");
    }
    for (const auto& u : s.seeds) {
      if (!IsHttpUrl(u)) {
        r.Fail(n["url"] ? n["url"] : n["seeds"],
               ctx + ": '" + u + "' is not an http:// or https:// URL");
      }
    }
    if (auto v = n["region"]) {
      s.region = r.String(v, ctx + " region");
      if (!IsRegionId(s.region)) {
        std::vector<std::string_view> ids(RegionIds().begin(),
                                          RegionIds().end());
        std::string msg = ctx + ": unknown region '" + s.region + "'";
        std::string hint = Suggest(s.region, ids);
        if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
        r.Fail(v, msg);
      }
    }
    if (auto v = n["lang"]) {
      s.lang = r.String(v, ctx + " lang");
      if (s.lang != "kk" && s.lang != "ru") {
        r.Fail(v, ctx + ": lang must be kk or ru, got '" + s.lang + "'");
      }
    }
    if (auto v = n["recrawl"])
      s.recrawl_ms = r.DurationMs(v, ctx + " recrawl", 1000);
    if (auto v = n["max_pages"])
      s.max_pages = r.Int(v, ctx + " max_pages", 0, int64_t{1} << 40);
    if (auto v = n["max_depth"])
      s.max_depth = static_cast<int>(r.Int(v, ctx + " max_depth", 0, 1000));
    if (auto v = n["follow"]) {
      s.follow = r.StringList(v, ctx + " follow");
      size_t i = 0;
      for (const auto& pattern : s.follow) {
        RE2 re(pattern, RE2::Quiet);
        if (!re.ok()) {
          YAML::Node at = v.IsSequence() ? v[i] : v;
          r.Fail(at,
                 ctx + ": bad follow pattern '" + pattern + "': " + re.error());
        }
        ++i;
      }
    }
    if (auto v = n["post"]) {
      r.CheckMap(v, ctx + " post", kPostKeys);
      auto get = [&](const char* key, std::string* out) {
        if (auto x = v[key]) *out = r.String(x, ctx + " post." + key);
      };
      get("item", &s.post.item);
      get("text", &s.post.text);
      get("author", &s.post.author);
      get("time", &s.post.time);
      get("link", &s.post.link);
    }
    if (auto v = n["next_page"]) s.next_page = r.String(v, ctx + " next_page");
    if (auto v = n["fields"]) {
      r.CheckMap(v, ctx + " fields", kFieldKeys);
      auto get = [&](const char* key, std::string* out) {
        if (auto x = v[key]) *out = r.String(x, ctx + " fields." + key);
      };
      get("items", &s.fields.items);
      get("id", &s.fields.id);
      get("text", &s.fields.text);
      get("time", &s.fields.time);
      get("author", &s.fields.author);
      get("url", &s.fields.url);
      get("cursor", &s.fields.cursor);
    }
    if (auto v = n["cursor_param"])
      s.cursor_param = r.String(v, ctx + " cursor_param");
    if (auto v = n["follow_items"])
      s.follow_items = r.Bool(v, ctx + " follow_items");
    if (auto v = n["enabled"]) s.enabled = r.Bool(v, ctx + " enabled");

    // Type-specific requirements.
    using crawler::SourceType;
    if (s.type == SourceType::kJson) {
      if (!n["fields"])
        r.Fail(n, ctx + " (json) is missing required key 'fields'");
      if (s.fields.text.empty())
        r.Fail(n["fields"],
               ctx + " (json) is missing required key 'fields.text'");
    } else if (n["fields"]) {
      r.Fail(n["fields"], ctx + ": 'fields' applies only to json sources");
    }
    if (s.type == SourceType::kHtml || s.type == SourceType::kSitemap ||
        (s.type == SourceType::kRss && s.follow_items)) {
      if (s.post.item.empty()) {
        r.Fail(n["post"] ? n["post"] : n,
               ctx + " is missing required key 'post.item'");
      }
    }
    if (s.follow_items && s.type != SourceType::kRss) {
      r.Fail(n["follow_items"],
             ctx + ": 'follow_items' applies only to rss sources");
    }
    out->push_back(std::move(s));
  }

  const YamlReader& r_;
  std::string base_dir_;
  std::map<std::string, std::string> ids_;  // id -> where first defined
};

StatusOr<Config> LoadImpl(const std::string& text, const std::string& name,
                          const std::string& base_dir) {
  Config c;
  c.path = name;
  YamlReader reader(name);
  try {
    YAML::Node root = reader.Parse(text);
    Loader loader(reader, base_dir);
    loader.LoadTop(root, &c);
  } catch (const ConfigError& e) {
    return InvalidArgument(e.what());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " +
                           OneLine(e.msg));
  }
  return c;
}

}  // namespace

StatusOr<Config> LoadFromString(const std::string& text,
                                const std::string& name,
                                const std::string& base_dir) {
  return LoadImpl(text, name, base_dir);
}

StatusOr<Config> Load(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFound(path + ": cannot read configuration: no such file");
  }
  if (fs::is_directory(path, ec)) {
    return IOError(path + ": cannot read configuration: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return IOError(path + ": cannot read configuration: permission denied");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string base = fs::path(path).parent_path().string();
  if (base.empty()) base = ".";
  return LoadImpl(ss.str(), path, base);
}

}  // namespace shagym::config
