#pragma once
// Wakes an epoll loop at a timer backend's next deadline with nanosecond precision. epoll_wait's
// timeout counts whole milliseconds, so a user-space backend (rbtree, wheel: no fd of their own)
// woken by it would fire up to a millisecond late; the waker arms one timerfd at the absolute
// CLOCK_MONOTONIC deadline instead. For the timerfd backend (fd() >= 0) the backend's own fd is
// the wake-up and the waker does nothing. The master and bench_timer_backends both use this.
#include "sigharness/duration.h"
#include "sigharness/real/timer_backend.h"

namespace sigh::real {

class TimerWaker {
 public:
  // `base`: CLOCK_MONOTONIC of the backend timeline's zero (the loop passes times relative to it).
  TimerWaker(TimerBackend& backend, Nanos base);
  ~TimerWaker();
  TimerWaker(const TimerWaker&) = delete;
  TimerWaker& operator=(const TimerWaker&) = delete;

  // The fd to watch for readability: the backend's own, or the waker's timerfd; -1 on failure.
  int fd() const;
  // Arms (or disarms) the timerfd for the backend's next deadline; call before every wait.
  void arm(Nanos now);
  // Clears readiness after fd() was readable (no-op for backends with their own fd).
  void drain();

 private:
  TimerBackend& b_;
  Nanos base_;
  int tfd_ = -1;
  Nanos armed_for_ = -1;  // absolute deadline currently armed, -1 = none
};

}  // namespace sigh::real
