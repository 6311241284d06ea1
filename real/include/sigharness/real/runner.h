#pragma once
// Replays a scenario on the real forking implementation (strict profile) and
// returns a trace in the shared format.
#include <cstdint>
#include <string>

#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::real {

struct RunOptions {
  Nanos timeout = 60 * kNsPerSec;   // hard bound on one run (real time)
  double time_scale = 1.0;          // virtual seconds of the scenario per real second (<=1: slower)
  bool faketime = false;            // run under libfaketime (cron scenarios)
};

struct RunResult {
  bool skipped = false;
  std::string skip_reason;  // why the scenario cannot run for real
  Trace trace;
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace sigh::real
