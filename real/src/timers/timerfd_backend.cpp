// One timerfd per timer, relative CLOCK_MONOTONIC with it_interval (never TFD_TIMER_ABSTIME:
// libfaketime cannot translate absolute monotonic timers, anchors.md §3.5). All timerfds sit in
// one inner epoll fd, which is what fd() exposes. The 8-byte expiration count is reported, not
// discarded (S8: coalescing is said, not hidden).
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>

#include "timers/backends.h"

namespace sigh::real::detail {
namespace {

class TimerFdBackend final : public TimerBackend {
 public:
  TimerFdBackend() : ep_(epoll_create1(EPOLL_CLOEXEC)) {}
  ~TimerFdBackend() override {
    for (auto& [id, t] : timers_) close(t.fd);
    if (ep_ >= 0) close(ep_);
  }
  TimerFdBackend(const TimerFdBackend&) = delete;
  TimerFdBackend& operator=(const TimerFdBackend&) = delete;

  TimerBackendKind kind() const override { return TimerBackendKind::timerfd; }

  bool add(int id, Nanos period, int iterations, Nanos now) override {
    if (ep_ < 0 || period <= 0 || iterations < 0 || timers_.count(id)) return false;
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return false;
    itimerspec its{};
    its.it_value.tv_sec = period / kNsPerSec;
    its.it_value.tv_nsec = period % kNsPerSec;
    its.it_interval = its.it_value;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<std::uint64_t>(static_cast<std::uint32_t>(id));
    if (timerfd_settime(fd, 0, &its, nullptr) != 0 || epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      return false;
    }
    timers_.emplace(id, Timer{fd, period, iterations, 0, now, seq_++});
    return true;
  }

  bool remove(int id) override {
    auto it = timers_.find(id);
    if (it == timers_.end()) return false;
    close(it->second.fd);  // closing removes it from the epoll set
    timers_.erase(it);
    return true;
  }

  // Estimated from the arming time; the fd is the authority.
  std::optional<Nanos> next_timeout(Nanos now) const override {
    std::optional<Nanos> best;
    for (const auto& [id, t] : timers_) {
      Nanos since = now - t.armed_at;
      Nanos next = (since < 0 ? 0 : since / t.period + 1) * t.period;
      Nanos d = std::max<Nanos>(0, t.armed_at + next - now);
      if (!best || d < *best) best = d;
    }
    return best;
  }

  std::vector<TimerFire> expire(Nanos) override {
    // Only the timerfds the inner epoll reports ready are read: one syscall per expired timer,
    // not one per armed timer (10,000 armed timers would cost 10,000 reads per wake-up).
    std::vector<std::pair<std::uint64_t, TimerFire>> got;
    epoll_event evs[256];
    for (int n = 256; n == 256;) {
      n = epoll_wait(ep_, evs, 256, 0);
      for (int i = 0; i < n; ++i) {
        auto it = timers_.find(static_cast<int>(static_cast<std::uint32_t>(evs[i].data.u64)));
        if (it == timers_.end()) continue;
        Timer& t = it->second;
        std::uint64_t c = 0;
        if (read(t.fd, &c, sizeof c) == static_cast<ssize_t>(sizeof c) && c > 0) {
          ++t.done;
          got.push_back({t.seq, TimerFire{it->first, static_cast<std::int64_t>(c), t.done}});
        }
      }
    }
    std::sort(got.begin(), got.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<TimerFire> out;
    for (auto& [s, f] : got) {
      out.push_back(f);
      const Timer& t = timers_.at(f.id);
      if (t.iterations > 0 && t.done >= t.iterations) remove(f.id);
    }
    return out;
  }

  int fd() const override { return ep_; }
  std::size_t size() const override { return timers_.size(); }

 private:
  struct Timer {
    int fd;
    Nanos period;
    int iterations;
    int done;
    Nanos armed_at;
    std::uint64_t seq;
  };
  int ep_;
  std::uint64_t seq_ = 0;
  std::map<int, Timer> timers_;
};

}  // namespace

std::unique_ptr<TimerBackend> make_timerfd_backend() { return std::make_unique<TimerFdBackend>(); }

}  // namespace sigh::real::detail
