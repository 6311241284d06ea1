#pragma once
// `sigharness serve`: a real master from a spec's topology, in the foreground, until SIGINT or
// SIGTERM (graceful: every child stopped and reaped by pid, the pid file removed). SIGHUP reloads:
// children stopped, the instance rebuilt, children respawned and every source re-armed.
// The spec's registrations, timers, rb_timers, crons and file monitors run; its timed script and
// expectations are ignored (a served master runs until stopped). Every event is logged to the
// log fd, one line each.
#include <iosfwd>
#include <string>
#include <vector>

#include "sigharness/real/timer_backend.h"
#include "sigharness/scenario.h"

namespace sigh::real {

struct ServeOptions {
  std::string pid_file;            // empty: none
  std::string listen;              // empty: no remote listener; e.g. "127.0.0.1:1717"
  std::vector<std::string> allow;  // TCP peers allowed to send remote signals
  TimerBackendKind rb_backend = TimerBackendKind::rbtree;
  bool json_log = false;  // JSON lines (the trace format) instead of text lines
  int log_fd = 2;
};

// Returns the process exit code: 0 stopped cleanly, 2 bad setup (pid file taken, address not
// allowed or unusable), 3 the master could not start. Errors are written to `err`.
int serve(const Scenario& sc, const ServeOptions& o, std::ostream& err);

}  // namespace sigh::real
