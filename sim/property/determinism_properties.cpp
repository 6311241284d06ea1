// Determinism self-check: the same scenario and seed give the same trace,
// event for event; a mismatch names the first diverging event.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "chaos_gen.h"

namespace sigh::prop {

RC_GTEST_PROP(Determinism, SameSeedSameTrace, ()) {
  ChaosCase c = *gen_chaos_case();
  auto a = run_chaos(c);
  auto b = run_chaos(c);
  RC_LOG() << counterexample(c.scenario, c.profile, c.seed)
           << (c.faults ? "(with --faults)\n" : "");
  std::size_t i = 0;
  while (i < a.trace.events.size() && i < b.trace.events.size() &&
         a.trace.events[i] == b.trace.events[i])
    ++i;
  if (i < std::max(a.trace.events.size(), b.trace.events.size())) {
    RC_FAIL("first diverging event #" + std::to_string(i) + ": " +
            (i < a.trace.events.size() ? trace_event_to_json(a.trace.events[i]) : "<end>") +
            " vs " +
            (i < b.trace.events.size() ? trace_event_to_json(b.trace.events[i]) : "<end>"));
  }
  RC_ASSERT(trace_hash(a.trace) == trace_hash(b.trace));
}

TEST(Determinism, DifferentSeedsVaryPoolChoices) {
  Topology topo;
  topo.workers = 4;
  Scenario sc = base_scenario(topo, Profile::strict);
  Registration r;
  r.sig = 1;
  r.target = "worker";
  sc.registrations.push_back(r);
  for (int i = 0; i < 20; ++i)
    sc.script.push_back({{}, (i + 1) * kStep, RaiseAction{1, ProcessId::worker(1 + i % 4), 1}});
  sc.duration = 30 * kStep;
  std::set<std::string> spreads;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    std::string spread;
    for (const auto& e : run(sc, Profile::strict, seed).trace.events)
      if (e.kind == EventKind::handler_start) spread += e.proc.back();
    spreads.insert(spread);
  }
  EXPECT_GE(spreads.size(), 4u) << "8 seeds should give visibly different pool choices";
}

}  // namespace sigh::prop
