#include "conservation_checks.h"

#include <fmt/format.h>
#include <rapidcheck.h>

#include <map>

namespace sigh::prop {

// Bursts of raises into small queues while workers are busy; every request ends
// well before the run ends, so nothing can still be queued at the end. Then
// every raised byte must be handled, unhandled, dropped (uwsgi-2.0, with a
// reason) or rejected (strict) — and strict never drops.
int check_conservation_once(Profile profile, Mutation mutation) {
  Topology topo;
  topo.workers = *rc::gen::inRange(1, 4);
  topo.queue_capacity = *rc::gen::inRange(1, 9);
  Scenario sc = base_scenario(topo, profile);
  struct Reg {
    int sig;
    std::string target;
  };
  std::vector<Reg> regs = {{50, "worker"}};
  for (int w = 1; w <= topo.workers; ++w) regs.push_back({50 + w, fmt::format("worker{}", w)});
  for (const auto& r : regs) {
    Registration reg;
    reg.sig = static_cast<SignalNumber>(r.sig);
    reg.target = r.target;
    sc.registrations.push_back(reg);
  }
  int actions = *rc::gen::inRange(1, 8);
  Nanos t = kStep;
  std::map<int, int> raised;
  for (int i = 0; i < actions; ++i) {
    t += kStep;
    if (*rc::gen::inRange(0, 3) == 0) {
      int w = *rc::gen::inRange(1, topo.workers + 1);
      sc.script.push_back({{}, t, RequestAction{w, true, *rc::gen::inRange<Nanos>(1, 10) * kStep}});
    } else {
      const Reg& r = *rc::gen::elementOf(regs);
      int from = *rc::gen::inRange(1, topo.workers + 1);
      int count = *rc::gen::inRange(1, 25);
      sc.script.push_back(
          {{}, t, RaiseAction{static_cast<SignalNumber>(r.sig), ProcessId::worker(from), count}});
      raised[r.sig] += count;
    }
  }
  g_case_size = actions;
  sc.duration = t + 20 * kStep;  // requests last at most 1 s: everything drains
  auto result = run(sc, profile, *rc::gen::inRange<std::uint64_t>(1, 1000));
  RC_LOG() << counterexample(sc, profile, 1);
  for (const auto& [sig, n] : raised) {
    int handled = count_events(result.trace, EventKind::handler_start, sig);
    int unhandled = count_events(result.trace, EventKind::unhandled, sig);
    int dropped = count_events(result.trace, EventKind::drop, sig);
    int rejected = count_events(result.trace, EventKind::reject, sig);
    if (mutation == Mutation::queue_unbounded) {
      RC_ASSERT(handled + unhandled == n);
    } else {
      RC_ASSERT(handled + unhandled + dropped + rejected == n);
    }
    if (profile == Profile::strict) RC_ASSERT(dropped == 0);  // S4: nothing dropped silently
    if (profile == Profile::uwsgi_2_0) RC_ASSERT(rejected == 0);
  }
  RC_TAG(result.stats.probes.count("queue-full") ? "queue-full" : "no-overflow");
  return actions;
}

}  // namespace sigh::prop
