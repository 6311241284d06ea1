// `sigharness conform`: the matrix scenario × backend × profile. Each cell
// runs the scenario, evaluates its expectations and, for real traces, asks the
// checker whether the model can explain every observed event.
#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <thread>
#include <variant>

#include "commands.h"
#include "conform_matrix.h"
#include "seed.h"
#include "sigharness/checker/checker.h"
#include "sigharness/conform/uwsgi_backend.h"
#include "sigharness/expect.h"
#include "sigharness/real/runner.h"
#include "sigharness/sim/simulator.h"

namespace fs = std::filesystem;

namespace sigh::cli {
namespace {

std::vector<std::string> discover(const std::vector<std::string>& paths, std::ostream& err,
                                  bool& bad) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.path().extension() == ".yaml") out.push_back(e.path().string());
    } else if (fs::is_regular_file(p, ec)) {
      out.push_back(p);
    } else {
      err << "error: \"" << p << "\" is neither a scenario file nor a directory\n";
      bad = true;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string first_failure(const std::vector<ExpectationResult>& results,
                          std::vector<std::string>* evidence) {
  for (const auto& r : results) {
    if (r.ok) continue;
    for (const auto& e : r.evidence) evidence->push_back(trace_event_to_json(e));
    return fmt::format("{}: {}", r.expectation->loc.str(), r.message);
  }
  return {};
}

std::string shell_commit() {
  std::string out;
  if (FILE* f = popen("git rev-parse --short HEAD 2>/dev/null", "r")) {
    char buf[64] = {};
    if (fgets(buf, sizeof buf, f)) out = buf;
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

std::string machine_description() {
  utsname u{};
  uname(&u);
  return fmt::format("{} {} {}, {} cores", u.sysname, u.release, u.machine,
                     std::max(1u, std::thread::hardware_concurrency()));
}

struct Ctx {
  const ConformArgs& args;
  fs::path report_dir;
  std::ostream& out;
  Nanos uwsgi_max_duration;
};

void write_trace_file(const Ctx& ctx, Cell& cell, const Trace& trace) {
  fs::path rel =
      fs::path("traces") / fmt::format("{}.{}.{}.jsonl", cell.scenario, cell.backend, cell.profile);
  std::ofstream f(ctx.report_dir / rel, std::ios::binary);
  write_trace(f, trace);
  cell.trace_file = rel.string();
}

// Event kinds a backend cannot observe: expectations about them are not
// decidable there and are reported as unknown, never as passed or failed.
bool observable(const std::string& backend, const EventFilter& f) {
  if (backend != "uwsgi" || !f.kind) return true;
  // uWSGI says nothing when it drops silently (subscribed, mules with none, ...).
  if (*f.kind == EventKind::drop && f.detail_contains.rfind("silent", 0) == 0) return false;
  switch (*f.kind) {
    case EventKind::route:
    case EventKind::enqueue:
    case EventKind::deliver:
    case EventKind::timer_fire:
    case EventKind::rbtimer_fire:
    case EventKind::monitor_fire:
    case EventKind::cheap:
    case EventKind::reject:
    case EventKind::note:
    case EventKind::fault:
      return false;
    default:
      return true;
  }
}

// Expectations, then (for recorded traces) the checker.
void judge(const Scenario& sc, Profile profile, const Trace& trace, bool run_checker, Cell& cell) {
  std::vector<std::string> unknown;
  if (sc.holds_under(profile)) {
    auto results = check_expectations(sc, profile, trace);
    std::vector<ExpectationResult> decidable;
    for (auto& r : results) {
      if (!observable(cell.backend, r.expectation->filter)) {
        unknown.push_back(fmt::format("{}: {} events are not observable on backend {}",
                                      r.expectation->loc.str(),
                                      event_kind_name(*r.expectation->filter.kind), cell.backend));
        continue;
      }
      decidable.push_back(std::move(r));
    }
    std::string fail = first_failure(decidable, &cell.evidence);
    if (!fail.empty()) {
      cell.verdict = CellVerdict::violates;
      cell.detail = "expectation failed: " + fail;
      return;
    }
  }
  if (run_checker) {
    auto r = checker::check_trace(sc, profile, trace);
    if (r.verdict == checker::Verdict::violates) {
      cell.verdict = CellVerdict::violates;
      cell.detail = fmt::format("model cannot explain event #{}: {}", r.first_bad_index, r.why);
      cell.evidence = {r.first_bad_event};
      for (const auto& a : r.allowed) cell.evidence.push_back("model allows: " + a);
      cell.evidence.push_back(fmt::format("last good prefix: {} events", r.good_prefix));
      return;
    }
    cell.detail = r.summary;
  }
  cell.verdict = CellVerdict::conforms;
  if (!unknown.empty()) {
    cell.detail += fmt::format("{}{} expectation(s) undecidable here: {}",
                               cell.detail.empty() ? "" : "; ", unknown.size(), unknown.front());
  }
}

Cell make_cell(const Scenario& sc, const std::string& spec, std::string backend,
               std::string profile) {
  Cell cell;
  cell.scenario = sc.name;
  cell.spec_path = spec;
  cell.backend = std::move(backend);
  cell.profile = std::move(profile);
  return cell;
}

Cell run_sim_cell(const Ctx& ctx, const Scenario& sc, const std::string& spec, Profile profile) {
  Cell cell = make_cell(sc, spec, "sim", std::string(profile_name(profile)));
  std::uint64_t base = 0x5eed;
  for (int k = 0; k < ctx.args.seeds; ++k) {
    std::uint64_t seed = base + static_cast<std::uint64_t>(k);
    cell.reproduce = fmt::format("{} run {} --backend sim --profile {} --seed {}", ctx.args.argv0,
                                 spec, profile_name(profile), format_seed(seed));
    sim::SimOptions opt;
    opt.profile = profile;
    opt.seed = seed;
    Trace trace = sim::run_scenario(sc, opt).trace;
    if (k == 0) {
      // Determinism self-check: the same seed must give the same trace hash.
      Trace again = sim::run_scenario(sc, opt).trace;
      if (trace_hash(again) != trace_hash(trace)) {
        cell.verdict = CellVerdict::violates;
        std::size_t i = 0;
        while (i < trace.events.size() && i < again.events.size() &&
               trace.events[i] == again.events[i])
          ++i;
        cell.detail = fmt::format(
            "nondeterminism: seed {} gave two different traces; first divergence at event #{}",
            format_seed(seed), i);
        return cell;
      }
      trace.header = {kTraceVersion, "sim", std::string(profile_name(profile)), format_seed(seed),
                      sc.name};
      write_trace_file(ctx, cell, trace);
    }
    judge(sc, profile, trace, true, cell);  // the checker cross-checks the simulator too
    if (cell.verdict != CellVerdict::conforms) {
      cell.detail += fmt::format(" (seed {})", format_seed(seed));
      return cell;
    }
  }
  cell.detail = fmt::format("{} seeds, deterministic", ctx.args.seeds);
  return cell;
}

Cell run_real_cell(const Ctx& ctx, const Scenario& sc, const std::string& spec) {
  Cell cell = make_cell(sc, spec, "real", "strict");
  cell.reproduce = fmt::format("{} run {} --backend real", ctx.args.argv0, spec);
  if (auto it = sc.not_applicable.find("real"); it != sc.not_applicable.end()) {
    cell.verdict = CellVerdict::skipped;
    cell.detail = it->second;
    return cell;
  }
  real::RunResult r = real::run_scenario(sc, real::RunOptions{});
  if (r.skipped) {
    cell.verdict = CellVerdict::skipped;
    cell.detail = r.skip_reason;
    return cell;
  }
  r.trace.header = {kTraceVersion, "real", "strict", "", sc.name};
  write_trace_file(ctx, cell, r.trace);
  judge(sc, Profile::strict, r.trace, true, cell);
  if (r.time_scale != 1.0)
    cell.caveat = fmt::format("at time scale {:g} (real_time_scale)", r.time_scale);
  return cell;
}

Cell run_uwsgi_cell(const Ctx& ctx, const Scenario& sc, const std::string& spec) {
  Cell cell = make_cell(sc, spec, "uwsgi", "uwsgi-2.0");
  cell.reproduce = fmt::format("{} conform {} --backends uwsgi", ctx.args.argv0, spec);
  if (ctx.uwsgi_max_duration != conform::UwsgiRunOptions{}.max_duration)
    cell.reproduce += " --uwsgi-max-duration " + format_duration(ctx.uwsgi_max_duration);
  conform::UwsgiRunOptions opt;
  opt.max_duration = ctx.uwsgi_max_duration;
  conform::UwsgiRunResult r = conform::run_scenario_uwsgi(sc, opt);
  if (r.not_applicable) {
    cell.verdict = CellVerdict::not_applicable;
    cell.detail = r.reason;
    return cell;
  }
  if (!r.reason.empty()) {
    // The instance did not run as the scenario needs: an error of the backend, not a verdict.
    cell.verdict = CellVerdict::error;
    cell.detail = "uWSGI run failed: " + r.reason;
    return cell;
  }
  r.trace.header = {kTraceVersion, "uwsgi", "uwsgi-2.0", "", sc.name};
  write_trace_file(ctx, cell, r.trace);
  judge(sc, Profile::uwsgi_2_0, r.trace, true, cell);
  return cell;
}

}  // namespace

int cmd_conform(const ConformArgs& args, std::ostream& out, std::ostream& err) {
  bool bad = false;
  std::vector<std::string> paths =
      args.paths.empty() ? std::vector<std::string>{"specs/scenarios"} : args.paths;
  auto specs = discover(paths, err, bad);
  if (bad) return kExitBadInput;
  if (specs.empty()) {
    err << "error: no scenario files (*.yaml) found in the given paths\n";
    return kExitBadInput;
  }
  std::set<std::string> backends;
  for (const auto& b : args.backends) {
    if (b != "sim" && b != "real" && b != "uwsgi") {
      err << "error: --backends: unknown backend \"" << b << "\" (sim, real, uwsgi)\n";
      return kExitBadInput;
    }
    backends.insert(b);
  }
  std::string why_duration;
  const auto uwsgi_max = parse_duration(args.uwsgi_max_duration, &why_duration);
  if (!uwsgi_max || *uwsgi_max <= 0) {
    err << "error: --uwsgi-max-duration \"" << args.uwsgi_max_duration
        << "\": " << (uwsgi_max ? "must be > 0" : why_duration) << "\n";
    return kExitBadInput;
  }
  if (args.seeds < 1) {
    err << "error: --seeds must be at least 1\n";
    return kExitBadInput;
  }
  Matrix m;
  m.commit = shell_commit();
  m.machine = machine_description();
  if (backends.empty()) backends = {"sim", "real", "uwsgi"};
  if (backends.count("uwsgi")) {
    std::string why;
    if (!conform::uwsgi_available(&why)) {
      std::string note = "backend uwsgi unavailable: " + why +
                         " (install: apt-get install uwsgi-core uwsgi-plugin-python3)";
      out << note << "\n";
      m.notes.push_back(note);
      backends.erase("uwsgi");
    }
  }

  // Load everything first: a bad spec is bad input, before anything runs.
  std::vector<std::pair<std::string, Scenario>> scenarios;
  for (const auto& spec : specs) {
    auto loaded = load_scenario_file(spec);
    if (auto* e = std::get_if<SpecError>(&loaded)) {
      err << e->message() << "\n";
      return kExitBadInput;
    }
    const Scenario& sc = std::get<Scenario>(loaded);
    if (sc.name.rfind("docs-", 0) == 0) m.divergences.emplace_back(sc.name, sc.description);
    scenarios.emplace_back(spec, std::get<Scenario>(std::move(loaded)));
  }

  fs::path report_dir = args.report_dir;
  std::error_code ec;
  fs::create_directories(report_dir / "traces", ec);
  if (ec) {
    err << "error: cannot create report directory \"" << report_dir.string()
        << "\": " << ec.message() << "\n";
    return kExitBadInput;
  }
  Ctx ctx{args, report_dir, out, *uwsgi_max};
  for (const auto& [spec, sc] : scenarios) {
    std::vector<std::function<Cell()>> runs;
    if (backends.count("sim"))
      for (Profile p : sc.profiles)
        runs.push_back([&, p] { return run_sim_cell(ctx, sc, spec, p); });
    if (backends.count("real") && sc.holds_under(Profile::strict))
      runs.push_back([&] { return run_real_cell(ctx, sc, spec); });
    if (backends.count("uwsgi") && sc.holds_under(Profile::uwsgi_2_0))
      runs.push_back([&] { return run_uwsgi_cell(ctx, sc, spec); });
    for (auto& run : runs) {
      auto t0 = std::chrono::steady_clock::now();
      Cell cell;
      try {
        cell = run();
      } catch (const std::exception& e) {
        cell.scenario = sc.name;
        cell.verdict = CellVerdict::error;
        cell.detail = e.what();
      }
      cell.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      out << fmt::format("[{:>3}] {:<40} {:<6} {:<10} {:<15} {:.1f}s {}\n", m.cells.size() + 1,
                         cell.scenario, cell.backend, cell.profile, cell_verdict_name(cell.verdict),
                         cell.seconds,
                         cell.verdict == CellVerdict::conforms ? cell.caveat : cell.detail);
      if (cell.verdict == CellVerdict::violates)
        out << "      reproduce: " << cell.reproduce << "\n";
      out.flush();
      m.cells.push_back(std::move(cell));
    }
  }

  std::map<std::string, std::map<CellVerdict, int>> table;
  for (const auto& c : m.cells) ++table[c.backend + "/" + c.profile][c.verdict];
  out << "\nsummary:\n";
  for (const auto& [col, counts] : table) {
    out << fmt::format("  {:<18}", col);
    for (const auto& [v, n] : counts) out << fmt::format(" {}={}", cell_verdict_name(v), n);
    out << "\n";
  }
  {
    std::ofstream f(report_dir / "index.html", std::ios::binary);
    f << render_html(m);
  }
  std::string junit =
      args.junit_file.empty() ? (report_dir / "junit.xml").string() : args.junit_file;
  {
    std::ofstream f(junit, std::ios::binary);
    f << render_junit(m);
    if (!f) {
      err << "error: cannot write JUnit file \"" << junit << "\"\n";
      return kExitBadInput;
    }
  }
  out << "report: " << (report_dir / "index.html").string() << "\njunit: " << junit << "\n";
  bool ok = std::none_of(m.cells.begin(), m.cells.end(), [](const Cell& c) {
    return c.verdict == CellVerdict::violates || c.verdict == CellVerdict::error;
  });
  out << (ok ? "conform: every applicable cell conforms\n" : "conform: FAILED\n");
  return ok ? kExitOk : kExitFailed;
}

}  // namespace sigh::cli
