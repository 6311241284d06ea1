// The deterministic simulator: setup, the scheduler loop and the script
// actions. One event queue ordered by (time, priority, sequence); one seeded
// PRNG for every choice the OS could make; virtual monotonic time for timers
// and a separate wall clock for cron and rb_timers (clock.h). The routing rules
// of each profile live in routing_uwsgi.cpp and routing_strict.cpp.
#include "sigharness/sim/simulator.h"

#include <variant>

#include "sim_core.h"

namespace sigh::sim {

SimCore::SimCore(const Scenario& sc, const SimOptions& opt)
    : sc_(sc),
      opt_(opt),
      rng_(opt.seed),
      topo_(sc.topology),
      strict_(opt.profile == Profile::strict),
      clock_(sc.wall_start),
      table_(sc.topology.workers) {
  if (opt_.faults.enabled) {
    // Each fault site is switched on for this seed with probability 1/4 (anchors §1.8 lesson 12).
    crash_site_ = rng_.below(4) == 0;
    slow_site_ = rng_.below(4) == 0;
    stall_site_ = rng_.below(4) == 0;
  }
  build();
}

int SimCore::add_queue(std::string name) {
  queues_.emplace_back(std::move(name), static_cast<std::size_t>(topo_.queue_capacity));
  return static_cast<int>(queues_.size()) - 1;
}

void SimCore::build() {
  q_up_ = add_queue("upstream");
  q_up_mules_ = add_queue("upstream-mules");
  q_up_spoolers_ = add_queue("upstream-spoolers");
  q_wpool_ = add_queue("worker-pool");
  q_mpool_ = add_queue("mule-pool");
  q_spool_ = add_queue("spooler-pool");
  q_waiters_ = add_queue("waiters");
  procs_.emplace_back(ProcessId::master());  // index 0 = master (never reads)
  for (int i = 1; i <= topo_.workers; ++i) {
    Proc p{ProcessId::worker(i)};
    p.queue = add_queue("worker" + std::to_string(i));
    p.reads = {p.queue, q_wpool_};
    p.cheaped = topo_.cheaper_initial >= 0 && i > topo_.cheaper_initial;
    p.alive = !p.cheaped;
    p.received = strict_ ? -1 : 0;
    worker_index_.push_back(static_cast<int>(procs_.size()));
    procs_.push_back(std::move(p));
  }
  for (int i = 1; i <= topo_.mules; ++i) {
    Proc p{ProcessId::mule(i)};
    p.queue = add_queue("mule" + std::to_string(i));
    p.programmed = topo_.is_programmed_mule(i);
    p.reads = {p.queue, q_mpool_};
    p.received = strict_ ? -1 : 0;
    mule_index_.push_back(static_cast<int>(procs_.size()));
    procs_.push_back(std::move(p));
  }
  for (const Farm& farm : topo_.farms) {
    const int q = add_queue("farm:" + farm.name);
    farm_queue_.push_back(q);
    for (int m : farm.mules) {
      Proc& p = mule(m);
      // U12: farm queues are read only by signal-only mules; S12: by every member.
      if (strict_ || !p.programmed) p.reads.push_back(q);
    }
  }
  for (int i = 1; i <= topo_.spoolers; ++i) {
    Proc p{ProcessId::spooler(i)};
    p.queue = add_queue("spooler" + std::to_string(i));
    p.reads = {q_spool_};
    spooler_index_.push_back(static_cast<int>(procs_.size()));
    procs_.push_back(std::move(p));
  }
  // S5: unregistered signals are held for waiters (workers and mules).
  if (strict_)
    for (std::size_t i = 1; i < procs_.size(); ++i)
      if (procs_[i].id.kind != ProcessKind::spooler) procs_[i].reads.push_back(q_waiters_);
  for (const auto& f : sc_.files) files_.insert(f);

  // Registrations: the master's happen before fork (rows copied), then the
  // children start; worker-side ones run in the worker at its start (C9).
  for (const auto& r : sc_.registrations)
    if (r.by.kind == ProcessKind::master && !topo_.lazy_apps) do_register(r);
  for (std::size_t i = 1; i < procs_.size(); ++i)
    if (procs_[i].alive) emit(EventKind::spawn, -1, procs_[i].name);
  for (const auto& r : sc_.registrations) {
    if (r.by.kind == ProcessKind::master && topo_.lazy_apps) {
      for (int w = 1; w <= topo_.workers; ++w) {
        Registration copy = r;
        copy.by = ProcessId::worker(w);
        do_register(copy);
      }
    } else if (r.by.kind != ProcessKind::master) {
      do_register(r);
    }
  }
  for (std::size_t i = 0; i < sc_.script.size(); ++i)
    schedule(sc_.script[i].at, kPrioAction, Ev::action, static_cast<int>(i));
  for (const auto& t : sc_.timers) add_timer(t);
  for (const auto& c : sc_.crons) crons_.emplace_back(c);
  for (const auto& m : sc_.monitors) monitors_.emplace_back(m);
  readers_of_.assign(queues_.size(), {});
  for (std::size_t i = 1; i < procs_.size(); ++i)
    for (int q : procs_[i].reads)
      readers_of_[static_cast<std::size_t>(q)].push_back(static_cast<int>(i));
  // The master's 1 s checks (C8) matter only to sources read at checks; kernel
  // timers and strict rb_timers have their own events, so an idle run has no ticks.
  const bool need_ticks =
      !crons_.empty() || (!strict_ && !rbs_.empty()) || !monitors_.empty() || stall_site_;
  if (need_ticks) schedule(0, kPrioSource, Ev::tick);
}

SimResult SimCore::run() {
  while (!events_.empty()) {
    if (events_.top().t > sc_.duration) break;
    const Event e = events_.pop();
    clock_.advance_to(e.t);
    ++res_.stats.events;
    dispatch(e);
  }
  for (std::size_t i = 0; i < kProbeNames.size(); ++i)
    if (probe_counts_[i]) res_.stats.probes[kProbeNames[i]] += probe_counts_[i];
  res_.trace.header = {kTraceVersion, "sim", std::string(profile_name(opt_.profile)), "", sc_.name};
  return std::move(res_);
}

void SimCore::record(EventKind k, int sig, std::string_view proc, std::string_view queue,
                     std::string_view target, std::string_view detail,
                     std::optional<std::int64_t> value, std::optional<std::int64_t> wall) {
  TraceEvent& e = res_.trace.events.emplace_back();
  e.t = now();
  e.kind = k;
  if (sig >= 0) e.sig = sig;
  e.proc = proc;
  e.queue = queue;
  e.target = target;
  e.detail = detail;
  e.value = value;
  e.wall = wall;
}

Proc& SimCore::proc_of(const ProcessId& id) {
  switch (id.kind) {
    case ProcessKind::worker:
      return worker(id.index);
    case ProcessKind::mule:
      return mule(id.index);
    case ProcessKind::spooler:
      return procs_[static_cast<std::size_t>(spooler_index_[id.index - 1])];
    default:
      return procs_[0];
  }
}

void SimCore::dispatch(const Event& e) {
  switch (e.kind) {
    case Ev::action:
      action(e.a);
      break;
    case Ev::master_read:
      on_master_read();
      break;
    case Ev::queue_ready:
      on_queue_ready(e.a);
      break;
    case Ev::proc_ready:
      on_proc_ready(e.a);
      break;
    case Ev::handler_end:
      on_handler_end(e.a, e.b);
      break;
    case Ev::request_end: {
      Proc& p = procs_[static_cast<std::size_t>(e.a)];
      if (p.incarnation == e.b && p.in_request && !p.implicit_request) end_request(p);
      break;
    }
    case Ev::respawn:
      on_respawn(e.a);
      break;
    case Ev::tick:
      on_tick();
      break;
    case Ev::kernel_timer:
      on_kernel_timer(e.a);
      break;
    case Ev::strict_rb_timer:
      on_strict_rb_timer(e.a);
      break;
    case Ev::monitor_batch:
      on_monitor_batch();
      break;
  }
}

// The master's check interval (C8): fault point, monitors, uwsgi rb_timers, crons.
void SimCore::on_tick() {
  // Fault point: a stalled master does nothing, so it cannot stall again meanwhile.
  if (stall_site_ && !master_stalled() && rng_.chance(opt_.faults.master_stall_per_mille)) {
    master_busy_until_ = now() + kMasterStall;
    emit(EventKind::fault, -1, "master", {}, {}, "master-stall 3s");
  }
  if (!master_stalled()) {
    arm_monitors();
    if (!strict_) uwsgi_rb_timers();
    crons_check();
  }
  schedule(now() + kTick, kPrioSource, Ev::tick);
}

// C3: one upstream byte per master loop iteration, rotating over the ready
// upstream queues (workers+master, mules, spoolers).
void SimCore::on_master_read() {
  master_read_pending_ = false;
  if (master_stalled()) {
    master_read_pending_ = true;
    schedule(master_busy_until_, kPrioMaster, Ev::master_read);
    return;
  }
  const std::array<int, 3> ups = {q_up_, q_up_mules_, q_up_spoolers_};
  for (int k = 0; k < 3; ++k) {
    ByteQueue& q =
        queues_[static_cast<std::size_t>(ups[static_cast<std::size_t>((up_rr_ + k) % 3)])];
    if (q.empty()) continue;
    up_rr_ = (up_rr_ + k + 1) % 3;
    route(q.pop());
    break;
  }
  bool more = false;
  for (int q : ups) more = more || !queues_[static_cast<std::size_t>(q)].empty();
  if (more) {
    master_read_pending_ = true;
    schedule(now() + kMasterStep, kPrioMaster, Ev::master_read);
  }
}

// ------------------------------------------------------------------ script actions
void SimCore::action(int i) {
  const Action& a = sc_.script[static_cast<std::size_t>(i)];
  std::visit([&](const auto& b) { do_action(b); }, a.body);
}

void SimCore::do_action(const RaiseAction& r) {
  Proc& p = proc_of(r.from);
  // Mules and spoolers raise into their own upstream queues (C2).
  const int q = r.from.kind == ProcessKind::mule      ? q_up_mules_
                : r.from.kind == ProcessKind::spooler ? q_up_spoolers_
                                                      : q_up_;
  for (int i = 0; i < r.count; ++i) {
    if (!p.alive && r.from.kind != ProcessKind::master) {
      emit(EventKind::note, r.sig, p.name, {}, {}, "raiser is not running: nothing raised");
      return;
    }
    ++res_.stats.raised;
    emit(EventKind::raise, r.sig, p.name);
    enqueue(q, r.sig, p.name);
  }
}

void SimCore::do_action(const RequestAction& r) {
  Proc& p = worker(r.worker);
  if (!p.alive) {
    emit(EventKind::note, -1, p.name, {}, {}, "request on a worker that is not running: ignored");
    return;
  }
  if (r.start) {
    if (p.in_request) {
      emit(EventKind::note, -1, p.name, {}, {}, "already in a request");
      return;
    }
    p.in_request = true;
    if (!strict_) p.received = 0;  // U7: per request
    emit(EventKind::request_start, -1, p.name);
    if (r.duration >= 0)
      schedule(now() + r.duration, kPrioAction, Ev::request_end, index_of(p), p.incarnation);
  } else if (p.in_request) {
    end_request(p);
  }
}

void SimCore::do_action(const WaitAction& w) {
  Proc& p = proc_of(w.process);
  if (!p.alive || p.id.kind == ProcessKind::master || p.id.kind == ProcessKind::spooler ||
      (p.id.kind == ProcessKind::mule && !p.programmed)) {
    emit(EventKind::note, -1, p.name, {}, {},
         "signal_wait needs a running worker or programmed mule");
    return;
  }
  if (p.is_worker() && !p.in_request) {
    // U7: a wait outside a request opens an implicit one, ended by the wait's return.
    p.in_request = true;
    p.implicit_request = true;
    if (!strict_) p.received = 0;
    emit(EventKind::request_start, -1, p.name, {}, {}, "implicit (signal_wait)");
  }
  p.waiting = w.sig ? std::optional<int>(*w.sig) : std::nullopt;
  if (w.sig)
    emit(EventKind::wait_enter, -1, p.name, {}, {}, {}, static_cast<std::int64_t>(*w.sig));
  else
    emit(EventKind::wait_enter, -1, p.name);
  ready_soon(p);
}

void SimCore::do_action(const ReceivedAction& r) {
  Proc& p = proc_of(r.process);
  emit(EventKind::received, -1, p.name, {}, {}, {}, static_cast<std::int64_t>(p.received));
}

void SimCore::do_action(const TouchAction& t) { touch(t.path); }
void SimCore::do_action(const LifecycleAction& l) { lifecycle(l); }

void SimCore::do_action(const ClockStepAction& c) {
  clock_.step_wall(c.step);  // the wall clock only: timers keep monotonic time
  if (c.step < 0) probe(Probe::clock_step_back);
  emit(EventKind::clock_step, -1, "master", {}, {}, {}, c.step / kNsPerSec, clock_.wall_s());
}

void SimCore::do_action(const RegisterAction& r) { do_register(r.reg); }
void SimCore::do_action(const UnregisterAction& u) { do_unregister(u); }

SimResult run_scenario(const Scenario& scenario, const SimOptions& options) {
  return SimCore(scenario, options).run();
}

}  // namespace sigh::sim
