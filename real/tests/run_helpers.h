#pragma once
// Shared helpers for the runner_* tests: inline YAML scenarios, event counting, expectations.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "sigharness/expect.h"
#include "sigharness/real/runner.h"
#include "sigharness/scenario.h"

namespace sigh::real::testing {

inline Scenario load(const std::string& yaml) {
  auto r = load_scenario_string(yaml, "inline.yaml");
  if (auto* e = std::get_if<SpecError>(&r)) {
    ADD_FAILURE() << e->message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

inline int count(const Trace& t, EventKind k, int sig = -1, const std::string& proc = "*",
                 const std::string& detail = "") {
  int n = 0;
  for (const auto& e : t.events)
    if (e.kind == k && (sig < 0 || e.sig == sig) && glob_match(proc, e.proc) &&
        e.detail.find(detail) != std::string::npos)
      ++n;
  return n;
}

inline std::string dump(const Trace& t) {
  std::string s;
  for (const auto& e : t.events) s += trace_event_to_json(e) + "\n";
  return s;
}

// Runs the scenario and checks every strict expectation written in it.
inline RunResult run_and_check(const Scenario& s, RunOptions o = {}) {
  RunResult r = run_scenario(s, o);
  EXPECT_FALSE(r.skipped) << r.skip_reason;
  for (const auto& x : check_expectations(s, Profile::strict, r.trace))
    EXPECT_TRUE(x.ok) << s.name << ": " << x.expectation->form << " at " << x.expectation->loc.str()
                      << ": " << x.message;
  if (::testing::Test::HasFailure()) ADD_FAILURE() << "trace:\n" << dump(r.trace);
  return r;
}

}  // namespace sigh::real::testing
