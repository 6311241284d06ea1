// `sigharness explore SPEC --seeds N`: run N seeds, report the distinct
// outcomes (how deliveries spread over recipients), stop at the first failing
// seed and print the command that reproduces it.
#include <fmt/format.h>

#include <map>
#include <ostream>
#include <variant>

#include "commands.h"
#include "run_report.h"
#include "seed.h"
#include "sigharness/expect.h"
#include "sigharness/scenario.h"
#include "sigharness/sim/simulator.h"

namespace sigh::cli {
namespace {

// "sig 1: worker1=3 worker2=7; sig 2: ..." — the handler spread of one run.
std::string outcome_signature(const Trace& t) {
  std::map<int, std::map<std::string, int>> spread;
  for (const auto& e : t.events)
    if (e.kind == EventKind::handler_start && e.sig) ++spread[*e.sig][e.proc];
  std::string out;
  for (const auto& [sig, procs] : spread) {
    out += fmt::format("{}sig {}:", out.empty() ? "" : "; ", sig);
    for (const auto& [p, n] : procs) out += fmt::format(" {}={}", p, n);
  }
  return out.empty() ? "(no handler ran)" : out;
}

}  // namespace

int cmd_explore(const ExploreArgs& args, std::ostream& out, std::ostream& err) {
  std::uint64_t base = 1;
  if (!resolve_seed_arg(args.seed, base, err)) return kExitBadInput;
  out << "seed=" << format_seed(base) << " (first of " << args.seeds << ")\n";
  if (args.seeds < 1) {
    err << "error: --seeds must be at least 1\n";
    return kExitBadInput;
  }
  auto loaded = load_scenario_file(args.spec);
  if (auto* e = std::get_if<SpecError>(&loaded)) {
    err << e->message() << "\n";
    return kExitBadInput;
  }
  const Scenario& sc = std::get<Scenario>(loaded);
  std::vector<Profile> profiles = sc.profiles;
  if (args.profile) {
    auto p = parse_profile(*args.profile);
    if (!p) {
      err << "error: --profile \"" << *args.profile << "\" is not a profile (strict, uwsgi-2.0)\n";
      return kExitBadInput;
    }
    profiles = {*p};
  }
  for (Profile profile : profiles) {
    std::map<std::string, std::pair<int, std::uint64_t>>
        outcomes;  // signature -> (count, first seed)
    for (int k = 0; k < args.seeds; ++k) {
      std::uint64_t seed = base + static_cast<std::uint64_t>(k);
      sim::SimOptions opt;
      opt.profile = profile;
      opt.seed = seed;
      opt.faults.enabled = args.faults;
      Trace trace = sim::run_scenario(sc, opt).trace;
      auto& o = outcomes[outcome_signature(trace)];
      if (o.first++ == 0) o.second = seed;
      if (!sc.holds_under(profile)) continue;
      RunArgs run{args.argv0,        args.spec, "sim",       std::string(profile_name(profile)),
                  format_seed(seed), "",        args.faults, std::nullopt};
      RunContext ctx{run, sc, profile, seed};
      for (const auto& r : check_expectations(sc, profile, trace)) {
        if (r.ok) continue;
        out << fmt::format("profile {}: seed {} FAILS after {} passing seeds\n",
                           profile_name(profile), format_seed(seed), k);
        out << fmt::format("  {}: {}\n", r.expectation->loc.str(), r.message);
        out << "reproduce: " << reproduce_command(ctx) << "\n";
        return kExitFailed;
      }
    }
    out << fmt::format("profile {}: {} seeds, {} distinct outcomes\n", profile_name(profile),
                       args.seeds, outcomes.size());
    for (const auto& [sig, o] : outcomes)
      out << fmt::format("  {:>5}x (first seed {})  {}\n", o.first, format_seed(o.second), sig);
  }
  out << "verdict: PASS (every seed held every expectation)\n";
  return kExitOk;
}

}  // namespace sigh::cli
