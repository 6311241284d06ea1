#pragma once
// One interface for the master's periodic timers, three implementations:
//   timerfd  — one Linux timerfd per timer (relative CLOCK_MONOTONIC, never TFD_TIMER_ABSTIME),
//              all nested in one epoll fd; missed expirations coalesce (value = expirations).
//   rbtree   — std::multimap keyed by due time (libstdc++'s multimap IS a red-black tree);
//              fires every exact multiple of the period from arming, one fire per multiple.
//   wheel    — hierarchical timing wheel (4 levels x 64 slots, 1 ms tick); same firing rule as
//              rbtree, but due times are rounded up to the tick.
// Times are integer nanoseconds on one monotonic timeline chosen by the caller ("now").
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "sigharness/duration.h"

namespace sigh::real {

enum class TimerBackendKind { timerfd, rbtree, wheel };
std::string_view timer_backend_name(TimerBackendKind k);  // "timerfd" | "rbtree" | "wheel"
std::optional<TimerBackendKind> parse_timer_backend(std::string_view s);

struct TimerFire {
  int id = 0;
  std::int64_t expirations = 1;  // > 1 only for backends that coalesce (timerfd)
  int iteration = 0;             // 1-based count of fires of this timer so far
};

class TimerBackend {
 public:
  virtual ~TimerBackend() = default;
  virtual TimerBackendKind kind() const = 0;
  // Arms timer `id` at `now`: first expiry at now + period, then every period.
  // iterations: 0 = forever, N = stop after N fires. False (nothing armed) when period <= 0,
  // iterations < 0, the id is already in use, or the OS refuses.
  virtual bool add(int id, Nanos period, int iterations, Nanos now) = 0;
  virtual bool remove(int id) = 0;
  // Nanoseconds from `now` to the next expiry (0 if overdue); nullopt when nothing is armed.
  virtual std::optional<Nanos> next_timeout(Nanos now) const = 0;
  // Everything due at `now`, in due order (ties: insertion order). Finished timers are removed.
  virtual std::vector<TimerFire> expire(Nanos now) = 0;
  // A pollable fd that becomes readable when something expires, or -1 (use next_timeout).
  virtual int fd() const = 0;
  virtual std::size_t size() const = 0;  // armed timers
};

std::unique_ptr<TimerBackend> make_timer_backend(TimerBackendKind k);

}  // namespace sigh::real
