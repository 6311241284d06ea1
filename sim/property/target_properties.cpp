// Property 1 and 3: target semantics and cheaped workers, under both profiles.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "target_model.h"

namespace sigh::prop {

RC_GTEST_PROP(TargetSemantics, EveryTargetReachesExactlyItsRecipientsStrict, ()) {
  check_targets_once(Profile::strict, Mutation::none);
}

RC_GTEST_PROP(TargetSemantics, EveryTargetReachesExactlyItsRecipientsUwsgi, ()) {
  check_targets_once(Profile::uwsgi_2_0, Mutation::none);
}

}  // namespace sigh::prop
