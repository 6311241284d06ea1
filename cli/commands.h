#pragma once
// The subcommands of `sigharness`. Each returns the process exit code:
//   0 every expectation held / success
//   1 an expectation failed (or a conformance cell violated)
//   2 bad input (spec, flag, path)
//   3 a backend failed to run (internal error, not a verdict)
//   4 skipped: the scenario does not apply to this backend (reason printed)
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sigh::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitBackendError = 3;
inline constexpr int kExitSkipped = 4;

struct RunArgs {
  std::string argv0 = "sigharness";
  std::string spec;
  std::string backend = "sim";
  std::optional<std::string> profile;  // default: every profile the scenario names
  std::optional<std::string> seed;     // default: drawn from the OS and printed
  std::string trace_file;              // optional JSON-lines trace output
  bool faults = false;                 // sim fault points
  std::optional<double> time_scale;    // real backend: overrides the spec's real_time_scale
};
int cmd_run(const RunArgs& args, std::ostream& out, std::ostream& err);

struct ExplainArgs {
  std::string target;
  std::string profile = "strict";
  std::string topology = "workers=4";
};
int cmd_explain(const ExplainArgs& args, std::ostream& out, std::ostream& err);

struct ExploreArgs {
  std::string argv0 = "sigharness";
  std::string spec;
  int seeds = 100;
  std::optional<std::string> seed;     // first seed (default 1)
  std::optional<std::string> profile;  // default: the spec's profiles
  bool faults = false;
};
int cmd_explore(const ExploreArgs& args, std::ostream& out, std::ostream& err);

struct ShrinkArgs {
  std::string argv0 = "sigharness";
  std::string spec;
  std::string seed;
  std::optional<std::string> profile;  // default: the spec's first profile
  bool faults = false;
};
int cmd_shrink(const ShrinkArgs& args, std::ostream& out, std::ostream& err);

struct ConformArgs {
  std::string argv0 = "sigharness";
  std::vector<std::string> paths;     // files or directories (default specs/scenarios)
  std::vector<std::string> backends;  // default: every available backend
  int seeds = 3;                      // simulator seeds per cell
  std::string report_dir = "reports/conformance";
  std::string junit_file;  // default <report_dir>/junit.xml
  // Longest scenario run on real uWSGI (which runs in real time); longer ones are not applicable.
  std::string uwsgi_max_duration = "90s";
};
int cmd_conform(const ConformArgs& args, std::ostream& out, std::ostream& err);

struct ServeArgs {
  std::string spec;
  std::string pid_file;
  std::string listen;              // e.g. 127.0.0.1:1717 (empty: no remote signals)
  std::vector<std::string> allow;  // TCP peers allowed to send remote signals
  std::string timer_backend = "rbtree";
  std::string log_format = "text";
};
// Exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 2 bad input (spec, flag, pid file taken,
// address), 3 the master could not start.
int cmd_serve(const ServeArgs& args, std::ostream& out, std::ostream& err);

struct ReportArgs {
  std::string input_dir = "reports/bench/raw";  // Google Benchmark JSON files of one run
  std::string out_dir = "reports/bench";        // index.html + latest.json
  bool require_targets = false;                 // exit 1 when a performance target is missed
};
int cmd_report(const ReportArgs& args, std::ostream& out, std::ostream& err);

}  // namespace sigh::cli
