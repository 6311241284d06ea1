#pragma once
// Benchmark results of one run, read from Google Benchmark JSON files, and the figures the
// issue asks for (same-run ratios, targets) computed from them. The names and counters every
// benchmark reports are listed in bench/bench_counters.h; the naming scheme is
//   dispatch_<impl>/<kind>/<n>   impl: real | uwsgi | raw,  n: workers (or mules, spoolers)
//   timer_<backend>/<n>          backend: timerfd | rbtree | wheel | uwsgi_add_timer | ...
//   BM_SimRoutedSignals/16, BM_SimDay24h/<0 strict | 1 uwsgi-2.0>   (bench_sim_speed)
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sigh::cli {

struct BenchRow {
  std::string name;         // run_name without aggregates, e.g. "dispatch_real/pool/2"
  std::string family;       // "dispatch_real", "timer_rbtree", "BM_SimDay24h"
  std::string kind;         // middle part for dispatch rows ("pool"); "" otherwise
  long n = 0;               // last numeric part (workers, armed timers, ...)
  int repetitions = 0;      // iteration rows seen
  double real_time_ns = 0;  // median over repetitions
  std::map<std::string, double> counters;  // median over repetitions
  std::string source;                      // file it came from
  std::string error;                       // error_message of a skipped benchmark

  std::optional<double> counter(const std::string& k) const {
    auto it = counters.find(k);
    if (it == counters.end()) return std::nullopt;
    return it->second;
  }
};

struct BenchTarget {
  std::string name;  // "pool_vs_uwsgi >= 3"
  std::optional<double> value;
  double threshold = 0;
  bool higher_is_better = true;
  bool met() const {
    return value && (higher_is_better ? *value >= threshold : *value < threshold);
  }
  std::string why_missing;  // when value is empty
};

struct BenchRun {
  std::vector<BenchRow> rows;                  // sorted by name
  std::map<std::string, std::string> machine;  // host, cpus, mhz, load, cpu model, kernel
  std::vector<std::string> sources;            // files read
  std::string first_date, last_date;           // Google Benchmark context dates
  std::string commit;

  const BenchRow* find(const std::string& name) const;
  std::vector<const BenchRow*> family(const std::string& fam) const;  // sorted by n
};

// Reads every *.json in dir. Errors name the file and the reason; returns nullopt then.
// Google Benchmark writes non-finite numbers as bare NaN / -nan / inf (e.g. the coefficient of
// variation of a counter that is 0 in every repetition), which is not JSON. Returns the text with
// each such literal outside a string replaced by null (a missing figure), everything else as is.
std::string null_non_finite_numbers(const std::string& text);

std::optional<BenchRun> load_bench_run(const std::string& dir, std::string* error);

// The headline figures (latest.json "ratios", "figures") and the targets.
struct BenchSummary {
  std::map<std::string, double> figures;  // raw figures the ratios come from
  std::map<std::string, double> ratios;   // pool_vs_uwsgi, pool_vs_raw
  std::optional<double> sim_signals_per_second;
  std::vector<BenchTarget> targets;
  std::vector<std::string> notes;  // what could not be computed and why
};
BenchSummary summarize(const BenchRun& run);

// latest.json (nlohmann::json dumped with indent 2).
std::string render_latest_json(const BenchRun& run, const BenchSummary& s);
// The self-contained HTML page with SVG plots.
std::string render_bench_html(const BenchRun& run, const BenchSummary& s);

}  // namespace sigh::cli
