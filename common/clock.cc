#include "common/clock.h"

#include "common/time_util.h"

namespace shagym {

namespace {
class RealClock : public Clock {
 public:
  int64_t NowMs() const override { return SystemNowMs(); }
};
}  // namespace

Clock* SystemClock() {
  static RealClock* const clock = new RealClock();
  return clock;
}

}  // namespace shagym
