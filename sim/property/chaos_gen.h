#pragma once
// A "swarm" scenario generator: a bit of everything, with rare paths made
// likely (small queues, kills with backlog, cron around midnight, clock steps,
// fault points). Used by the determinism check and the coverage probes.
#include <rapidcheck.h>

#include "scenario_build.h"

namespace sigh::prop {

struct ChaosCase {
  Scenario scenario;
  Profile profile = Profile::strict;
  std::uint64_t seed = 1;
  bool faults = false;
};

rc::Gen<ChaosCase> gen_chaos_case();
sim::SimResult run_chaos(const ChaosCase& c);

}  // namespace sigh::prop
