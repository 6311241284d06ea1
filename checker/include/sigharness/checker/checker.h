#pragma once
// The conformance checker: judges a recorded trace (from real/ or real uWSGI)
// against the model. Model, history and checker are kept apart (anchors §1.8
// lesson 16): the checker never routes; it replays the observed events through
// a small state machine of the profile's rules and asks, at each event,
// whether the model allows it.
#include <string>
#include <vector>

#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::checker {

enum class Verdict { conforms, violates, unknown };
std::string_view verdict_name(Verdict v);

struct CheckOptions {
  Nanos time_tolerance = 250 * kNsPerMs;  // timer/cron/monitor firing times
};

struct CheckResult {
  Verdict verdict = Verdict::unknown;
  std::string summary;  // one line
  // For a violation: the first event the model cannot explain.
  std::size_t first_bad_index = 0;    // index in trace.events
  std::string first_bad_event;        // its JSON line
  std::string why;                    // what rule it breaks
  std::vector<std::string> allowed;   // what the model would have allowed there
  std::size_t good_prefix = 0;        // number of events explained before it
  std::vector<std::string> unknowns;  // checks that could not be decided (and why)
};

CheckResult check_trace(const Scenario& scenario, Profile profile, const Trace& trace,
                        const CheckOptions& options = {});

}  // namespace sigh::checker
