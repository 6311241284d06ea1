// signal_wait any / n, signal_received (S6), unregistered signals held for waiters (S5), and a
// programmed mule running user code through ProcessApi.
#include <atomic>

#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

TEST(RunnerWait, WaitNumberRunsOtherHandlersAndReceived) {
  Scenario s = load(R"(
name: real-wait-number
profiles: [strict]
topology: {workers: 2}
duration: 1200ms
registrations:
  - {signal: 5, target: worker1, by: master}
  - {signal: 6, target: worker1, by: master}
script:
  - {at: 50ms, received: worker1}
  - {at: 200ms, wait: 5, process: worker1}
  - {at: 300ms, raise: 6, from: worker2, count: 2}
  - {at: 400ms, raise: 5, from: worker2}
  - {at: 600ms, wait: any, process: worker1}
  - {at: 700ms, raise: 6, from: worker2}
  - {at: 900ms, received: worker1}
expect:
  - order: {by: worker1, signals: [6, 6, 5, 6]}
  - wait: {by: worker1, returns: [5, 6]}
  - received: {by: worker1, values: [-1, 6]}
)");
  run_and_check(s);
}

TEST(RunnerWait, UnregisteredSignalsReachOnlyWaiters) {
  Scenario s = load(R"(
name: real-unregistered
profiles: [strict]
topology: {workers: 3, mules: 1, programmed_mules: [1]}
duration: 1500ms
script:
  - {at: 100ms, raise: 121, from: worker2}
  - {at: 100ms, raise: 122, from: worker2}
  - {at: 400ms, wait: 121, process: worker1}
  - {at: 400ms, wait: 130, process: worker3}
  - {at: 600ms, wait: any, process: mule1}
  - {at: 900ms, raise: 130, from: worker2}
  - {at: 1000ms, received: mule1}
expect:
  - wait: {by: worker1, returns: [121]}
  - wait: {by: mule1, returns: [122]}
  - wait: {by: worker3, returns: [130]}
  - received: {by: mule1, values: [122]}
  - event: {kind: unhandled, count: 0}
  - event: {kind: wait-return, signal: 121, count: 1, from: 400ms}
)");
  run_and_check(s);
}

TEST(RunnerWait, ProgrammedMuleRunsUserCode) {
  Scenario s = load(R"(
name: real-mule-program
profiles: [strict]
topology: {workers: 1, mules: 1, programmed_mules: [1], farms: [{name: f, mules: [1]}]}
duration: 1200ms
registrations:
  - {signal: 70, target: farm_f, by: master}
  - {signal: 71, target: worker1, by: master}
script:
  - {at: 300ms, raise: 70, from: worker1}
expect:
  - handled: {signal: 70, by: mule1, count: 1}
  - wait: {by: mule1, returns: [70]}
  - handled: {signal: 71, by: worker1, count: 1}
  - event: {kind: note, by: mule1, detail: timed out, count: 1}
)");
  RunOptions o;
  o.mule_programs[1] = [](ProcessApi& api) {
    // S12: a programmed farm member reads the farm queue inside signal_wait.
    if (api.signal_wait(70) == 70 && api.signal_received() == 70) api.raise(71);
    api.signal_wait(99, 200 * kNsPerMs);  // nothing comes: bounded wait returns -1
  };
  run_and_check(s, o);
}

}  // namespace
}  // namespace sigh::real::testing
