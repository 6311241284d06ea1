#pragma once
// The trace format: JSON lines, versioned. Line 1 is a header object, every
// following line is one event. Both sim/ and real/ (and the uwsgi backend)
// write it; the checker and expectations read it.
//
//   {"trace":"sigharness","version":1,"backend":"sim","profile":"strict",
//    "seed":"0x2a","scenario":"pool-basic"}
//   {"t":1000000000,"ev":"raise","sig":1,"proc":"worker1"}
//   {"t":1000000000,"ev":"deliver","sig":1,"proc":"worker2","queue":"worker-pool"}
//
// Fields other than t/ev are omitted when empty. Keys are written in a fixed
// order so identical runs give identical bytes.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sigharness/duration.h"

namespace sigh {

inline constexpr int kTraceVersion = 1;

enum class EventKind {
  raise,          // a process raised sig (proc = raiser, target = table target if any)
  route,          // master routed sig (target = receiver string, detail = routing outcome)
  enqueue,        // a byte was written on queue (queue = name, value = depth after write)
  drop,           // a byte was dropped (detail = reason: queue-full, no-target, ebadf, ...)
  reject,         // strict: a raise or route was refused with an explicit error (detail = why)
  deliver,        // proc read a byte from queue
  handler_start,  // proc started running the handler for sig
  handler_end,    // handler finished (detail = "crash" if it died inside)
  unhandled,      // proc consumed sig without a handler ("error managing signal")
  wait_enter,     // proc entered signal_wait (value = awaited sig, absent = any)
  wait_return,    // signal_wait returned (sig = the signal it consumed)
  received,       // signal_received() read (value = what it returned)
  timer_fire,     // kernel timer expired (value = expirations coalesced)
  rbtimer_fire,   // rb_timer fired (value = iteration number, 1-based)
  cron_fire,      // cron entry matched (wall = wall clock seconds)
  monitor_fire,   // file monitor routed (detail = path)
  request_start,
  request_end,
  spawn,                // a process (re)started
  cheap,                // cheaper stopped a worker
  respawn,              // master respawned a dead process
  kill,                 // a process was killed (detail = how)
  exit,                 // a process ended
  register_ok,          // proc registered sig (target = receiver string)
  register_error,       // registration refused (detail = why)
  unregister,           // strict: table entry removed
  clock_step,           // wall clock stepped (value = step in seconds)
  undefined_behaviour,  // uwsgi-2.0: uWSGI has UB here (detail = what)
  fault,                // a fault point fired (detail = which)
  note,                 // anything else worth reading
};

std::string_view event_kind_name(EventKind k);  // "handler-start", "undefined-behaviour", ...
std::optional<EventKind> parse_event_kind(std::string_view s);

struct TraceEvent {
  Nanos t = 0;  // monotonic time since run start
  EventKind kind = EventKind::note;
  std::optional<int> sig;
  std::string proc;    // logical process id (ProcessId::str())
  std::string queue;   // "upstream", "worker-pool", "worker2", "mule-pool", "mule1",
                       // "farm:NAME", "spooler-pool", "upstream-mules", "upstream-spoolers"
  std::string target;  // receiver string
  std::string detail;
  std::optional<std::int64_t> value;
  std::optional<std::int64_t> wall;  // wall clock, unix seconds

  bool operator==(const TraceEvent&) const = default;
};

struct TraceHeader {
  int version = kTraceVersion;
  std::string backend;   // sim | real | uwsgi
  std::string profile;   // strict | uwsgi-2.0
  std::string seed;      // "0x..." (hex) or "" for non-seeded runs
  std::string scenario;  // scenario name
  bool operator==(const TraceHeader&) const = default;
};

struct Trace {
  TraceHeader header;
  std::vector<TraceEvent> events;
};

// Serialisation (deterministic byte output).
std::string trace_header_to_json(const TraceHeader& h);
std::string trace_event_to_json(const TraceEvent& e);
void write_trace(std::ostream& out, const Trace& t);

struct TraceReadError {
  int line = 0;
  std::string why;
  std::string message() const;
};
// Reads a whole trace; on error returns nullopt and fills err (never throws).
std::optional<Trace> read_trace(std::istream& in, TraceReadError* err);
std::optional<TraceEvent> parse_trace_event(std::string_view line, std::string* why);

// 64-bit FNV-1a over the serialised events, for determinism checks.
std::uint64_t trace_hash(const Trace& t);

}  // namespace sigh
