// Each property is shown able to fail: flip one rule of the model (a mutant),
// and the property must fail against the correct simulator and shrink to a
// counterexample of at most a handful of commands.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "conservation_checks.h"
#include "target_model.h"
#include "timer_checks.h"
#include "wait_checks.h"

namespace sigh::prop {
namespace {

struct MutantOutcome {
  bool property_held = true;
  int smallest_failing_size = -1;
};

template <class F>
MutantOutcome run_mutant(const char* name, F&& property) {
  MutantOutcome out;
  out.property_held = rc::check(name, [&] {
    g_case_size = -1;
    try {
      property();
    } catch (...) {
      // The last failing case rapidcheck evaluates is the shrunk one.
      if (g_case_size >= 0) out.smallest_failing_size = g_case_size;
      throw;
    }
  });
  return out;
}

void expect_caught(const MutantOutcome& m, int max_size) {
  EXPECT_FALSE(m.property_held) << "the mutant survived: the property cannot see this rule";
  EXPECT_GE(m.smallest_failing_size, 0);
  EXPECT_LE(m.smallest_failing_size, max_size)
      << "counterexample did not shrink to a handful of commands";
}

}  // namespace

TEST(Mutants, WorkersSkippingTheLastWorkerIsCaught) {
  expect_caught(
      run_mutant("mutant workers_skip_last",
                 [] { check_targets_once(Profile::strict, Mutation::workers_skip_last); }),
      5);
}

TEST(Mutants, PoolAlwaysWorker1IsCaught) {
  expect_caught(
      run_mutant("mutant pool_always_worker1",
                 [] { check_targets_once(Profile::uwsgi_2_0, Mutation::pool_always_worker1); }),
      5);
}

TEST(Mutants, ActiveWorkersIncludingCheapedIsCaught) {
  expect_caught(
      run_mutant("mutant active_includes_cheaped",
                 [] { check_targets_once(Profile::strict, Mutation::active_includes_cheaped); }),
      5);
}

TEST(Mutants, RbTimerExtraIterationIsCaught) {
  expect_caught(
      run_mutant("mutant rb_extra_iteration",
                 [] { check_rb_timers_once(Profile::uwsgi_2_0, Mutation::rb_extra_iteration); }),
      3);
}

TEST(Mutants, WaitIgnoringItsNumberIsCaught) {
  expect_caught(run_mutant("mutant wait_ignores_number",
                           [] { check_wait_once(Profile::strict, Mutation::wait_ignores_number); }),
                5);
}

TEST(Mutants, ForgettingQueueCapacityIsCaught) {
  expect_caught(
      run_mutant("mutant queue_unbounded",
                 [] { check_conservation_once(Profile::strict, Mutation::queue_unbounded); }),
      5);
}

}  // namespace sigh::prop
