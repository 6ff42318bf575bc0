#pragma once

// Injected time source (ninja's fake Tick()). Production code takes a Clock*;
// tests pass a FakeClock from tests/testing/.

#include <cstdint>

namespace shagym {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual int64_t NowMs() const = 0;
  int64_t NowSeconds() const { return NowMs() / 1000; }
};

// The real wall clock. Never null; lives for the whole process.
Clock* SystemClock();

}  // namespace shagym
