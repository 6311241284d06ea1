// What a real uWSGI 2.0.21 instance cannot reproduce: such scenarios are reported
// not applicable with the precise reason, never run with a faked outcome.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sigharness/conform/uwsgi_backend.h"

namespace sigh::conform {
namespace {

bool whole_seconds(Nanos n) { return n % kNsPerSec == 0; }

std::string check_sources(const Scenario& s, const UwsgiRunOptions& opt) {
  for (const auto& t : s.timers) {
    const char* what = t.kind == TimerKind::rb_timer ? "rb_timer" : "timer";
    if (!whole_seconds(t.period) && !opt.floor_fractional_periods)
      return fmt::format(
          "{}: {} period {} ns is not whole seconds; uWSGI 2.0 add_timer/add_rb_timer "
          "take int seconds (add_ms_timer is 3.0-only)",
          t.loc.str(), what, t.period);
    if (t.kind == TimerKind::timer && t.iterations != 0 && !opt.ignore_unsupported_iterations)
      return fmt::format(
          "{}: iterations on a kernel timer: uWSGI 2.0 add_timer has no iterations "
          "(only rb_timers do)",
          t.loc.str());
    if (t.kind == TimerKind::rb_timer && t.period < kNsPerSec && t.iterations == 0)
      return fmt::format(
          "{}: rb_timer with secs <= 0 and infinite iterations spins or hangs the "
          "uWSGI master (reference §7.2); not run on a real instance",
          t.loc.str());
  }
  for (const auto& c : s.crons)
    if (c.iterations != 0 && !opt.ignore_unsupported_iterations)
      return fmt::format("{}: iterations on a cron: uWSGI 2.0 add_cron has none", c.loc.str());
  for (const auto& m : s.monitors)
    if (m.iterations != 0 && !opt.ignore_unsupported_iterations)
      return fmt::format("{}: iterations on a file monitor: uWSGI 2.0 add_file_monitor has none",
                         m.loc.str());
  return "";
}

std::string check_registration(const Registration& r, bool at_start) {
  if (r.by.kind == ProcessKind::spooler)
    return fmt::format("{}: registration by a spooler: no code of ours runs in a uWSGI spooler",
                       r.loc.str());
  if (!at_start && r.by.kind == ProcessKind::master)
    return fmt::format(
        "{}: runtime registration by the master: the uWSGI master runs no app code "
        "after the fork",
        r.loc.str());
  if (r.target.find('\0') != std::string::npos)
    return fmt::format("{}: target contains a NUL byte (not expressible to register_signal)",
                       r.loc.str());
  return "";
}

std::string check_action(const Scenario& s, const Action& a) {
  const std::string where = a.loc.str();
  const Topology& topo = s.topology;
  auto programmed = [&](const ProcessId& p) {
    return p.kind == ProcessKind::mule && topo.is_programmed_mule(p.index);
  };
  return std::visit(
      [&](const auto& b) -> std::string {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, RaiseAction>) {
          if (b.from.kind != ProcessKind::worker)
            return fmt::format(
                "{}: raise from {}: only workers run driver code in uWSGI (the master "
                "runs none, mules/spoolers are not request-driven)",
                where, b.from.str());
        } else if constexpr (std::is_same_v<B, WaitAction> || std::is_same_v<B, ReceivedAction>) {
          if (b.process.kind != ProcessKind::worker && !programmed(b.process))
            return fmt::format(
                "{}: wait/received in {}: only workers and programmed mules can call "
                "signal_wait/signal_received",
                where, b.process.str());
        } else if constexpr (std::is_same_v<B, LifecycleAction>) {
          if (b.kind == LifecycleAction::cheap || b.kind == LifecycleAction::spawn)
            return fmt::format(
                "{}: cheap/spawn of a chosen worker: uWSGI's cheaper picks the worker "
                "itself (master FIFO '-'/'+'), it cannot be told which",
                where);
          if (b.process.kind == ProcessKind::master)
            return fmt::format("{}: killing the master ends the instance", where);
          if (b.process.kind == ProcessKind::spooler)
            return fmt::format("{}: kill of a spooler: its pid is not mapped to an index", where);
        } else if constexpr (std::is_same_v<B, RegisterAction>) {
          if (b.reg.by.kind == ProcessKind::mule && !programmed(b.reg.by))
            return fmt::format(
                "{}: runtime registration in a signal-only mule: it runs no driver "
                "code",
                where);
          if (b.reg.by.kind == ProcessKind::mule)
            return fmt::format(
                "{}: runtime registration in a programmed mule is not driven by this "
                "backend",
                where);
          return check_registration(b.reg, false);
        } else if constexpr (std::is_same_v<B, UnregisterAction>) {
          return fmt::format(
              "{}: unregister: uWSGI 2.0 has no way to remove a signal table entry "
              "(reference §2.5)",
              where);
        } else if constexpr (std::is_same_v<B, RequestAction>) {
          if (b.worker < 1 || b.worker > topo.workers)
            return fmt::format("{}: request on worker{} which does not exist", where, b.worker);
        }
        return "";
      },
      a.body);
}

// The driver reaches a worker only through HTTP requests on its own socket, and a
// sync worker serves one request at a time: an action aimed at a worker while a
// scenario request is open on it would only run after that request ends.
std::string check_open_requests(const Scenario& s) {
  std::map<int, Nanos> open_until;  // worker -> end of its open request
  auto busy = [&](int w, Nanos at) {
    auto it = open_until.find(w);
    return it != open_until.end() && at < it->second;
  };
  for (const auto& a : s.script) {
    int target = 0;
    bool opens = false, closes = false;
    Nanos until = s.duration;
    std::visit(
        [&](const auto& b) {
          using B = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<B, RaiseAction>) {
            if (b.from.kind == ProcessKind::worker) target = b.from.index;
          } else if constexpr (std::is_same_v<B, WaitAction> || std::is_same_v<B, ReceivedAction>) {
            if (b.process.kind == ProcessKind::worker) target = b.process.index;
          } else if constexpr (std::is_same_v<B, RegisterAction>) {
            if (b.reg.by.kind == ProcessKind::worker) target = b.reg.by.index;
          } else if constexpr (std::is_same_v<B, RequestAction>) {
            target = b.worker;
            opens = b.start;
            closes = !b.start;
            if (b.start && b.duration >= 0) until = a.at + b.duration;
          }
        },
        a.body);
    if (target == 0) continue;
    if (closes) {
      open_until.erase(target);
      continue;
    }
    if (busy(target, a.at))
      return fmt::format(
          "{}: action on worker{} while a scenario request is open on it: a sync worker "
          "serves one request at a time, so this backend cannot drive it mid-request",
          a.loc.str(), target);
    if (opens) open_until[target] = until;
  }
  return "";
}

}  // namespace

std::string uwsgi_not_applicable_reason(const Scenario& s, const UwsgiRunOptions& opt) {
  if (auto it = s.not_applicable.find("uwsgi"); it != s.not_applicable.end())
    return "scenario says: " + it->second;
  if (!s.holds_under(Profile::uwsgi_2_0)) return "scenario does not hold under profile uwsgi-2.0";
  bool any_expectation = s.expectations.empty();
  for (const auto& e : s.expectations)
    if (e.profiles.empty() ||
        std::find(e.profiles.begin(), e.profiles.end(), Profile::uwsgi_2_0) != e.profiles.end())
      any_expectation = true;
  if (!any_expectation) return "every expectation is strict-only";
  if (s.duration > opt.max_duration)
    return fmt::format(
        "duration {} exceeds the real-run cap of {}: uWSGI runs in real time (raise the cap with "
        "sigharness conform --uwsgi-max-duration)",
        format_duration(s.duration), format_duration(opt.max_duration));
  const Topology& t = s.topology;
  if (t.queue_capacity != 278 && (t.queue_capacity < 6 || t.queue_capacity > 5461))
    return fmt::format(
        "queue_capacity {}: uWSGI's capacity is ceil(SO_SNDBUF/768) with the kernel's "
        "floor of 4608 bytes and wmem_max here, so only 6..5461 are reachable",
        t.queue_capacity);
  if (t.cheaper_initial >= 0 && t.cheaper_initial < 1)
    return "cheaper initial 0: uWSGI needs at least one worker running";
  if (auto r = check_sources(s, opt); !r.empty()) return r;
  for (const auto& r : s.registrations)
    if (auto why = check_registration(r, true); !why.empty()) return why;
  for (const auto& a : s.script)
    if (auto why = check_action(s, a); !why.empty()) return why;
  return check_open_requests(s);
}

}  // namespace sigh::conform
