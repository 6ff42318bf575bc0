// trends, export, reclassify, backup, restore, db check.

#include "app/cli.h"

namespace shagym::app {

void RegisterStoreCommands(CLI::App& app, Context* ctx) {
  auto* trends = app.add_subcommand(
      "trends", "Counts per bucket: unique incidents and volume");
  static std::string from, to, bucket = "day", category, region,
                               format = "table";
  static bool spikes = false;
  trends->add_option("--from", from, "First date (YYYY-MM-DD)")->required();
  trends->add_option("--to", to, "Last date (YYYY-MM-DD)")->required();
  trends->add_option("--bucket", bucket, "day, week or month")
      ->check(CLI::IsMember({"day", "week", "month"}));
  trends->add_option("--category", category, "Category id");
  trends->add_option("--region", region, "Region id");
  trends->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  trends->add_flag("--spikes", spikes, "List flagged days");
  OnRun(trends, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("trends");
  });

  auto* exp =
      app.add_subcommand("export", "Stream stored posts as CSV or JSON Lines");
  static std::string exp_format, exp_from, exp_to, exp_category, exp_region,
      exp_output;
  exp->add_option("--format", exp_format, "csv or jsonl")
      ->required()
      ->check(CLI::IsMember({"csv", "jsonl"}));
  exp->add_option("--from", exp_from, "First date");
  exp->add_option("--to", exp_to, "Last date");
  exp->add_option("--category", exp_category, "Category id");
  exp->add_option("--region", exp_region, "Region id");
  exp->add_option("--output", exp_output, "Output file (default: stdout)");
  OnRun(exp, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("export");
  });

  auto* reclassify = app.add_subcommand(
      "reclassify", "Apply the current rules to stored posts");
  static std::string since;
  reclassify->add_option("--since", since, "Only posts published since DATE");
  OnRun(reclassify, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("reclassify");
  });

  auto* backup = app.add_subcommand("backup", "Consistent copy of the store");
  static std::string backup_dir;
  backup->add_option("dir", backup_dir, "Target directory")->required();
  OnRun(backup, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("backup");
  });

  auto* restore = app.add_subcommand("restore", "Put a backup back");
  static std::string restore_dir;
  restore->add_option("dir", restore_dir, "Backup directory")->required();
  OnRun(restore, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("restore");
  });

  auto* db = app.add_subcommand("db", "Store maintenance");
  db->require_subcommand(1);
  auto* check =
      db->add_subcommand("check", "Verify counts and counters against labels");
  OnRun(check, ctx, [ctx] {
    if (ctx->LoadConfig() == nullptr) return kExitConfig;
    return NotBuiltYet("db check");
  });
}

}  // namespace shagym::app
