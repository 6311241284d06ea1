#include "sigharness/real/clock.h"

#include <time.h>

namespace sigh::real {
namespace {
Nanos read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}
}  // namespace

Nanos monotonic_now() { return read_clock(CLOCK_MONOTONIC); }

Nanos SystemClock::mono_ns() const { return read_clock(CLOCK_MONOTONIC); }
Nanos SystemClock::wall_ns() const { return read_clock(CLOCK_REALTIME); }

Nanos OffsetWallClock::mono_ns() const { return read_clock(CLOCK_MONOTONIC); }
Nanos OffsetWallClock::wall_ns() const { return read_clock(CLOCK_REALTIME) + offset_->load(); }
Nanos FakeWallClock::mono_ns() const { return read_clock(CLOCK_MONOTONIC); }
Nanos FakeWallClock::wall_ns() const {
  auto elapsed = static_cast<double>(read_clock(CLOCK_MONOTONIC) - mono0_) * scale_;
  return wall0_ + static_cast<Nanos>(elapsed) + offset_->load();
}

void OffsetWallClock::set_wall(Nanos wall) { offset_->store(wall - read_clock(CLOCK_REALTIME)); }

}  // namespace sigh::real
