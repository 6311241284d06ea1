#include <time.h>

#include "sigharness/real/clock.h"

namespace sigh::real {
namespace {
Nanos read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}
}  // namespace

Nanos SystemClock::mono_ns() const { return read_clock(CLOCK_MONOTONIC); }
Nanos SystemClock::wall_ns() const { return read_clock(CLOCK_REALTIME); }

Nanos OffsetWallClock::mono_ns() const { return read_clock(CLOCK_MONOTONIC); }
Nanos OffsetWallClock::wall_ns() const { return read_clock(CLOCK_REALTIME) + offset_->load(); }
void OffsetWallClock::set_wall(Nanos wall) { offset_->store(wall - read_clock(CLOCK_REALTIME)); }

}  // namespace sigh::real
