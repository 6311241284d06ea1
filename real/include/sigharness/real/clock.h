#pragma once
// The time seam of the real backend: every process reads time only through a Clock.
//   mono_ns(): CLOCK_MONOTONIC (timers, trace timestamps).
//   wall_ns(): the wall clock cron matches against (UTC, unix ns).
// OffsetWallClock makes the wall clock "CLOCK_REALTIME + offset", with the offset in memory the
// caller provides — shared memory, so a clock_step in the master is seen by every forked process.
#include <atomic>
#include <cstdint>

#include "sigharness/duration.h"

namespace sigh::real {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos mono_ns() const = 0;
  virtual Nanos wall_ns() const = 0;
};

class SystemClock : public Clock {
 public:
  Nanos mono_ns() const override;
  Nanos wall_ns() const override;  // CLOCK_REALTIME (honours an external libfaketime)
};

class OffsetWallClock : public Clock {
 public:
  // `offset` must outlive the clock; wall = CLOCK_REALTIME + *offset.
  explicit OffsetWallClock(std::atomic<std::int64_t>* offset) : offset_(offset) {}
  Nanos mono_ns() const override;
  Nanos wall_ns() const override;
  // Makes wall_ns() read `wall` now.
  void set_wall(Nanos wall);
  void step(Nanos delta) { offset_->fetch_add(delta); }

 private:
  std::atomic<std::int64_t>* offset_;
};

}  // namespace sigh::real
