#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "wait_checks.h"

namespace sigh::prop {
RC_GTEST_PROP(WaitReceived, WaitReturnsTheConsumedSignalStrict, ()) {
  check_wait_once(Profile::strict, Mutation::none);
}
RC_GTEST_PROP(WaitReceived, WaitReturnsTheConsumedSignalUwsgi, ()) {
  check_wait_once(Profile::uwsgi_2_0, Mutation::none);
}
}  // namespace sigh::prop
