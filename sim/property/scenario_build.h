#pragma once
// Helpers shared by the property tests: building scenarios from generated
// commands, running the simulator, and reading counts out of a trace.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sigharness/scenario.h"
#include "sigharness/sim/simulator.h"
#include "sigharness/trace.h"

namespace sigh::prop {

// The size (commands, timers, actions) of the case being checked; set by each
// check function once its case is generated. The mutant tests read it.
inline int g_case_size = -1;

inline constexpr Nanos kStep = 100 * kNsPerMs;  // commands are 100 ms apart: no hop races

// A model rule flipped on purpose, to show each property can fail.
enum class Mutation {
  none,
  workers_skip_last,        // `workers` misses the highest worker
  pool_always_worker1,      // pool bytes go to worker1 only
  active_includes_cheaped,  // `active-workers` reaches cheaped workers
  rb_extra_iteration,       // counted rb_timers fire one more time
  wait_ignores_number,      // signal_wait(n) returns on any signal
  queue_unbounded,          // the model forgets queue capacity (predicts no loss)
};

Scenario base_scenario(const Topology& topo, Profile profile);
sim::SimResult run(const Scenario& sc, Profile profile, std::uint64_t seed = 1);

// Handler runs per (signal, process).
std::map<std::pair<int, std::string>, int> handled_counts(const Trace& t);
int count_events(const Trace& t, EventKind kind, int sig = -1, const std::string& proc = "");

// A compact, ready-to-run YAML of a counterexample, plus the reproduce line.
std::string counterexample(const Scenario& sc, Profile profile, std::uint64_t seed);

}  // namespace sigh::prop
