#pragma once
#include "scenario_build.h"

namespace sigh::prop {
// Each returns the number of generated timers (the counterexample size).
int check_rb_timers_once(Profile profile, Mutation mutation);
int check_kernel_timer_once(Profile profile);
}  // namespace sigh::prop
