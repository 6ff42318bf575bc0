#include "dashboards/store_api.h"

#include <algorithm>
#include <memory>
#include <set>

#include "common/time_util.h"
#include "dashboards/metrics.h"
#include "dashboards/router.h"
#include "store/evidence.h"
#include "store/export.h"
#include "store/trend_format.h"

namespace shagym::dashboards {

namespace {

constexpr int64_t kDay = 86400;
constexpr size_t kMaxParam = 200;
constexpr size_t kMaxIncidentMembers = 50;

int64_t DayStart(int64_t t) { return t - ((t % kDay) + kDay) % kDay; }

// Reads the query parameters every data endpoint shares. On a bad value
// sends 400 naming the parameter and returns false.
class Params {
 public:
  explicit Params(Call& call) : call_(call) {}

  std::string Str(const char* name) {
    if (!ok_) return "";
    std::string v = call_.req.get_param_value(name);
    if (v.size() > kMaxParam) Fail(std::string(name) + ": too long");
    return v;
  }

  // A date "YYYY-MM-DD" (or ISO 8601 time); `fallback` when absent.
  int64_t Time(const char* name, int64_t fallback) {
    std::string v = Str(name);
    if (v.empty()) return fallback;
    auto t = ParseIso8601(v);
    if (!t) {
      Fail(std::string(name) + ": expected a date like 2024-05-13, got '" + v +
           "'");
      return fallback;
    }
    return *t;
  }

  int64_t Int(const char* name, int64_t fallback, int64_t lo, int64_t hi) {
    std::string v = Str(name);
    if (v.empty()) return fallback;
    int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > hi) {
        Fail(std::string(name) + ": expected a number from " +
             std::to_string(lo) + " to " + std::to_string(hi));
        return fallback;
      }
      n = n * 10 + (c - '0');
    }
    if (n < lo || n > hi) {
      Fail(std::string(name) + ": expected a number from " +
           std::to_string(lo) + " to " + std::to_string(hi));
      return fallback;
    }
    return n;
  }

  bool Bool(const char* name) {
    std::string v = Str(name);
    return v == "1" || v == "true" || v == "yes";
  }

  void Fail(const std::string& message) {
    if (!ok_) return;
    ok_ = false;
    SendError(call_.res, 400, message);
  }
  bool ok() const { return ok_; }

 private:
  Call& call_;
  bool ok_ = true;
};

// [from, to) from ?from=&to= where `to` is an inclusive date; the default
// is the last `default_days` days, today included.
void TimeRange(Params& p, int64_t now, int64_t default_days, int64_t* from,
               int64_t* to) {
  const int64_t tomorrow = DayStart(now) + kDay;
  int64_t t = p.Time("to", tomorrow - kDay);
  *to = DayStart(t) + kDay;
  *from = DayStart(p.Time("from", *to - default_days * kDay));
  if (p.ok() && *from >= *to) p.Fail("from must be before to");
  if (p.ok() && *to - *from > 3700 * kDay) p.Fail("range longer than 10 years");
}

store::PostQuery PostFilters(Params& p, int64_t now) {
  store::PostQuery q;
  // Posts default to everything up to today.
  if (!p.Str("from").empty() || !p.Str("to").empty()) {
    TimeRange(p, now, 3650, &q.from, &q.to);
  }
  q.category = p.Str("category");
  q.region = p.Str("region");
  q.lang = p.Str("lang");
  q.source = p.Str("source");
  q.review = p.Str("review");
  q.school = p.Str("school");
  q.severity = p.Str("severity");
  q.originals_only = p.Bool("originals");
  q.complaints_only = p.Bool("complaints");
  if (!q.review.empty() && !store::IsReviewStatus(q.review)) {
    p.Fail("review: unknown status '" + q.review + "'");
  }
  return q;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SendStatus(Call& c, const Status& s) {
  SendError(c.res, HttpStatusFor(s), s.message());
}

nlohmann::json ReviewHistoryJson(const std::vector<store::ReviewEvent>& h) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : h) {
    a.push_back({{"at", FormatIso8601Utc(e.at_ms / 1000)},
                 {"user", e.user},
                 {"from", e.from},
                 {"to", e.to},
                 {"note", e.note}});
  }
  return a;
}

nlohmann::json IncidentJson(const store::Incident& i) {
  return {{"id", i.id},
          {"first_post", i.first_post},
          {"first_source", i.first_source},
          {"first_seen", FormatIso8601Utc(i.first_seen)},
          {"size", i.size},
          {"sources", i.sources}};
}

nlohmann::json SourceJson(const store::SourceHealth& s) {
  auto time_or_null = [](int64_t t) {
    return t == 0 ? nlohmann::json(nullptr)
                  : nlohmann::json(FormatIso8601Utc(t));
  };
  return {{"source", s.source},
          {"last_attempt", time_or_null(s.last_attempt)},
          {"last_success", time_or_null(s.last_success)},
          {"last_error_at", time_or_null(s.last_error_at)},
          {"last_error", s.last_error},
          {"consecutive_failures", s.consecutive_failures},
          {"disabled", s.disabled},
          {"disabled_reason", s.disabled_reason},
          {"fetches_7d", s.fetches_7d},
          {"error_rate_7d", s.error_rate_7d},
          {"not_modified_rate_7d", s.not_modified_rate_7d},
          {"posts_7d", s.posts_7d},
          {"posts_per_day_7d", static_cast<double>(s.posts_7d) / 7.0}};
}

// True when a fetched page is HTML (else it is shown as plain text: RSS,
// JSON, sitemaps).
bool LooksLikeHtml(std::string_view bytes) {
  std::string head(bytes.substr(0, 2048));
  for (char& ch : head) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return head.find("<!doctype html") != std::string::npos ||
         head.find("<html") != std::string::npos ||
         head.find("<body") != std::string::npos;
}

bool ValidRuleFileName(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

nlohmann::json RuleErrorsJson(const std::vector<RuleError>& errors) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : errors) {
    a.push_back({{"file", e.file},
                 {"line", e.line},
                 {"column", e.column},
                 {"message", e.message}});
  }
  return a;
}

}  // namespace

Post MaskForDisplay(const Post& post, const Masker& mask) {
  if (!mask) return post;
  Post out = post;
  const int64_t n = static_cast<int64_t>(post.text.size());
  // Cut the text at every match boundary, mask each piece on its own and
  // map each old boundary to its new offset.
  std::set<int64_t> cuts = {0, n};
  for (const Match& m : post.labels.matches) {
    if (m.start >= 0 && m.start <= n) cuts.insert(m.start);
    if (m.end >= 0 && m.end <= n) cuts.insert(m.end);
  }
  std::string text;
  std::map<int64_t, int64_t> moved;
  int64_t prev = 0;
  moved[0] = 0;
  for (int64_t cut : cuts) {
    if (cut == 0) continue;
    text += mask(std::string_view(post.text).substr(prev, cut - prev));
    moved[cut] = static_cast<int64_t>(text.size());
    prev = cut;
  }
  out.text = std::move(text);
  for (Match& m : out.labels.matches) {
    auto s = moved.find(m.start);
    auto e = moved.find(m.end);
    if (s == moved.end() || e == moved.end() || m.start > m.end) {
      m.start = m.end = 0;  // out of range: shown without a highlight
    } else {
      m.start = s->second;
      m.end = e->second;
    }
  }
  return out;
}

StoreApi::Reply StoreApi::Cached(const std::string& query,
                                 const std::function<Reply()>& compute) {
  if (options_.cache_ttl_ms <= 0) return compute();
  // Keyed by the store's last write too: any write (a post, a review, a
  // counter) makes a new key, so an answer is reused only while the data it
  // was computed from is unchanged, and never shown stale.
  const std::string key =
      std::to_string(options_.store->db()->raw()->GetLatestSequenceNumber()) +
      "|" + query;
  const int64_t now = options_.clock->NowMs();
  std::promise<Reply> promise;
  std::shared_future<Reply> future;
  bool owner = false;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.expires_ms > now) {
      future = it->second.reply;
    } else {
      if (cache_.size() >= 1024) {
        std::erase_if(cache_, [now](const auto& e) {
          return e.second.expires_ms <= now;
        });
        if (cache_.size() >= 1024) cache_.clear();  // memory bound
      }
      future = promise.get_future().share();
      cache_[key] = {now + options_.cache_ttl_ms, future};
      owner = true;
    }
  }
  (owner ? cache_misses_ : cache_hits_).fetch_add(1, std::memory_order_relaxed);
  if (owner) {
    Reply r = compute();
    promise.set_value(r);
    if (r.status != 200) {
      std::lock_guard<std::mutex> lock(cache_mu_);
      cache_.erase(key);
    }
    return r;
  }
  return future.get();
}

StoreApi::StoreApi(StoreApiOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = SystemClock();
}

void StoreApi::Register(Router* router, Auth* auth) {
  auto ErrorReply = [](const Status& s) {
    return Reply{HttpStatusFor(s),
                 nlohmann::json{{"error", s.message()}}.dump()};
  };
  auto SendReply = [](Call& c, const Reply& r) {
    c.res.status = r.status;
    c.res.set_content(r.body, "application/json; charset=utf-8");
  };
  auth_ = auth;
  store::Store* st = options_.store;
  const Clock* clock = options_.clock;
  const Masker mask = options_.mask;

  router->Get("/api/trends", "/api/trends", Role::kViewer, [=, this](Call& c) {
    Params p(c);
    store::TrendQuery q;
    TimeRange(p, clock->NowSeconds(), 30, &q.from, &q.to);
    std::string bucket = p.Str("bucket");
    if (!bucket.empty()) {
      auto b = store::ParseBucket(bucket);
      if (!b) p.Fail("bucket: expected day, week or month");
      if (b) q.bucket = *b;
    }
    q.category = p.Str("category");
    q.region = p.Str("region");
    q.lang = p.Str("lang");
    q.source = p.Str("source");
    std::string by = p.Str("by");
    q.by_category = by.find("category") != std::string::npos;
    q.by_region = by.find("region") != std::string::npos;
    if (!p.ok()) return;
    const std::string key =
        "trends|" + std::to_string(q.from) + "|" + std::to_string(q.to) + "|" +
        std::string(store::BucketName(q.bucket)) + "|" + q.category + "|" +
        q.region + "|" + q.lang + "|" + q.source + "|" +
        std::to_string(q.by_category) + std::to_string(q.by_region);
    Reply r = Cached(key, [&] {
      auto t = st->Trends(q);
      if (!t.ok()) return ErrorReply(t.status());
      return Reply{200, store::TrendTableToJson(*t).dump()};
    });
    SendReply(c, r);
  });

  router->Get("/api/spikes", "/api/spikes", Role::kViewer, [=, this](Call& c) {
    Params p(c);
    store::SpikeQuery q;
    TimeRange(p, clock->NowSeconds(), 14, &q.from, &q.to);
    q.category = p.Str("category");
    q.region = p.Str("region");
    if (!p.ok()) return;
    const std::string key = "spikes|" + std::to_string(q.from) + "|" +
                            std::to_string(q.to) + "|" + q.category + "|" +
                            q.region;
    Reply r = Cached(key, [&] {
      auto s = st->Spikes(q);
      if (!s.ok()) return ErrorReply(s.status());
      nlohmann::ordered_json j;
      j["items"] = store::SpikesToJson(*s);
      return Reply{200, j.dump()};
    });
    SendReply(c, r);
  });

  router->Get("/api/posts", "/api/posts", Role::kViewer, [=, this](Call& c) {
    Params p(c);
    store::PostQuery q = PostFilters(p, clock->NowSeconds());
    q.limit = static_cast<size_t>(p.Int("limit", 50, 1, 200));
    q.cursor = p.Str("cursor");
    if (!p.ok()) return;
    const std::string key =
        "posts|" + std::to_string(q.from) + "|" + std::to_string(q.to) + "|" +
        q.category + "|" + q.region + "|" + q.lang + "|" + q.source + "|" +
        q.review + "|" + q.school + "|" + q.severity + "|" +
        std::to_string(q.originals_only) + std::to_string(q.complaints_only) +
        "|" + std::to_string(q.limit) + "|" + q.cursor;
    Reply r = Cached(key, [&] {
      auto page = st->QueryPosts(q);
      if (!page.ok()) return ErrorReply(page.status());
      // Reposts of one story often sit on one page: read each incident
      // once.
      std::map<std::string, std::optional<store::Incident>> incidents;
      nlohmann::ordered_json items = nlohmann::ordered_json::array();
      for (const Post& post : page->posts) {
        nlohmann::ordered_json j = PostToJson(MaskForDisplay(post, mask));
        if (!post.incident_id.empty()) {
          auto [it, fresh] = incidents.try_emplace(post.incident_id);
          if (fresh) {
            auto inc = st->GetIncident(post.incident_id);
            if (inc.ok()) it->second = std::move(*inc);
          }
          if (it->second) {
            j["incident_size"] = it->second->size;
            j["incident_sources"] = it->second->sources;
          }
        }
        items.push_back(std::move(j));
      }
      nlohmann::ordered_json out;
      out["items"] = std::move(items);
      out["next_cursor"] = page->next_cursor;
      return Reply{200,
                   out.dump(-1, ' ', false,
                            nlohmann::ordered_json::error_handler_t::replace)};
    });
    SendReply(c, r);
  });

  router->Get(
      R"(/api/posts/([^/]+))", "/api/posts/{id}", Role::kViewer,
      [=, this](Call& c) {
        const std::string id = c.req.matches[1];
        const bool unmask = c.req.get_param_value("unmask") == "1";
        if (unmask && c.who->role != Role::kAdmin) {
          return SendError(c.res, 403, "only an admin can see unmasked text");
        }
        auto post = st->GetPost(id);
        if (!post.ok()) return SendStatus(c, post.status());
        if (!post->has_value()) {
          return SendError(c.res, 404, "no post '" + id + "'");
        }
        const Post& raw = **post;
        if (unmask) {
          Status a = auth_->Audit(c.who->user, "posts.unmask", id);
          if (!a.ok()) return SendStatus(c, a);
        }
        nlohmann::json out;
        out["post"] = PostToJson(unmask ? raw : MaskForDisplay(raw, mask));
        out["masked"] = !unmask && mask != nullptr;
        auto history = st->ReviewHistory(id);
        out["history"] = history.ok() ? ReviewHistoryJson(*history)
                                      : nlohmann::json::array();
        out["incident"] = nullptr;
        if (!raw.incident_id.empty()) {
          auto inc = st->GetIncident(raw.incident_id);
          if (inc.ok() && inc->has_value()) {
            nlohmann::json ij = IncidentJson(**inc);
            // The copies folded under the incident, oldest first.
            nlohmann::json members = nlohmann::json::array();
            for (const std::string& mid : (*inc)->members) {
              if (members.size() >= kMaxIncidentMembers) break;
              auto m = st->GetPost(mid);
              if (!m.ok() || !m->has_value()) continue;
              const Post& mp = **m;
              members.push_back(
                  {{"id", mp.id},
                   {"source", mp.source},
                   {"url", mp.url},
                   {"published_at", FormatIso8601Utc(store::PostTime(mp))},
                   {"duplicate_of", mp.duplicate_of.empty()
                                        ? nlohmann::json(nullptr)
                                        : nlohmann::json(mp.duplicate_of)}});
            }
            ij["members"] = std::move(members);
            out["incident"] = std::move(ij);
          }
        }
        out["evidence"] = {
            {"id", raw.evidence_id},
            {"url", raw.url},
            {"fetched_at",
             raw.fetched_at ? nlohmann::json(FormatIso8601Utc(raw.fetched_at))
                            : nlohmann::json(nullptr)},
            {"title", raw.title},
            {"forwarded_from", raw.forwarded_from}};
        SendJson(c.res, 200, out);
      });

  // The page a post was found on, as first fetched (SPEC "Evidence"). It is
  // hostile HTML: served with a CSP sandbox (no scripts, no plugins, no
  // forms, an opaque origin) that also forbids every fetch (images, styles,
  // frames: nothing leaves for the source's servers), masked like the post
  // text, framable only by the dashboard itself. ?format=text serves it as
  // plain text.
  router->Get(
      R"(/api/posts/([^/]+)/evidence)", "/api/posts/{id}/evidence",
      Role::kViewer, [=, this](Call& c) {
        const std::string id = c.req.matches[1];
        const bool unmask = c.req.get_param_value("unmask") == "1";
        const bool as_text = c.req.get_param_value("format") == "text";
        if (unmask && c.who->role != Role::kAdmin) {
          return SendError(c.res, 403, "only an admin can see unmasked text");
        }
        auto post = st->GetPost(id);
        if (!post.ok()) return SendStatus(c, post.status());
        if (!post->has_value()) {
          return SendError(c.res, 404, "no post '" + id + "'");
        }
        const std::string& evidence_id = (*post)->evidence_id;
        if (evidence_id.empty()) {
          return SendError(c.res, 404,
                           "no page was kept for post '" + id + "'");
        }
        store::EvidenceStore evidence(st->db());
        auto page = evidence.Get(evidence_id);
        if (!page.ok()) return SendStatus(c, page.status());
        if (!page->has_value()) {
          return SendError(c.res, 404,
                           "the page of post '" + id + "' is no longer kept");
        }
        if (unmask) {
          Status a = auth_->Audit(c.who->user, "posts.unmask_evidence", id);
          if (!a.ok()) return SendStatus(c, a);
        }
        std::string body = (unmask || !mask) ? std::move((*page)->bytes)
                                             : mask((*page)->bytes);
        const bool html = !as_text && LooksLikeHtml(body);
        for (const char* h : {"Content-Security-Policy", "X-Frame-Options"}) {
          c.res.headers.erase(h);
        }
        c.res.set_header("Content-Security-Policy",
                         "sandbox; default-src 'none'; style-src "
                         "'unsafe-inline'; img-src data:; "
                         "frame-ancestors 'self'; form-action 'none'");
        c.res.set_header("X-Frame-Options", "SAMEORIGIN");
        c.res.status = 200;
        c.res.set_content(std::move(body), html ? "text/html; charset=utf-8"
                                                : "text/plain; charset=utf-8");
      });

  router->Post(R"(/api/posts/([^/]+)/review)", "/api/posts/{id}/review",
               Role::kAnalyst, [=](Call& c) {
                 const std::string id = c.req.matches[1];
                 auto body = ParseJsonBody(c);
                 if (!body) return;
                 std::string status = JsonString(*body, "status");
                 std::string note = JsonString(*body, "note");
                 if (!store::IsReviewStatus(status)) {
                   return SendError(c.res, 400,
                                    "status: expected new, confirmed, "
                                    "false_positive, escalated or resolved");
                 }
                 if (note.size() > 4000) {
                   return SendError(c.res, 400, "note: longer than 4000 bytes");
                 }
                 Status s = st->SetReview(id, status, c.who->user, note);
                 if (!s.ok()) return SendStatus(c, s);
                 auto history = st->ReviewHistory(id);
                 SendJson(
                     c.res, 200,
                     {{"id", id},
                      {"review", status},
                      {"history", history.ok() ? ReviewHistoryJson(*history)
                                               : nlohmann::json::array()}});
               });

  router->Get(
      "/api/sources", "/api/sources", Role::kViewer, [=, this](Call& c) {
        Reply r = Cached("sources", [&] {
          auto all = st->SourcesHealth();
          if (!all.ok()) return ErrorReply(all.status());
          nlohmann::json items = nlohmann::json::array();
          for (const auto& s : *all) items.push_back(SourceJson(s));
          return Reply{200, nlohmann::json{{"items", std::move(items)}}.dump()};
        });
        SendReply(c, r);
      });

  router->Get("/api/export", "/api/export", Role::kAnalyst, [=](Call& c) {
    Params p(c);
    std::string format = p.Str("format");
    if (format.empty()) format = "csv";
    auto f = store::ParseExportFormat(format);
    if (!f) p.Fail("format: expected csv or jsonl");
    store::PostQuery q = PostFilters(p, clock->NowSeconds());
    if (!p.ok()) return;
    store::ExportOptions eo;
    eo.format = *f;
    eo.bom = p.Bool("bom");
    eo.mask_personal_data = mask != nullptr;
    eo.mask = mask;
    const bool csv = *f == store::ExportFormat::kCsv;
    c.res.set_header("Content-Disposition",
                     std::string("attachment; filename=\"shagym-posts.") +
                         (csv ? "csv" : "jsonl") + "\"");
    // Streamed row by row while the socket takes them: constant memory.
    c.res.set_chunked_content_provider(
        csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
        [st, q, eo](size_t, httplib::DataSink& sink) {
          auto n = store::ExportPosts(
              *st, q, eo, [&sink](std::string_view row) -> Status {
                if (!sink.write(row.data(), row.size())) {
                  return Unavailable("client went away");
                }
                return Status::Ok();
              });
          if (!n.ok()) return false;  // closes the connection mid-stream
          sink.done();
          return true;
        });
  });

  RulesService* rules = options_.rules;
  auto no_rules = [](Call& c) {
    SendError(c.res, 503, "no rule engine in this server");
  };

  router->Get("/api/rules", "/api/rules", Role::kAnalyst, [=](Call& c) {
    if (!rules) return no_rules(c);
    auto files = rules->ListFiles();
    if (!files.ok()) return SendStatus(c, files.status());
    nlohmann::json fj = nlohmann::json::array();
    for (const auto& f : *files) {
      fj.push_back({{"name", f.name}, {"text", f.text}});
    }
    nlohmann::json stats = nlohmann::json::array();
    auto rs = st->RuleStatistics();
    if (rs.ok()) {
      for (const auto& r : *rs) {
        stats.push_back(
            {{"rule", r.rule},
             {"hits", r.hits},
             {"confirmed", r.confirmed},
             {"false_positive", r.false_positive},
             {"precision", r.precision ? nlohmann::json(*r.precision)
                                       : nlohmann::json(nullptr)}});
      }
    }
    SendJson(c.res, 200,
             {{"files", std::move(fj)}, {"stats", std::move(stats)}});
  });

  router->Put(
      R"(/api/rules/([^/]+))", "/api/rules/{file}", Role::kAdmin,
      [=, this](Call& c) {
        if (!rules) return no_rules(c);
        const std::string file = c.req.matches[1];
        if (!ValidRuleFileName(file)) {
          return SendError(c.res, 400, "file: expected a name like kk.yaml");
        }
        auto body = ParseJsonBody(c);
        if (!body) return;
        std::string text = JsonString(*body, "text");
        std::vector<RuleError> errors = rules->Validate(file, text);
        if (!errors.empty()) {
          return SendJson(c.res, 422,
                          {{"error", errors.front().message},
                           {"errors", RuleErrorsJson(errors)}});
        }
        Status s = rules->Save(file, text);
        if (!s.ok()) {
          return SendJson(
              c.res, s.code() == StatusCode::kInvalidArgument ? 422 : 500,
              {{"error", s.message()}, {"errors", nlohmann::json::array()}});
        }
        (void)auth_->Audit(c.who->user, "rules.put",
                           file + " bytes=" + std::to_string(text.size()));
        SendJson(c.res, 200, {{"ok", true}, {"file", file}});
      });

  router->Post("/api/rules/test", "/api/rules/test", Role::kAnalyst,
               [=](Call& c) {
                 if (!rules) return no_rules(c);
                 auto body = ParseJsonBody(c);
                 if (!body) return;
                 Post post;
                 post.text = JsonString(*body, "text");
                 auto labels = rules->Test(post.text);
                 if (!labels.ok()) return SendStatus(c, labels.status());
                 post.labels = *labels;
                 nlohmann::json j = PostToJson(post);
                 SendJson(c.res, 200,
                          {{"text", j["text"]},
                           {"lang", j["lang"]},
                           {"categories", j["categories"]},
                           {"severity", j["severity"]},
                           {"region", j["region"]},
                           {"school_number", j["school_number"]},
                           {"matches", j["matches"]}});
               });

  router->Post(
      "/api/rules/backtest", "/api/rules/backtest", Role::kAnalyst,
      [=](Call& c) {
        if (!rules) return no_rules(c);
        auto body = ParseJsonBody(c);
        if (!body) return;
        std::string file = JsonString(*body, "file");
        if (!ValidRuleFileName(file)) {
          return SendError(c.res, 400, "file: expected a name like kk.yaml");
        }
        std::vector<RuleError> errors =
            rules->Validate(file, JsonString(*body, "text"));
        if (!errors.empty()) {
          return SendJson(c.res, 422,
                          {{"error", errors.front().message},
                           {"errors", RuleErrorsJson(errors)}});
        }
        int64_t days = 90;
        if (auto it = body->find("days");
            it != body->end() && it->is_number_integer()) {
          days = std::clamp<int64_t>(it->get<int64_t>(), 1, 3650);
        }
        auto r = rules->Backtest(file, JsonString(*body, "text"), days, 200000);
        if (!r.ok()) return SendStatus(c, r.status());
        nlohmann::json ex = nlohmann::json::array();
        for (const auto& e : r->examples) {
          Post tmp;
          tmp.text = e.text;
          ex.push_back({{"id", e.post_id},
                        {"text", MaskForDisplay(tmp, mask).text},
                        {"before", e.before},
                        {"after", e.after}});
        }
        nlohmann::json cats = nlohmann::json::array();
        for (const auto& x : r->categories) {
          cats.push_back({{"category", x.category},
                          {"before", x.before},
                          {"after", x.after},
                          {"added", x.added},
                          {"dropped", x.dropped}});
        }
        nlohmann::json rule_counts = nlohmann::json::array();
        for (const auto& x : r->rules) {
          rule_counts.push_back({{"rule", x.rule},
                                 {"category", x.category},
                                 {"before", x.before},
                                 {"after", x.after}});
        }
        SendJson(c.res, 200,
                 {{"posts_scanned", r->posts_scanned},
                  {"added", r->added},
                  {"dropped", r->dropped},
                  {"changed", r->changed},
                  {"examples", std::move(ex)},
                  {"categories", std::move(cats)},
                  {"rules", std::move(rule_counts)}});
      });
}

void StoreApi::AppendMetrics(std::string* out) {
  AppendMetricHeader(out, "shagym_api_cache_requests_total", "counter",
                     "Cacheable API answers (trends, spikes, sources, post "
                     "pages), by whether they were reused.");
  AppendSample(out, "shagym_api_cache_requests_total", {{"result", "hit"}},
               static_cast<double>(cache_hits_.load()));
  AppendSample(out, "shagym_api_cache_requests_total", {{"result", "miss"}},
               static_cast<double>(cache_misses_.load()));
  auto all = options_.store->SourcesHealth();
  if (!all.ok()) return;
  AppendMetricHeader(out, "shagym_source_fetches_7d", "gauge",
                     "Fetches of a source over the last 7 days.");
  for (const auto& s : *all) {
    AppendSample(out, "shagym_source_fetches_7d", {{"source", s.source}},
                 static_cast<double>(s.fetches_7d));
  }
  AppendMetricHeader(out, "shagym_source_error_rate_7d", "gauge",
                     "Share of a source's fetches that failed, last 7 days.");
  for (const auto& s : *all) {
    AppendSample(out, "shagym_source_error_rate_7d", {{"source", s.source}},
                 s.error_rate_7d);
  }
  AppendMetricHeader(out, "shagym_source_posts_7d", "gauge",
                     "Posts stored from a source over the last 7 days.");
  for (const auto& s : *all) {
    AppendSample(out, "shagym_source_posts_7d", {{"source", s.source}},
                 static_cast<double>(s.posts_7d));
  }
  AppendMetricHeader(out, "shagym_source_last_success_seconds", "gauge",
                     "Unix time of a source's last successful fetch.");
  for (const auto& s : *all) {
    AppendSample(out, "shagym_source_last_success_seconds",
                 {{"source", s.source}}, static_cast<double>(s.last_success));
  }
  AppendMetricHeader(out, "shagym_source_disabled", "gauge",
                     "1 when a source was disabled after repeated failures.");
  for (const auto& s : *all) {
    AppendSample(out, "shagym_source_disabled", {{"source", s.source}},
                 s.disabled ? 1 : 0);
  }
}

}  // namespace shagym::dashboards
