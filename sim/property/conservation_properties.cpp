#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "conservation_checks.h"

namespace sigh::prop {
RC_GTEST_PROP(Conservation, EveryRaisedByteIsAccountedForStrict, ()) {
  check_conservation_once(Profile::strict, Mutation::none);
}
RC_GTEST_PROP(Conservation, EveryRaisedByteIsAccountedForUwsgi, ()) {
  check_conservation_once(Profile::uwsgi_2_0, Mutation::none);
}
}  // namespace sigh::prop
