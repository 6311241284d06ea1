#include "sigharness/checker/checker.h"

#include <gtest/gtest.h>

namespace sigh::checker {
namespace {

Scenario two_workers(const std::string& target) {
  Scenario s;
  s.name = "t";
  s.profiles = {Profile::strict, Profile::uwsgi_2_0};
  s.topology.workers = 2;
  s.duration = 2 * kNsPerSec;
  Registration r;
  r.sig = 1;
  r.target = target;
  s.registrations.push_back(r);
  return s;
}

TraceEvent ev(Nanos t, EventKind k, int sig, std::string proc, std::string queue = "") {
  TraceEvent e;
  e.t = t;
  e.kind = k;
  e.sig = sig;
  e.proc = std::move(proc);
  e.queue = std::move(queue);
  return e;
}

Trace trace_of(std::vector<TraceEvent> events) {
  Trace t;
  t.header.backend = "real";
  t.events = std::move(events);
  return t;
}

}  // namespace

TEST(Checker, BroadcastReachingEveryWorkerConforms) {
  auto s = two_workers("workers");
  auto t = trace_of({ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker1", "worker1"),
                     ev(210, EventKind::handler_start, 1, "worker1"),
                     ev(300, EventKind::deliver, 1, "worker2", "worker2"),
                     ev(310, EventKind::handler_start, 1, "worker2")});
  auto r = check_trace(s, Profile::strict, t);
  EXPECT_EQ(r.verdict, Verdict::conforms) << r.summary;
}

TEST(Checker, BroadcastToFirstWorkerOnlyIsAViolationAtTheRoute) {
  auto s = two_workers("workers");
  auto t = trace_of({ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker1", "worker1"),
                     ev(210, EventKind::handler_start, 1, "worker1"),
                     ev(220, EventKind::handler_end, 1, "worker1")});
  auto r = check_trace(s, Profile::strict, t);
  ASSERT_EQ(r.verdict, Verdict::violates);
  EXPECT_EQ(r.first_bad_index, 0u);
  EXPECT_NE(r.why.find("never reached worker2"), std::string::npos) << r.why;
  ASSERT_FALSE(r.allowed.empty());
  EXPECT_EQ(r.allowed[0], "worker2");
}

TEST(Checker, PoolByteTakenByBusyWorkerIsAViolation) {
  auto s = two_workers("worker");
  auto t = trace_of({ev(50, EventKind::request_start, 0, "worker1"),
                     ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker1", "worker-pool")});
  t.events[0].sig.reset();
  auto r = check_trace(s, Profile::strict, t);
  ASSERT_EQ(r.verdict, Verdict::violates);
  EXPECT_EQ(r.first_bad_index, 2u);
  EXPECT_EQ(r.good_prefix, 2u);
  ASSERT_FALSE(r.allowed.empty());
  EXPECT_EQ(r.allowed[0], "worker2");
}

TEST(Checker, HandlerInAProcessThatCannotSeeItIsAViolation) {
  auto s = two_workers("worker");
  s.registrations[0].by = ProcessId::worker(1);
  auto t = trace_of({ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker2", "worker-pool"),
                     ev(210, EventKind::handler_start, 1, "worker2")});
  auto r = check_trace(s, Profile::uwsgi_2_0, t);
  ASSERT_EQ(r.verdict, Verdict::violates);
  EXPECT_NE(r.why.find("C5"), std::string::npos) << r.why;
}

TEST(Checker, StrictNeverDrops) {
  auto s = two_workers("worker1");
  auto t = trace_of(
      {ev(100, EventKind::route, 1, "master"), ev(110, EventKind::drop, 1, "master", "worker1")});
  EXPECT_EQ(check_trace(s, Profile::strict, t).verdict, Verdict::violates);
  EXPECT_EQ(check_trace(s, Profile::uwsgi_2_0, t).verdict, Verdict::conforms);
}

TEST(Checker, UwsgiRoutesWorkerRegistrationsThroughThePool) {
  // U1: a worker-side registration's target (worker2) is ignored; worker1 may take it.
  auto s = two_workers("worker2");
  s.registrations[0].by = ProcessId::worker(1);
  auto t = trace_of({ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker1", "worker-pool"),
                     ev(210, EventKind::handler_start, 1, "worker1")});
  EXPECT_EQ(check_trace(s, Profile::uwsgi_2_0, t).verdict, Verdict::conforms);
  // Under strict (S1) the same trace is wrong: worker2 is owed the byte.
  EXPECT_EQ(check_trace(s, Profile::strict, t).verdict, Verdict::violates);
}

TEST(Checker, UnexplainedDeliveryIsAViolation) {
  auto s = two_workers("worker1");
  auto t = trace_of({ev(100, EventKind::route, 1, "master"),
                     ev(200, EventKind::deliver, 1, "worker2", "worker2")});
  auto r = check_trace(s, Profile::strict, t);
  ASSERT_EQ(r.verdict, Verdict::violates);
  EXPECT_EQ(r.first_bad_index, 1u);
}

}  // namespace sigh::checker
