#pragma once
// Printing what a run found: the delivery table and the verdict with the
// evidence and the exact reproduce command.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "commands.h"
#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::cli {

struct RunContext {
  const RunArgs& args;
  const Scenario& scenario;
  Profile profile;
  std::uint64_t seed;
};

std::string reproduce_command(const RunContext& ctx);
void print_deliveries(std::ostream& out, const Trace& trace);
// Returns kExitOk or kExitFailed.
int print_verdict(std::ostream& out, const RunContext& ctx, const Trace& trace);

}  // namespace sigh::cli
