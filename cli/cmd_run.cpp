// `sigharness run SPEC`: load, run on a backend under one or more profiles,
// print seed, deliveries, verdict; write the trace; print a reproduce line.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <ostream>
#include <variant>

#include "commands.h"
#include "run_report.h"
#include "seed.h"
#include "sigharness/expect.h"
#include "sigharness/real/runner.h"
#include "sigharness/scenario.h"
#include "sigharness/sim/simulator.h"

namespace sigh::cli {
namespace {

std::string trace_path_for(const std::string& base, Profile p, bool several) {
  if (!several || base.empty()) return base;
  auto dot = base.rfind('.');
  std::string suffix = std::string(".") + std::string(profile_name(p));
  if (dot == std::string::npos || base.find('/', dot) != std::string::npos) return base + suffix;
  return base.substr(0, dot) + suffix + base.substr(dot);
}

}  // namespace

int cmd_run(const RunArgs& args, std::ostream& out, std::ostream& err) {
  std::uint64_t seed = args.seed ? 0 : draw_seed_from_os();
  if (!resolve_seed_arg(args.seed, seed, err)) return kExitBadInput;
  // The seed comes first, before anything that could fail (anchors §1.8 lesson 5).
  out << "seed=" << format_seed(seed) << "\n";

  if (args.backend != "sim" && args.backend != "real") {
    err << "error: --backend \"" << args.backend << "\" is not available here (sim, real)\n";
    return kExitBadInput;
  }
  if (args.time_scale && args.backend != "real") {
    err << "error: --time-scale applies to --backend real only (the simulator has no real time)\n";
    return kExitBadInput;
  }
  if (args.time_scale && !(*args.time_scale > 0 && *args.time_scale <= 100)) {
    err << "error: --time-scale must be > 0 and at most 100, got " << *args.time_scale << "\n";
    return kExitBadInput;
  }
  auto loaded = load_scenario_file(args.spec);
  if (auto* e = std::get_if<SpecError>(&loaded)) {
    err << e->message() << "\n";
    return kExitBadInput;
  }
  const Scenario& sc = std::get<Scenario>(loaded);

  std::vector<Profile> profiles;
  if (args.profile) {
    auto p = parse_profile(*args.profile);
    if (!p) {
      err << "error: --profile \"" << *args.profile << "\" is not a profile (strict, uwsgi-2.0)\n";
      return kExitBadInput;
    }
    profiles.push_back(*p);
  } else if (args.backend == "real") {
    profiles.push_back(Profile::strict);  // real/ implements the strict profile only
  } else {
    profiles = sc.profiles;
  }
  if (args.backend == "real" && profiles != std::vector<Profile>{Profile::strict}) {
    err << "error: --backend real implements the strict profile only\n";
    return kExitBadInput;
  }

  int exit_code = kExitOk;
  for (Profile profile : profiles) {
    RunContext ctx{args, sc, profile, seed};
    out << fmt::format("run scenario={} backend={} profile={} ({})\n", sc.name, args.backend,
                       profile_name(profile), args.spec);
    Trace trace;
    if (args.backend == "sim") {
      sim::SimOptions opt;
      opt.profile = profile;
      opt.seed = seed;
      opt.faults.enabled = args.faults;
      trace = sim::run_scenario(sc, opt).trace;
    } else {
      auto it = sc.not_applicable.find("real");
      if (it != sc.not_applicable.end()) {
        out << "verdict: SKIPPED (" << it->second << ")\n";
        exit_code = std::max(exit_code, kExitSkipped);
        continue;
      }
      real::RunOptions opt;
      opt.time_scale = args.time_scale;
      real::RunResult r = real::run_scenario(sc, opt);
      if (r.skipped) {
        out << "verdict: SKIPPED (" << r.skip_reason << ")\n";
        exit_code = std::max(exit_code, kExitSkipped);
        continue;
      }
      trace = std::move(r.trace);
    }
    trace.header.backend = args.backend;
    trace.header.profile = std::string(profile_name(profile));
    trace.header.seed = args.backend == "sim" ? format_seed(seed) : "";
    trace.header.scenario = sc.name;

    std::string trace_file = trace_path_for(args.trace_file, profile, profiles.size() > 1);
    if (!trace_file.empty()) {
      std::ofstream f(trace_file, std::ios::binary);
      if (f) write_trace(f, trace);
      if (!f) {
        err << "error: cannot write trace file \"" << trace_file << "\"\n";
        return kExitBadInput;
      }
      out << "trace: " << trace_file << "\n";
    }
    print_deliveries(out, trace);
    int code = print_verdict(out, ctx, trace);
    if (code == kExitFailed) exit_code = kExitFailed;
  }
  return exit_code;
}

}  // namespace sigh::cli
