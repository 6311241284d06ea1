#pragma once
// Evaluates a scenario's expectations over a trace. Backend-independent: it
// only reads events, it never routes.
#include <string>
#include <vector>

#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh {

struct ExpectationResult {
  const Expectation* expectation = nullptr;
  bool ok = false;
  std::string message;               // what was expected vs observed
  std::vector<TraceEvent> evidence;  // up to 10 events that broke it (or matched it)
};

bool event_matches(const EventFilter& f, const TraceEvent& e);
bool glob_match(std::string_view pattern, std::string_view text);  // '*' only

// Only the expectations that apply to `profile`.
std::vector<ExpectationResult> check_expectations(const Scenario& s, Profile profile,
                                                  const Trace& t);

}  // namespace sigh
