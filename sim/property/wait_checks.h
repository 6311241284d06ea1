#pragma once
#include "scenario_build.h"

namespace sigh::prop {
// Property 4: signal_wait / signal_received. Returns the counterexample size.
int check_wait_once(Profile profile, Mutation mutation);
}  // namespace sigh::prop
