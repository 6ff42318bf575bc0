#include "config/demo_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml_reader.h"

namespace shagym::config {

namespace fs = std::filesystem;

namespace {

std::string Absolute(const fs::path& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

std::string ReplaceAll(std::string s, const std::string& from,
                       const std::string& to) {
  if (from.empty()) return s;
  for (size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Makes `map[key]` absolute against `base`, or sets `fallback` when absent.
void AbsolutePath(const YamlReader& r, YAML::Node map, const char* key,
                  const fs::path& base, const std::string& fallback) {
  if (map[key]) {
    map[key] = Absolute(base, r.String(map[key], key));
  } else if (!fallback.empty()) {
    map[key] = Absolute(base, fallback);
  }
}

void RewriteUrls(const YamlReader& r, YAML::Node source,
                 const DemoOverrides& o) {
  if (!source.IsMap()) return;  // config::Load reports it
  if (source["url"]) {
    source["url"] = ReplaceAll(r.String(source["url"], "url"),
                               o.placeholder_base, o.site_base);
  }
  if (YAML::Node seeds = source["seeds"]; seeds && seeds.IsSequence()) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      seeds[i] = ReplaceAll(r.String(seeds[i], "seeds"), o.placeholder_base,
                            o.site_base);
    }
  }
}

}  // namespace

StatusOr<std::string> MakeDemoConfig(const std::string& template_path,
                                     const DemoOverrides& o) {
  std::ifstream in(template_path, std::ios::binary);
  if (!in) return NotFound(template_path + ": cannot read demo configuration");
  std::stringstream text;
  text << in.rdbuf();
  const fs::path base =
      fs::absolute(fs::path(template_path)).parent_path().lexically_normal();
  YamlReader r(template_path);
  try {
    YAML::Node root = r.Parse(text.str());
    if (!root.IsMap()) {
      r.Fail(root, "the configuration must be a mapping of key: value");
    }
    root["data_dir"] = o.data_dir;
    AbsolutePath(r, root, "rules_dir", base, "rules");
    AbsolutePath(r, root, "gazetteer", base, "gazetteer/regions.yaml");
    if (root["sources_dir"]) AbsolutePath(r, root, "sources_dir", base, "");
    YAML::Node crawl = root["crawl"];
    crawl["allow_private_addresses"] = true;
    if (crawl["ca_file"]) AbsolutePath(r, crawl, "ca_file", base, "");
    root["crawl"] = crawl;
    YAML::Node server = root["server"];
    if (!o.listen.empty()) server["listen"] = o.listen;
    if (server["web_dir"]) AbsolutePath(r, server, "web_dir", base, "");
    root["server"] = server;
    if (YAML::Node privacy = root["privacy"]; privacy && privacy["key_file"]) {
      AbsolutePath(r, privacy, "key_file", base, "");
    }
    if (YAML::Node sources = root["sources"]; sources && sources.IsSequence()) {
      for (size_t i = 0; i < sources.size(); ++i) {
        RewriteUrls(r, sources[i], o);
      }
    }
    YAML::Emitter out;
    out << root;
    return "# Written by `shagym demo` from " + base.string() + "/" +
           fs::path(template_path).filename().string() +
           " for one run; edits are lost.\n" + out.c_str() + "\n";
  } catch (const ConfigError& e) {
    return InvalidArgument(e.what());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(template_path + ":" +
                           std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

}  // namespace shagym::config
