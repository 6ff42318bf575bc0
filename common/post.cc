#include "common/post.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace shagym {

namespace {

using OJson = nlohmann::ordered_json;

OJson NullIfEmpty(const std::string& s) {
  return s.empty() ? OJson(nullptr) : OJson(s);
}

OJson TimeOrNull(int64_t t) {
  return t == 0 ? OJson(nullptr) : OJson(FormatIso8601Utc(t));
}

bool GetString(const nlohmann::json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool GetTime(const nlohmann::json& j, const char* key, int64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (it->is_number_integer()) {
    *out = it->get<int64_t>();
    return true;
  }
  if (!it->is_string()) return false;
  auto t = ParseIso8601(it->get<std::string>());
  if (!t) return false;
  *out = *t;
  return true;
}

}  // namespace

nlohmann::ordered_json PostToJson(const Post& p) {
  OJson matches = OJson::array();
  for (const Match& m : p.labels.matches) {
    matches.push_back(OJson{{"rule", m.rule},
                            {"category", m.category},
                            {"start", m.start},
                            {"end", m.end}});
  }
  OJson j = OJson::object();
  j["id"] = p.id;
  j["source"] = p.source;
  j["url"] = p.url;
  j["published_at"] = TimeOrNull(p.published_at);
  j["fetched_at"] = TimeOrNull(p.fetched_at);
  j["author"] = p.author;
  j["text"] = p.text;
  j["lang"] = p.labels.lang;
  j["categories"] = p.labels.categories;
  j["severity"] = p.labels.severity;
  j["region"] = NullIfEmpty(p.labels.region);
  j["school_number"] = NullIfEmpty(p.labels.school_number);
  j["duplicate_of"] = NullIfEmpty(p.duplicate_of);
  j["matches"] = std::move(matches);
  j["review"] = p.review;
  j["institution"] = NullIfEmpty(p.labels.institution);
  j["incident"] = NullIfEmpty(p.incident_id);
  j["rules_version"] = p.labels.rules_version;
  return j;
}

std::string PostToJsonLine(const Post& post) {
  return PostToJson(post).dump(-1, ' ', false, OJson::error_handler_t::replace);
}

bool PostFromJson(const nlohmann::json& j, Post* p) {
  if (!j.is_object()) return false;
  bool ok = GetString(j, "id", &p->id) && GetString(j, "source", &p->source) &&
            GetString(j, "url", &p->url) &&
            GetTime(j, "published_at", &p->published_at) &&
            GetTime(j, "fetched_at", &p->fetched_at) &&
            GetString(j, "author", &p->author) &&
            GetString(j, "text", &p->text) &&
            GetString(j, "lang", &p->labels.lang) &&
            GetString(j, "severity", &p->labels.severity) &&
            GetString(j, "region", &p->labels.region) &&
            GetString(j, "school_number", &p->labels.school_number) &&
            GetString(j, "institution", &p->labels.institution) &&
            GetString(j, "duplicate_of", &p->duplicate_of) &&
            GetString(j, "incident", &p->incident_id) &&
            GetString(j, "review", &p->review) &&
            GetString(j, "rules_version", &p->labels.rules_version);
  if (!ok) return false;
  if (auto it = j.find("categories"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return false;
    p->labels.categories.clear();
    for (const auto& c : *it) {
      if (!c.is_string()) return false;
      p->labels.categories.push_back(c.get<std::string>());
    }
  }
  if (auto it = j.find("matches"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return false;
    p->labels.matches.clear();
    for (const auto& m : *it) {
      if (!m.is_object()) return false;
      Match match;
      if (!GetString(m, "rule", &match.rule) ||
          !GetString(m, "category", &match.category))
        return false;
      match.start = m.value("start", int64_t{0});
      match.end = m.value("end", int64_t{0});
      p->labels.matches.push_back(std::move(match));
    }
  }
  return true;
}

}  // namespace shagym
