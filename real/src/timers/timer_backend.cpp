#include "sigharness/real/timer_backend.h"

#include "timers/backends.h"

namespace sigh::real {

std::string_view timer_backend_name(TimerBackendKind k) {
  switch (k) {
    case TimerBackendKind::timerfd:
      return "timerfd";
    case TimerBackendKind::rbtree:
      return "rbtree";
    case TimerBackendKind::wheel:
      return "wheel";
  }
  return "?";
}

std::optional<TimerBackendKind> parse_timer_backend(std::string_view s) {
  for (auto k : {TimerBackendKind::timerfd, TimerBackendKind::rbtree, TimerBackendKind::wheel})
    if (timer_backend_name(k) == s) return k;
  return std::nullopt;
}

std::unique_ptr<TimerBackend> make_timer_backend(TimerBackendKind k) {
  switch (k) {
    case TimerBackendKind::timerfd:
      return detail::make_timerfd_backend();
    case TimerBackendKind::rbtree:
      return detail::make_rbtree_backend();
    case TimerBackendKind::wheel:
      return detail::make_wheel_backend();
  }
  return nullptr;
}

}  // namespace sigh::real
