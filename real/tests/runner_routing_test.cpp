// Every target kind routed by the real master (strict: S1, S2, S12).
#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

TEST(RunnerRouting, EveryTargetKind) {
  Scenario s = load(R"(
name: real-targets
profiles: [strict]
topology:
  workers: 3
  mules: 3
  programmed_mules: [3]
  farms: [{name: a, mules: [1, 2]}]
  spoolers: 1
duration: 1200ms
registrations:
  - {signal: 1, target: worker, by: master}
  - {signal: 2, target: workers, by: master}
  - {signal: 3, target: worker2, by: master}
  - {signal: 4, target: mules, by: master}
  - {signal: 5, target: mule1, by: master}
  - {signal: 6, target: mule, by: master}
  - {signal: 7, target: farm_a, by: master}
  - {signal: 8, target: spooler, by: master}
  - {signal: 9, target: active-workers, by: master}
  - {signal: 10, target: farm1, by: master}
  - {signal: 11, target: worker3, by: worker1}
  - {signal: 12, target: "worker1x", by: master, unchecked: true}
  - {signal: 13, target: worker, by: mule1}
script:
  - {at: 100ms, raise: 1, from: worker1, count: 4}
  - {at: 100ms, raise: 2, from: worker1}
  - {at: 100ms, raise: 3, from: master}
  - {at: 100ms, raise: 4, from: mule2}
  - {at: 100ms, raise: 5, from: spooler1}
  - {at: 100ms, raise: 6, from: worker3, count: 2}
  - {at: 100ms, raise: 7, from: worker1}
  - {at: 100ms, raise: 8, from: worker1}
  - {at: 100ms, raise: 9, from: worker1}
  - {at: 100ms, raise: 10, from: worker1}
  - {at: 100ms, raise: 11, from: worker2}
expect:
  - handled: {signal: 1, by: "worker*", count: 4}
  - handled: {signal: 2, by: worker1, count: 1}
  - handled: {signal: 2, by: worker2, count: 1}
  - handled: {signal: 2, by: worker3, count: 1}
  - handled: {signal: 3, by: worker2, count: 1}
  - handled: {signal: 3, by: "*", count: 1}
  - handled: {signal: 4, by: mule1, count: 1}
  - handled: {signal: 4, by: mule2, count: 1}
  - never: {signal: 4, by: mule3}
  - handled: {signal: 5, by: mule1, count: 1}
  - handled: {signal: 6, by: "mule*", count: 2}
  - handled: {signal: 7, by: "mule*", count: 1}
  - handled: {signal: 8, by: spooler1, count: 1}
  - handled: {signal: 9, by: "worker*", count: 3}
  - handled: {signal: 10, by: "mule*", count: 1}
  - event: {kind: register-error, signal: 12, count: 1}
  - event: {kind: register-error, signal: 13, by: mule1, count: 1}
  - event: {kind: deliver, signal: 11, by: worker3, queue: worker3, count: 1}
  - event: {kind: unhandled, signal: 11, by: worker3, count: 1}
  - event: {kind: reject, count: 0}
)");
  RunResult r = run_and_check(s);
  // S1: the worker-side registration's target (worker3) is honoured; only worker1 has the handler.
  EXPECT_EQ(count(r.trace, EventKind::route, 11, "master"), 1);
  // Signal 6 goes to the mule pool: signal-only mules 1 and 2 (mule3 is programmed, not waiting).
  EXPECT_EQ(count(r.trace, EventKind::handler_start, 6, "mule3"), 0);
  EXPECT_EQ(r.trace.header.backend, "real");
  EXPECT_EQ(r.trace.header.profile, "strict");
  EXPECT_EQ(r.stats.spawned, 7);
  EXPECT_EQ(r.stats.reaped, r.stats.spawned);
}

TEST(RunnerRouting, RegistrationAtRunTimeReregisterAndUnregister) {
  Scenario s = load(R"(
name: real-registration
profiles: [strict]
topology: {workers: 2}
duration: 1200ms
registrations:
  - {signal: 20, target: worker1, by: master}
script:
  - {at: 100ms, raise: 20, from: worker2}
  - {at: 300ms, register: {signal: 20, target: worker2, by: master}}
  - {at: 400ms, raise: 20, from: worker1}
  - {at: 600ms, unregister: 20, by: master}
  - {at: 700ms, raise: 20, from: worker1}
  - {at: 700ms, wait: 20, process: worker2}
expect:
  - handled: {signal: 20, by: worker1, count: 1}
  - handled: {signal: 20, by: worker2, count: 1}
  - event: {kind: unregister, signal: 20, count: 1}
  - wait: {by: worker2, returns: [20]}
)");
  run_and_check(s);
}

}  // namespace
}  // namespace sigh::real::testing
