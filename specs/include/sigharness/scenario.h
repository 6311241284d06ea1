#pragma once
// A scenario: topology, registrations, event sources, a timed script and
// expectations. Loaded from YAML by load_scenario(); the format is documented
// in specs/FORMAT.md. Every element remembers where it came from (file:line:col).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sigharness/duration.h"
#include "sigharness/process_id.h"
#include "sigharness/signal_number.h"
#include "sigharness/target.h"
#include "sigharness/topology.h"
#include "sigharness/trace.h"

namespace sigh {

struct SourceLoc {
  std::string file;
  int line = 0;             // 1-based
  int column = 0;           // 1-based
  std::string str() const;  // "file:line:col"
};

struct Registration {
  SourceLoc loc;
  SignalNumber sig = 0;
  std::string target;  // the receiver string, verbatim
  bool unchecked =
      false;  // `unchecked: true`: a deliberately non-strict target; not validated at load
  ProcessId by = ProcessId::master();
  Nanos handler_duration = 0;     // how long the handler runs
  bool crash_in_handler = false;  // the process dies inside this handler (fault point)
};

enum class TimerKind { timer, rb_timer };

struct TimerSource {
  SourceLoc loc;
  TimerKind kind = TimerKind::timer;
  SignalNumber sig = 0;
  Nanos period = 0;    // timer: whole seconds in uwsgi-2.0; strict allows sub-second
  int iterations = 0;  // 0 = forever
  Nanos at = 0;        // when it is added (virtual time)
};

struct CronSource {
  SourceLoc loc;
  SignalNumber sig = 0;
  int minute = -1, hour = -1, day = -1, month = -1, weekday = -1;  // uWSGI add_cron fields
  int iterations = 0;  // strict only: stop after N firings (0 = forever)
  Nanos at = 0;
};

struct MonitorSource {
  SourceLoc loc;
  SignalNumber sig = 0;
  std::string path;    // virtual path (sim) / path under the run's temp dir (real)
  int iterations = 0;  // strict only
  Nanos at = 0;
};

// Script actions.
struct RaiseAction {
  SignalNumber sig = 0;
  ProcessId from = ProcessId::worker(1);
  int count = 1;
};
struct RequestAction {
  int worker = 1;
  bool start = true;
  Nanos duration = -1;
};  // duration>=0: auto finish
struct WaitAction {
  ProcessId process = ProcessId::worker(1);
  std::optional<SignalNumber> sig;
};
struct ReceivedAction {
  ProcessId process = ProcessId::worker(1);
};  // read signal_received()
struct TouchAction {
  std::string path;
};
struct LifecycleAction {
  enum Kind { cheap, spawn, kill, crash } kind = kill;
  ProcessId process = ProcessId::worker(1);
};
struct ClockStepAction {
  Nanos step = 0;
};  // wall clock only
struct RegisterAction {
  Registration reg;
};
struct UnregisterAction {
  SignalNumber sig = 0;
  ProcessId by = ProcessId::master();
};

using ActionBody = std::variant<RaiseAction, RequestAction, WaitAction, ReceivedAction, TouchAction,
                                LifecycleAction, ClockStepAction, RegisterAction, UnregisterAction>;

struct Action {
  SourceLoc loc;
  Nanos at = 0;
  ActionBody body;
};

// Which trace events an expectation looks at. Empty fields match anything.
struct EventFilter {
  std::optional<EventKind> kind;  // default set by the expectation form (handled => handler-start)
  std::optional<int> sig;
  std::string proc;  // glob: "worker2", "worker*", "mule*", "*"
  std::string queue;
  std::string detail_contains;
  std::optional<std::int64_t> value;
  Nanos from = 0;  // time window [from, until)
  Nanos until = INT64_MAX;
};

// Forms in YAML (see specs/FORMAT.md): handled, never, once, dropped, rejected,
// event, order, wait, received.
struct Expectation {
  enum class Kind { count, sequence };
  SourceLoc loc;
  std::string form;               // the YAML key, for messages ("handled", "order", ...)
  std::vector<Profile> profiles;  // empty: all the scenario's profiles
  Kind kind = Kind::count;
  EventFilter filter;
  std::optional<std::int64_t> exact, min, max;  // count
  std::vector<std::int64_t> sequence;           // sequence: sigs (order/wait) or values (received)
  bool sequence_uses_value = false;             // received: compare `value`, else `sig`
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<Profile> profiles;                      // profiles the expectations hold under
  std::map<std::string, std::string> not_applicable;  // backend -> reason ("real", "uwsgi")
  Topology topology;
  Nanos duration = 10 * kNsPerSec;
  std::int64_t wall_start = 1893456000;  // unix seconds (2030-01-01T00:00:00Z); cron is UTC
  // Virtual seconds per real second on the real backend (timers, script, handler durations and
  // the wall clock all run this much faster); the simulator has no real time and uWSGI cannot
  // be sped up, so both ignore it.
  int real_time_scale = 1;
  std::vector<std::string> files;           // files that exist at start (for monitors)
  std::vector<Registration> registrations;  // at start: master ones before fork
  std::vector<TimerSource> timers;
  std::vector<CronSource> crons;
  std::vector<MonitorSource> monitors;
  std::vector<Action> script;  // sorted by `at`, stable
  std::vector<Expectation> expectations;

  bool holds_under(Profile p) const;
};

struct SpecError {
  SourceLoc loc;
  std::string what;             // what is wrong
  std::string hint;             // how to fix it
  std::string message() const;  // "file:line:col: error: what\n  hint: hint"
};

using ScenarioOrError = std::variant<Scenario, SpecError>;
ScenarioOrError load_scenario_file(const std::string& path);
ScenarioOrError load_scenario_string(const std::string& yaml, const std::string& filename);

// Writes a scenario back as YAML that load_scenario_string() accepts (used by
// `sigharness shrink` and the property tests to print counterexamples).
std::string scenario_to_yaml(const Scenario& s);

}  // namespace sigh
