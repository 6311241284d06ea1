// The deterministic simulator. One event queue ordered by (time, priority,
// sequence); one seeded PRNG for every choice the OS could make; virtual
// monotonic time for timers, a separate wall clock (start + mono + steps) for
// cron and rb_timers. Routing rules of each profile live in route_uwsgi() and
// route_strict(); rule ids (C*, U*, S*) refer to specs/SEMANTICS.md.
#include "sigharness/sim/simulator.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <functional>
#include <queue>
#include <set>
#include <variant>

#include "cron_match.h"
#include "prng.h"

namespace sigh::sim {
namespace {

constexpr Nanos kHop = 10 * kNsPerUs;        // C8: one hop (write -> reader wakes)
constexpr Nanos kMasterStep = 1 * kNsPerUs;  // C3: one master loop iteration per upstream byte
constexpr Nanos kRespawnDelay = kNsPerMs;    // C7
constexpr Nanos kTick = kNsPerSec;           // C8: master check interval
constexpr Nanos kSlowHandler = 100 * kNsPerMs;
constexpr Nanos kMasterStall = 3 * kNsPerSec;

enum class Ev : std::uint8_t {
  action,
  master_read,
  queue_ready,
  proc_ready,
  handler_end,
  request_end,
  respawn,
  tick,
  kernel_timer,
  strict_rb_timer,
  monitor_batch
};

struct Event {
  Nanos t;
  int prio;
  std::uint64_t seq;
  Ev kind;
  int a = 0, b = 0;
  bool operator>(const Event& o) const {
    if (t != o.t) return t > o.t;
    if (prio != o.prio) return prio > o.prio;
    return seq > o.seq;
  }
};

struct Queue {
  std::string name;
  std::deque<std::uint8_t> bytes;
  std::size_t cap = 278;
  bool check_pending = false;
};

struct Entry {
  bool registered = false;
  std::string receiver;
  int owner = 0;  // 0: the master (inherited), k: worker k registered it after fork
  Nanos duration = 0;
  bool crash = false;
  int incarnation = 0;  // the owner's incarnation when it registered (stale pointers, §2.9)
};
using Row = std::array<Entry, 256>;

struct Proc {
  explicit Proc(ProcessId i) : id(i), name(i.str()) {}
  ProcessId id;
  std::string name;  // cached: the hot path must not format names
  bool alive = true;
  bool cheaped = false;
  bool programmed = false;  // programmed mule
  bool in_handler = false;
  bool in_request = false;
  bool implicit_request = false;
  std::optional<std::optional<int>> waiting;  // engaged: in signal_wait; inner: the awaited number
  int received = 0;  // uwsgi-2.0: per request; strict: last number waited for (-1 none)
  int incarnation = 0;
  int queue = -1;          // private queue index
  std::vector<int> reads;  // queues it reads (private first)
};

struct KernelTimer {
  explicit KernelTimer(const TimerSource& s) : src(s) {}
  TimerSource src;
  Nanos next_due = 0;
  Nanos period = 0;
  int fired = 0;
  bool active = false;
};
struct RbTimer {
  explicit RbTimer(const TimerSource& s) : src(s) {}
  TimerSource src;
  std::int64_t due_s = 0;
  int done = 0;
  bool armed = false;
  bool active = true;
  Nanos armed_at = 0;
};
struct CronState {
  explicit CronState(const CronSource& s) : src(s) {}
  CronSource src;
  std::int64_t last_job = 0;
  std::int64_t last_minute = INT64_MIN;
  int fired = 0;
  bool armed = false;
};
struct Monitor {
  explicit Monitor(const MonitorSource& s) : src(s) {}
  MonitorSource src;
  bool armed = false;
  bool dead = false;
  int fired = 0;
};

class Sim {
 public:
  Sim(const Scenario& sc, const SimOptions& opt)
      : sc_(sc), opt_(opt), rng_(opt.seed), topo_(sc.topology) {
    strict_ = opt.profile == Profile::strict;
    if (opt_.faults.enabled) {
      // Each fault site is switched on for this seed with probability 1/4 (anchors §1.8 lesson 12).
      crash_site_ = rng_.below(4) == 0;
      slow_site_ = rng_.below(4) == 0;
      stall_site_ = rng_.below(4) == 0;
    }
    build();
  }

  SimResult run() {
    while (!events_.empty()) {
      Event e = events_.top();
      if (e.t > sc_.duration) break;
      events_.pop();
      now_ = e.t;
      ++res_.stats.events;
      dispatch(e);
    }
    for (std::size_t i = 0; i < kProbeNames.size(); ++i)
      if (probe_counts_[i]) res_.stats.probes[kProbeNames[i]] += probe_counts_[i];
    res_.trace.header = {kTraceVersion, "sim", std::string(profile_name(opt_.profile)), "",
                         sc_.name};
    return std::move(res_);
  }

 private:
  // ---------------------------------------------------------------- setup
  int add_queue(std::string name) {
    queues_.push_back(
        Queue{std::move(name), {}, static_cast<std::size_t>(topo_.queue_capacity), false});
    return static_cast<int>(queues_.size()) - 1;
  }

  void build() {
    q_up_ = add_queue("upstream");
    q_up_mules_ = add_queue("upstream-mules");
    q_up_spoolers_ = add_queue("upstream-spoolers");
    q_wpool_ = add_queue("worker-pool");
    q_mpool_ = add_queue("mule-pool");
    q_spool_ = add_queue("spooler-pool");
    q_waiters_ = add_queue("waiters");
    rows_.assign(static_cast<std::size_t>(topo_.workers) + 1, Row{});
    procs_.push_back(Proc{ProcessId::master()});  // index 0 = master (never reads)
    for (int i = 1; i <= topo_.workers; ++i) {
      Proc p{ProcessId::worker(i)};
      p.queue = add_queue("worker" + std::to_string(i));
      p.reads = {p.queue, q_wpool_};
      p.cheaped = topo_.cheaper_initial >= 0 && i > topo_.cheaper_initial;
      p.alive = !p.cheaped;
      p.received = strict_ ? -1 : 0;
      worker_index_.push_back(static_cast<int>(procs_.size()));
      procs_.push_back(p);
    }
    for (int i = 1; i <= topo_.mules; ++i) {
      Proc p{ProcessId::mule(i)};
      p.queue = add_queue("mule" + std::to_string(i));
      p.programmed = topo_.is_programmed_mule(i);
      p.reads = {p.queue, q_mpool_};
      p.received = strict_ ? -1 : 0;
      mule_index_.push_back(static_cast<int>(procs_.size()));
      procs_.push_back(p);
    }
    for (std::size_t f = 0; f < topo_.farms.size(); ++f) {
      int q = add_queue("farm:" + topo_.farms[f].name);
      farm_queue_.push_back(q);
      for (int m : topo_.farms[f].mules) {
        Proc& p = procs_[static_cast<std::size_t>(mule_index_[static_cast<std::size_t>(m - 1)])];
        // U12: farm queues are read only by signal-only mules; S12: by every member.
        if (strict_ || !p.programmed) p.reads.push_back(q);
      }
    }
    for (int i = 1; i <= topo_.spoolers; ++i) {
      Proc p{ProcessId::spooler(i)};
      p.queue = add_queue("spooler" + std::to_string(i));
      p.reads = {q_spool_};
      spooler_index_.push_back(static_cast<int>(procs_.size()));
      procs_.push_back(p);
    }
    if (strict_)
      for (std::size_t i = 1; i < procs_.size(); ++i)
        if (procs_[i].id.kind != ProcessKind::spooler) procs_[i].reads.push_back(q_waiters_);
    for (const auto& f : sc_.files) files_.insert(f);

    // Registrations: the master's happen before fork (rows copied), then the
    // children start; worker-side ones run in the worker at its start.
    for (const auto& r : sc_.registrations)
      if (r.by.kind == ProcessKind::master && !topo_.lazy_apps) do_register(r);
    for (std::size_t i = 1; i < procs_.size(); ++i)
      if (procs_[i].alive) emit(EventKind::spawn, -1, procs_[i].id.str());
    for (const auto& r : sc_.registrations) {
      if (r.by.kind == ProcessKind::master && topo_.lazy_apps) {
        // C9: lazy-apps: every worker imports the app and registers in its own row.
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
      schedule(sc_.script[i].at, 1, Ev::action, static_cast<int>(i));
    for (const auto& t : sc_.timers) add_timer(t);
    for (const auto& c : sc_.crons) crons_.push_back(CronState{c});
    for (const auto& m : sc_.monitors) monitors_.push_back(Monitor{m});
    readers_of_.assign(queues_.size(), {});
    for (std::size_t i = 1; i < procs_.size(); ++i)
      for (int q : procs_[i].reads)
        readers_of_[static_cast<std::size_t>(q)].push_back(static_cast<int>(i));
    need_ticks_ =
        !crons_.empty() || !rbs_.empty() || !kernel_.empty() || !monitors_.empty() || stall_site_;
    if (need_ticks_) schedule(0, 0, Ev::tick);
  }

  // ---------------------------------------------------------------- trace
  void emit(EventKind k, int sig, const std::string& proc, const std::string& queue = {},
            const std::string& target = {}, const std::string& detail = {},
            std::optional<std::int64_t> value = {}, std::optional<std::int64_t> wall = {}) {
    if (!opt_.record_trace) return;
    TraceEvent e;
    e.t = now_;
    e.kind = k;
    if (sig >= 0) e.sig = sig;
    e.proc = proc;
    e.queue = queue;
    e.target = target;
    e.detail = detail;
    e.value = value;
    e.wall = wall;
    res_.trace.events.push_back(std::move(e));
  }

  // Rare-path counters (coverage probes), named in the stats at the end of the run.
  enum class Probe {
    queue_full,
    timer_overrun,
    cron_midnight,
    clock_step_back,
    respawn_with_backlog,
    pool_race
  };
  static constexpr std::array<const char*, 6> kProbeNames = {
      "queue-full",      "timer-overrun",        "cron-midnight",
      "clock-step-back", "respawn-with-backlog", "pool-race"};
  void probe(Probe p) { ++probe_counts_[static_cast<std::size_t>(p)]; }

  void schedule(Nanos t, int prio, Ev kind, int a = 0, int b = 0) {
    events_.push(Event{t, prio, seq_++, kind, a, b});
  }

  std::int64_t wall_s() const {
    Nanos w = now_ + wall_offset_;
    Nanos s = w >= 0 ? w / kNsPerSec : -((-w + kNsPerSec - 1) / kNsPerSec);
    return sc_.wall_start + s;
  }

  Proc& proc_of(const ProcessId& id) {
    switch (id.kind) {
      case ProcessKind::worker:
        return procs_[static_cast<std::size_t>(
            worker_index_[static_cast<std::size_t>(id.index - 1)])];
      case ProcessKind::mule:
        return procs_[static_cast<std::size_t>(
            mule_index_[static_cast<std::size_t>(id.index - 1)])];
      case ProcessKind::spooler:
        return procs_[static_cast<std::size_t>(
            spooler_index_[static_cast<std::size_t>(id.index - 1)])];
      default:
        return procs_[0];
    }
  }
  Proc& worker(int i) {
    return procs_[static_cast<std::size_t>(worker_index_[static_cast<std::size_t>(i - 1)])];
  }
  Proc& mule(int i) {
    return procs_[static_cast<std::size_t>(mule_index_[static_cast<std::size_t>(i - 1)])];
  }

  // ---------------------------------------------------------------- signal table
  // The row a process reads handlers from: worker k -> row k; everyone else row 0.
  const Entry& handler_entry(const Proc& p, int sig) const {
    std::size_t row = p.id.kind == ProcessKind::worker ? static_cast<std::size_t>(p.id.index) : 0;
    return rows_[row][static_cast<std::size_t>(sig)];
  }

  bool registered_anywhere(int sig) const { return registered_any_[static_cast<std::size_t>(sig)]; }

  void table_changed(int sig) {
    auto i = static_cast<std::size_t>(sig);
    registered_any_[i] = false;
    for (const auto& row : rows_) registered_any_[i] = registered_any_[i] || row[i].registered;
    strict_target_[i].reset();
    loose_route_[i].reset();
  }

  void do_register(const Registration& r) {
    const std::string who = r.by.str();
    if (r.by.kind == ProcessKind::mule || r.by.kind == ProcessKind::spooler) {
      emit(EventKind::register_error, r.sig, who, {}, r.target,
           "only the master and the workers can register signal handlers");
      return;
    }
    if (strict_) {
      // S2: validated at registration.
      auto parsed = parse_target_strict(r.target);
      std::optional<TargetError> err;
      if (auto* e = std::get_if<TargetError>(&parsed))
        err = *e;
      else
        err = validate_target(std::get<Target>(parsed), topo_);
      if (err) {
        emit(EventKind::register_error, r.sig, who, {}, r.target, err->message());
        return;
      }
    } else if (r.target.size() > 63) {
      emit(EventKind::register_error, r.sig, who, {}, r.target,
           "receiver longer than 63 bytes (no log in uWSGI)");
      return;
    }
    Entry e{true,
            r.target,
            r.by.kind == ProcessKind::worker ? r.by.index : 0,
            r.handler_duration,
            r.crash_in_handler,
            0};
    if (r.by.kind == ProcessKind::master) {
      if (!strict_ && rows_[0][r.sig].registered) {
        // U3: the master cannot re-register.
        emit(EventKind::register_error, r.sig, who, {}, r.target,
             "[uwsgi-signal] you cannot re-register a signal as the master !!!");
        return;
      }
      rows_[0][r.sig] = e;
      // U3/§2.2 step 8: a master registration copies the whole row 0 into every worker row.
      if (!strict_) {
        for (std::size_t k = 1; k < rows_.size(); ++k) rows_[k] = rows_[0];
      } else {
        for (std::size_t k = 1; k < rows_.size(); ++k) rows_[k][r.sig] = e;
      }
    } else {
      e.incarnation = worker(r.by.index).incarnation;
      rows_[static_cast<std::size_t>(r.by.index)][r.sig] = e;
    }
    last_receiver_[r.sig] = r.target;  // S1
    if (!strict_) {
      for (int k = 0; k < 256; ++k) table_changed(k);  // a master registration rewrote whole rows
    } else {
      table_changed(r.sig);
    }
    emit(EventKind::register_ok, r.sig, who, {}, r.target.empty() ? std::string() : r.target, {});
  }

  void do_unregister(const UnregisterAction& u) {
    const std::string who = u.by.str();
    if (!strict_) {
      emit(EventKind::register_error, u.sig, who, {}, {},
           "entries cannot be removed in uwsgi-2.0 (no unregister)");
      return;
    }
    if (u.by.kind == ProcessKind::master) {
      for (auto& row : rows_) row[u.sig] = Entry{};
    } else if (u.by.kind == ProcessKind::worker) {
      rows_[static_cast<std::size_t>(u.by.index)][u.sig] = Entry{};
    } else {
      emit(EventKind::register_error, u.sig, who, {}, {},
           "only the master and the workers own table entries");
      return;
    }
    table_changed(u.sig);
    emit(EventKind::unregister, u.sig, who);
  }

  // ---------------------------------------------------------------- queues
  // Writes one byte; a full queue drops (U4) or rejects (S4). Returns false when refused.
  bool enqueue(int q, int sig, const std::string& writer) {
    Queue& Q = queues_[static_cast<std::size_t>(q)];
    if (Q.bytes.size() >= Q.cap) {
      probe(Probe::queue_full);
      if (strict_) {
        ++res_.stats.rejected;
        emit(EventKind::reject, sig, writer, Q.name, {}, "queue-full");
      } else {
        ++res_.stats.dropped;
        emit(EventKind::drop, sig, writer, Q.name, {}, "queue-full");
      }
      return false;
    }
    Q.bytes.push_back(static_cast<std::uint8_t>(sig));
    emit(EventKind::enqueue, sig, writer, Q.name, {}, {},
         static_cast<std::int64_t>(Q.bytes.size()));
    if (q == q_up_ || q == q_up_mules_ || q == q_up_spoolers_) {
      if (!master_read_pending_) {
        master_read_pending_ = true;
        schedule(std::max(now_ + kHop, master_busy_until_), 2, Ev::master_read);
      }
    } else if (!Q.check_pending) {
      Q.check_pending = true;
      schedule(now_ + kHop, 3, Ev::queue_ready, q);
    }
    return true;
  }

  bool eligible(const Proc& p) const {
    if (!p.alive || p.cheaped || p.in_handler) return false;
    if (p.waiting) return true;
    if (p.id.kind == ProcessKind::worker)
      return !p.in_request;          // C4: sync workers read only when idle
    if (p.programmed) return false;  // C6: programmed mules only inside signal_wait
    return true;
  }

  bool accepts_waiter_byte(const Proc& p, int sig) const {
    return p.waiting && (!p.waiting->has_value() || **p.waiting == sig);
  }

  // A queue got bytes: hand them to eligible readers, one byte per reader.
  void on_queue_ready(int q) {
    Queue& Q = queues_[static_cast<std::size_t>(q)];
    Q.check_pending = false;
    std::vector<int>& readers = scratch_readers_;
    while (!Q.bytes.empty()) {
      readers.clear();
      std::size_t pick_byte = 0;
      if (q == q_waiters_) {
        // S5: the first held byte some waiter accepts.
        bool found = false;
        for (std::size_t b = 0; b < Q.bytes.size() && !found; ++b) {
          for (int i : readers_of_[static_cast<std::size_t>(q)])
            if (eligible(procs_[static_cast<std::size_t>(i)]) &&
                accepts_waiter_byte(procs_[static_cast<std::size_t>(i)], Q.bytes[b]))
              readers.push_back(i);
          if (!readers.empty()) pick_byte = b, found = true;
        }
      } else {
        for (int i : readers_of_[static_cast<std::size_t>(q)])
          if (eligible(procs_[static_cast<std::size_t>(i)])) readers.push_back(i);
      }
      if (readers.empty()) return;
      if (readers.size() >= 2) probe(Probe::pool_race);
      int who = readers[static_cast<std::size_t>(rng_.below(readers.size()))];
      int sig = Q.bytes[pick_byte];
      if (pick_byte == 0)
        Q.bytes.pop_front();
      else
        Q.bytes.erase(Q.bytes.begin() + static_cast<std::ptrdiff_t>(pick_byte));
      deliver(procs_[static_cast<std::size_t>(who)], q, sig);
    }
  }

  // A process became able to read: take one byte from one of its queues.
  void on_proc_ready(int idx) {
    Proc& p = procs_[static_cast<std::size_t>(idx)];
    if (!eligible(p)) return;
    std::vector<std::pair<int, std::size_t>> ready;  // (queue, byte position)
    for (int q : p.reads) {
      const Queue& Q = queues_[static_cast<std::size_t>(q)];
      if (Q.bytes.empty()) continue;
      if (q == q_waiters_) {
        for (std::size_t b = 0; b < Q.bytes.size(); ++b)
          if (accepts_waiter_byte(p, Q.bytes[b])) {
            ready.emplace_back(q, b);
            break;
          }
      } else {
        ready.emplace_back(q, 0);
      }
    }
    if (ready.empty()) return;
    // C4/§4.6: no ordering between a process's channels: the PRNG picks.
    auto [q, pos] =
        ready[ready.size() == 1 ? 0 : static_cast<std::size_t>(rng_.below(ready.size()))];
    Queue& Q = queues_[static_cast<std::size_t>(q)];
    int sig = Q.bytes[pos];
    Q.bytes.erase(Q.bytes.begin() + static_cast<std::ptrdiff_t>(pos));
    deliver(p, q, sig);
  }

  void ready_soon(const Proc& p) {
    auto idx = static_cast<int>(&p - procs_.data());
    schedule(now_, 4, Ev::proc_ready, idx);
  }

  // ---------------------------------------------------------------- recipients
  void deliver(Proc& p, int q, int sig) {
    ++res_.stats.delivered;
    const std::string& name = p.name;
    emit(EventKind::deliver, sig, name, queues_[static_cast<std::size_t>(q)].name);
    const Entry& h = handler_entry(p, sig);
    bool visible = h.registered;
    if (visible && !strict_ && p.id.kind == ProcessKind::worker && h.owner == p.id.index &&
        h.incarnation != p.incarnation) {
      // §2.9: a handler registered after fork by a previous incarnation is a dangling pointer.
      emit(EventKind::undefined_behaviour, sig, name, {}, {},
           "stale handler pointer from a previous incarnation (uWSGI segfaults)");
      return;
    }
    if (p.waiting) {
      const std::optional<int> want = *p.waiting;
      bool match = !want || *want == sig;
      if (visible)
        run_handler(p, sig, h, match ? std::optional<int>(sig) : std::nullopt);
      else if (!match) {
        if (strict_)
          emit(EventKind::unhandled, sig, name, {}, {},
               "no handler in this process (signal_wait continues)");
        else
          emit(EventKind::drop, sig, name, {}, {}, "wait-mismatch"), ++res_.stats.dropped;
        ready_soon(p);
        return;
      }
      if (match && !visible) finish_wait(p, sig);
      return;
    }
    if (visible) {
      run_handler(p, sig, h, std::nullopt);
    } else {
      emit(EventKind::unhandled, sig, name, {}, {},
           registered_anywhere(sig) ? "registered in another process only" : "unregistered");
      ready_soon(p);
    }
  }

  void run_handler(Proc& p, int sig, const Entry& h, std::optional<int> completes_wait) {
    ++res_.stats.handled;
    const std::string& name = p.name;
    if (opt_.record_trace) ++res_.stats.handled_by[{sig, name}];
    emit(EventKind::handler_start, sig, name);
    p.in_handler = true;
    Nanos d = h.duration;
    bool crash = h.crash;
    if (crash_site_ && rng_.chance(opt_.faults.crash_in_handler_per_mille)) {
      crash = true;
      emit(EventKind::fault, sig, name, {}, {}, "crash-in-handler");
    }
    if (slow_site_ && rng_.chance(opt_.faults.slow_handler_per_mille)) {
      d = std::max<Nanos>(d * 10, kSlowHandler);
      emit(EventKind::fault, sig, name, {}, {}, "slow-handler");
    }
    auto idx = static_cast<int>(&p - procs_.data());
    if (d == 0 && !crash) {
      // A zero-length handler ends at the same virtual instant: no event needed.
      on_handler_end(idx, (sig & 0xff) | (completes_wait ? 0x200 : 0) | (p.incarnation << 10));
      return;
    }
    schedule(
        now_ + d, 0, Ev::handler_end, idx,
        (sig & 0xff) | (crash ? 0x100 : 0) | (completes_wait ? 0x200 : 0) | (p.incarnation << 10));
  }

  void on_handler_end(int idx, int packed) {
    Proc& p = procs_[static_cast<std::size_t>(idx)];
    int sig = packed & 0xff;
    if ((packed >> 10) != p.incarnation || !p.in_handler) return;  // the process died meanwhile
    p.in_handler = false;
    if (packed & 0x100) {
      emit(EventKind::handler_end, sig, p.id.str(), {}, {}, "crash");
      die(p, "crash in handler");
      return;
    }
    emit(EventKind::handler_end, sig, p.id.str());
    if (packed & 0x200)
      finish_wait(p, sig);
    else
      ready_soon(p);
  }

  void finish_wait(Proc& p, int sig) {
    p.waiting.reset();
    p.received = sig;  // U7: signal_received() of this request; S6: last number waited for
    emit(EventKind::wait_return, sig, p.id.str(), {}, {},
         strict_ ? std::string() : std::string("b''"));
    if (p.implicit_request)
      end_request(p);
    else
      ready_soon(p);
  }

  void end_request(Proc& p) {
    p.in_request = false;
    p.implicit_request = false;
    if (!strict_) p.received = 0;  // U7: zeroed at request end
    emit(EventKind::request_end, -1, p.id.str());
    ready_soon(p);
  }

  // ---------------------------------------------------------------- lifecycle
  void die(Proc& p, const std::string& why) {
    p.alive = false;
    p.in_handler = false;
    p.in_request = false;
    p.implicit_request = false;
    p.waiting.reset();
    ++p.incarnation;
    emit(EventKind::exit, -1, p.id.str(), {}, {}, why);
    schedule(now_ + kRespawnDelay, 0, Ev::respawn, static_cast<int>(&p - procs_.data()));
  }

  void on_respawn(int idx) {
    Proc& p = procs_[static_cast<std::size_t>(idx)];
    if (p.alive || p.cheaped) return;
    p.alive = true;
    p.received = strict_ ? -1 : 0;
    emit(EventKind::respawn, -1, p.id.str());
    start_process(p);
  }

  void start_process(Proc& p) {
    emit(EventKind::spawn, -1, p.id.str());
    if (p.id.kind == ProcessKind::worker) {
      if (strict_) {
        // S11: the new incarnation starts from the master's row.
        bool had_own = false;
        for (int s = 0; s < 256; ++s)
          if (rows_[static_cast<std::size_t>(p.id.index)][static_cast<std::size_t>(s)].owner ==
              p.id.index)
            had_own = true;
        rows_[static_cast<std::size_t>(p.id.index)] = rows_[0];
        if (had_own)
          emit(EventKind::note, -1, p.id.str(), {}, {},
               "handlers registered after fork are gone in the new incarnation");
      }
      if (topo_.lazy_apps)
        for (const auto& r : sc_.registrations)
          if (r.by.kind == ProcessKind::master) {
            Registration copy = r;
            copy.by = p.id;
            do_register(copy);
          }
    }
    if (p.queue >= 0 && !queues_[static_cast<std::size_t>(p.queue)].bytes.empty())
      probe(Probe::respawn_with_backlog);
    ready_soon(p);
  }

  void lifecycle(const LifecycleAction& l) {
    Proc& p = proc_of(l.process);
    const std::string name = l.process.str();
    switch (l.kind) {
      case LifecycleAction::kill:
      case LifecycleAction::crash:
        if (!p.alive) {
          emit(EventKind::note, -1, name, {}, {}, "not running: nothing to kill");
          return;
        }
        emit(EventKind::kill, -1, name, {}, {},
             l.kind == LifecycleAction::kill ? "SIGKILL" : "crash");
        if (p.in_handler) emit(EventKind::handler_end, -1, name, {}, {}, "crash");
        die(p, l.kind == LifecycleAction::kill ? "killed" : "crashed");
        return;
      case LifecycleAction::cheap: {
        if (p.cheaped) {
          emit(EventKind::note, -1, name, {}, {}, "already cheaped");
          return;
        }
        p.cheaped = true;
        p.alive = false;
        p.in_handler = p.in_request = p.implicit_request = false;
        p.waiting.reset();
        ++p.incarnation;
        emit(EventKind::cheap, -1, name);
        if (strict_) {
          // S7: what was queued for a cheaped worker is rejected, never burst later.
          Queue& Q = queues_[static_cast<std::size_t>(p.queue)];
          while (!Q.bytes.empty()) {
            ++res_.stats.rejected;
            emit(EventKind::reject, Q.bytes.front(), name, Q.name, {}, "cheaped with backlog");
            Q.bytes.pop_front();
          }
        }
        return;
      }
      case LifecycleAction::spawn:
        if (!p.cheaped) {
          emit(EventKind::note, -1, name, {}, {}, "not cheaped: nothing to spawn");
          return;
        }
        p.cheaped = false;
        p.alive = true;
        p.received = strict_ ? -1 : 0;
        start_process(p);
        return;
    }
  }

  // ---------------------------------------------------------------- raising and routing
  void raise(const RaiseAction& r) {
    Proc& p = proc_of(r.from);
    const std::string name = r.from.str();
    int q = r.from.kind == ProcessKind::mule      ? q_up_mules_
            : r.from.kind == ProcessKind::spooler ? q_up_spoolers_
                                                  : q_up_;
    for (int i = 0; i < r.count; ++i) {
      if (!p.alive && r.from.kind != ProcessKind::master) {
        emit(EventKind::note, r.sig, name, {}, {}, "raiser is not running: nothing raised");
        return;
      }
      ++res_.stats.raised;
      emit(EventKind::raise, r.sig, name);
      enqueue(q, r.sig, name);
    }
  }

  void on_master_read() {
    master_read_pending_ = false;
    if (now_ < master_busy_until_) {
      master_read_pending_ = true;
      schedule(master_busy_until_, 2, Ev::master_read);
      return;
    }
    // C3: one byte per master loop iteration, rotating over the ready upstream queues.
    for (int k = 0; k < 3; ++k) {
      int q = std::array<int, 3>{q_up_, q_up_mules_,
                                 q_up_spoolers_}[static_cast<std::size_t>((up_rr_ + k) % 3)];
      Queue& Q = queues_[static_cast<std::size_t>(q)];
      if (Q.bytes.empty()) continue;
      up_rr_ = (up_rr_ + k + 1) % 3;
      int sig = Q.bytes.front();
      Q.bytes.pop_front();
      route(sig);
      break;
    }
    bool more = false;
    for (int q : {q_up_, q_up_mules_, q_up_spoolers_})
      more |= !queues_[static_cast<std::size_t>(q)].bytes.empty();
    if (more) {
      master_read_pending_ = true;
      schedule(now_ + kMasterStep, 2, Ev::master_read);
    }
  }

  void route(int sig) {
    ++res_.stats.routed;
    if (strict_)
      route_strict(sig);
    else
      route_uwsgi(sig);
  }

  void drop(int sig, const std::string& target, const std::string& why) {
    ++res_.stats.dropped;
    emit(EventKind::drop, sig, "master", {}, target, why);
  }

  void reject(int sig, const std::string& target, const std::string& why) {
    ++res_.stats.rejected;
    emit(EventKind::reject, sig, "master", {}, target, why);
  }

  // uwsgi-2.0 routing (U1, U2, U5): receiver from row 0 only, loose grammar at routing time.
  void route_uwsgi(int sig) {
    const Entry& e = rows_[0][static_cast<std::size_t>(sig)];
    const std::string& receiver = e.registered ? e.receiver : empty_;
    auto& cached = loose_route_[static_cast<std::size_t>(sig)];
    if (!cached)
      cached = evaluate_target_uwsgi(receiver, topo_);  // same receiver, same topology, same answer
    const LooseRoute& r = *cached;
    if (opt_.record_trace)
      emit(EventKind::route, sig, master_, {}, receiver,
           std::string(loose_outcome_name(r.outcome)));
    switch (r.outcome) {
      case LooseOutcome::worker_pool:
        enqueue(q_wpool_, sig, master_);
        return;
      case LooseOutcome::all_workers:
        for (int i = 1; i <= topo_.workers; ++i) enqueue(worker(i).queue, sig, master_);
        return;
      case LooseOutcome::active_workers: {
        bool any = false;
        for (int i = 1; i <= topo_.workers; ++i)
          if (worker(i).alive && !worker(i).cheaped)
            enqueue(worker(i).queue, sig, "master"), any = true;
        if (!any) drop(sig, receiver, "silent:no active worker");
        return;
      }
      case LooseOutcome::worker:
        enqueue(worker(r.index).queue, sig, master_);
        return;
      case LooseOutcome::worker_slot_zero:
      case LooseOutcome::worker_out_of_bounds:
      case LooseOutcome::mule_negative:
        emit(EventKind::undefined_behaviour, sig, "master", {}, receiver,
             std::string(loose_outcome_name(r.outcome)) + (r.log.empty() ? "" : ": " + r.log));
        return;
      case LooseOutcome::subscribed_noop:
        drop(sig, receiver, "silent:subscribed is a no-op");
        return;
      case LooseOutcome::spooler:
        if (topo_.spoolers == 0)
          drop(sig, receiver, "ebadf: " + r.log);
        else
          enqueue(q_spool_, sig, master_);
        return;
      case LooseOutcome::all_mules:
        if (topo_.mules == 0) drop(sig, receiver, "silent:no mules");
        for (int i = 1; i <= topo_.mules; ++i) enqueue(mule(i).queue, sig, master_);
        return;
      case LooseOutcome::mule_pool:
        if (topo_.mules == 0)
          drop(sig, receiver, "ebadf: " + r.log);
        else
          enqueue(q_mpool_, sig, master_);
        return;
      case LooseOutcome::mule:
        enqueue(mule(r.index).queue, sig, master_);
        return;
      case LooseOutcome::farm:
        enqueue(farm_queue_[static_cast<std::size_t>(r.index - 1)], sig, master_);
        return;
      case LooseOutcome::mule_invalid:
      case LooseOutcome::farm_unknown_name:
      case LooseOutcome::farm_invalid_index:
      case LooseOutcome::unsupported:
        drop(sig, receiver, r.log);
        return;
    }
  }

  // strict routing (S1, S5, S7).
  void route_strict(int sig) {
    if (!registered_anywhere(sig)) {
      emit(EventKind::route, sig, "master", {}, {}, "waiters");
      enqueue(q_waiters_, sig, master_);  // S5: held for a waiter that accepts it
      return;
    }
    const std::string& receiver = last_receiver_[static_cast<std::size_t>(sig)];
    auto& cached = strict_target_[static_cast<std::size_t>(sig)];
    if (!cached) {
      auto parsed = parse_target_strict(receiver);
      if (!std::holds_alternative<Target>(parsed)) {
        reject(sig, receiver, "invalid target");
        return;
      }
      cached = std::get<Target>(parsed);
    }
    const Target& t = *cached;
    if (opt_.record_trace) emit(EventKind::route, sig, master_, {}, receiver, t.str());
    switch (t.kind) {
      case TargetKind::worker_pool:
        enqueue(q_wpool_, sig, master_);
        return;
      case TargetKind::all_workers:
        for (int i = 1; i <= topo_.workers; ++i)
          if (!worker(i).cheaped) enqueue(worker(i).queue, sig, master_);
        return;
      case TargetKind::active_workers: {
        bool any = false;
        for (int i = 1; i <= topo_.workers; ++i)
          if (worker(i).alive && !worker(i).cheaped)
            enqueue(worker(i).queue, sig, "master"), any = true;
        if (!any) reject(sig, receiver, "no active worker");
        return;
      }
      case TargetKind::worker:
        if (worker(t.index).cheaped)
          reject(sig, receiver, "worker " + std::to_string(t.index) + " is cheaped");
        else
          enqueue(worker(t.index).queue, sig, master_);
        return;
      case TargetKind::spooler:
        enqueue(q_spool_, sig, master_);
        return;
      case TargetKind::all_mules:
        for (int i = 1; i <= topo_.mules; ++i) enqueue(mule(i).queue, sig, master_);
        return;
      case TargetKind::mule_pool:
        enqueue(q_mpool_, sig, master_);
        return;
      case TargetKind::mule:
        enqueue(mule(t.index).queue, sig, master_);
        return;
      case TargetKind::farm_name:
        for (std::size_t f = 0; f < topo_.farms.size(); ++f)
          if (topo_.farms[f].name == t.farm) enqueue(farm_queue_[f], sig, master_);
        return;
      case TargetKind::farm_index:
        enqueue(farm_queue_[static_cast<std::size_t>(t.index - 1)], sig, master_);
        return;
    }
  }

  // Master-side sources route directly (C3).
  void source_route(int sig) { route(sig); }

  // ---------------------------------------------------------------- event sources
  void add_timer(const TimerSource& t) {
    const std::string where = t.loc.file.empty() ? std::string() : " (" + t.loc.str() + ")";
    if (t.kind == TimerKind::rb_timer) {
      if (strict_ && (t.period <= 0 || t.iterations < 0)) {
        emit(EventKind::note, t.sig, "master", {}, {},
             "strict: rb_timer needs period > 0 and iterations >= 0" + where);
        return;
      }
      rbs_.push_back(RbTimer{t});
      if (strict_)
        schedule(t.at + t.period, 0, Ev::strict_rb_timer, static_cast<int>(rbs_.size()) - 1);
      return;
    }
    KernelTimer k{t};
    if (strict_) {
      if (t.period <= 0 || t.iterations < 0) {
        emit(EventKind::note, t.sig, "master", {}, {},
             "strict: timer needs period > 0 and iterations >= 0" + where);
        return;
      }
      k.period = t.period;
      k.next_due = t.at + t.period;
      k.active = true;
      kernel_.push_back(k);
      schedule(k.next_due, 0, Ev::kernel_timer, static_cast<int>(kernel_.size()) - 1);
      return;
    }
    // U8: whole seconds; 0 disarms; negative fails; armed at the next master check.
    k.period = (t.period / kNsPerSec) * kNsPerSec;
    if (t.iterations != 0)
      emit(EventKind::note, t.sig, "master", {}, {},
           "uwsgi-2.0: kernel timers have no iterations (ignored)" + where);
    if (k.period <= 0) {
      emit(EventKind::note, t.sig, "master", {}, {},
           t.period < 0 ? "timerfd_settime(): Invalid argument: never fires"
                        : "period 0 disarms the timer: never fires");
      return;
    }
    Nanos arm = t.at == 0 ? 0 : ((t.at + kTick - 1) / kTick) * kTick;
    k.next_due = arm + k.period;
    k.active = true;
    kernel_.push_back(k);
    schedule(k.next_due, 0, Ev::kernel_timer, static_cast<int>(kernel_.size()) - 1);
  }

  void on_kernel_timer(int i) {
    KernelTimer& k = kernel_[static_cast<std::size_t>(i)];
    if (!k.active) return;
    if (now_ < master_busy_until_) {  // the master is stalled: expirations pile up in the timerfd
      schedule(master_busy_until_, 0, Ev::kernel_timer, i);
      return;
    }
    // timerfd counts expirations; the master reads the count and routes once.
    std::int64_t expirations = 1 + (now_ - k.next_due) / k.period;
    k.next_due += expirations * k.period;
    if (expirations > 1) probe(Probe::timer_overrun);
    ++k.fired;
    emit(EventKind::timer_fire, k.src.sig, "master", {}, {}, {}, expirations);
    source_route(k.src.sig);
    if (strict_ && k.src.iterations > 0 && k.fired >= k.src.iterations) {
      k.active = false;  // S8: iterations for every source
      return;
    }
    schedule(k.next_due, 0, Ev::kernel_timer, i);
  }

  void on_strict_rb_timer(int i) {
    RbTimer& r = rbs_[static_cast<std::size_t>(i)];
    if (now_ < master_busy_until_) {
      schedule(master_busy_until_, 0, Ev::strict_rb_timer, i);
      return;
    }
    ++r.done;
    emit(EventKind::rbtimer_fire, r.src.sig, "master", {}, {}, {}, r.done);
    source_route(r.src.sig);
    // S8: exact multiples of the period from arming, no drift.
    if (r.src.iterations == 0 || r.done < r.src.iterations)
      schedule(r.src.at + static_cast<Nanos>(r.done + 1) * r.src.period, 0, Ev::strict_rb_timer, i);
  }

  // uwsgi-2.0 rb_timers (U9): whole wall-clock seconds, checked at master iterations.
  void uwsgi_rb_timers() {
    const std::int64_t current = wall_s();
    for (std::size_t i = 0; i < rbs_.size(); ++i) {
      RbTimer& r = rbs_[i];
      if (!r.active || now_ < r.src.at) continue;
      std::int64_t secs = r.src.period / kNsPerSec;
      if (!r.armed) {
        if (secs <= 0 && r.src.iterations == 0) {
          emit(EventKind::undefined_behaviour, r.src.sig, "master", {}, {},
               "rb_timer with secs <= 0 and infinite iterations: the master spins (or hangs)");
          r.active = false;
          continue;
        }
        r.armed = true;
        r.due_s = current + secs;
      }
      // expire_rb_timeouts: `current` taken once; fire while due <= current.
      int guard = 0;
      while (r.active && r.due_s <= current && guard++ < 1'000'000) {
        ++r.done;
        emit(EventKind::rbtimer_fire, r.src.sig, "master", {}, {}, {}, r.done);
        source_route(r.src.sig);
        if (r.src.iterations == 0 || r.done < r.src.iterations)
          r.due_s = wall_s() + secs;
        else
          r.active = false;
      }
    }
  }

  void crons_check() {
    const std::int64_t now_s = wall_s();
    CivilTime ct = civil_from_unix(now_s);
    for (auto& c : crons_) {
      if (now_ < c.src.at) continue;
      if (strict_ && c.src.iterations > 0 && c.fired >= c.src.iterations) continue;
      if (!cron_matches(c.src, ct, opt_.profile)) continue;
      bool fire = false;
      if (strict_) {
        // S9: once per matching wall-clock minute; never re-fire a minute (step back).
        std::int64_t minute = now_s >= 0 ? now_s / 60 : -((-now_s + 59) / 60);
        if (minute > c.last_minute) {
          fire = true;
          c.last_minute = minute;
        }
      } else if (now_s - c.last_job >= 60) {
        // U10: 60 s guard from the last run; last_job starts at 0.
        fire = true;
        c.last_job = now_s;
      }
      if (!fire) continue;
      ++c.fired;
      if (ct.hour == 0 && ct.minute == 0) probe(Probe::cron_midnight);
      emit(EventKind::cron_fire, c.src.sig, "master", {}, {}, {}, {}, now_s);
      source_route(c.src.sig);
    }
  }

  void arm_monitors() {
    for (auto& m : monitors_) {
      if (m.armed || m.dead || now_ < m.src.at) continue;
      if (!files_.count(m.src.path)) {
        // §8.1: inotify_add_watch fails silently; the monitor never fires.
        m.dead = true;
        emit(EventKind::note, m.src.sig, "master", {}, {},
             "monitored path does not exist when armed: never fires: " + m.src.path);
        continue;
      }
      m.armed = true;
    }
  }

  void touch(const std::string& path) {
    files_.insert(path);
    if (strict_) {
      // S10: every touch fires each monitor on that path once.
      for (auto& m : monitors_) {
        if (!m.armed || m.src.path != path) continue;
        if (m.src.iterations > 0 && m.fired >= m.src.iterations) continue;
        ++m.fired;
        emit(EventKind::monitor_fire, m.src.sig, "master", {}, {}, path);
        source_route(m.src.sig);
      }
      return;
    }
    // U11: one signal per inotify batch, for the last touched path.
    last_touched_ = path;
    if (!monitor_batch_pending_) {
      monitor_batch_pending_ = true;
      schedule(std::max(now_ + kHop, master_busy_until_), 0, Ev::monitor_batch);
    }
  }

  void on_monitor_batch() {
    monitor_batch_pending_ = false;
    const Monitor* hit = nullptr;
    for (const auto& m : monitors_)  // the last-registered monitor of that path wins
      if (m.armed && m.src.path == last_touched_) hit = &m;
    if (!hit) return;
    emit(EventKind::monitor_fire, hit->src.sig, "master", {}, {}, last_touched_);
    source_route(hit->src.sig);
  }

  void on_tick() {
    if (stall_site_ && rng_.chance(opt_.faults.master_stall_per_mille)) {
      master_busy_until_ = now_ + kMasterStall;
      emit(EventKind::fault, -1, "master", {}, {}, "master-stall 3s");
    }
    if (now_ >= master_busy_until_) {
      arm_monitors();
      if (!strict_) uwsgi_rb_timers();
      crons_check();
    }
    schedule(now_ + kTick, 0, Ev::tick);
  }

  // ---------------------------------------------------------------- script
  void action(int i) {
    const Action& a = sc_.script[static_cast<std::size_t>(i)];
    std::visit([&](const auto& b) { do_action(b); }, a.body);
  }

  void do_action(const RaiseAction& r) { raise(r); }
  void do_action(const RequestAction& r) {
    Proc& p = worker(r.worker);
    const std::string name = p.id.str();
    if (!p.alive) {
      emit(EventKind::note, -1, name, {}, {}, "request on a worker that is not running: ignored");
      return;
    }
    if (r.start) {
      if (p.in_request) {
        emit(EventKind::note, -1, name, {}, {}, "already in a request");
        return;
      }
      p.in_request = true;
      if (!strict_) p.received = 0;
      emit(EventKind::request_start, -1, name);
      if (r.duration >= 0)
        schedule(now_ + r.duration, 1, Ev::request_end, static_cast<int>(&p - procs_.data()),
                 p.incarnation);
    } else if (p.in_request) {
      end_request(p);
    }
  }
  void do_action(const WaitAction& w) {
    Proc& p = proc_of(w.process);
    const std::string name = w.process.str();
    if (!p.alive || p.id.kind == ProcessKind::master || p.id.kind == ProcessKind::spooler ||
        (p.id.kind == ProcessKind::mule && !p.programmed)) {
      emit(EventKind::note, -1, name, {}, {},
           "signal_wait needs a running worker or programmed mule");
      return;
    }
    if (p.id.kind == ProcessKind::worker && !p.in_request) {
      p.in_request = true;
      p.implicit_request = true;
      if (!strict_) p.received = 0;
      emit(EventKind::request_start, -1, name, {}, {}, "implicit (signal_wait)");
    }
    p.waiting = w.sig ? std::optional<int>(*w.sig) : std::nullopt;
    if (w.sig)
      emit(EventKind::wait_enter, -1, name, {}, {}, {}, static_cast<std::int64_t>(*w.sig));
    else
      emit(EventKind::wait_enter, -1, name);
    ready_soon(p);
  }
  void do_action(const ReceivedAction& r) {
    Proc& p = proc_of(r.process);
    emit(EventKind::received, -1, r.process.str(), {}, {}, {},
         static_cast<std::int64_t>(p.received));
  }
  void do_action(const TouchAction& t) { touch(t.path); }
  void do_action(const LifecycleAction& l) { lifecycle(l); }
  void do_action(const ClockStepAction& c) {
    wall_offset_ += c.step;
    if (c.step < 0) probe(Probe::clock_step_back);
    emit(EventKind::clock_step, -1, "master", {}, {}, {}, c.step / kNsPerSec, wall_s());
  }
  void do_action(const RegisterAction& r) { do_register(r.reg); }
  void do_action(const UnregisterAction& u) { do_unregister(u); }

  void dispatch(const Event& e) {
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

  const Scenario& sc_;
  SimOptions opt_;
  Prng rng_;
  Topology topo_;
  bool strict_ = true;
  bool crash_site_ = false, slow_site_ = false, stall_site_ = false;
  SimResult res_;
  Nanos now_ = 0;
  Nanos wall_offset_ = 0;
  Nanos master_busy_until_ = 0;
  std::uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::vector<Queue> queues_;
  std::vector<Proc> procs_;
  std::vector<int> worker_index_, mule_index_, spooler_index_, farm_queue_;
  std::vector<Row> rows_;
  std::array<std::string, 256> last_receiver_;
  int q_up_ = 0, q_up_mules_ = 0, q_up_spoolers_ = 0, q_wpool_ = 0, q_mpool_ = 0, q_spool_ = 0,
      q_waiters_ = 0;
  int up_rr_ = 0;
  const std::string empty_;
  const std::string master_ = "master";
  bool master_read_pending_ = false;
  bool need_ticks_ = false;
  std::vector<KernelTimer> kernel_;
  std::vector<RbTimer> rbs_;
  std::vector<CronState> crons_;
  std::vector<Monitor> monitors_;
  std::set<std::string> files_;
  std::array<std::uint64_t, 6> probe_counts_{};
  std::vector<int> scratch_readers_;
  std::vector<std::vector<int>> readers_of_;  // queue -> processes that read it, in process order
  // Per-signal caches of the table (kept in step with every (un)registration):
  // routing evaluates the same rules, only without re-parsing strings per byte.
  std::array<bool, 256> registered_any_{};
  std::array<std::optional<Target>, 256> strict_target_;
  std::array<std::optional<LooseRoute>, 256> loose_route_;
  std::string last_touched_;
  bool monitor_batch_pending_ = false;
};

}  // namespace

SimResult run_scenario(const Scenario& scenario, const SimOptions& options) {
  return Sim(scenario, options).run();
}

}  // namespace sigh::sim
