#pragma once

// Small stand-ins shared by the crawl tests: a clock moved by a fixed
// offset and a logger that keeps the test output quiet.

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/logger.h"

namespace shagym::crawler {

// The system clock moved by a fixed offset ("an hour later").
class OffsetClock : public Clock {
 public:
  explicit OffsetClock(int64_t offset_ms) : offset_ms_(offset_ms) {}
  int64_t NowMs() const override { return SystemClock()->NowMs() + offset_ms_; }

 private:
  int64_t offset_ms_;
};

class QuietLogger : public Logger {
 public:
  void Log(LogLevel, std::string_view, const LogFields&) override {}
  LogLevel min_level() const override { return LogLevel::kOff; }
};

}  // namespace shagym::crawler
