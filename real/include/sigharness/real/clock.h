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

// CLOCK_MONOTONIC now, for code that needs no Clock object (benchmark rigs, the serve loop).
Nanos monotonic_now();

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

// A scenario's wall clock: starts at `wall_at_start` when CLOCK_MONOTONIC reads `mono_at_start`,
// runs `scale` times real speed, plus the steps in *offset (shared memory: clock_step in the
// master moves every process's wall clock). Used by the runner so cron tests need no libfaketime.
class FakeWallClock : public Clock {
 public:
  FakeWallClock(Nanos wall_at_start, Nanos mono_at_start, double scale,
                std::atomic<std::int64_t>* offset)
      : wall0_(wall_at_start), mono0_(mono_at_start), scale_(scale), offset_(offset) {}
  Nanos mono_ns() const override;
  Nanos wall_ns() const override;
  void step(Nanos delta) { offset_->fetch_add(delta); }

 private:
  Nanos wall0_, mono0_;
  double scale_;
  std::atomic<std::int64_t>* offset_;
};

}  // namespace sigh::real
