#pragma once
// Replays a scenario on the real forking implementation (strict profile) and
// returns a trace in the shared format.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "sigharness/real/process_api.h"
#include "sigharness/real/timer_backend.h"
#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::real {

enum class WallClockMode {
  fake,    // in-process: scenario wall_start + elapsed + clock_steps (shared by every process)
  system,  // CLOCK_REALTIME as is (e.g. under an external libfaketime); clock_step unsupported
};

struct RunOptions {
  Nanos timeout = 60 * kNsPerSec;  // hard bound on one run (real time)
  // Virtual seconds of the scenario per real second (<1: slower). Unset: the scenario's
  // real_time_scale. Timers, the script, handler durations and the fake wall clock all scale;
  // the trace is in virtual time and opens with a note naming the scale when it is not 1.
  std::optional<double> time_scale;
  bool faketime = false;  // run under libfaketime (cron scenarios): implies
                          // WallClockMode::system and needs LD_PRELOAD'ed libfaketime
  WallClockMode wall_clock = WallClockMode::fake;
  TimerBackendKind rb_timer_backend = TimerBackendKind::rbtree;
  std::uint64_t seed = 1;                     // waiter choice (S5)
  Nanos max_real_duration = 120 * kNsPerSec;  // longer scenarios are skipped, not run
  // Code for programmed mules (by mule id); without it a programmed mule follows the script.
  std::map<int, std::function<void(ProcessApi&)>> mule_programs;
  bool keep_temp_dir = false;  // debugging: leave the per-run temp dir (trace, files) behind
};

struct RunStats {
  std::int64_t routed = 0;    // signals the master routed
  std::int64_t rejected = 0;  // master-side rejections (queue-full, cheaped, no active worker...)
  std::int64_t spawned = 0;   // forks, respawns included
  std::int64_t reaped = 0;    // children reaped by pid
};

struct RunResult {
  bool skipped = false;
  std::string skip_reason;  // why the scenario cannot run for real
  Trace trace;
  RunStats stats;
  std::string temp_dir;     // the per-run directory (removed unless keep_temp_dir)
  double time_scale = 1.0;  // the scale the run used (the caller's, else the spec's)
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace sigh::real
