#include "run_report.h"

#include <fmt/format.h>

#include <map>
#include <ostream>
#include <tuple>

#include "seed.h"
#include "sigharness/expect.h"

namespace sigh::cli {

std::string reproduce_command(const RunContext& ctx) {
  std::string cmd = fmt::format("{} run {} --backend {} --profile {}", ctx.args.argv0,
                                ctx.args.spec, ctx.args.backend, profile_name(ctx.profile));
  if (ctx.args.backend == "sim") cmd += " --seed " + format_seed(ctx.seed);
  if (ctx.args.faults) cmd += " --faults";
  return cmd;
}

void print_deliveries(std::ostream& out, const Trace& trace) {
  // (signal, process) -> {handled, unhandled, wait-returns}; dropped/rejected per signal.
  std::map<std::pair<int, std::string>, std::tuple<int, int, int>> per;
  std::map<int, std::pair<int, int>> lost;
  for (const auto& e : trace.events) {
    if (!e.sig) continue;
    switch (e.kind) {
      case EventKind::handler_start:
        ++std::get<0>(per[{*e.sig, e.proc}]);
        break;
      case EventKind::unhandled:
        ++std::get<1>(per[{*e.sig, e.proc}]);
        break;
      case EventKind::wait_return:
        ++std::get<2>(per[{*e.sig, e.proc}]);
        break;
      case EventKind::drop:
        ++lost[*e.sig].first;
        break;
      case EventKind::reject:
        ++lost[*e.sig].second;
        break;
      default:
        break;
    }
  }
  out << "deliveries:\n";
  if (per.empty())
    out << "  (none)\n";
  else
    out << fmt::format("  {:>6}  {:<10} {:>8} {:>10} {:>6}\n", "signal", "recipient", "handled",
                       "unhandled", "waits");
  for (const auto& [key, v] : per)
    out << fmt::format("  {:>6}  {:<10} {:>8} {:>10} {:>6}\n", key.first, key.second,
                       std::get<0>(v), std::get<1>(v), std::get<2>(v));
  for (const auto& [sig, v] : lost)
    out << fmt::format("  signal {}: {} dropped, {} rejected\n", sig, v.first, v.second);
}

int print_verdict(std::ostream& out, const RunContext& ctx, const Trace& trace) {
  if (!ctx.scenario.holds_under(ctx.profile)) {
    out << fmt::format(
        "verdict: NOT CLAIMED (the scenario does not name profile {}; expectations not checked)\n",
        profile_name(ctx.profile));
    return kExitOk;
  }
  auto results = check_expectations(ctx.scenario, ctx.profile, trace);
  std::size_t failed = 0;
  const ExpectationResult* first = nullptr;
  for (const auto& r : results) {
    if (!r.ok) {
      ++failed;
      if (!first) first = &r;
    }
  }
  if (failed == 0) {
    out << fmt::format("verdict: PASS ({} expectations held)\n", results.size());
    return kExitOk;
  }
  out << fmt::format("verdict: FAIL ({} of {} expectations failed)\n", failed, results.size());
  out << fmt::format("  first failure: {}: {}\n", first->expectation->loc.str(), first->message);
  if (!first->evidence.empty()) {
    out << "  trace events:\n";
    for (const auto& e : first->evidence) out << "    " << trace_event_to_json(e) << "\n";
  }
  out << "reproduce: " << reproduce_command(ctx) << "\n";
  return kExitFailed;
}

}  // namespace sigh::cli
