#pragma once
// The deterministic simulator's entry point. Same scenario + profile + seed
// => byte-identical trace.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::sim {

struct FaultConfig {
  bool enabled = false;  // when false, no fault point ever fires
  // Each site is switched on per seed with probability 1/4 and then fires with
  // probability per_mille/1000 at each opportunity (integers, no floats).
  int crash_in_handler_per_mille = 50;
  int slow_handler_per_mille = 100;
  int master_stall_per_mille = 20;
};

struct SimOptions {
  Profile profile = Profile::strict;
  std::uint64_t seed = 0;
  bool record_trace = true;  // false: count only (benchmarks)
  FaultConfig faults;
};

struct SimStats {
  std::uint64_t raised = 0;
  std::uint64_t routed = 0;     // bytes the master routed to a recipient queue
  std::uint64_t delivered = 0;  // bytes read by a recipient
  std::uint64_t handled = 0;    // handler runs
  std::uint64_t dropped = 0;
  std::uint64_t rejected = 0;
  std::uint64_t events = 0;  // scheduler events processed
  // (signal, process) -> handler runs, ordered for stable printing
  std::map<std::pair<int, std::string>, std::uint64_t> handled_by;
  // rare paths hit in this run ("queue-full", "timer-overrun", "cron-midnight",
  // "clock-step-back", "respawn-with-backlog", "pool-race")
  std::map<std::string, std::uint64_t> probes;
};

struct SimResult {
  Trace trace;
  SimStats stats;
};

SimResult run_scenario(const Scenario& scenario, const SimOptions& options);

}  // namespace sigh::sim
