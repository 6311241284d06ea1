// Lifecycle: cheaper (S7, active-workers), SIGKILL in the middle of a handler, crash in handler,
// respawn by pid (C7) and the row reset of a respawned worker (S11).
#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

TEST(RunnerLifecycle, CheapedWorkersAndActiveWorkers) {
  Scenario s = load(R"(
name: real-cheaper
profiles: [strict]
topology: {workers: 3, cheaper: {initial: 2}}
duration: 1500ms
registrations:
  - {signal: 9, target: active-workers, by: master}
  - {signal: 10, target: worker3, by: master}
  - {signal: 11, target: worker2, by: master}
  - {signal: 12, target: workers, by: master}
script:
  - {at: 100ms, raise: 9, from: worker1, count: 2}
  - {at: 100ms, raise: 10, from: worker1}
  - {at: 100ms, raise: 12, from: worker1}
  - {at: 300ms, spawn: worker3}
  - {at: 500ms, raise: 9, from: worker1}
  - {at: 700ms, request: start, worker: 2, duration: 1s}
  - {at: 800ms, raise: 11, from: worker1, count: 3}
  - {at: 1000ms, cheap: worker2}
  - {at: 1100ms, raise: 9, from: worker1}
expect:
  - handled: {signal: 9, by: worker1, count: 4}
  - handled: {signal: 9, by: worker2, count: 3}
  - handled: {signal: 9, by: worker3, count: 2}
  - rejected: {signal: 10, count: 1}
  - event: {kind: reject, signal: 10, detail: worker 3 is cheaped, count: 1}
  - handled: {signal: 12, by: worker3, count: 0}
  - handled: {signal: 12, by: "worker*", count: 2}
  - never: {signal: 11, by: worker2}
  - event: {kind: reject, signal: 11, detail: cheaped with backlog, count: 3}
  - event: {kind: cheap, by: worker2, count: 1}
  - event: {kind: respawn, count: 0}
)");
  run_and_check(s);
}

TEST(RunnerLifecycle, KilledInTheMiddleOfAHandlerLosesNothingElse) {
  Scenario s = load(R"(
name: real-kill-in-handler
profiles: [strict]
topology: {workers: 2}
duration: 1500ms
registrations:
  - {signal: 60, target: worker1, by: master, handler_duration: 400ms}
  - {signal: 61, target: worker1, by: master}
  - {signal: 62, target: worker2, by: master}
  - {signal: 63, target: worker, by: master}
script:
  - {at: 100ms, raise: 60, from: worker2}
  - {at: 200ms, raise: 61, from: worker2, count: 5}
  - {at: 200ms, raise: 62, from: master, count: 5}
  - {at: 300ms, kill: worker1}
  - {at: 600ms, raise: 63, from: master, count: 4}
expect:
  - event: {kind: handler-start, signal: 60, by: worker1, count: 1}
  - event: {kind: handler-end, signal: 60, detail: crash, count: 1}
  - event: {kind: kill, by: worker1, count: 1}
  - event: {kind: exit, by: worker1, count: 1}
  - event: {kind: respawn, by: worker1, count: 1}
  - handled: {signal: 61, by: worker1, count: 5}
  - handled: {signal: 62, by: worker2, count: 5}
  - handled: {signal: 63, by: "worker*", count: 4}
  - event: {kind: reject, count: 0}
)");
  RunResult r = run_and_check(s);
  EXPECT_EQ(count(r.trace, EventKind::spawn, -1, "worker1"), 2);
  EXPECT_EQ(r.stats.reaped, r.stats.spawned);
}

TEST(RunnerLifecycle, CrashInHandlerAndRowResetAfterRespawn) {
  Scenario s = load(R"(
name: real-crash
profiles: [strict]
topology: {workers: 2}
duration: 1500ms
registrations:
  - {signal: 150, target: worker1, by: master, crash: true, handler_duration: 50ms}
  - {signal: 151, target: worker1, by: master}
  - {signal: 152, target: worker1, by: worker1}
script:
  - {at: 100ms, raise: 152, from: worker2}
  - {at: 300ms, raise: 150, from: worker2}
  - {at: 310ms, raise: 151, from: worker2, count: 3}
  - {at: 800ms, raise: 152, from: worker2}
expect:
  - once: {signal: 150, by: worker1}
  - event: {kind: handler-end, signal: 150, detail: crash, count: 1}
  - event: {kind: exit, by: worker1, detail: crash in handler, count: 1}
  - event: {kind: respawn, by: worker1, count: 1}
  - handled: {signal: 151, by: worker1, count: 3}
  - handled: {signal: 152, by: worker1, count: 1, until: 300ms}
  - event: {kind: note, by: worker1, detail: handlers registered after fork are gone, count: 1}
  # the row reset removed the only registration of 152: it is now held for a waiter (S5)
  - event: {kind: route, signal: 152, detail: waiters, count: 1, from: 800ms}
)");
  run_and_check(s);
}

}  // namespace
}  // namespace sigh::real::testing
