#pragma once
// Virtual time. Monotonic nanoseconds since the run started (kernel timers,
// hops, handler durations) and a wall clock kept apart from it:
//   wall = wall_start + mono + sum(steps)
// Cron and uwsgi-2.0 rb_timers read the wall clock; nothing reads the host clock.
#include <cstdint>

#include "sigharness/duration.h"

namespace sigh::sim {

class VirtualClock {
 public:
  explicit VirtualClock(std::int64_t wall_start_s) : wall_start_s_(wall_start_s) {}

  Nanos mono() const { return mono_; }
  void advance_to(Nanos t) { mono_ = t; }  // the scheduler never goes back
  void step_wall(Nanos step) { wall_offset_ += step; }

  // Wall clock in whole unix seconds (floor, also for negative offsets).
  std::int64_t wall_s() const {
    const Nanos w = mono_ + wall_offset_;
    const Nanos s = w >= 0 ? w / kNsPerSec : -((-w + kNsPerSec - 1) / kNsPerSec);
    return wall_start_s_ + s;
  }

 private:
  std::int64_t wall_start_s_;
  Nanos mono_ = 0;
  Nanos wall_offset_ = 0;
};

}  // namespace sigh::sim
