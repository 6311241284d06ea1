// `sigharness shrink SPEC --seed S`: given a failing spec and seed, remove
// script actions, event sources and registrations one at a time while the
// failure keeps the same signature (the same expectation fails), and print
// the smallest scenario as ready-to-run YAML with its reproduce command.
#include <fmt/format.h>

#include <ostream>
#include <variant>

#include "commands.h"
#include "seed.h"
#include "sigharness/expect.h"
#include "sigharness/scenario.h"
#include "sigharness/sim/simulator.h"

namespace sigh::cli {
namespace {

// The failure signature: the place of the first failing expectation, or "".
std::string failure_signature(const Scenario& sc, Profile profile, std::uint64_t seed,
                              bool faults) {
  sim::SimOptions opt;
  opt.profile = profile;
  opt.seed = seed;
  opt.faults.enabled = faults;
  Trace t = sim::run_scenario(sc, opt).trace;
  for (const auto& r : check_expectations(sc, profile, t))
    if (!r.ok) return r.expectation->loc.str() + " " + r.expectation->form;
  return {};
}

template <class V>
bool shrink_vector(Scenario& sc, V Scenario::*member, const std::string& signature, Profile profile,
                   std::uint64_t seed, bool faults, int& runs) {
  bool progress = false;
  auto& vec = sc.*member;
  for (std::size_t i = 0; i < vec.size();) {
    Scenario candidate = sc;
    auto& cv = candidate.*member;
    cv.erase(cv.begin() + static_cast<std::ptrdiff_t>(i));
    ++runs;
    if (failure_signature(candidate, profile, seed, faults) == signature) {
      sc = std::move(candidate);
      progress = true;  // same index now holds the next element
    } else {
      ++i;
    }
  }
  return progress;
}

}  // namespace

int cmd_shrink(const ShrinkArgs& args, std::ostream& out, std::ostream& err) {
  std::uint64_t seed_value = 0;
  if (!resolve_seed_arg(args.seed, seed_value, err)) return kExitBadInput;
  const std::optional<std::uint64_t> seed = seed_value;
  out << "seed=" << format_seed(*seed) << "\n";
  auto loaded = load_scenario_file(args.spec);
  if (auto* e = std::get_if<SpecError>(&loaded)) {
    err << e->message() << "\n";
    return kExitBadInput;
  }
  Scenario sc = std::get<Scenario>(loaded);
  Profile profile = sc.profiles.front();
  if (args.profile) {
    auto p = parse_profile(*args.profile);
    if (!p) {
      err << "error: --profile \"" << *args.profile << "\" is not a profile (strict, uwsgi-2.0)\n";
      return kExitBadInput;
    }
    profile = *p;
  }
  std::string signature = failure_signature(sc, profile, *seed, args.faults);
  if (signature.empty()) {
    err << fmt::format(
        "error: {} holds under profile {} with seed {}: there is no failure to shrink\n", args.spec,
        profile_name(profile), format_seed(*seed));
    return kExitBadInput;
  }
  std::size_t before = sc.script.size() + sc.timers.size() + sc.crons.size() + sc.monitors.size() +
                       sc.registrations.size();
  int runs = 0;
  bool progress = true;
  while (progress) {
    progress = false;
    progress |= shrink_vector(sc, &Scenario::script, signature, profile, *seed, args.faults, runs);
    progress |= shrink_vector(sc, &Scenario::timers, signature, profile, *seed, args.faults, runs);
    progress |= shrink_vector(sc, &Scenario::crons, signature, profile, *seed, args.faults, runs);
    progress |=
        shrink_vector(sc, &Scenario::monitors, signature, profile, *seed, args.faults, runs);
    progress |=
        shrink_vector(sc, &Scenario::registrations, signature, profile, *seed, args.faults, runs);
  }
  std::size_t after = sc.script.size() + sc.timers.size() + sc.crons.size() + sc.monitors.size() +
                      sc.registrations.size();
  out << fmt::format("shrunk {} elements to {} in {} runs, still failing at {}\n", before, after,
                     runs, signature);
  out << "--- minimal scenario ---\n" << scenario_to_yaml(sc) << "---\n";
  out << fmt::format(
      "reproduce: save the YAML above as min.yaml, then: {} run min.yaml --profile {} --seed "
      "{}{}\n",
      args.argv0, profile_name(profile), format_seed(*seed), args.faults ? " --faults" : "");
  return kExitFailed;
}

}  // namespace sigh::cli
