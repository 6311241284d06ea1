#pragma once
// Factories for the three TimerBackend implementations (one file each).
#include <memory>

#include "sigharness/real/timer_backend.h"

namespace sigh::real::detail {
std::unique_ptr<TimerBackend> make_timerfd_backend();
std::unique_ptr<TimerBackend> make_rbtree_backend();
std::unique_ptr<TimerBackend> make_wheel_backend();
}  // namespace sigh::real::detail
