#pragma once
#include "scenario_build.h"

namespace sigh::prop {
// Property 5: conservation. Returns the counterexample size.
int check_conservation_once(Profile profile, Mutation mutation);
}  // namespace sigh::prop
