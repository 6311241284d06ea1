#include "wait_checks.h"

#include <rapidcheck.h>

#include <algorithm>
#include <vector>

namespace sigh::prop {

// worker1 enters signal_wait (any, or a specific number n); other workers raise
// a sequence of unregistered signals, then n. What must come back:
//  strict   : S5/S6 — worker1's wait returns exactly once; for wait(n) with n,
//             for wait(any) with the first raised; signal_received() then reads it.
//  uwsgi-2.0: U6/U7 — the wait returns at most once (with n for wait(n)), and
//             every unregistered byte is consumed exactly once (by the waiter,
//             or with an error by an idle worker that won the read).
int check_wait_once(Profile profile, Mutation mutation) {
  Topology topo;
  topo.workers = *rc::gen::inRange(2, 5);
  Scenario sc = base_scenario(topo, profile);
  bool specific = *rc::gen::arbitrary<bool>();
  const int n = 77;
  Nanos t = kStep;
  sc.script.push_back({{}, t, ReceivedAction{ProcessId::worker(1)}});
  t += kStep;
  WaitAction w{ProcessId::worker(1), std::nullopt};
  if (specific) w.sig = static_cast<SignalNumber>(n);
  sc.script.push_back({{}, t, w});
  std::vector<int> others = *rc::gen::container<std::vector<int>>(rc::gen::inRange(40, 50));
  if (!specific && others.empty()) others.push_back(41);
  for (int sig : others) {
    t += kStep;
    int from = *rc::gen::inRange(2, topo.workers + 1);
    sc.script.push_back(
        {{}, t, RaiseAction{static_cast<SignalNumber>(sig), ProcessId::worker(from), 1}});
  }
  if (specific) {
    t += kStep;
    sc.script.push_back(
        {{}, t, RaiseAction{static_cast<SignalNumber>(n), ProcessId::worker(2), 1}});
  }
  t += kStep;
  sc.script.push_back({{}, t, ReceivedAction{ProcessId::worker(1)}});
  g_case_size = static_cast<int>(others.size()) + 3;
  sc.duration = t + 2 * kStep;
  auto result = run(sc, profile, *rc::gen::inRange<std::uint64_t>(1, 1000));
  RC_LOG() << counterexample(sc, profile, 1);

  std::vector<int> returns, received;
  for (const auto& e : result.trace.events) {
    if (e.kind == EventKind::wait_return && e.proc == "worker1" && e.sig) returns.push_back(*e.sig);
    if (e.kind == EventKind::received && e.proc == "worker1" && e.value)
      received.push_back(static_cast<int>(*e.value));
  }
  RC_ASSERT(received.size() == 2u);
  RC_ASSERT(received[0] == (profile == Profile::strict ? -1 : 0));  // S6 / U7 before any wait
  int expected_return = specific ? n : others.front();
  if (mutation == Mutation::wait_ignores_number && specific && !others.empty())
    expected_return = others.front();
  if (profile == Profile::strict) {
    RC_ASSERT(returns == std::vector<int>{expected_return});
  } else {
    // U6: idle workers compete for the pool; the waiter may lose every byte.
    RC_ASSERT(returns.size() <= 1u);
    if (specific && !returns.empty()) RC_ASSERT(returns.front() == n);
    std::vector<int> all = others;
    if (specific) all.push_back(n);
    for (int sig : all) {
      int consumed = count_events(result.trace, EventKind::wait_return, sig) +
                     count_events(result.trace, EventKind::unhandled, sig) +
                     count_events(result.trace, EventKind::drop, sig);
      int raised = static_cast<int>(std::count(all.begin(), all.end(), sig));
      RC_ASSERT(consumed == raised);
    }
  }
  if (profile == Profile::strict)
    RC_ASSERT(received[1] == expected_return);  // S6: last number waited for
  return static_cast<int>(others.size()) + 3;
}

}  // namespace sigh::prop
