#pragma once

// Structured logging: one line per event on stderr, `key=value` pairs (or one
// JSON object per line). Libraries log through a borrowed Logger* passed in
// their options; hot paths count instead of logging.
//
//   Log(logger, LogLevel::kInfo, "fetch_done",
//       {{"host", host}, {"status", 200}, {"ms", 84}});
//   -> 2026-11-25T12:00:00Z info event=fetch_done host=example.org status=200
//   ms=84

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shagym {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kOff };

// Parses "debug", "info", "warn", "error", "off". Returns false on anything
// else.
bool ParseLogLevel(std::string_view name, LogLevel* level);
std::string_view LogLevelName(LogLevel level);

// One field of a log line. Strings are quoted when they contain spaces,
// quotes or '='.
class LogValue {
 public:
  LogValue(std::string_view v) : text_(v), quoted_(true) {}     // NOLINT
  LogValue(const std::string& v) : text_(v), quoted_(true) {}   // NOLINT
  LogValue(const char* v) : text_(v), quoted_(true) {}          // NOLINT
  LogValue(bool v) : text_(v ? "true" : "false") {}             // NOLINT
  LogValue(int v) : text_(std::to_string(v)) {}                 // NOLINT
  LogValue(long v) : text_(std::to_string(v)) {}                // NOLINT
  LogValue(long long v) : text_(std::to_string(v)) {}           // NOLINT
  LogValue(unsigned v) : text_(std::to_string(v)) {}            // NOLINT
  LogValue(unsigned long v) : text_(std::to_string(v)) {}       // NOLINT
  LogValue(unsigned long long v) : text_(std::to_string(v)) {}  // NOLINT
  LogValue(double v);                                           // NOLINT

  const std::string& text() const { return text_; }
  // True for string values (JSON output quotes them; text output quotes them
  // only when needed).
  bool is_string() const { return quoted_; }

 private:
  std::string text_;
  bool quoted_ = false;
};

using LogFields = std::vector<std::pair<std::string_view, LogValue>>;

// Receives events. Implementations must be thread-safe.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view event,
                   const LogFields& fields) = 0;
  // Events below this level are dropped before formatting.
  virtual LogLevel min_level() const = 0;
};

enum class LogFormat { kText, kJson };

// Writes to a FILE* (stderr by default). Thread-safe.
class StreamLogger : public Logger {
 public:
  explicit StreamLogger(LogLevel min_level = LogLevel::kInfo,
                        LogFormat format = LogFormat::kText,
                        std::FILE* out = stderr);
  void Log(LogLevel level, std::string_view event,
           const LogFields& fields) override;
  LogLevel min_level() const override { return min_level_; }
  void set_min_level(LogLevel level) { min_level_ = level; }
  void set_format(LogFormat format) { format_ = format; }

 private:
  LogLevel min_level_;
  LogFormat format_;
  std::FILE* out_;
  std::mutex mu_;
};

// Formats one event as a text line (no trailing newline). Exposed for tests.
std::string FormatLogLine(LogFormat format, std::string_view time,
                          LogLevel level, std::string_view event,
                          const LogFields& fields);

// The process-wide logger used when options name none. Never null.
Logger* DefaultLogger();
// Replaces the default logger. `logger` must outlive every user; pass nullptr
// to restore the built-in stderr logger. Call before threads start.
void SetDefaultLogger(Logger* logger);

// Null-safe helper: logs through `logger`, or DefaultLogger() when null.
void Log(Logger* logger, LogLevel level, std::string_view event,
         const LogFields& fields = {});

}  // namespace shagym
