// A deliberately broken real backend (SIGHARNESS_BREAK=workers-first-only
// routes `workers` to worker1 only) must be caught by the checker with a
// precise first violation; the healthy backend must conform.
#include <gtest/gtest.h>

#include <cstdlib>

#include "sigharness/checker/checker.h"
#include "sigharness/real/runner.h"

namespace sigh {
namespace {

Scenario broadcast() {
  Scenario s;
  s.name = "broken-backend";
  s.profiles = {Profile::strict};
  s.topology.workers = 3;
  s.duration = 600 * kNsPerMs;
  Registration r;
  r.sig = 9;
  r.target = "workers";
  s.registrations.push_back(r);
  s.script.push_back({{}, 100 * kNsPerMs, RaiseAction{9, ProcessId::worker(1), 2}});
  return s;
}

}  // namespace

TEST(BrokenRealBackend, HealthyBackendConforms) {
  unsetenv("SIGHARNESS_BREAK");
  auto r = real::run_scenario(broadcast(), real::RunOptions{});
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  auto c = checker::check_trace(broadcast(), Profile::strict, r.trace);
  EXPECT_EQ(c.verdict, checker::Verdict::conforms) << c.summary << "\n" << c.why;
}

TEST(BrokenRealBackend, WorkersToFirstWorkerOnlyIsCaught) {
  setenv("SIGHARNESS_BREAK", "workers-first-only", 1);
  auto r = real::run_scenario(broadcast(), real::RunOptions{});
  unsetenv("SIGHARNESS_BREAK");
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  auto c = checker::check_trace(broadcast(), Profile::strict, r.trace);
  ASSERT_EQ(c.verdict, checker::Verdict::violates);
  EXPECT_NE(c.why.find("never reached worker2"), std::string::npos) << c.why;
  EXPECT_NE(c.first_bad_event.find("\"ev\":\"route\""), std::string::npos) << c.first_bad_event;
  ASSERT_FALSE(c.allowed.empty());
  EXPECT_EQ(c.allowed.front(), "worker2");
}

}  // namespace sigh
