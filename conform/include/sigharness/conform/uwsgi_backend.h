#pragma once
// The third backend: runs a scenario on a real uWSGI 2.0.21 instance (Debian
// uwsgi-core + uwsgi-plugin-python3) and returns a trace in sigharness's format
// (backend "uwsgi", profile "uwsgi-2.0"). See conform/UWSGI_BACKEND.md for how each
// scenario element is mapped, what is not applicable and the timing tolerance.
#include <string>

#include "sigharness/duration.h"
#include "sigharness/scenario.h"
#include "sigharness/trace.h"

namespace sigh::conform {

struct UwsgiRunOptions {
  std::string uwsgi_binary = "/usr/bin/uwsgi";
  std::string faketime_lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  Nanos startup_timeout = 20 * kNsPerSec;  // until every process has spawned
  Nanos stop_timeout = 8 * kNsPerSec;      // SIGINT -> exit, then SIGKILL of the group
  Nanos max_duration = 90 * kNsPerSec;     // longer scenarios are not applicable
  bool keep_dir = false;                   // keep the run's temp dir (ini, app, log, events)
  std::string log_copy_path;               // when set, uWSGI's log is copied here
  // uwsgi-2.0 profile rules the real binary can also follow (off = not applicable):
  bool floor_fractional_periods = false;       // pass floor(period) like U8/U9 round down
  bool ignore_unsupported_iterations = false;  // iterations on timers/crons/monitors: note + ignore
};

struct UwsgiRunResult {
  bool not_applicable = false;
  std::string reason;  // why not applicable, or why the run failed ("" when fine)
  Trace trace;
  std::string log_path;  // uWSGI's log (kept only with keep_dir or log_copy_path)
};

UwsgiRunResult run_scenario_uwsgi(const Scenario& s, const UwsgiRunOptions& opt);

// True when the binary, the python3 and signal plugins are usable (runs
// `uwsgi --plugin python3 --plugin signal --version`); otherwise why.
bool uwsgi_available(std::string* why);

// The scenario elements this backend cannot reproduce on uWSGI 2.0.21; "" when
// it can. Exposed for tests and `sigharness conform` notes.
std::string uwsgi_not_applicable_reason(const Scenario& s, const UwsgiRunOptions& opt);

}  // namespace sigh::conform
