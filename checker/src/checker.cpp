// Replays an observed trace through the profile's rules. Each observed event
// is either explained (the model allows it in the current state) or it is the
// first violation. Checks that the trace cannot settle become "unknown".
#include "sigharness/checker/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "recipients.h"

namespace sigh::checker {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::conforms:
      return "conforms";
    case Verdict::violates:
      return "violates";
    case Verdict::unknown:
      return "unknown";
  }
  return "?";
}

namespace {

struct ProcState {
  bool programmed = false;  // programmed mule: reads signals only inside signal_wait
  bool alive = true;
  bool cheaped = false;
  int in_request = 0;
  int in_handler = 0;
  bool waiting = false;
  int ran_in_wait = -1;  // the signal whose handler the waiter ran (that byte returns the wait)
  Nanos idle_since = 0;
};

struct Pending {
  std::size_t route_index;  // the event that routed it
  Nanos t;
  std::string why;
  std::vector<std::string> candidates;  // pool entries only
};

class Replay {
 public:
  Replay(const Scenario& s, Profile p, const Trace& t, const CheckOptions& o)
      : sc_(s), profile_(p), trace_(t), opt_(o) {
    for (int i = 1; i <= s.topology.workers; ++i) {
      procs_[fmt::format("worker{}", i)] = {};
      if (s.topology.cheaper_initial >= 0 && i > s.topology.cheaper_initial)
        procs_[fmt::format("worker{}", i)].cheaped = true;
    }
    for (int i = 1; i <= s.topology.mules; ++i)
      procs_[fmt::format("mule{}", i)].programmed = s.topology.is_programmed_mule(i);
    for (int i = 1; i <= s.topology.spoolers; ++i) procs_[fmt::format("spooler{}", i)] = {};
    for (const auto& r : s.registrations) {
      if (r.by.kind == ProcessKind::master && s.topology.lazy_apps) {
        for (int i = 1; i <= s.topology.workers; ++i)
          add_registration(r.sig, r.target, fmt::format("worker{}", i));
      } else {
        add_registration(r.sig, r.target, r.by.str());
      }
    }
    for (const auto& e : t.events) {
      if (e.kind == EventKind::route) has_routes_ = true;
      if (e.kind == EventKind::deliver) has_delivers_ = true;
    }
  }

  CheckResult run() {
    for (std::size_t i = 0; i < trace_.events.size(); ++i) {
      if (!step(i, trace_.events[i])) return result_;
      ++result_.good_prefix;
    }
    finish();
    return result_;
  }

 private:
  // Registrations: per signal, who registered and with which receiver.
  struct Reg {
    std::string master_receiver;
    bool master = false;
    std::set<std::string> owners;  // processes that registered after fork
    std::string last_receiver;     // S1: most recent registration anywhere
  };

  void add_registration(int sig, const std::string& target, const std::string& by) {
    Reg& r = regs_[sig];
    if (by == "master") {
      // Mules and spoolers cannot register; invalid strict targets are refused.
      r.master = true;
      r.master_receiver = target;
    } else if (by.rfind("worker", 0) == 0) {
      r.owners.insert(by);
    } else {
      return;
    }
    r.last_receiver = target;
  }

  bool strict_target_ok(const std::string& target) const {
    auto p = parse_target_strict(target);
    return std::holds_alternative<Target>(p) && !validate_target(std::get<Target>(p), sc_.topology);
  }

  bool registered(int sig) const {
    auto it = regs_.find(sig);
    return it != regs_.end() && (it->second.master || !it->second.owners.empty());
  }

  bool sees_handler(const std::string& proc, int sig) const {
    auto it = regs_.find(sig);
    if (it == regs_.end()) return false;
    if (it->second.master) return true;
    return it->second.owners.count(proc) > 0;
  }

  std::vector<ProcessView> worker_views() const {
    std::vector<ProcessView> v(static_cast<std::size_t>(sc_.topology.workers) + 1);
    for (int i = 1; i <= sc_.topology.workers; ++i) {
      const ProcState& p = procs_.at(fmt::format("worker{}", i));
      v[static_cast<std::size_t>(i)] = {p.alive, p.cheaped};
    }
    return v;
  }

  bool eligible_for_pool(const std::string& proc) const {
    auto it = procs_.find(proc);
    if (it == procs_.end()) return false;
    const ProcState& p = it->second;
    if (!p.alive || p.cheaped) return false;
    if (p.waiting) return true;
    if (p.programmed) return false;
    return p.in_request == 0 && p.in_handler == 0;
  }

  bool violate(std::size_t index, std::string why, std::vector<std::string> allowed = {}) {
    result_.verdict = Verdict::violates;
    result_.first_bad_index = index;
    result_.first_bad_event = trace_event_to_json(trace_.events[index]);
    result_.why = std::move(why);
    result_.allowed = std::move(allowed);
    result_.summary =
        fmt::format("event #{} ({}): {}", index, result_.first_bad_event, result_.why);
    return false;
  }

  // A signal enters routing: compute who must get it.
  bool route(std::size_t i, int sig) {
    auto& early = early_[sig];
    if (!early.empty() && trace_.events[i].t - early.front() <= opt_.time_tolerance) {
      early.pop_front();  // its delivery was already seen (late trigger stamp)
      return true;
    }
    std::string receiver;
    auto it = regs_.find(sig);
    if (profile_ == Profile::uwsgi_2_0) {
      receiver = (it != regs_.end() && it->second.master) ? it->second.master_receiver : "";  // U1
    } else if (!registered(sig)) {
      // S5: unregistered signals go only to a waiter that accepts them.
      pending_pool_["waiters"].push_back({i, trace_.events[i].t, "S5: a waiting process", {}});
      return true;
    } else {
      receiver = it->second.last_receiver;           // S1
      if (!strict_target_ok(receiver)) return true;  // refused at registration: never routed
    }
    Expected e = expected_recipients(profile_, receiver, sc_.topology, worker_views());
    switch (e.kind) {
      case Expected::Kind::each:
        for (const auto& p : e.procs)
          pending_each_[{sig, p}].push_back({i, trace_.events[i].t, e.why, {}});
        break;
      case Expected::Kind::one_of_pool:
        pending_pool_[e.pool].push_back({i, trace_.events[i].t, e.why, e.procs});
        break;
      case Expected::Kind::nobody:
        nobody_.push_back({sig, i});
        break;
      case Expected::Kind::unknown:
        result_.unknowns.push_back(
            fmt::format("event #{}: recipients of signal {} undecidable", i, sig));
        break;
    }
    return true;
  }

  // Someone consumed sig. Match it to the oldest pending routing that allows it.
  bool consume(std::size_t i, const TraceEvent& e) {
    int sig = *e.sig;
    auto& mine = pending_each_[{sig, e.proc}];
    bool from_pool_queue = e.queue.find("pool") != std::string::npos ||
                           e.queue.rfind("farm:", 0) == 0 || e.queue == "waiters";
    if (!from_pool_queue && !mine.empty()) {
      mine.pop_front();
      return true;
    }
    for (auto& [pool, entries] : pending_pool_) {
      if (!e.queue.empty() && from_pool_queue && e.queue != pool && pool != "waiters") continue;
      for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (trace_.events[it->route_index].sig != sig) continue;
        bool candidate = pool == "waiters" ? true
                                           : std::find(it->candidates.begin(), it->candidates.end(),
                                                       e.proc) != it->candidates.end();
        if (!candidate) continue;
        if (pool == "waiters" && !procs_[e.proc].waiting && e.kind != EventKind::wait_return)
          return violate(i,
                         fmt::format("S5: unregistered signal {} consumed by {}, which is not in "
                                     "signal_wait",
                                     sig, e.proc),
                         waiting_processes());
        if (pool != "waiters" && !eligible_for_pool(e.proc) && e.kind == EventKind::deliver)
          return violate(i, fmt::format("C4: {} took a {} byte while busy", e.proc, pool),
                         eligible_list(it->candidates));
        entries.erase(it);
        return true;
      }
    }
    if (!mine.empty()) {
      mine.pop_front();
      return true;
    }
    if (!has_routes_) {
      // Without route events the trigger (a raise, or a source fire parsed from a log)
      // may be stamped after the delivery it caused: remember the delivery, and let a
      // trigger within the tolerance account for it.
      early_[sig].push_back(e.t);
      if (!has_raise_for(sig))
        result_.unknowns.push_back(
            fmt::format("event #{}: signal {} delivered before its recorded trigger", i, sig));
      return true;
    }
    return violate(
        i,
        fmt::format("{} got signal {} but no routing of it is pending for {}", e.proc, sig, e.proc),
        pending_for(sig));
  }

  bool has_raise_for(int sig) const {
    for (const auto& e : trace_.events)
      if (e.sig == sig && (e.kind == EventKind::raise || e.kind == EventKind::route)) return true;
    return false;
  }

  std::vector<std::string> pending_for(int sig) const {
    std::vector<std::string> out;
    for (const auto& [key, q] : pending_each_)
      if (key.first == sig && !q.empty())
        out.push_back(fmt::format("{} ({} pending)", key.second, q.size()));
    for (const auto& [pool, q] : pending_pool_)
      for (const auto& p : q)
        if (trace_.events[p.route_index].sig == sig) {
          out.push_back(fmt::format("one of {} via {}", fmt::join(p.candidates, ","), pool));
          break;
        }
    if (out.empty()) out.push_back("nobody: no routing of this signal is pending");
    return out;
  }

  std::vector<std::string> eligible_list(const std::vector<std::string>& candidates) const {
    std::vector<std::string> out;
    for (const auto& c : candidates)
      if (eligible_for_pool(c)) out.push_back(c);
    if (out.empty()) out.push_back("nobody is eligible now: the byte must stay queued");
    return out;
  }

  std::vector<std::string> waiting_processes() const {
    std::vector<std::string> out;
    for (const auto& [name, p] : procs_)
      if (p.waiting) out.push_back(name);
    if (out.empty()) out.push_back("nobody waits: the signal must stay held");
    return out;
  }

  bool drop_or_reject(std::size_t i, const TraceEvent& e) {
    if (e.kind == EventKind::drop && profile_ == Profile::strict)
      return violate(
          i, "S4: the strict profile never drops silently (expected a reject or a delivery)");
    if (!e.sig) return true;
    // Refused on the way up (before routing): no routing of it is pending.
    if (e.queue.rfind("upstream", 0) == 0) return true;
    // Remove the matching pending routing (a refused byte is accounted for).
    std::string owner = e.queue;
    if (!e.queue.empty()) {
      auto& mine = pending_each_[{*e.sig, e.queue}];
      if (!mine.empty()) {
        mine.pop_front();
        return true;
      }
      auto pit = pending_pool_.find(e.queue);
      if (pit != pending_pool_.end()) {
        for (auto it = pit->second.begin(); it != pit->second.end(); ++it)
          if (trace_.events[it->route_index].sig == e.sig) {
            pit->second.erase(it);
            return true;
          }
      }
    }
    if (e.queue.empty() && e.proc.empty()) {
      // A drop parsed from a log that names no hop (uWSGI's "SIGNAL QUEUE IS FULL"):
      // it accounts for the oldest pending byte of that signal, wherever it was going.
      for (auto& [key, q] : pending_each_)
        if (key.first == *e.sig && !q.empty()) {
          q.pop_front();
          return true;
        }
      for (auto& [pool, q] : pending_pool_)
        for (auto it = q.begin(); it != q.end(); ++it)
          if (trace_.events[it->route_index].sig == e.sig) {
            q.erase(it);
            return true;
          }
      return true;
    }
    // Upstream refusals and routing drops: the routing never produced pending bytes,
    // or it did for the proc the event names.
    if (!e.proc.empty()) {
      auto& mine = pending_each_[{*e.sig, e.proc}];
      if (!mine.empty()) mine.pop_front();
    }
    return true;
  }

  bool step(std::size_t i, const TraceEvent& e) {
    auto pit = procs_.find(e.proc);
    ProcState* p = pit == procs_.end() ? nullptr : &pit->second;
    switch (e.kind) {
      case EventKind::register_ok:
        if (e.sig) add_registration(*e.sig, e.target, e.proc);
        return true;
      case EventKind::unregister:
        if (e.sig) regs_.erase(*e.sig);
        return true;
      case EventKind::route:
        return e.sig ? route(i, *e.sig) : true;
      case EventKind::raise:
      case EventKind::timer_fire:
      case EventKind::rbtimer_fire:
      case EventKind::cron_fire:
      case EventKind::monitor_fire:
        if (!has_routes_ && e.sig) return route(i, *e.sig);
        return true;
      case EventKind::deliver:
        return e.sig ? consume(i, e) : true;
      case EventKind::handler_start:
        if (p) ++p->in_handler;
        if (p && p->waiting && e.sig) p->ran_in_wait = *e.sig;
        if (e.sig && !sees_handler(e.proc, *e.sig))
          return violate(i, fmt::format("C5: {} ran a handler for signal {} that it cannot see "
                                        "(registered by {})",
                                        e.proc, *e.sig, owners_of(*e.sig)));
        if (!has_delivers_ && e.sig) return consume(i, e);
        return true;
      case EventKind::handler_end:
        if (p && p->in_handler > 0) --p->in_handler;
        return true;
      case EventKind::unhandled:
        if (!has_delivers_ && e.sig) return consume(i, e);
        return true;
      case EventKind::wait_enter:
        if (p) p->waiting = true, p->ran_in_wait = -1;
        return true;
      case EventKind::wait_return: {
        // Without deliver events, a wait that ran the handler of its own byte
        // already consumed it at handler-start.
        bool counted = p && e.sig && p->ran_in_wait == *e.sig;
        if (p) p->waiting = false, p->ran_in_wait = -1;
        if (!has_delivers_ && e.sig && !counted) return consume(i, e);
        return true;
      }
      case EventKind::request_start:
        if (p) ++p->in_request;
        return true;
      case EventKind::request_end:
        if (p && p->in_request > 0) --p->in_request;
        return true;
      case EventKind::spawn:
      case EventKind::respawn:
        if (p) {
          bool programmed = p->programmed;
          *p = ProcState{};
          p->programmed = programmed;
        }
        return true;
      case EventKind::cheap:
        if (p) p->cheaped = true, p->alive = false;
        return true;
      case EventKind::exit:
      case EventKind::kill:
        if (p) p->alive = false, p->in_handler = 0, p->in_request = 0, p->waiting = false;
        return true;
      case EventKind::drop:
      case EventKind::reject:
        return drop_or_reject(i, e);
      default:
        return true;
    }
  }

  std::string owners_of(int sig) const {
    auto it = regs_.find(sig);
    if (it == regs_.end()) return "nobody";
    std::string s = it->second.master ? "master" : "";
    for (const auto& o : it->second.owners) s += (s.empty() ? "" : ",") + o;
    return s;
  }

  void finish() {
    Nanos end = trace_.events.empty() ? 0 : trace_.events.back().t;
    end = std::max(end, sc_.duration);
    // Bytes still owed at the end: a violation when the owed process sat idle
    // long enough to have read them, unknown otherwise.
    for (const auto& [key, q] : pending_each_) {
      for (const auto& pend : q) {
        if (end - pend.t < opt_.time_tolerance) continue;
        auto pit = procs_.find(key.second);
        bool idle = pit != procs_.end() && eligible_for_pool(key.second);
        if (idle) {
          violate(pend.route_index,
                  fmt::format("signal {} was routed here and never reached {} ({}), although {} "
                              "was idle at the end",
                              key.first, key.second, pend.why, key.second),
                  {key.second});
          result_.good_prefix = pend.route_index;
          return;
        }
        result_.unknowns.push_back(
            fmt::format("signal {} for {} still queued at the end ({} busy or gone)", key.first,
                        key.second, key.second));
      }
    }
    for (const auto& [pool, q] : pending_pool_) {
      for (const auto& pend : q) {
        if (end - pend.t < opt_.time_tolerance) continue;
        std::vector<std::string> idle;
        for (const auto& c : pend.candidates)
          if (eligible_for_pool(c)) idle.push_back(c);
        if (!idle.empty() && pool != "waiters") {
          violate(pend.route_index,
                  fmt::format("a {} byte was never read although {} sat idle at the end ({})", pool,
                              fmt::join(idle, ","), pend.why),
                  idle);
          result_.good_prefix = pend.route_index;
          return;
        }
        result_.unknowns.push_back(fmt::format("a {} byte still queued at the end", pool));
      }
    }
    result_.verdict = Verdict::conforms;
    result_.summary = fmt::format("{} events explained", trace_.events.size());
    if (!result_.unknowns.empty())
      result_.summary += fmt::format(" ({} checks undecidable)", result_.unknowns.size());
  }

  const Scenario& sc_;
  Profile profile_;
  const Trace& trace_;
  CheckOptions opt_;
  CheckResult result_;
  bool has_routes_ = false;
  bool has_delivers_ = false;
  std::map<std::string, ProcState> procs_;
  std::map<int, Reg> regs_;
  std::map<std::pair<int, std::string>, std::deque<Pending>> pending_each_;
  std::map<std::string, std::deque<Pending>> pending_pool_;
  std::vector<std::pair<int, std::size_t>> nobody_;
  std::map<int, std::deque<Nanos>> early_;  // deliveries seen before their trigger
};

}  // namespace

CheckResult check_trace(const Scenario& scenario, Profile profile, const Trace& trace,
                        const CheckOptions& options) {
  return Replay(scenario, profile, trace, options).run();
}

}  // namespace sigh::checker
