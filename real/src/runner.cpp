// Interim runner until the forking framework lands: every scenario is reported
// as skipped with the reason, never as passed.
#include "sigharness/real/runner.h"

namespace sigh::real {

RunResult run_scenario(const Scenario&, const RunOptions&) {
  RunResult r;
  r.skipped = true;
  r.skip_reason = "the real forking backend is not part of this build yet";
  return r;
}

}  // namespace sigh::real
