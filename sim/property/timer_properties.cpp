// Property 2: rb_timers fire exactly as their iterations say, at the right
// virtual times; kernel timers fire once per period (no overrun without a stall).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "timer_checks.h"

namespace sigh::prop {

RC_GTEST_PROP(Timers, RbTimersFireIterationsTimesStrict, ()) {
  check_rb_timers_once(Profile::strict, Mutation::none);
}
RC_GTEST_PROP(Timers, RbTimersFireIterationsTimesUwsgi, ()) {
  check_rb_timers_once(Profile::uwsgi_2_0, Mutation::none);
}
RC_GTEST_PROP(Timers, KernelTimersFireOncePerPeriodStrict, ()) {
  check_kernel_timer_once(Profile::strict);
}
RC_GTEST_PROP(Timers, KernelTimersFireOncePerPeriodUwsgi, ()) {
  check_kernel_timer_once(Profile::uwsgi_2_0);
}

}  // namespace sigh::prop
