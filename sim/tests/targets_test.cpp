// Every target kind under both profiles, registrations (who may register,
// re-registration, unregister, lazy-apps) and unregistered signals.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace sigh::sim {
namespace {
using namespace testing;

constexpr Profile kBoth[] = {Profile::strict, Profile::uwsgi_2_0};

Scenario full_topology() {
  Scenario s = scenario(3);
  s.topology.mules = 2;
  s.topology.farms = {Farm{"a", {1, 2}}};
  s.topology.spoolers = 1;
  return s;
}

struct Case {
  std::string target;
  std::vector<std::string> recipients;  // proc names of the deliveries, in any order
  std::string queue;                    // "" = each recipient's own queue
};

TEST(Targets, EachKindUnderBothProfiles) {
  const std::vector<Case> cases = {
      {"", {"worker?"}, "worker-pool"},
      {"worker", {"worker?"}, "worker-pool"},
      {"workers", {"worker1", "worker2", "worker3"}, ""},
      {"active-workers", {"worker1", "worker2", "worker3"}, ""},
      {"worker2", {"worker2"}, "worker2"},
      {"spooler", {"spooler1"}, "spooler-pool"},
      {"mules", {"mule1", "mule2"}, ""},
      {"mule", {"mule?"}, "mule-pool"},
      {"mule2", {"mule2"}, "mule2"},
      {"farm_a", {"mule?"}, "farm:a"},
      {"farm1", {"mule?"}, "farm:a"},
  };
  for (Profile p : kBoth) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(profile_name(p)) + " target \"" + c.target + "\"");
      Scenario s = full_topology();
      reg(s, 10, c.target);
      raise(s, 100 * kNsPerMs, 10);
      Trace t = run(s, p);
      auto got = select(t, {EventKind::deliver, 10});
      ASSERT_EQ(got.size(), c.recipients.size()) << dump(t);
      for (std::size_t i = 0; i < got.size(); ++i) {
        const std::string& want = c.recipients[i];
        if (want.back() == '?')
          EXPECT_EQ(got[i].proc.rfind(want.substr(0, want.size() - 1), 0), 0u) << got[i].proc;
        else
          EXPECT_EQ(got[i].proc, want);
        EXPECT_EQ(got[i].queue, c.queue.empty() ? got[i].proc : c.queue);
      }
      // The master registered before fork: every recipient has the handler (C5).
      EXPECT_EQ(count(t, {EventKind::handler_start, 10}), static_cast<int>(got.size()));
      EXPECT_EQ(count(t, {EventKind::route, 10}), 1);
    }
  }
}

TEST(Targets, UndefinedBehaviourInUwsgiRefusedInStrict) {
  for (const char* target : {"worker9", "worker00", "workerfoo", "mule-1"}) {
    SCOPED_TRACE(target);
    Scenario s = full_topology();
    reg(s, 11, target);
    raise(s, 100 * kNsPerMs, 11);
    Trace u = run(s, Profile::uwsgi_2_0);
    EXPECT_EQ(count(u, {EventKind::undefined_behaviour, 11}), 1) << dump(u);
    EXPECT_EQ(count(u, {EventKind::deliver, 11}), 0);
    Trace st = run(s, Profile::strict);
    EXPECT_EQ(count(st, {EventKind::register_error, 11}), 1);
    // Unregistered in strict: held for a waiter, never delivered to an idle worker (S5).
    EXPECT_EQ(count(st, {EventKind::deliver, 11}), 0);
    EXPECT_EQ(count(st, {EventKind::enqueue, 11, "master", "waiters"}), 1);
  }
}

TEST(Targets, LoggedAndSilentDropsInUwsgi) {
  Scenario s = scenario(2);  // no mules, no spoolers, no farms
  reg(s, 1, "spooler");
  reg(s, 2, "mules");
  reg(s, 3, "farm_x");
  reg(s, 4, "cluster");
  reg(s, 5, "subscribed");
  for (int sig = 1; sig <= 5; ++sig) raise(s, 100 * kNsPerMs, sig);
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, {EventKind::drop, 1, "master", "", "ebadf"}), 1) << dump(u);
  EXPECT_EQ(count(u, {EventKind::drop, 2, "master", "", "silent:"}), 1);
  EXPECT_EQ(count(u, {EventKind::drop, 3, "master", "", "unknown farm"}), 1);
  EXPECT_EQ(count(u, {EventKind::drop, 4, "master", "", "UNSUPPORTED"}), 1);
  EXPECT_EQ(count(u, {EventKind::drop, 5, "master", "", "silent:"}), 1);
  EXPECT_EQ(count(u, {EventKind::deliver}), 0);
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::register_error}), 5);
}

TEST(Targets, UnregisteredSignalsPerProfile) {
  Scenario s = scenario(2);
  raise(s, 100 * kNsPerMs, 7);
  // U6: the worker pool; an idle worker consumes it without a handler.
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, {EventKind::deliver, 7, "", "worker-pool"}), 1);
  EXPECT_EQ(count(u, {EventKind::unhandled, 7}), 1);
  // S5: held for a waiter; nobody waits, so it stays queued.
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::route, 7}), 1);
  EXPECT_EQ(select(st, {EventKind::route, 7})[0].detail, "waiters");
  EXPECT_EQ(count(st, {EventKind::deliver, 7}), 0);
  EXPECT_EQ(count(st, {EventKind::unhandled, 7}), 0);
  // A waiter that accepts it gets it later.
  at(s, kNsPerSec, WaitAction{ProcessId::worker(2), std::nullopt});
  st = run(s, Profile::strict);
  auto ret = select(st, {EventKind::wait_return, 7});
  ASSERT_EQ(ret.size(), 1u) << dump(st);
  EXPECT_EQ(ret[0].proc, "worker2");
  EXPECT_GE(ret[0].t, kNsPerSec);
}

TEST(Targets, OnlyMasterAndWorkersRegister) {
  Scenario s = scenario(1);
  s.topology.mules = 1;
  s.topology.spoolers = 1;
  reg(s, 1, "worker", ProcessId::mule(1));
  reg(s, 2, "worker", ProcessId::spooler(1));
  reg(s, 3, "worker", ProcessId::worker(1));
  for (Profile p : kBoth) {
    Trace t = run(s, p);
    EXPECT_EQ(count(t, {EventKind::register_error, 1, "mule1"}), 1);
    EXPECT_EQ(count(t, {EventKind::register_error, 2, "spooler1"}), 1);
    EXPECT_EQ(count(t, {EventKind::register_ok, 3, "worker1"}), 1);
  }
}

TEST(Targets, ReRegistrationAndUnregisterPerProfile) {
  Scenario s = scenario(2);
  reg(s, 1, "worker1");
  at(s, 100 * kNsPerMs,
     RegisterAction{Registration{{}, 1, "worker2", false, ProcessId::master(), 0, false}});
  raise(s, 200 * kNsPerMs, 1);
  at(s, 300 * kNsPerMs, UnregisterAction{1, ProcessId::master()});
  raise(s, 400 * kNsPerMs, 1);
  // uwsgi-2.0: the master cannot re-register (U3) nor remove (U3).
  Trace u = run(s, Profile::uwsgi_2_0);
  EXPECT_EQ(count(u, {EventKind::register_error, 1, "master"}), 2) << dump(u);
  EXPECT_EQ(count(u, {EventKind::handler_start, 1, "worker1"}), 2);
  // strict: re-registration replaces (S2), unregister removes (S3).
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::register_error}), 0) << dump(st);
  EXPECT_EQ(count(st, {EventKind::unregister, 1, "master"}), 1);
  auto h = select(st, {EventKind::handler_start, 1});
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].proc, "worker2");
  EXPECT_EQ(select(st, {EventKind::route, 1}).back().detail, "waiters");  // unregistered now
}

TEST(Targets, WorkerSideRegistrationTargetPerProfile) {
  Scenario s = scenario(3);
  reg(s, 4, "worker3", ProcessId::worker(3));
  raise(s, 100 * kNsPerMs, 4, ProcessId::worker(1), 6);
  Trace st = run(s, Profile::strict);  // S1: honoured whoever registered it
  EXPECT_EQ(count(st, {EventKind::deliver, 4, "worker3", "worker3"}), 6);
  Trace u = run(s, Profile::uwsgi_2_0);  // U1: row 0 empty => worker pool
  EXPECT_EQ(count(u, {EventKind::deliver, 4, "", "worker-pool"}), 6);
  for (const auto& r : select(u, {EventKind::route, 4})) EXPECT_EQ(r.target, "");
}

TEST(Targets, LazyAppsRegisterInEveryWorkerRow) {
  Scenario s = scenario(3);
  s.topology.lazy_apps = true;
  reg(s, 5, "worker2");
  raise(s, 100 * kNsPerMs, 5, ProcessId::worker(1), 4);
  for (Profile p : kBoth) {
    Trace t = run(s, p);
    EXPECT_EQ(count(t, {EventKind::register_ok, 5}), 3);  // C9: one per worker, none by master
    EXPECT_EQ(count(t, {EventKind::register_ok, 5, "master"}), 0);
  }
  Trace st = run(s, Profile::strict);
  EXPECT_EQ(count(st, {EventKind::handler_start, 5, "worker2"}), 4);
  Trace u = run(s, Profile::uwsgi_2_0);  // the master's row is empty: the pool, handled anywhere
  EXPECT_EQ(count(u, {EventKind::deliver, 5, "", "worker-pool"}), 4);
  EXPECT_EQ(count(u, {EventKind::handler_start, 5}), 4);
}

TEST(Targets, FullQueueDropVersusReject) {
  Scenario s = scenario(1);
  s.topology.queue_capacity = 3;
  reg(s, 6, "worker");
  at(s, 50 * kNsPerMs, RequestAction{1, true, kNsPerSec});  // busy: nobody reads the pool
  for (int i = 0; i < 6; ++i) raise(s, (100 + i) * kNsPerMs, 6);
  SimOptions o;
  o.profile = Profile::uwsgi_2_0;
  auto u = run_scenario(s, o);
  EXPECT_EQ(count(u.trace, {EventKind::drop, 6, "master", "worker-pool", "queue-full"}), 3);
  EXPECT_EQ(u.stats.probes["queue-full"], 3u);
  o.profile = Profile::strict;
  auto st = run_scenario(s, o);
  EXPECT_EQ(count(st.trace, {EventKind::reject, 6, "master", "worker-pool", "queue-full"}), 3);
  EXPECT_EQ(count(st.trace, {EventKind::drop}), 0);
  EXPECT_EQ(count(st.trace, {EventKind::handler_start, 6}), 3);  // after the request
}

}  // namespace
}  // namespace sigh::sim
