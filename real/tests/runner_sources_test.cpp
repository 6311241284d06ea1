// Master-side sources: kernel timers (timerfd), rb_timers (one-shot, counted, sub-second),
// file monitors (inotify, S10) and cron on the fake wall clock (S9, clock steps).
#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

TEST(RunnerSources, TimersAndRbTimers) {
  Scenario s = load(R"(
name: real-timers
profiles: [strict]
topology: {workers: 2}
duration: 1100ms
registrations:
  - {signal: 30, target: worker, by: master}
  - {signal: 31, target: worker, by: master}
  - {signal: 32, target: worker, by: master}
  - {signal: 33, target: workers, by: master}
timers:
  - {signal: 30, period: 250ms}
  - {signal: 31, period: 200ms, rb: true, iterations: 1}
  - {signal: 32, period: 100ms, rb: true, iterations: 3, at: 300ms}
  - {signal: 33, period: 300ms, rb: true}
  - {signal: 34, period: 0s, rb: true}
expect:
  - event: {kind: timer-fire, signal: 30, min: 3, max: 4}
  - handled: {signal: 31, by: "worker*", count: 1}
  - event: {kind: rbtimer-fire, signal: 32, count: 3}
  - handled: {signal: 32, by: "worker*", count: 3, from: 350ms, until: 700ms}
  - handled: {signal: 33, by: worker1, count: 3}
  - handled: {signal: 33, by: worker2, count: 3}
  - event: {kind: note, signal: 34, count: 1}
)");
  for (auto backend : {TimerBackendKind::rbtree, TimerBackendKind::wheel}) {
    RunOptions o;
    o.rb_timer_backend = backend;
    RunResult r = run_and_check(s, o);
    EXPECT_EQ(count(r.trace, EventKind::timer_fire, 30), count(r.trace, EventKind::route, 30))
        << timer_backend_name(backend);
  }
}

TEST(RunnerSources, FileMonitorsFireOncePerTouchPerMonitor) {
  Scenario s = load(R"(
name: real-monitors
profiles: [strict]
topology: {workers: 1}
duration: 800ms
files: [/app/reload, /app/other]
registrations:
  - {signal: 40, target: worker1, by: master}
  - {signal: 41, target: worker1, by: master}
  - {signal: 42, target: worker1, by: master}
monitors:
  - {signal: 40, path: /app/reload}
  - {signal: 41, path: /app/reload}
  - {signal: 42, path: /app/other, iterations: 1}
  - {signal: 43, path: /app/missing}
script:
  - {at: 100ms, touch: /app/reload}
  - {at: 100ms, touch: /app/other}
  - {at: 300ms, touch: /app/reload}
  - {at: 300ms, touch: /app/other}
expect:
  - handled: {signal: 40, by: worker1, count: 2}
  - handled: {signal: 41, by: worker1, count: 2}
  - handled: {signal: 42, by: worker1, count: 1}
  - event: {kind: monitor-fire, detail: /app/reload, count: 4}
  - event: {kind: note, signal: 43, detail: does not exist, count: 1}
)");
  run_and_check(s);
}

TEST(RunnerSources, CronOnTheFakeWallClock) {
  // Starts 2 s before 00:01. Minute 00:00 fires at start; 00:01 fires ~2 s in; a +1 h step fires
  // 01:01; a step back never re-fires a minute (S9).
  Scenario s = load(R"(
name: real-cron
profiles: [strict]
topology: {workers: 1}
duration: 3500ms
wall_start: "2030-01-01T00:00:58Z"
registrations:
  - {signal: 50, target: worker1, by: master}
crons:
  - {signal: 50, minute: -1, hour: -1, day: -1, month: -1, weekday: -1}
  - {signal: 51, minute: 1, hour: 0, day: -1, month: -1, weekday: -1}
script:
  - {at: 2500ms, clock_step: 3600s}
  - {at: 3000ms, clock_step: -7200s}
expect:
  - event: {kind: cron-fire, signal: 50, count: 3}
  - event: {kind: cron-fire, signal: 51, count: 1, from: 1900ms, until: 2400ms}
  - handled: {signal: 50, by: worker1, count: 3}
  - event: {kind: clock-step, count: 2}
)");
  RunResult r = run_and_check(s);
  std::vector<std::int64_t> walls;
  for (const auto& e : r.trace.events)
    if (e.kind == EventKind::cron_fire && e.sig == 50 && e.wall) walls.push_back(*e.wall / 60);
  const std::int64_t m0 = 1893456000 / 60;
  EXPECT_EQ(walls, (std::vector<std::int64_t>{m0, m0 + 1, m0 + 61}));
}

TEST(RunnerSources, CronAtATimeScale) {
  // Three wall-clock minutes (from 00:00:57) in 3 s of real time at scale 60. The spec's scale
  // is used unless the caller sets one; the trace says the run was scaled.
  Scenario s = load(R"(
name: real-cron-scaled
profiles: [strict]
topology: {workers: 1}
duration: 150s
wall_start: "2030-01-01T00:00:57Z"
real_time_scale: 60
registrations:
  - {signal: 52, target: worker1, by: master}
crons:
  - {signal: 52, minute: -1, hour: -1, day: -1, month: -1, weekday: -1}
script:
  - {at: 100s, clock_step: -50s}
expect:
  - event: {kind: cron-fire, signal: 52, count: 3}
  - event: {kind: cron-fire, signal: 52, count: 1, from: 3s, until: 5s}
  - event: {kind: cron-fire, signal: 52, count: 1, from: 63s, until: 65s}
  - handled: {signal: 52, by: worker1, count: 3}
  - event: {kind: note, detail: time scale 60, count: 1}
)");
  RunResult r = run_and_check(s);  // not skipped: 150 s at scale 1 would be past the 120 s limit
  std::vector<std::int64_t> walls;
  for (const auto& e : r.trace.events)
    if (e.kind == EventKind::cron_fire && e.wall) walls.push_back(*e.wall / 60);
  const std::int64_t m0 = 1893456000 / 60;  // 00:00; the step back at 100 s re-enters 00:01
  EXPECT_EQ(walls, (std::vector<std::int64_t>{m0, m0 + 1, m0 + 2}));

  // The system wall clock runs at real speed: a scaled cron scenario cannot use it.
  Scenario no_step = s;
  no_step.script.clear();
  RunOptions sys;
  sys.wall_clock = WallClockMode::system;
  r = run_scenario(no_step, sys);
  EXPECT_TRUE(r.skipped);
  EXPECT_NE(r.skip_reason.find("time scale 60"), std::string::npos) << r.skip_reason;
  // A caller's scale overrides the spec's: at 1 the 150 s run is past the real-time limit.
  RunOptions slow;
  slow.time_scale = 1.0;
  r = run_scenario(s, slow);
  EXPECT_TRUE(r.skipped);
  EXPECT_NE(r.skip_reason.find("at time_scale 1 needs"), std::string::npos) << r.skip_reason;
}

TEST(RunnerSources, SkipsWhatCannotRunForReal) {
  Scenario s = load(R"(
name: real-too-long
profiles: [strict]
topology: {workers: 1}
duration: 10m
)");
  RunResult r = run_scenario(s, RunOptions{});
  EXPECT_TRUE(r.skipped);
  EXPECT_NE(r.skip_reason.find("raise time_scale"), std::string::npos) << r.skip_reason;
  Scenario step = load(R"(
name: real-step
profiles: [strict]
topology: {workers: 1}
duration: 1s
script:
  - {at: 100ms, clock_step: 60s}
)");
  RunOptions o;
  o.wall_clock = WallClockMode::system;
  r = run_scenario(step, o);
  EXPECT_TRUE(r.skipped);
  EXPECT_NE(r.skip_reason.find("clock_step"), std::string::npos) << r.skip_reason;
}

}  // namespace
}  // namespace sigh::real::testing
