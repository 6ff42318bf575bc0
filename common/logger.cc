#include "common/logger.h"

#include <cstdio>

#include "common/json_escape.h"
#include "common/time_util.h"

namespace shagym {

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"debug", LogLevel::kDebug}, {"info", LogLevel::kInfo},
      {"warn", LogLevel::kWarn},   {"warning", LogLevel::kWarn},
      {"error", LogLevel::kError}, {"off", LogLevel::kOff}};
  for (const auto& [n, l] : kNames) {
    if (n == name) {
      *level = l;
      return true;
    }
  }
  return false;
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

LogValue::LogValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  text_ = buf;
}

namespace {

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (NeedsJsonEscape(c)) {
      AppendJsonEscape(c, out);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

Logger* BuiltinLogger() {
  static StreamLogger* const logger = new StreamLogger();
  return logger;
}

Logger* g_default_logger = nullptr;

}  // namespace

std::string FormatLogLine(LogFormat format, std::string_view time,
                          LogLevel level, std::string_view event,
                          const LogFields& fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    line += "{\"time\":";
    AppendQuoted(&line, time);
    line += ",\"level\":";
    AppendQuoted(&line, LogLevelName(level));
    line += ",\"event\":";
    AppendQuoted(&line, event);
    for (const auto& [key, value] : fields) {
      line.push_back(',');
      AppendQuoted(&line, key);
      line.push_back(':');
      if (value.is_string()) {
        AppendQuoted(&line, value.text());
      } else {
        line += value.text();
      }
    }
    line.push_back('}');
    return line;
  }
  line.append(time);
  line.push_back(' ');
  line.append(LogLevelName(level));
  line.append(" event=");
  line.append(event);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
    if (value.is_string() && NeedsQuotes(value.text())) {
      AppendQuoted(&line, value.text());
    } else {
      line.append(value.text());
    }
  }
  return line;
}

StreamLogger::StreamLogger(LogLevel min_level, LogFormat format, std::FILE* out)
    : min_level_(min_level), format_(format), out_(out) {}

void StreamLogger::Log(LogLevel level, std::string_view event,
                       const LogFields& fields) {
  if (level < min_level_) return;
  std::string line = FormatLogLine(
      format_, FormatIso8601Utc(SystemNowSeconds()), level, event, fields);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

Logger* DefaultLogger() {
  return g_default_logger ? g_default_logger : BuiltinLogger();
}

void SetDefaultLogger(Logger* logger) { g_default_logger = logger; }

void Log(Logger* logger, LogLevel level, std::string_view event,
         const LogFields& fields) {
  if (logger == nullptr) logger = DefaultLogger();
  if (level < logger->min_level()) return;
  logger->Log(level, event, fields);
}

}  // namespace shagym
