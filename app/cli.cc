#include "app/cli.h"

#include <cstdio>

#include "nlp/privacy.h"

namespace shagym::app {

namespace {
StreamLogger* AppLogger() {
  static StreamLogger* const logger = new StreamLogger();
  return logger;
}
}  // namespace

std::function<std::string(std::string_view)> MakeMasker(
    const config::Config& config) {
  if (!config.privacy.mask_personal_data) {
    return [](std::string_view text) { return std::string(text); };
  }
  return [](std::string_view text) { return nlp::MaskPersonalData(text); };
}

void PrintError(const std::string& what) {
  std::fprintf(stderr, "shagym: %s\n", what.c_str());
}

const config::Config* Context::LoadConfig() {
  if (config_) return &*config_;
  StatusOr<config::Config> c = config::Load(config_path);
  if (!c.ok()) {
    std::fprintf(stderr, "%s\n", c.status().message().c_str());
    return nullptr;
  }
  config_ = std::move(c).value();
  StreamLogger* logger = AppLogger();
  logger->set_min_level(config_->log.level);
  logger->set_format(config_->log.format);
  LogLevel level;
  if (!log_level.empty() && ParseLogLevel(log_level, &level)) {
    logger->set_min_level(level);
  }
  SetDefaultLogger(logger);
  return &*config_;
}

void OnRun(CLI::App* cmd, Context* ctx, std::function<int()> body) {
  cmd->callback([ctx, body = std::move(body)] { ctx->exit_code = body(); });
}

int NotBuiltYet(const std::string& command) {
  PrintError("'" + command + "' is not available in this build yet");
  return kExitFailure;
}

}  // namespace shagym::app
