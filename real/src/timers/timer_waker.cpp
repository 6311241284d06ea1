#include "sigharness/real/timer_waker.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdint>

namespace sigh::real {

TimerWaker::TimerWaker(TimerBackend& backend, Nanos base) : b_(backend), base_(base) {
  if (b_.fd() < 0) tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

TimerWaker::~TimerWaker() {
  if (tfd_ >= 0) close(tfd_);
}

int TimerWaker::fd() const { return b_.fd() >= 0 ? b_.fd() : tfd_; }

void TimerWaker::arm(Nanos now) {
  if (tfd_ < 0) return;
  const auto next = b_.next_timeout(now);
  // An absolute deadline; 0 would disarm, so an overdue deadline becomes "1 ns after zero".
  const Nanos at = next ? base_ + now + *next : -1;
  if (at == armed_for_) return;
  itimerspec its{};
  if (at >= 0) {
    const Nanos a = at > 0 ? at : 1;
    its.it_value.tv_sec = static_cast<time_t>(a / kNsPerSec);
    its.it_value.tv_nsec = static_cast<long>(a % kNsPerSec);
  }
  timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr);
  armed_for_ = at;
}

void TimerWaker::drain() {
  if (tfd_ < 0) return;
  std::uint64_t n = 0;
  while (read(tfd_, &n, sizeof n) > 0) {
  }
  armed_for_ = -1;  // expired: the next arm() must set it again
}

}  // namespace sigh::real
