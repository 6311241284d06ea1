// Delivery: the pool race, determinism, busy workers, cheaper backlogs,
// signal_wait / signal_received, crashes in handlers and respawns.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "sim_test_util.h"

namespace sigh::sim {
namespace {
using namespace testing;

std::string serialise(const Trace& t) {
  std::ostringstream out;
  write_trace(out, t);
  return out.str();
}

TEST(Pool, EveryByteHasExactlyOneReader) {
  Scenario s = scenario(8);
  reg(s, 1, "worker").handler_duration = 3 * kNsPerMs;
  for (int i = 0; i < 40; ++i) raise(s, (10 + i) * kNsPerMs, 1, ProcessId::worker(1 + i % 8), 2);
  for (Profile p : {Profile::strict, Profile::uwsgi_2_0}) {
    SimOptions o;
    o.profile = p;
    o.seed = 5;
    auto r = run_scenario(s, o);
    EXPECT_EQ(count(r.trace, {EventKind::deliver, 1, "", "worker-pool"}), 80);
    EXPECT_EQ(count(r.trace, {EventKind::handler_start, 1}), 80);
    EXPECT_EQ(r.stats.delivered, 80u);
    EXPECT_GT(r.stats.probes["pool-race"], 0u);
    // No worker runs two handlers at once: starts and ends alternate per worker.
    std::map<std::string, int> open;
    for (const auto& e : r.trace.events) {
      if (e.kind == EventKind::handler_start) {
        EXPECT_EQ(open[e.proc]++, 0) << e.proc;
      }
      if (e.kind == EventKind::handler_end) {
        EXPECT_EQ(--open[e.proc], 0) << e.proc;
      }
    }
  }
}

TEST(Determinism, SameSeedIdenticalBytesDifferentSeedsDifferentWinners) {
  Scenario s = scenario(4);
  reg(s, 1, "worker");
  for (int i = 0; i < 50; ++i) raise(s, (i + 1) * 10 * kNsPerMs, 1, ProcessId::worker(1 + i % 4));
  for (Profile p : {Profile::strict, Profile::uwsgi_2_0}) {
    Trace a = run(s, p, 42), b = run(s, p, 42);
    EXPECT_EQ(serialise(a), serialise(b));
    EXPECT_EQ(trace_hash(a), trace_hash(b));
    std::set<std::vector<std::string>> winners;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      std::vector<std::string> w;
      for (const auto& e : select(run(s, p, seed), {EventKind::deliver, 1})) w.push_back(e.proc);
      EXPECT_EQ(w.size(), 50u);
      winners.insert(w);
    }
    EXPECT_EQ(winners.size(), 5u);  // five seeds, five different winner sequences
  }
}

TEST(Determinism, FaultsAreReproducibleToo) {
  Scenario s = scenario(3, 20 * kNsPerSec);
  reg(s, 1, "worker").handler_duration = 5 * kNsPerMs;
  TimerSource t;
  t.sig = 1;
  t.period = kNsPerSec;
  s.timers.push_back(t);
  for (int i = 0; i < 100; ++i) raise(s, (i + 1) * 100 * kNsPerMs, 1);
  SimOptions o;
  o.faults.enabled = true;
  o.faults.crash_in_handler_per_mille = 200;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    o.seed = seed;
    EXPECT_EQ(trace_hash(run_scenario(s, o).trace), trace_hash(run_scenario(s, o).trace));
  }
}

TEST(Pool, BusyWorkersDoNotReadDuringRequests) {
  Scenario s = scenario(2);
  reg(s, 2, "worker");
  at(s, 50 * kNsPerMs, RequestAction{1, true, 900 * kNsPerMs});
  for (int i = 0; i < 10; ++i) raise(s, (100 + i * 10) * kNsPerMs, 2, ProcessId::worker(2));
  for (Profile p : {Profile::strict, Profile::uwsgi_2_0}) {
    Trace t = run(s, p);
    for (const auto& e : select(t, {EventKind::deliver, 2}))
      if (e.proc == "worker1") {
        EXPECT_GE(e.t, 950 * kNsPerMs) << dump(t);
      }
    EXPECT_EQ(count(t, {EventKind::deliver, 2}), 10);
    EXPECT_GE(count(t, {EventKind::deliver, 2, "worker2"}), 9);
  }
}

TEST(Cheaper, BacklogBurstsOnSpawnInUwsgiRejectedInStrict) {
  Scenario s = scenario(2, 3 * kNsPerSec);
  s.topology.cheaper_initial = 1;  // worker2 starts cheaped
  reg(s, 3, "worker2");
  raise(s, 100 * kNsPerMs, 3, ProcessId::worker(1), 4);
  at(s, kNsPerSec, LifecycleAction{LifecycleAction::spawn, ProcessId::worker(2)});
  SimOptions o;
  o.profile = Profile::uwsgi_2_0;
  auto u = run_scenario(s, o);
  // U5: the queue outlives the process; the new one drains it at once.
  auto d = select(u.trace, {EventKind::deliver, 3, "worker2", "worker2"});
  ASSERT_EQ(d.size(), 4u) << dump(u.trace);
  for (const auto& e : d) EXPECT_LT(e.t, kNsPerSec + 100 * kNsPerUs);
  EXPECT_GE(d.front().t, kNsPerSec);
  EXPECT_EQ(u.stats.probes["respawn-with-backlog"], 1u);
  o.profile = Profile::strict;
  auto st = run_scenario(s, o);
  EXPECT_EQ(count(st.trace, {EventKind::reject, 3, "master", "", "worker 2 is cheaped"}), 4);
  EXPECT_EQ(count(st.trace, {EventKind::deliver, 3}), 0);
  EXPECT_EQ(st.stats.probes.count("respawn-with-backlog"), 0u);
}

TEST(Cheaper, CheapingRejectsTheBacklogInStrict) {
  Scenario s = scenario(2, 3 * kNsPerSec);
  reg(s, 3, "worker2");
  at(s, 50 * kNsPerMs, RequestAction{2, true, 2 * kNsPerSec});
  raise(s, 100 * kNsPerMs, 3, ProcessId::worker(1), 3);
  at(s, 500 * kNsPerMs, LifecycleAction{LifecycleAction::cheap, ProcessId::worker(2)});
  at(s, kNsPerSec, LifecycleAction{LifecycleAction::spawn, ProcessId::worker(2)});
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::reject, 3, "worker2", "worker2", "cheaped with backlog"}), 3);
  EXPECT_EQ(count(st, {EventKind::deliver, 3}), 0);
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, {EventKind::deliver, 3, "worker2"}), 3);  // burst after the spawn
}

TEST(Wait, AnyAndReceivedInUwsgi) {
  Scenario s = scenario(1);
  reg(s, 5, "worker1");
  at(s, 50 * kNsPerMs, RequestAction{1, true, 500 * kNsPerMs});
  at(s, 100 * kNsPerMs, ReceivedAction{ProcessId::worker(1)});
  at(s, 110 * kNsPerMs, WaitAction{ProcessId::worker(1), std::nullopt});
  raise(s, 200 * kNsPerMs, 5);
  at(s, 300 * kNsPerMs, ReceivedAction{ProcessId::worker(1)});  // same request: 5
  at(s, 700 * kNsPerMs, ReceivedAction{ProcessId::worker(1)});  // after the request: 0
  Trace u = run(s, Profile::uwsgi_2_0);
  auto ret = select(u, {EventKind::wait_return, 5, "worker1"});
  ASSERT_EQ(ret.size(), 1u) << dump(u);
  EXPECT_EQ(ret[0].detail, "b''");                                   // U7: returns b''
  EXPECT_EQ(count(u, {EventKind::handler_start, 5, "worker1"}), 1);  // the waiter ran it
  std::vector<std::int64_t> got;
  for (const auto& e : select(u, {EventKind::received})) got.push_back(*e.value);
  EXPECT_EQ(got, (std::vector<std::int64_t>{0, 5, 0}));
  Trace st = run(s, Profile::strict);  // S6: last waited number, not per request
  got.clear();
  for (const auto& e : select(st, {EventKind::received})) got.push_back(*e.value);
  EXPECT_EQ(got, (std::vector<std::int64_t>{-1, 5, 5}));
}

TEST(Wait, SpecificNumberPerProfile) {
  Scenario s = scenario(1);
  reg(s, 4, "worker1");
  at(s, 100 * kNsPerMs, WaitAction{ProcessId::worker(1), SignalNumber{9}});
  raise(s, 200 * kNsPerMs, 4);  // registered, not awaited: its handler runs in the waiter
  raise(s, 300 * kNsPerMs, 7);  // unregistered, not awaited
  raise(s, 400 * kNsPerMs, 9);  // unregistered, awaited
  at(s, 500 * kNsPerMs, WaitAction{ProcessId::worker(1), std::nullopt});
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, {EventKind::handler_start, 4, "worker1"}), 1);
  EXPECT_EQ(count(u, {EventKind::drop, 7, "worker1", "", "wait-mismatch"}), 1) << dump(u);
  EXPECT_EQ(count(u, {EventKind::wait_return, 9, "worker1"}), 1);
  EXPECT_EQ(count(u, {EventKind::wait_return, 7}), 0);  // lost for good
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::handler_start, 4, "worker1"}), 1);
  EXPECT_EQ(count(st, {EventKind::drop}), 0);
  auto ret = select(st, {EventKind::wait_return});
  ASSERT_EQ(ret.size(), 2u) << dump(st);
  EXPECT_EQ(ret[0].sig, 9);  // 7 stayed held (S6) ...
  EXPECT_EQ(ret[1].sig, 7);  // ... for the next accepting waiter
}

TEST(Wait, IdleWorkersNeverTakeHeldSignalsInStrict) {
  Scenario s = scenario(3);
  raise(s, 100 * kNsPerMs, 8, ProcessId::worker(1), 3);
  at(s, 500 * kNsPerMs, WaitAction{ProcessId::worker(3), SignalNumber{8}});
  Trace st = run(s, Profile::strict);
  auto d = select(st, {EventKind::deliver, 8});
  ASSERT_EQ(d.size(), 1u) << dump(st);
  EXPECT_EQ(d[0].proc, "worker3");
  EXPECT_EQ(d[0].queue, "waiters");
}

TEST(Lifecycle, CrashInHandlerThenRespawn) {
  Scenario s = scenario(1);
  Registration& r = reg(s, 6, "worker1");
  r.crash_in_handler = true;
  r.handler_duration = 10 * kNsPerMs;
  raise(s, 100 * kNsPerMs, 6);
  for (Profile p : {Profile::strict, Profile::uwsgi_2_0}) {
    Trace t = run(s, p);
    auto end = select(t, {EventKind::handler_end, 6, "worker1"});
    ASSERT_EQ(end.size(), 1u) << dump(t);
    EXPECT_EQ(end[0].detail, "crash");
    auto ex = select(t, {EventKind::exit, -1, "worker1"});
    auto re = select(t, {EventKind::respawn, -1, "worker1"});
    ASSERT_EQ(ex.size(), 1u);
    ASSERT_EQ(re.size(), 1u);
    EXPECT_EQ(re[0].t - ex[0].t, kNsPerMs);                     // C7
    EXPECT_EQ(count(t, {EventKind::spawn, -1, "worker1"}), 2);  // start + respawn
  }
}

TEST(Lifecycle, WorkerHandlersAfterRespawnPerProfile) {
  Scenario s = scenario(1);
  reg(s, 7, "worker1", ProcessId::worker(1));
  at(s, 100 * kNsPerMs, LifecycleAction{LifecycleAction::kill, ProcessId::worker(1)});
  raise(s, 300 * kNsPerMs, 7, ProcessId::master());
  Trace st = run(s, Profile::strict);  // S11: the row is reset; the trace says so
  EXPECT_EQ(count(st, {EventKind::note, -1, "worker1", "", "gone in the new incarnation"}), 1);
  EXPECT_EQ(count(st, {EventKind::handler_start, 7}), 0);
  Trace u = run(s, Profile::uwsgi_2_0);  // §2.9: a dangling handler pointer
  EXPECT_EQ(count(u, {EventKind::undefined_behaviour, 7, "worker1", "", "stale handler"}), 1)
      << dump(u);
}

}  // namespace
}  // namespace sigh::sim
