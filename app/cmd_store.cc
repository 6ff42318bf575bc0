// trends, export, reclassify, backup, restore, db check, db retention.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/crawl_sink.h"
#include "common/logger.h"
#include "common/time_util.h"
#include "store/export.h"
#include "store/store.h"
#include "store/trend_format.h"

namespace shagym::app {

namespace {

// Seam: the personal-data masker (nlp/privacy.h) and the rule classifier
// (nlp::Classifier) are wired here when they are part of the build. Until
// then the commands that need them say so instead of pretending.
std::function<std::string(std::string_view)> PersonalDataMasker(
    const config::Config& config) {
  return MakeMasker(config);
}

StatusOr<std::function<StatusOr<Labels>(const Post&)>> RuleClassifier(
    const config::Config& config) {
  StatusOr<crawler::ClassifyFn> classify = MakeClassifier(config);
  if (!classify.ok()) return classify.status();
  if (!*classify) {
    return NotFound("reclassify: no rule directory at " + config.rules_dir);
  }
  return std::function<StatusOr<Labels>(const Post&)>(
      [fn = std::move(classify).value()](const Post& post) -> StatusOr<Labels> {
        Labels labels = fn(post);
        return labels;
      });
}

// Progress on a terminal (one line, rewritten), plain log lines otherwise.
class Progress {
 public:
  explicit Progress(std::string what)
      : what_(std::move(what)), tty_(isatty(STDERR_FILENO) == 1) {}
  void Update(int64_t n) {
    if (tty_) {
      std::fprintf(stderr, "\r%s: %lld posts", what_.c_str(),
                   static_cast<long long>(n));
      shown_ = true;
    } else if (n >= next_log_) {
      Log(nullptr, LogLevel::kInfo, what_, {{"posts", n}});
      next_log_ = n + 100000;
    }
  }
  void Done(int64_t n) {
    if (shown_)
      std::fprintf(stderr, "\r%s: %lld posts\n", what_.c_str(),
                   static_cast<long long>(n));
    Log(nullptr, LogLevel::kInfo, what_ + "_done", {{"posts", n}});
  }

 private:
  std::string what_;
  bool tty_;
  bool shown_ = false;
  int64_t next_log_ = 100000;
};

std::unique_ptr<store::Store> OpenStore(const config::Config& config) {
  auto s = store::Store::Open(config.store);
  if (!s.ok()) {
    PrintError(s.status().message());
    return nullptr;
  }
  return std::move(s).value();
}

// Parses a --from/--to date; `end` makes it exclusive (the next midnight).
bool ParseDateFlag(const std::string& flag, const std::string& text, bool end,
                   int64_t* out) {
  auto t = ParseIso8601(text);
  if (!t) {
    PrintError(flag + ": '" + text +
               "' is not a date (YYYY-MM-DD or ISO 8601 time)");
    return false;
  }
  *out = *t;
  // A bare date as --to means "through that day".
  if (end && text.size() == 10) *out += 86400;
  return true;
}

bool CheckRegion(const std::string& region) {
  if (region.empty() || config::IsRegionId(region)) return true;
  PrintError("--region: unknown region '" + region + "'");
  return false;
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, Context* ctx) {
  // ---- trends ---------------------------------------------------------------
  auto* trends = app.add_subcommand(
      "trends", "Counts per bucket: unique incidents and volume");
  static std::string from, to, bucket = "day", category, region,
                               format = "table", by;
  static bool spikes = false;
  trends->add_option("--from", from, "First date (YYYY-MM-DD)")->required();
  trends->add_option("--to", to, "Last date (YYYY-MM-DD), included")
      ->required();
  trends->add_option("--bucket", bucket, "day, week or month")
      ->check(CLI::IsMember({"day", "week", "month"}));
  trends->add_option("--category", category, "Category id");
  trends->add_option("--region", region, "Region id");
  trends->add_option("--by", by, "One series per category or region")
      ->check(CLI::IsMember({"category", "region"}));
  trends->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  trends->add_flag("--spikes", spikes, "List flagged days");
  OnRun(trends, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    int64_t f, t;
    if (!ParseDateFlag("--from", from, false, &f) ||
        !ParseDateFlag("--to", to, true, &t) || !CheckRegion(region)) {
      return kExitConfig;
    }
    if (t <= f) {
      PrintError("--to must not be before --from");
      return kExitConfig;
    }
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    std::string out;
    if (spikes) {
      store::SpikeQuery q;
      q.from = f;
      q.to = t;
      q.category = category;
      q.region = region;
      auto r = store->Spikes(q);
      if (!r.ok()) {
        PrintError(r.status().message());
        return kExitFailure;
      }
      out = format == "json"  ? store::SpikesToJson(*r).dump(2) + "\n"
            : format == "csv" ? store::SpikesToCsv(*r)
                              : store::SpikesToText(*r);
    } else {
      store::TrendQuery q;
      q.from = f;
      q.to = t;
      q.bucket = *store::ParseBucket(bucket);
      q.category = category;
      q.region = region;
      q.by_category = by == "category";
      q.by_region = by == "region";
      auto r = store->Trends(q);
      if (!r.ok()) {
        PrintError(r.status().message());
        return kExitFailure;
      }
      out = format == "json"  ? store::TrendTableToJson(*r).dump(2) + "\n"
            : format == "csv" ? store::TrendTableToCsv(*r)
                              : store::TrendTableToText(*r);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  });

  // ---- export ---------------------------------------------------------------
  auto* exp =
      app.add_subcommand("export", "Stream stored posts as CSV or JSON Lines");
  static std::string exp_format, exp_from, exp_to, exp_category, exp_region,
      exp_output, exp_lang, exp_source, exp_review;
  static bool exp_bom = false, exp_originals = false, exp_unmasked = false;
  exp->add_option("--format", exp_format, "csv or jsonl")
      ->required()
      ->check(CLI::IsMember({"csv", "jsonl"}));
  exp->add_option("--from", exp_from, "First date");
  exp->add_option("--to", exp_to, "Last date, included");
  exp->add_option("--category", exp_category, "Category id");
  exp->add_option("--region", exp_region, "Region id");
  exp->add_option("--lang", exp_lang, "kk, ru, mixed or other");
  exp->add_option("--source", exp_source, "Source id");
  exp->add_option("--review", exp_review, "Review status");
  exp->add_flag("--incidents-only", exp_originals,
                "One row per incident (skip reposts)");
  exp->add_flag("--bom", exp_bom, "CSV: start with a UTF-8 BOM (Excel)");
  exp->add_flag("--unmasked", exp_unmasked,
                "Do not mask phone numbers, e-mails and IIN (logged)");
  exp->add_option("--output", exp_output, "Output file (default: stdout)");
  OnRun(exp, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    store::PostQuery q;
    if ((!exp_from.empty() &&
         !ParseDateFlag("--from", exp_from, false, &q.from)) ||
        (!exp_to.empty() && !ParseDateFlag("--to", exp_to, true, &q.to)) ||
        !CheckRegion(exp_region)) {
      return kExitConfig;
    }
    if (!exp_review.empty() && !store::IsReviewStatus(exp_review)) {
      PrintError("--review: unknown status '" + exp_review + "'");
      return kExitConfig;
    }
    q.category = exp_category;
    q.region = exp_region;
    q.lang = exp_lang;
    q.source = exp_source;
    q.review = exp_review;
    q.originals_only = exp_originals;
    store::ExportOptions o;
    o.format = *store::ParseExportFormat(exp_format);
    o.bom = exp_bom;
    o.mask_personal_data = config->privacy.mask_personal_data && !exp_unmasked;
    if (o.mask_personal_data) {
      o.mask = PersonalDataMasker(*config);
      if (!o.mask) {
        PrintError(
            "export: personal-data masking is not available in this build; "
            "--unmasked exports without it");
        return kExitFailure;
      }
    } else {
      Log(nullptr, LogLevel::kWarn, "export_unmasked",
          {{"user", std::string(getenv("USER") ? getenv("USER") : "")}});
    }
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    FILE* out = stdout;
    std::string tmp;
    if (!exp_output.empty()) {
      tmp = exp_output + ".part";
      out = std::fopen(tmp.c_str(), "wb");
      if (!out) {
        PrintError(exp_output + ": cannot write");
        return kExitFailure;
      }
    }
    Progress progress("export");
    int64_t rows_seen = 0;
    auto rows =
        store::ExportPosts(*store, q, o, [&](std::string_view chunk) -> Status {
          if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
            return IOError((exp_output.empty() ? "stdout" : exp_output) +
                           ": write failed");
          }
          rows_seen += static_cast<int64_t>(
              std::count(chunk.begin(), chunk.end(), '\n'));
          progress.Update(rows_seen);
          return Status::Ok();
        });
    bool closed = out == stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
    if (!rows.ok() || !closed) {
      PrintError(rows.ok() ? exp_output + ": write failed"
                           : rows.status().message());
      if (!tmp.empty()) std::remove(tmp.c_str());
      return kExitFailure;
    }
    if (!tmp.empty() && std::rename(tmp.c_str(), exp_output.c_str()) != 0) {
      PrintError(exp_output + ": cannot rename from " + tmp);
      return kExitFailure;
    }
    progress.Done(*rows);
    return kExitOk;
  });

  // ---- reclassify -----------------------------------------------------------
  auto* reclassify = app.add_subcommand(
      "reclassify", "Apply the current rules to stored posts");
  static std::string since;
  reclassify->add_option("--since", since, "Only posts published since DATE");
  OnRun(reclassify, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    store::PostQuery q;
    if (!since.empty() && !ParseDateFlag("--since", since, false, &q.from)) {
      return kExitConfig;
    }
    auto classify = RuleClassifier(*config);
    if (!classify.ok()) {
      PrintError(classify.status().message());
      return kExitFailure;
    }
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    Progress progress("reclassify");
    auto r =
        store->Reclassify(q, *classify, [&](int64_t n) { progress.Update(n); });
    if (!r.ok()) {
      PrintError(r.status().message());
      return kExitFailure;
    }
    progress.Done(r->posts);
    std::printf("reclassified %lld posts, %lld changed\n",
                static_cast<long long>(r->posts),
                static_cast<long long>(r->changed));
    return kExitOk;
  });

  // ---- backup / restore -----------------------------------------------------
  auto* backup = app.add_subcommand("backup", "Consistent copy of the store");
  static std::string backup_dir;
  backup->add_option("dir", backup_dir, "Target directory")->required();
  OnRun(backup, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    Status st = store->Backup(backup_dir);
    if (!st.ok()) {
      PrintError(st.message());
      return kExitFailure;
    }
    std::printf("backup written to %s\n", backup_dir.c_str());
    return kExitOk;
  });

  auto* restore = app.add_subcommand("restore", "Put a backup back");
  static std::string restore_dir;
  restore->add_option("dir", restore_dir, "Backup directory")->required();
  OnRun(restore, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    Status st = store::Store::Restore(restore_dir, config->store.data_dir);
    if (!st.ok()) {
      PrintError(st.message());
      return kExitFailure;
    }
    std::printf("restored %s into %s\n", restore_dir.c_str(),
                config->store.data_dir.c_str());
    return kExitOk;
  });

  // ---- db -------------------------------------------------------------------
  auto* db = app.add_subcommand("db", "Store maintenance");
  db->require_subcommand(1);
  auto* check =
      db->add_subcommand("check", "Verify counts and counters against labels");
  OnRun(check, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    auto r = store->Check();
    if (!r.ok()) {
      PrintError(r.status().message());
      return kExitFailure;
    }
    std::printf(
        "posts: %lld\ncomplaints: %lld\nincidents: %lld\n"
        "counters checked: %lld\ncounter mismatches: %lld\n"
        "index mismatches: %lld\n",
        static_cast<long long>(r->posts), static_cast<long long>(r->complaints),
        static_cast<long long>(r->originals),
        static_cast<long long>(r->counters_checked),
        static_cast<long long>(r->counter_mismatches),
        static_cast<long long>(r->index_mismatches));
    for (const auto& p : r->problems) std::printf("problem: %s\n", p.c_str());
    std::printf("%s\n", r->ok() ? "ok" : "NOT OK");
    return r->ok() ? kExitOk : kExitFailure;
  });
  auto* retention = db->add_subcommand(
      "retention",
      "Remove posts older than retention_days (counters stay) and evidence "
      "pages no post refers to");
  OnRun(retention, ctx, [ctx] {
    const config::Config* config = ctx->LoadConfig();
    if (config == nullptr) return kExitConfig;
    auto store = OpenStore(*config);
    if (!store) return kExitFailure;
    auto r = store->ApplyRetention();
    if (!r.ok()) {
      PrintError(r.status().message());
      return kExitFailure;
    }
    if (config->store.retention_days <= 0) {
      std::printf("retention_days is 0: no posts removed\n");
    } else {
      std::printf("removed %lld posts older than %s\n",
                  static_cast<long long>(r->posts_removed),
                  FormatIso8601Utc(r->cutoff).c_str());
    }
    std::printf("removed %lld evidence pages no post refers to\n",
                static_cast<long long>(r->pages_removed +
                                       r->unreferenced_pages_removed));
    return kExitOk;
  });
}

}  // namespace shagym::app
