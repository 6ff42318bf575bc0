#include "config/gazetteer_loader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace shagym::config {
namespace {

class GazetteerReader {
 public:
  explicit GazetteerReader(const YamlReader& r) : r_(r) {}

  void Load(const YAML::Node& root, nlp::Gazetteer* g) {
    if (!root || root.IsNull()) r_.FailAt(root.Mark(), "empty gazetteer");
    r_.CheckMap(root, "gazetteer", {"regions", "ambiguous", "not_places"});
    r_.Require(root, "regions", "gazetteer");
    const YAML::Node regions = root["regions"];
    std::vector<std::string_view> ids;
    for (const std::string& id : RegionIds()) ids.push_back(id);
    r_.CheckMap(regions, "regions", ids);
    for (const auto& kv : regions) {
      const std::string id = kv.first.Scalar();
      const std::string ctx = "region '" + id + "'";
      r_.CheckMap(kv.second, ctx, {"region", "cities", "districts", "towns"});
      Places(kv.second["region"], id, nlp::PlaceKind::kRegion, g);
      Places(kv.second["cities"], id, nlp::PlaceKind::kCity, g);
      Places(kv.second["districts"], id, nlp::PlaceKind::kDistrict, g);
      Places(kv.second["towns"], id, nlp::PlaceKind::kTown, g);
    }
    for (const std::string& id : RegionIds()) {
      if (!regions[id]) {
        r_.Fail(regions, "regions lacks '" + id + "' (all 20 SPEC ids needed)");
      }
    }
    if (const YAML::Node amb = root["ambiguous"]) {
      if (!amb.IsSequence()) r_.Fail(amb, "ambiguous must be a list");
      for (const YAML::Node& e : amb) {
        r_.CheckMap(e, "ambiguous entry", {"name", "region", "also", "kind"});
        r_.Require(e, "name", "ambiguous entry");
        r_.Require(e, "region", "ambiguous entry");
        nlp::GazetteerPlace p;
        p.name = Name(e["name"]);
        p.region = RegionId(e["region"]);
        p.kind = nlp::PlaceKind::kDistrict;
        p.where = r_.Where(e["name"]);
        if (const YAML::Node also = e["also"]) {
          if (!also.IsSequence()) r_.Fail(also, "also must be a list of ids");
          for (const YAML::Node& a : also) p.also.push_back(RegionId(a));
        }
        g->places.push_back(std::move(p));
      }
    }
    if (const YAML::Node np = root["not_places"]) {
      if (!np.IsSequence()) r_.Fail(np, "not_places must be a list");
      for (const YAML::Node& e : np) g->not_places.push_back(Name(e));
    }
  }

 private:
  std::string Name(const YAML::Node& n) const {
    std::string s = r_.String(n, "name");
    if (s.find_first_not_of(" \t") == std::string::npos) {
      r_.Fail(n, "empty place name");
    }
    return s;
  }
  std::string RegionId(const YAML::Node& n) const {
    std::string s = r_.String(n, "region id");
    if (!IsRegionId(s)) {
      std::vector<std::string_view> ids;
      for (const std::string& id : RegionIds()) ids.push_back(id);
      std::string msg = "unknown region id '" + s + "'";
      std::string sug = Suggest(s, ids);
      if (!sug.empty()) msg += " (did you mean '" + sug + "'?)";
      r_.Fail(n, msg);
    }
    return s;
  }
  void Places(const YAML::Node& list, const std::string& id,
              nlp::PlaceKind kind, nlp::Gazetteer* g) {
    if (!list) return;
    if (!list.IsSequence()) r_.Fail(list, "expected a list of place names");
    for (const YAML::Node& e : list) {
      nlp::GazetteerPlace p;
      p.region = id;
      p.kind = kind;
      if (e.IsMap()) {
        r_.CheckMap(e, "place", {"name", "capitalized"});
        r_.Require(e, "name", "place");
        p.name = Name(e["name"]);
        p.where = r_.Where(e["name"]);
        if (e["capitalized"]) {
          p.capitalized_only = r_.Bool(e["capitalized"], "capitalized");
        }
      } else {
        p.name = Name(e);
        p.where = r_.Where(e);
      }
      auto [it, fresh] = seen_.emplace(p.name, p.where);
      if (!fresh) {
        r_.Fail(e, "place '" + p.name + "' is already listed at " + it->second);
      }
      g->places.push_back(std::move(p));
    }
  }

  const YamlReader& r_;
  std::map<std::string, std::string> seen_;  // name -> where
};

}  // namespace

StatusOr<nlp::Gazetteer> LoadGazetteerFromString(const std::string& text,
                                                 const std::string& name) {
  YamlReader reader(name);
  nlp::Gazetteer g;
  try {
    YAML::Node root = reader.Parse(text);
    GazetteerReader(reader).Load(root, &g);
  } catch (const ConfigError& e) {
    return InvalidArgument(e.what());
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return g;
}

StatusOr<nlp::Gazetteer> LoadGazetteer(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound(path + ": cannot read gazetteer: no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(path + ": cannot read gazetteer: permission denied");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadGazetteerFromString(ss.str(), path);
}

}  // namespace shagym::config
