// Writes a scenario back as YAML that the loader accepts (counterexamples from
// `sigharness shrink` and the property tests).
#include <cstdio>
#include <string>
#include <variant>

#include "sigharness/scenario.h"

namespace sigh {
namespace {

std::string q(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string profiles_str(const std::vector<Profile>& ps) {
  std::string s = "[";
  for (std::size_t i = 0; i < ps.size(); ++i)
    s += (i ? ", " : "") + std::string(profile_name(ps[i]));
  return s + "]";
}

std::string registration_str(const Registration& r) {
  std::string s =
      "{signal: " + std::to_string(r.sig) + ", target: " + q(r.target) + ", by: " + r.by.str();
  if (r.handler_duration) s += ", handler_duration: " + format_duration(r.handler_duration);
  if (r.unchecked) s += ", unchecked: true";
  if (r.crash_in_handler) s += ", crash: true";
  return s + "}";
}

std::string wall_str(std::int64_t t) {
  std::int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) rem += 86400, --days;
  // Civil from days (inverse of the loader's days-from-civil).
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t doe = days - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                static_cast<long long>(rem % 60));
  return buf;
}

}  // namespace

std::string scenario_to_yaml(const Scenario& s) {
  std::string y;
  y += "name: " + (s.name.empty() ? std::string("unnamed") : s.name) + "\n";
  if (!s.description.empty()) y += "description: " + q(s.description) + "\n";
  y += "profiles: " + profiles_str(s.profiles) + "\n";
  if (!s.not_applicable.empty()) {
    y += "not_applicable:\n";
    for (const auto& [b, why] : s.not_applicable) y += "  " + b + ": " + q(why) + "\n";
  }
  const Topology& t = s.topology;
  y += "topology:\n  workers: " + std::to_string(t.workers) + "\n";
  if (t.cheaper_initial >= 0)
    y += "  cheaper: {initial: " + std::to_string(t.cheaper_initial) + "}\n";
  if (t.mules) y += "  mules: " + std::to_string(t.mules) + "\n";
  if (!t.programmed_mules.empty()) {
    y += "  programmed_mules: [";
    for (std::size_t i = 0; i < t.programmed_mules.size(); ++i)
      y += (i ? ", " : "") + std::to_string(t.programmed_mules[i]);
    y += "]\n";
  }
  if (!t.farms.empty()) {
    y += "  farms:\n";
    for (const auto& f : t.farms) {
      y += "    - {name: " + q(f.name) + ", mules: [";
      for (std::size_t i = 0; i < f.mules.size(); ++i)
        y += (i ? ", " : "") + std::to_string(f.mules[i]);
      y += "]}\n";
    }
  }
  if (t.spoolers) y += "  spoolers: " + std::to_string(t.spoolers) + "\n";
  if (t.lazy_apps) y += "  lazy_apps: true\n";
  y += "  queue_capacity: " + std::to_string(t.queue_capacity) + "\n";
  y += "duration: " + format_duration(s.duration) + "\n";
  y += "wall_start: \"" + wall_str(s.wall_start) + "\"\n";
  if (s.real_time_scale != 1) y += "real_time_scale: " + std::to_string(s.real_time_scale) + "\n";
  if (!s.files.empty()) {
    y += "files:\n";
    for (const auto& f : s.files) y += "  - " + q(f) + "\n";
  }
  if (!s.registrations.empty()) {
    y += "registrations:\n";
    for (const auto& r : s.registrations) y += "  - " + registration_str(r) + "\n";
  }
  if (!s.timers.empty()) {
    y += "timers:\n";
    for (const auto& tm : s.timers)
      y += "  - {signal: " + std::to_string(tm.sig) + ", period: " + format_duration(tm.period) +
           (tm.kind == TimerKind::rb_timer ? ", rb: true" : "") +
           ", iterations: " + std::to_string(tm.iterations) + ", at: " + format_duration(tm.at) +
           "}\n";
  }
  if (!s.crons.empty()) {
    y += "crons:\n";
    for (const auto& c : s.crons)
      y += "  - {signal: " + std::to_string(c.sig) + ", minute: " + std::to_string(c.minute) +
           ", hour: " + std::to_string(c.hour) + ", day: " + std::to_string(c.day) +
           ", month: " + std::to_string(c.month) + ", weekday: " + std::to_string(c.weekday) +
           ", iterations: " + std::to_string(c.iterations) + ", at: " + format_duration(c.at) +
           "}\n";
  }
  if (!s.monitors.empty()) {
    y += "monitors:\n";
    for (const auto& m : s.monitors)
      y += "  - {signal: " + std::to_string(m.sig) + ", path: " + q(m.path) +
           ", iterations: " + std::to_string(m.iterations) + ", at: " + format_duration(m.at) +
           "}\n";
  }
  if (!s.script.empty()) {
    y += "script:\n";
    for (const auto& a : s.script) {
      std::string at = "{at: " + format_duration(a.at) + ", ";
      std::visit(
          [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, RaiseAction>)
              y += "  - " + at + "raise: " + std::to_string(b.sig) + ", from: " + b.from.str() +
                   (b.count != 1 ? ", count: " + std::to_string(b.count) : "") + "}\n";
            else if constexpr (std::is_same_v<T, RequestAction>)
              y +=
                  "  - " + at + "request: " + (b.start ? "start" : "finish") +
                  ", worker: " + std::to_string(b.worker) +
                  (b.start && b.duration >= 0 ? ", duration: " + format_duration(b.duration) : "") +
                  "}\n";
            else if constexpr (std::is_same_v<T, WaitAction>)
              y += "  - " + at + "wait: " + (b.sig ? std::to_string(*b.sig) : "any") +
                   ", process: " + b.process.str() + "}\n";
            else if constexpr (std::is_same_v<T, ReceivedAction>)
              y += "  - " + at + "received: " + b.process.str() + "}\n";
            else if constexpr (std::is_same_v<T, TouchAction>)
              y += "  - " + at + "touch: " + q(b.path) + "}\n";
            else if constexpr (std::is_same_v<T, LifecycleAction>) {
              const char* k = b.kind == LifecycleAction::cheap   ? "cheap"
                              : b.kind == LifecycleAction::spawn ? "spawn"
                              : b.kind == LifecycleAction::kill  ? "kill"
                                                                 : "crash";
              y += "  - " + at + k + ": " + b.process.str() + "}\n";
            } else if constexpr (std::is_same_v<T, ClockStepAction>)
              y += "  - " + at + "clock_step: " + format_duration(b.step) + "}\n";
            else if constexpr (std::is_same_v<T, RegisterAction>)
              y += "  - " + at + "register: " + registration_str(b.reg) + "}\n";
            else
              y += "  - " + at + "unregister: " + std::to_string(b.sig) + ", by: " + b.by.str() +
                   "}\n";
          },
          a.body);
    }
  }
  if (!s.expectations.empty()) {
    y += "expect:\n";
    for (const auto& x : s.expectations) {
      std::string body;
      const EventFilter& f = x.filter;
      auto add = [&](const std::string& kv) { body += (body.empty() ? "" : ", ") + kv; };
      if (x.form == "event" && f.kind) add("kind: " + std::string(event_kind_name(*f.kind)));
      if (f.sig) add("signal: " + std::to_string(*f.sig));
      if (!f.proc.empty()) add("by: " + q(f.proc));
      if (!f.queue.empty()) add("queue: " + q(f.queue));
      if (!f.detail_contains.empty()) add("detail: " + q(f.detail_contains));
      if (f.value) add("value: " + std::to_string(*f.value));
      if (f.from) add("from: " + format_duration(f.from));
      if (f.until != INT64_MAX) add("until: " + format_duration(f.until));
      if (x.kind == Expectation::Kind::count && x.form != "never" && x.form != "once") {
        if (x.exact) add("count: " + std::to_string(*x.exact));
        if (x.min) add("min: " + std::to_string(*x.min));
        if (x.max) add("max: " + std::to_string(*x.max));
      }
      if (x.kind == Expectation::Kind::sequence) {
        std::string seq = "[";
        for (std::size_t i = 0; i < x.sequence.size(); ++i)
          seq += (i ? ", " : "") + std::to_string(x.sequence[i]);
        seq += "]";
        const char* key = x.form == "order" ? "signals" : x.form == "wait" ? "returns" : "values";
        add(std::string(key) + ": " + seq);
      }
      y += "  - {";
      if (!x.profiles.empty()) y += "profile: " + profiles_str(x.profiles) + ", ";
      y += x.form + ": {" + body + "}}\n";
    }
  }
  return y;
}

}  // namespace sigh
