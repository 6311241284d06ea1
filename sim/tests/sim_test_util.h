#pragma once
// Hand-built scenarios and trace queries for the simulator's unit tests.
#include <cstdint>
#include <string>
#include <vector>

#include "sigharness/sim/simulator.h"

namespace sigh::sim::testing {

inline Scenario scenario(int workers, Nanos duration = 2 * kNsPerSec) {
  Scenario s;
  s.name = "t";
  s.profiles = {Profile::strict, Profile::uwsgi_2_0};
  s.topology.workers = workers;
  s.duration = duration;
  return s;
}

inline Registration& reg(Scenario& s, int sig, std::string target,
                         ProcessId by = ProcessId::master()) {
  Registration r;
  r.sig = static_cast<SignalNumber>(sig);
  r.target = std::move(target);
  r.by = by;
  s.registrations.push_back(r);
  return s.registrations.back();
}

inline void at(Scenario& s, Nanos t, ActionBody body) {
  s.script.push_back({{}, t, std::move(body)});
}

inline void raise(Scenario& s, Nanos t, int sig, ProcessId from = ProcessId::worker(1),
                  int count = 1) {
  at(s, t, RaiseAction{static_cast<SignalNumber>(sig), from, count});
}

inline Trace run(const Scenario& s, Profile p, std::uint64_t seed = 1) {
  SimOptions o;
  o.profile = p;
  o.seed = seed;
  return run_scenario(s, o).trace;
}

struct Q {  // an event query; empty fields match anything
  Q(EventKind k, int s = -1, std::string p = {}, std::string q = {}, std::string d = {})
      : kind(k), sig(s), proc(std::move(p)), queue(std::move(q)), detail(std::move(d)) {}
  EventKind kind;
  int sig;
  std::string proc;
  std::string queue;
  std::string detail;  // substring
};

inline bool matches(const TraceEvent& e, const Q& q) {
  return e.kind == q.kind && (q.sig < 0 || e.sig == q.sig) &&
         (q.proc.empty() || e.proc == q.proc) && (q.queue.empty() || e.queue == q.queue) &&
         (q.detail.empty() || e.detail.find(q.detail) != std::string::npos);
}

inline int count(const Trace& t, const Q& q) {
  int n = 0;
  for (const auto& e : t.events) n += matches(e, q) ? 1 : 0;
  return n;
}

inline std::vector<TraceEvent> select(const Trace& t, const Q& q) {
  std::vector<TraceEvent> out;
  for (const auto& e : t.events)
    if (matches(e, q)) out.push_back(e);
  return out;
}

// The whole trace as text, for failure messages.
inline std::string dump(const Trace& t) {
  std::string s;
  for (const auto& e : t.events) s += trace_event_to_json(e) + "\n";
  return s;
}

}  // namespace sigh::sim::testing
