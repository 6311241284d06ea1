// Behaviour of the simulator on small hand-built scenarios, rule by rule.
#include "sigharness/sim/simulator.h"

#include <gtest/gtest.h>

namespace sigh::sim {
namespace {

Scenario base(int workers) {
  Scenario s;
  s.name = "t";
  s.profiles = {Profile::strict, Profile::uwsgi_2_0};
  s.topology.workers = workers;
  s.duration = 2 * kNsPerSec;
  return s;
}

void reg(Scenario& s, int sig, std::string target, ProcessId by = ProcessId::master()) {
  Registration r;
  r.sig = static_cast<SignalNumber>(sig);
  r.target = std::move(target);
  r.by = by;
  s.registrations.push_back(r);
}

void raise(Scenario& s, Nanos at, int sig, int from, int count = 1) {
  s.script.push_back(
      {{}, at, RaiseAction{static_cast<SignalNumber>(sig), ProcessId::worker(from), count}});
}

int count(const Trace& t, EventKind k, int sig = -1, const std::string& proc = "") {
  int n = 0;
  for (const auto& e : t.events)
    if (e.kind == k && (sig < 0 || e.sig == sig) && (proc.empty() || e.proc == proc)) ++n;
  return n;
}

Trace run(const Scenario& s, Profile p, std::uint64_t seed = 1) {
  SimOptions o;
  o.profile = p;
  o.seed = seed;
  return run_scenario(s, o).trace;
}

}  // namespace

TEST(Simulator, PoolByteGoesToExactlyOneReader) {
  Scenario s = base(4);
  reg(s, 1, "worker");
  raise(s, 100 * kNsPerMs, 1, 1, 50);
  for (Profile p : {Profile::strict, Profile::uwsgi_2_0}) {
    Trace t = run(s, p);
    EXPECT_EQ(count(t, EventKind::deliver, 1), 50);
    EXPECT_EQ(count(t, EventKind::handler_start, 1), 50);
  }
}

TEST(Simulator, SameSeedSameTraceDifferentSeedsDiffer) {
  Scenario s = base(4);
  reg(s, 1, "worker");
  for (int i = 0; i < 30; ++i) raise(s, (i + 1) * 10 * kNsPerMs, 1, 1 + i % 4);
  EXPECT_EQ(trace_hash(run(s, Profile::strict, 9)), trace_hash(run(s, Profile::strict, 9)));
  EXPECT_NE(trace_hash(run(s, Profile::strict, 9)), trace_hash(run(s, Profile::strict, 10)));
}

TEST(Simulator, BusyWorkerReadsOnlyAfterItsRequest) {
  Scenario s = base(1);
  reg(s, 2, "worker1");
  s.script.push_back({{}, 100 * kNsPerMs, RequestAction{1, true, 500 * kNsPerMs}});
  raise(s, 200 * kNsPerMs, 2, 1);
  Trace t = run(s, Profile::strict);
  for (const auto& e : t.events) {
    if (e.kind == EventKind::handler_start) {
      EXPECT_GE(e.t, 600 * kNsPerMs);
    }
  }
  EXPECT_EQ(count(t, EventKind::handler_start, 2), 1);
}

TEST(Simulator, FullQueueDropsOrRejectsByProfile) {
  Scenario s = base(1);
  s.topology.queue_capacity = 5;
  reg(s, 3, "worker1");
  s.script.push_back({{}, 100 * kNsPerMs, RequestAction{1, true, 500 * kNsPerMs}});
  for (int i = 0; i < 8; ++i) raise(s, (200 + i * 10) * kNsPerMs, 3, 1);
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, EventKind::handler_start, 3), 5);
  EXPECT_EQ(count(u, EventKind::drop, 3), 3);
  EXPECT_EQ(count(u, EventKind::reject, 3), 0);
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, EventKind::handler_start, 3), 5);
  EXPECT_EQ(count(st, EventKind::reject, 3), 3);
  EXPECT_EQ(count(st, EventKind::drop, 3), 0);
}

TEST(Simulator, WorkerSideTargetIgnoredOnlyInUwsgi) {
  Scenario s = base(3);
  reg(s, 4, "worker3", ProcessId::worker(3));
  raise(s, 100 * kNsPerMs, 4, 1, 9);
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, EventKind::handler_start, 4, "worker3"), 9);
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, EventKind::route, 4), 9);
  EXPECT_EQ(count(u, EventKind::handler_start, 4) + count(u, EventKind::unhandled, 4), 9);
  EXPECT_GT(count(u, EventKind::unhandled, 4), 0);  // other workers eat some (seed 1)
}

TEST(Simulator, UndefinedBehaviourIsReportedNotInvented) {
  Scenario s = base(2);
  reg(s, 5, "worker9");
  raise(s, 100 * kNsPerMs, 5, 1);
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, EventKind::undefined_behaviour, 5), 1);
  EXPECT_EQ(count(u, EventKind::handler_start), 0);
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, EventKind::register_error, 5), 1);
}

TEST(Simulator, KernelTimerCoalescesDuringMasterStall) {
  // Faults on, master stall forced by a seed search: expirations pile up and
  // are reported as one timer-fire with value > 1.
  Scenario s = base(1);
  s.duration = 120 * kNsPerSec;
  reg(s, 6, "worker");
  TimerSource t;
  t.sig = 6;
  t.period = kNsPerSec;
  s.timers.push_back(t);
  bool saw_overrun = false;
  for (std::uint64_t seed = 1; seed < 64 && !saw_overrun; ++seed) {
    SimOptions o;
    o.profile = Profile::uwsgi_2_0;
    o.seed = seed;
    o.faults.enabled = true;
    auto r = run_scenario(s, o);
    for (const auto& e : r.trace.events) {
      if (e.kind == EventKind::timer_fire && e.value && *e.value > 1) saw_overrun = true;
    }
    if (saw_overrun) {
      EXPECT_GT(r.stats.probes["timer-overrun"], 0u);
    }
  }
  EXPECT_TRUE(saw_overrun);
}

TEST(Simulator, RecordTraceOffKeepsStats) {
  Scenario s = base(2);
  s.topology.queue_capacity = 100000;
  reg(s, 7, "worker");
  raise(s, 10 * kNsPerMs, 7, 1, 1000);
  SimOptions o;
  o.record_trace = false;
  auto r = run_scenario(s, o);
  EXPECT_TRUE(r.trace.events.empty());
  EXPECT_EQ(r.stats.routed, 1000u);
  EXPECT_EQ(r.stats.handled, 1000u);
}

}  // namespace sigh::sim
