// sigharness: run scenarios on the simulator or the real implementation,
// explain target strings, check conformance.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace sigh::cli;
  CLI::App app{"sigharness: test harness and conformance simulator for uWSGI signals"};
  app.require_subcommand(1);

  RunArgs run;
  run.argv0 = argv[0];
  auto* run_cmd = app.add_subcommand("run", "Run a scenario spec and check its expectations");
  run_cmd->add_option("spec", run.spec, "Scenario YAML file")->required();
  run_cmd->add_option("--backend", run.backend, "sim (default) or real");
  run_cmd->add_option("--profile", run.profile, "strict or uwsgi-2.0 (default: the spec's)");
  run_cmd->add_option("--seed", run.seed, "Seed, decimal or 0x-hex (default: random, printed)");
  run_cmd->add_option("--trace", run.trace_file, "Write the JSON-lines trace here");
  run_cmd->add_flag("--faults", run.faults, "Enable the simulator's fault points");
  run_cmd->add_option("--time-scale", run.time_scale,
                      "Real backend: virtual seconds per real second (default: the spec's "
                      "real_time_scale, else 1)");

  ExplainArgs explain;
  auto* explain_cmd = app.add_subcommand("explain", "Explain what a target string means");
  explain_cmd->add_option("target", explain.target, "Target string (quote it; \"\" is allowed)")
      ->required();
  explain_cmd->add_option("--profile", explain.profile, "strict (default) or uwsgi-2.0");
  explain_cmd->add_option("--topology", explain.topology,
                          "e.g. workers=4,mules=2,farms=a:1,2;b:3,spoolers=1");

  ExploreArgs explore;
  explore.argv0 = argv[0];
  auto* explore_cmd = app.add_subcommand(
      "explore", "Run many seeds; report distinct outcomes; stop at the first failure");
  explore_cmd->add_option("spec", explore.spec, "Scenario YAML file")->required();
  explore_cmd->add_option("--seeds", explore.seeds, "Number of seeds (default 100)");
  explore_cmd->add_option("--seed", explore.seed, "First seed (default 1)");
  explore_cmd->add_option("--profile", explore.profile,
                          "strict or uwsgi-2.0 (default: the spec's)");
  explore_cmd->add_flag("--faults", explore.faults, "Enable the simulator's fault points");

  ShrinkArgs shrink;
  shrink.argv0 = argv[0];
  auto* shrink_cmd =
      app.add_subcommand("shrink", "Shrink a failing spec+seed to a minimal scenario (YAML)");
  shrink_cmd->add_option("spec", shrink.spec, "Scenario YAML file")->required();
  shrink_cmd->add_option("--seed", shrink.seed, "The failing seed")->required();
  shrink_cmd->add_option("--profile", shrink.profile,
                         "strict or uwsgi-2.0 (default: the spec's first)");
  shrink_cmd->add_flag("--faults", shrink.faults, "Enable the simulator's fault points");

  ConformArgs conform;
  conform.argv0 = argv[0];
  auto* conform_cmd = app.add_subcommand(
      "conform", "Run the conformance matrix (scenario x backend x profile), write JUnit + HTML");
  conform_cmd->add_option("paths", conform.paths,
                          "Scenario files or directories (default specs/scenarios)");
  conform_cmd
      ->add_option("--backends", conform.backends,
                   "Comma list: sim,real,uwsgi (default: all available)")
      ->delimiter(',');
  conform_cmd->add_option("--seeds", conform.seeds, "Simulator seeds per cell (default 3)");
  conform_cmd->add_option("--report", conform.report_dir,
                          "Report directory (default reports/conformance)");
  conform_cmd->add_option("--junit", conform.junit_file,
                          "JUnit XML file (default <report>/junit.xml)");
  conform_cmd
      ->add_option("--uwsgi-max-duration", conform.uwsgi_max_duration,
                   "Longest scenario run on real uWSGI, which cannot be sped up (default "
                   "90s; longer ones are reported not applicable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // .ci/conform's can be overridden

  ServeArgs serve;
  auto* serve_cmd = app.add_subcommand(
      "serve",
      "Run a real master from a spec's topology in the foreground (registrations, timers, crons, "
      "file monitors; the timed script is ignored), log every event to stderr; SIGINT/SIGTERM "
      "stop it cleanly, SIGHUP reloads");
  serve_cmd->add_option("spec", serve.spec, "Scenario YAML file")->required();
  serve_cmd->add_option("--pid-file", serve.pid_file,
                        "Write our pid here (refused if it names a live process)");
  serve_cmd->add_option("--listen", serve.listen,
                        "Accept uwsgi-protocol remote signals here (e.g. 127.0.0.1:1717)");
  serve_cmd->add_option("--allow", serve.allow,
                        "TCP peers allowed to send remote signals (default 127.0.0.1)");
  serve_cmd->add_option("--timer-backend", serve.timer_backend,
                        "rb_timer backend: timerfd, rbtree (default) or wheel");
  serve_cmd->add_option("--log-format", serve.log_format, "text (default) or json");

  ReportArgs report;
  auto* report_cmd = app.add_subcommand(
      "report", "Render benchmark results (Google Benchmark JSON) as HTML + latest.json");
  report_cmd->add_option("--input", report.input_dir,
                         "Directory of one run's benchmark JSON (default reports/bench/raw)");
  report_cmd->add_option("--out", report.out_dir, "Output directory (default reports/bench)");
  report_cmd->add_flag("--require-targets", report.require_targets,
                       "Exit 1 when a performance target is missed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  if (run_cmd->parsed()) return cmd_run(run, std::cout, std::cerr);
  if (explore_cmd->parsed()) return cmd_explore(explore, std::cout, std::cerr);
  if (shrink_cmd->parsed()) return cmd_shrink(shrink, std::cout, std::cerr);
  if (conform_cmd->parsed()) return cmd_conform(conform, std::cout, std::cerr);
  if (serve_cmd->parsed()) return cmd_serve(serve, std::cout, std::cerr);
  if (report_cmd->parsed()) return cmd_report(report, std::cout, std::cerr);
  if (explain_cmd->parsed()) return cmd_explain(explain, std::cout, std::cerr);
  return kExitBadInput;
}
