#include "framework/master.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <random>
#include <string_view>
#include <variant>

#include "framework/cron_match.h"
#include "sigharness/target.h"

namespace sigh::real::detail {

namespace {
constexpr int kMaxLoopWaitMs = 5;  // bounds reaping latency and cron checks (S9: minute start)

void sleep_ns(Nanos ns) {
  timespec ts{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}
}  // namespace

struct Master::Impl {
  Impl(Instance& i, MasterConfig c, Stats& s) : in(i), cfg(std::move(c)), st(s), rng(cfg.seed) {
    const char* brk = std::getenv("SIGHARNESS_BREAK");
    break_workers_first_only_ = brk && std::string_view(brk) == "workers-first-only";
  }
  // A deliberately broken backend for the conformance tests:
  // SIGHARNESS_BREAK=workers-first-only routes `workers` to worker1 only.
  bool break_workers_first_only_ = false;

  struct ProcState {
    bool cheaped = false;
    bool started_once = false;
    Nanos respawn_at = -1;
    std::string dying;  // why the master killed it ("killed", "crashed")
  };
  struct Waiter {
    int proc;
    int want;  // -1 = any
  };
  struct Cron {
    CronSource src;
    bool active = false;
    int fired = 0;
    std::int64_t last_minute = INT64_MIN;
  };
  struct Monitor {
    MonitorSource src;
    bool armed = false, done = false;
    int fired = 0;
  };

  Instance& in;
  MasterConfig cfg;
  Stats& st;
  std::mt19937_64 rng;
  std::vector<ProcState> ps;
  int ep = -1, ino = -1;
  std::unique_ptr<TimerBackend> kernel, rb;
  std::unique_ptr<TimerWaker> rb_waker;
  std::vector<std::pair<Nanos, int>> pending_timers;  // (at, index into scenario timers)
  std::vector<Cron> crons;
  std::vector<Monitor> monitors;
  std::map<int, std::vector<int>> wd_monitors;  // inotify wd -> monitors on that path, in order
  std::deque<int> held;                         // S5: the `waiters` queue
  std::vector<Waiter> waiters;
  std::size_t next_action = 0;
  pid_t self = getpid();
  Nanos last_reap_ = std::numeric_limits<Nanos>::min() / 2;
  std::map<std::string, decltype(parse_target_strict(std::string_view{}))> parsed_targets_;

  const Scenario& sc() const { return *cfg.scenario; }
  Nanos now() const { return in.sink.now(); }
  Nanos real_now() const { return in.real_from_virtual(now()); }
  std::string name(int p) const { return in.procs[static_cast<std::size_t>(p)].id.str(); }
  ProcSlot& slot(int p) { return in.shm.proc(p); }
  bool alive(int p) { return slot(p).alive.load() != 0; }
  void emit(EventKind k, int sig, const std::string& proc, const std::string& queue = {},
            const std::string& target = {}, const std::string& detail = {},
            std::optional<std::int64_t> value = {}, std::optional<std::int64_t> wall = {}) {
    in.sink.emit(k, sig, proc, queue, target, detail, value, wall);
  }
  std::string real_path(const std::string& p) const { return cfg.root + "/files" + p; }

  // ------------------------------------------------------------------ processes
  bool spawn(int p) {
    ProcDef& d = in.procs[static_cast<std::size_t>(p)];
    if (d.id.kind == ProcessKind::worker && ps[static_cast<std::size_t>(p)].started_once) {
      // S11: the new incarnation starts from the master's row.
      bool had_own = false;
      {
        TableLock lock(in.shm);
        for (int s = 0; s < 256; ++s) {
          if (in.shm.entry(d.row, s).registered && in.shm.entry(d.row, s).owner == d.id.index)
            had_own = true;
          in.shm.entry(d.row, s) = in.shm.entry(0, s);
        }
      }
      if (had_own)
        emit(EventKind::note, -1, d.id.str(), {}, {},
             "handlers registered after fork are gone in the new incarnation");
    }
    ProgramFn program;
    if (auto it = cfg.mule_programs.find(d.id.index);
        d.id.kind == ProcessKind::mule && it != cfg.mule_programs.end())
      program = it->second;
    slot(p).in_handler.store(-1);
    pid_t pid = fork();
    if (pid < 0) {
      emit(EventKind::note, -1, d.id.str(), {}, {},
           std::string("fork failed: ") + std::strerror(errno));
      return false;
    }
    if (pid == 0) child_main(in, p, self, program);
    slot(p).pid.store(pid);
    slot(p).alive.store(1);
    slot(p).incarnation.fetch_add(1);
    ++st.spawned;
    emit(EventKind::spawn, -1, d.id.str());
    // Registrations the worker performs at its start (worker-side ones once, C9 lazy-apps ones at
    // every start), sent over its control channel so they run in the worker.
    if (d.id.kind == ProcessKind::worker) {
      for (const auto& r : sc().registrations) {
        bool mine = r.by == d.id && !ps[static_cast<std::size_t>(p)].started_once;
        bool lazy = r.by.kind == ProcessKind::master && in.topo.lazy_apps;
        if (mine || lazy) send_register(p, r);
      }
    } else if (!ps[static_cast<std::size_t>(p)].started_once) {
      for (const auto& r : sc().registrations)
        if (r.by == d.id) send_register(p, r);  // refused in the child (S2), traced there
    }
    ps[static_cast<std::size_t>(p)].started_once = true;
    return true;
  }

  void send_register(int p, const Registration& r) {
    CtlMsg m{CtlType::reg, r.sig, cfg.handler_index(r), {}};
    std::memcpy(m.text, r.target.data(), std::min<std::size_t>(r.target.size(), sizeof m.text - 1));
    if (r.target.size() >= sizeof m.text) {
      emit(EventKind::register_error, r.sig, name(p), {}, r.target,
           "receiver longer than 63 bytes");
      return;
    }
    send_ctl(in.procs[static_cast<std::size_t>(p)].ctl_master, m);
  }

  void forget_waiter(int p) {
    std::erase_if(waiters, [&](const Waiter& w) { return w.proc == p; });
  }

  void on_exit(int p, int status) {
    ProcSlot& s = slot(p);
    ProcState& ps_ = ps[static_cast<std::size_t>(p)];
    s.alive.store(0);
    s.pid.store(0);
    ++st.reaped;
    forget_waiter(p);
    int in_handler = s.in_handler.exchange(-1);
    std::string why = ps_.dying;
    if (in_handler >= 0) {
      emit(EventKind::handler_end, in_handler, name(p), {}, {}, "crash");
      if (why.empty()) why = "crash in handler";
    }
    if (why.empty()) {
      why = WIFEXITED(status)     ? "exited with status " + std::to_string(WEXITSTATUS(status))
            : WIFSIGNALED(status) ? std::string("killed by signal ") + strsignal(WTERMSIG(status))
                                  : "ended";
    }
    ps_.dying.clear();
    emit(EventKind::exit, -1, name(p), {}, {}, why);
    if (!ps_.cheaped) ps_.respawn_at = now() + cfg.respawn_delay;  // C7
  }

  void reap() {
    // waitpid per child costs one syscall each: once per millisecond is enough (C7's respawn
    // delay is 1 ms) and keeps the routing loop's per-signal cost independent of the topology.
    const Nanos t = real_now();
    if (t - last_reap_ < kNsPerMs) return;
    last_reap_ = t;
    for (std::size_t p = 1; p < in.procs.size(); ++p) {
      pid_t pid = slot(static_cast<int>(p)).pid.load();
      if (pid <= 0) continue;
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) on_exit(static_cast<int>(p), status);
    }
    for (std::size_t p = 1; p < in.procs.size(); ++p) {
      ProcState& s = ps[p];
      if (s.respawn_at >= 0 && now() >= s.respawn_at && !s.cheaped) {
        s.respawn_at = -1;
        emit(EventKind::respawn, -1, name(static_cast<int>(p)));
        spawn(static_cast<int>(p));
      }
    }
  }

  // Kills and reaps one child synchronously (bounded: SIGKILL cannot be caught).
  void kill_and_wait(int p) {
    pid_t pid = slot(p).pid.load();
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    slot(p).pid.store(0);
    slot(p).alive.store(0);
    slot(p).in_handler.store(-1);
    ++st.reaped;
  }

  // ------------------------------------------------------------------ routing
  bool enqueue(int q, int sig) {
    const QueueDef& d = in.queues[static_cast<std::size_t>(q)];
    std::int64_t depth = 0;
    if (!write_byte(in, q, sig, &depth)) {
      ++st.rejected;
      emit(EventKind::reject, sig, "master", d.name, {}, "queue-full");  // S4
      return false;
    }
    emit(EventKind::enqueue, sig, "master", d.name, {}, {}, depth);
    return true;
  }

  void reject(int sig, const std::string& target, const std::string& why) {
    ++st.rejected;
    emit(EventKind::reject, sig, "master", {}, target, why);
  }

  int worker_proc(int i) const { return i; }  // procs: [0] master, [1..W] workers
  int mule_proc(int i) const { return in.topo.workers + i; }

  void route(int sig) {
    ++st.routed;
    auto receiver = routing_receiver(in, sig);  // S1: most recent registration anywhere
    if (!receiver) {
      emit(EventKind::route, sig, "master", {}, {}, "waiters");
      hold(sig);
      return;
    }
    // Receivers are few and fixed: parse each once (the table stores the string verbatim).
    auto cached = parsed_targets_.find(*receiver);
    if (cached == parsed_targets_.end())
      cached = parsed_targets_.emplace(*receiver, parse_target_strict(*receiver)).first;
    const auto& parsed = cached->second;
    if (!std::holds_alternative<Target>(parsed)) {
      reject(sig, *receiver, "invalid target");
      return;
    }
    const Target& t = std::get<Target>(parsed);
    emit(EventKind::route, sig, "master", {}, *receiver, t.str());
    const Topology& topo = in.topo;
    switch (t.kind) {
      case TargetKind::worker_pool:
        enqueue(in.q_wpool, sig);
        return;
      case TargetKind::all_workers:  // S7: every non-cheaped slot (dead ones keep their queue)
        for (int i = 1; i <= (break_workers_first_only_ ? 1 : topo.workers); ++i)
          if (!ps[static_cast<std::size_t>(worker_proc(i))].cheaped)
            enqueue(in.procs[static_cast<std::size_t>(worker_proc(i))].private_q, sig);
        return;
      case TargetKind::active_workers: {
        bool any = false;
        for (int i = 1; i <= topo.workers; ++i) {
          int p = worker_proc(i);
          if (alive(p) && !ps[static_cast<std::size_t>(p)].cheaped) {
            enqueue(in.procs[static_cast<std::size_t>(p)].private_q, sig);
            any = true;
          }
        }
        if (!any) reject(sig, *receiver, "no active worker");
        return;
      }
      case TargetKind::worker: {
        int p = worker_proc(t.index);
        if (ps[static_cast<std::size_t>(p)].cheaped)
          reject(sig, *receiver, "worker " + std::to_string(t.index) + " is cheaped");
        else
          enqueue(in.procs[static_cast<std::size_t>(p)].private_q, sig);
        return;
      }
      case TargetKind::spooler:
        enqueue(in.q_spool, sig);
        return;
      case TargetKind::all_mules:
        for (int i = 1; i <= topo.mules; ++i)
          enqueue(in.procs[static_cast<std::size_t>(mule_proc(i))].private_q, sig);
        return;
      case TargetKind::mule_pool:
        enqueue(in.q_mpool, sig);
        return;
      case TargetKind::mule:
        enqueue(in.procs[static_cast<std::size_t>(mule_proc(t.index))].private_q, sig);
        return;
      case TargetKind::farm_name:
        for (std::size_t f = 0; f < topo.farms.size(); ++f)
          if (topo.farms[f].name == t.farm) enqueue(in.q_farm[f], sig);
        return;
      case TargetKind::farm_index:
        enqueue(in.q_farm[static_cast<std::size_t>(t.index - 1)], sig);
        return;
    }
  }

  // S5: unregistered signals wait in `waiters` for a process in signal_wait that accepts them.
  void hold(int sig) {
    if (static_cast<int>(held.size()) >= in.topo.queue_capacity) {
      ++st.rejected;
      emit(EventKind::reject, sig, "master", "waiters", {}, "queue-full");
      return;
    }
    held.push_back(sig);
    ++st.held;
    emit(EventKind::enqueue, sig, "master", "waiters", {}, {},
         static_cast<std::int64_t>(held.size()));
    match_held();
  }

  static bool accepts(const Waiter& w, int sig) { return w.want < 0 || w.want == sig; }

  // Hands held signals (FIFO) to accepting waiters, chosen uniformly by the seeded PRNG.
  void match_held() {
    for (auto it = held.begin(); it != held.end() && !waiters.empty();) {
      std::vector<std::size_t> ok;
      for (std::size_t i = 0; i < waiters.size(); ++i)
        if (accepts(waiters[i], *it)) ok.push_back(i);
      if (ok.empty()) {
        ++it;
        continue;
      }
      std::size_t pick = ok[std::uniform_int_distribution<std::size_t>(0, ok.size() - 1)(rng)];
      Waiter w = waiters[pick];
      waiters.erase(waiters.begin() + static_cast<std::ptrdiff_t>(pick));
      send_ctl(in.procs[static_cast<std::size_t>(w.proc)].ctl_master,
               CtlMsg{CtlType::give, *it, 0, {}});
      it = held.erase(it);
    }
  }

  void on_ctl(int p) {
    while (auto m = recv_ctl(in.procs[static_cast<std::size_t>(p)].ctl_master)) {
      switch (m->type) {
        case CtlType::wait_enter:
          forget_waiter(p);
          waiters.push_back({p, m->sig});
          match_held();
          break;
        case CtlType::wait_exit:
          forget_waiter(p);
          break;
        case CtlType::give_back:
          held.push_front(m->sig);  // the waiter left before the gift arrived: hold it again
          match_held();
          break;
        default:
          break;
      }
    }
  }

  // ------------------------------------------------------------------ sources
  void add_timer(int idx) {
    const TimerSource& t = sc().timers[static_cast<std::size_t>(idx)];
    const bool isrb = t.kind == TimerKind::rb_timer;
    if (t.period <= 0 || t.iterations < 0) {
      emit(EventKind::note, t.sig, "master", {}, {},
           std::string("strict: ") + (isrb ? "rb_timer" : "timer") +
               " needs period > 0 and iterations >= 0 (" + t.loc.str() + ")");
      return;
    }
    TimerBackend& b = isrb ? *rb : *kernel;
    if (!b.add(idx, std::max<Nanos>(1, in.real_from_virtual(t.period)), t.iterations, real_now()))
      emit(EventKind::note, t.sig, "master", {}, {},
           std::string("could not arm the ") + std::string(timer_backend_name(b.kind())) +
               " timer: " + std::strerror(errno));
  }

  // Kernel timers are read only when their fd reported readiness (reading the timerfd set costs
  // a syscall, paid per routed signal otherwise); rb_timers are checked every iteration.
  void expire_timers(bool kernel_ready) {
    if (kernel_ready)
      for (const auto& f : kernel->expire(real_now())) {
        const TimerSource& t = sc().timers[static_cast<std::size_t>(f.id)];
        emit(EventKind::timer_fire, t.sig, "master", {}, {}, {}, f.expirations);
        route(t.sig);
      }
    for (const auto& f : rb->expire(real_now())) {
      const TimerSource& t = sc().timers[static_cast<std::size_t>(f.id)];
      emit(EventKind::rbtimer_fire, t.sig, "master", {}, {}, {}, f.iteration);
      route(t.sig);
    }
  }

  void check_crons() {
    if (crons.empty()) return;
    const Nanos wall = cfg.wall->wall_ns();
    const std::int64_t s = wall >= 0 ? wall / kNsPerSec : -((-wall + kNsPerSec - 1) / kNsPerSec);
    const UtcTime t = utc_from_unix(s);
    const std::int64_t minute = unix_minute(s);
    for (auto& c : crons) {
      if (!c.active && now() >= c.src.at) c.active = true;
      if (!c.active) continue;
      if (c.src.iterations > 0 && c.fired >= c.src.iterations) continue;
      CronSpec spec{c.src.minute, c.src.hour, c.src.day, c.src.month, c.src.weekday};
      // S9: once per matching minute; a step back never re-fires, a step forward skips.
      if (minute <= c.last_minute || !cron_matches_strict(spec, t)) continue;
      c.last_minute = minute;
      ++c.fired;
      emit(EventKind::cron_fire, c.src.sig, "master", {}, {}, {}, {}, s);
      route(c.src.sig);
    }
  }

  void arm_monitors() {
    for (auto& m : monitors) {
      if (m.armed || m.done || now() < m.src.at) continue;
      const std::string path = real_path(m.src.path);
      int wd = ino >= 0
                   ? inotify_add_watch(ino, path.c_str(),
                                       IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF)
                   : -1;
      if (wd < 0) {
        m.done = true;
        emit(EventKind::note, m.src.sig, "master", {}, {},
             "monitored path does not exist when armed: never fires: " + m.src.path);
        continue;
      }
      m.armed = true;
      wd_monitors[wd].push_back(static_cast<int>(&m - monitors.data()));
    }
  }

  // S10: every event on a watched path fires each of its monitors once.
  void read_inotify() {
    if (ino < 0) return;
    alignas(inotify_event) char buf[4096];
    for (;;) {
      ssize_t n = read(ino, buf, sizeof buf);
      if (n <= 0) return;
      for (ssize_t off = 0; off < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        auto it = wd_monitors.find(ev->wd);
        if (it == wd_monitors.end() || (ev->mask & IN_IGNORED)) continue;
        for (int mi : it->second) {
          Monitor& m = monitors[static_cast<std::size_t>(mi)];
          if (m.src.iterations > 0 && m.fired >= m.src.iterations) continue;
          ++m.fired;
          emit(EventKind::monitor_fire, m.src.sig, "master", {}, {}, m.src.path);
          route(m.src.sig);
        }
      }
    }
  }

  void touch(const std::string& vpath) {
    const std::string path = real_path(vpath);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (access(path.c_str(), F_OK) == 0) {
      utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // exactly one IN_ATTRIB
    } else {
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
    }
    read_inotify();  // now, so two touches in one iteration are not merged by the kernel
  }

  // ------------------------------------------------------------------ script
  void run_actions() {
    while (next_action < sc().script.size() && sc().script[next_action].at <= now()) {
      const Action& a = sc().script[next_action++];
      std::visit([&](const auto& b) { act(b); }, a.body);
    }
  }

  int proc_of(const ProcessId& id) { return in.proc_index(id); }

  // Sends a control message to a running child; false (and a note) otherwise.
  bool to_child(const ProcessId& id, const CtlMsg& m, const std::string& not_running) {
    int p = proc_of(id);
    if (p <= 0 || !alive(p)) {
      emit(EventKind::note, m.sig, id.str(), {}, {}, not_running);
      return false;
    }
    return send_ctl(in.procs[static_cast<std::size_t>(p)].ctl_master, m);
  }

  void master_raise(int sig) {
    emit(EventKind::raise, sig, "master");
    std::int64_t depth = 0;
    if (write_byte(in, in.q_up, sig, &depth)) {
      emit(EventKind::enqueue, sig, "master", "upstream", {}, {}, depth);
    } else {
      ++st.rejected;
      emit(EventKind::reject, sig, "master", "upstream", {}, "queue-full");
    }
  }

  void act(const RaiseAction& r) {
    if (r.from.kind == ProcessKind::master) {
      for (int i = 0; i < r.count; ++i) master_raise(r.sig);
      return;
    }
    to_child(r.from, CtlMsg{CtlType::raise, r.sig, r.count, {}},
             "raiser is not running: nothing raised");
  }
  void act(const RequestAction& r) {
    to_child(ProcessId::worker(r.worker),
             CtlMsg{r.start ? CtlType::req_start : CtlType::req_finish, -1, r.duration, {}},
             "request on a worker that is not running: ignored");
  }
  void act(const WaitAction& w) {
    to_child(w.process, CtlMsg{CtlType::wait, w.sig ? *w.sig : -1, 0, {}},
             "signal_wait needs a running worker or programmed mule");
  }
  void act(const ReceivedAction& r) {
    to_child(r.process, CtlMsg{CtlType::received, -1, 0, {}},
             "signal_received needs a running worker or programmed mule");
  }
  void act(const TouchAction& t) { touch(t.path); }
  void act(const ClockStepAction& c) {
    if (cfg.wall_offset) cfg.wall_offset->fetch_add(c.step);
    const Nanos wall = cfg.wall->wall_ns();
    emit(EventKind::clock_step, -1, "master", {}, {}, {}, c.step / kNsPerSec, wall / kNsPerSec);
  }
  void act(const RegisterAction& r) {
    if (r.reg.by.kind == ProcessKind::master) {
      register_entry(in, r.reg.by, r.reg.sig, r.reg.target, cfg.handler_index(r.reg));
      return;
    }
    int p = proc_of(r.reg.by);
    if (p <= 0 || !alive(p)) {
      emit(EventKind::note, r.reg.sig, r.reg.by.str(), {}, {}, "not running: nothing registered");
      return;
    }
    send_register(p, r.reg);
  }
  void act(const UnregisterAction& u) {
    if (u.by.kind == ProcessKind::master) {
      unregister_entry(in, u.by, u.sig);
      return;
    }
    to_child(u.by, CtlMsg{CtlType::unreg, u.sig, 0, {}}, "not running: nothing unregistered");
  }
  void act(const LifecycleAction& l) {
    const int p = proc_of(l.process);
    const std::string who = l.process.str();
    if (p <= 0) {
      emit(EventKind::note, -1, who, {}, {}, "not a child process of this topology");
      return;
    }
    ProcState& s = ps[static_cast<std::size_t>(p)];
    switch (l.kind) {
      case LifecycleAction::kill:
      case LifecycleAction::crash: {
        if (!alive(p)) {
          emit(EventKind::note, -1, who, {}, {}, "not running: nothing to kill");
          return;
        }
        const bool k = l.kind == LifecycleAction::kill;
        emit(EventKind::kill, -1, who, {}, {}, k ? "SIGKILL" : "crash");
        s.dying = k ? "killed" : "crashed";
        kill(slot(p).pid.load(), SIGKILL);  // reaped (by pid) in the loop, then respawned
        return;
      }
      case LifecycleAction::cheap: {
        if (l.process.kind != ProcessKind::worker) {
          emit(EventKind::note, -1, who, {}, {}, "only workers can be cheaped");
          return;
        }
        if (s.cheaped) {
          emit(EventKind::note, -1, who, {}, {}, "already cheaped");
          return;
        }
        s.cheaped = true;
        slot(p).cheaped.store(1);
        s.respawn_at = -1;
        kill_and_wait(p);
        forget_waiter(p);
        emit(EventKind::cheap, -1, who);
        // S7: what was queued for it is rejected now, never burst on a later spawn.
        const int q = in.procs[static_cast<std::size_t>(p)].private_q;
        for (int sig; (sig = read_byte(in, q)) >= 0;) {
          ++st.rejected;
          emit(EventKind::reject, sig, who, in.queues[static_cast<std::size_t>(q)].name, {},
               "cheaped with backlog");
        }
        return;
      }
      case LifecycleAction::spawn:
        if (!s.cheaped) {
          emit(EventKind::note, -1, who, {}, {}, "not cheaped: nothing to spawn");
          return;
        }
        s.cheaped = false;
        slot(p).cheaped.store(0);
        spawn(p);
        return;
    }
  }

  // ------------------------------------------------------------------ loop
  void add_fd(int fd, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }

  enum Tag : std::uint64_t {
    tag_queue = 1ull << 32,
    tag_ctl = 2ull << 32,
    tag_timer = 3ull << 32,
    tag_ino = 4ull << 32
  };

  bool start(std::string* why) {
    ps.assign(in.procs.size(), ProcState{});
    ep = epoll_create1(EPOLL_CLOEXEC);
    kernel = make_timer_backend(TimerBackendKind::timerfd);
    rb = make_timer_backend(cfg.rb_backend);
    if (ep < 0 || kernel->fd() < 0) {
      *why = std::string("epoll_create1 failed: ") + std::strerror(errno);
      return false;
    }
    for (int q : {in.q_up, in.q_up_mules, in.q_up_spoolers})
      add_fd(in.queues[static_cast<std::size_t>(q)].rfd, tag_queue | static_cast<std::uint64_t>(q));
    for (std::size_t p = 1; p < in.procs.size(); ++p) add_fd(in.procs[p].ctl_master, tag_ctl | p);
    add_fd(kernel->fd(), tag_timer);
    // rb_timers wake the loop at their exact deadline (not epoll_wait's whole milliseconds).
    rb_waker = std::make_unique<TimerWaker>(*rb, in.shm.header().t0);
    if (rb_waker->fd() < 0) {
      *why = std::string("timerfd_create failed: ") + std::strerror(errno);
      return false;
    }
    add_fd(rb_waker->fd(), tag_timer);
    if (!sc().monitors.empty()) {
      ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (ino < 0) {
        *why = std::string("inotify_init1 failed: ") + std::strerror(errno);
        return false;
      }
      add_fd(ino, tag_ino);
    }
    for (const auto& f : sc().files) {
      const std::string path = real_path(f);
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        *why = "cannot create " + path + ": " + std::strerror(errno);
        return false;
      }
      close(fd);
    }
    // Master registrations happen before fork (C5), except in lazy-apps mode (C9).
    if (!in.topo.lazy_apps)
      for (const auto& r : sc().registrations)
        if (r.by.kind == ProcessKind::master)
          register_entry(in, r.by, r.sig, r.target, cfg.handler_index(r));
    for (std::size_t p = 1; p < in.procs.size(); ++p) {
      const ProcessId& id = in.procs[p].id;
      if (id.kind == ProcessKind::worker && in.topo.cheaper_initial >= 0 &&
          id.index > in.topo.cheaper_initial) {
        ps[p].cheaped = true;  // starts cheaped: nothing forked until `spawn`
        slot(static_cast<int>(p)).cheaped.store(1);
        continue;
      }
      if (!spawn(static_cast<int>(p))) {
        *why = std::string("fork failed: ") + std::strerror(errno);
        return false;
      }
    }
    for (std::size_t i = 0; i < sc().timers.size(); ++i)
      pending_timers.push_back({sc().timers[i].at, static_cast<int>(i)});
    std::stable_sort(pending_timers.begin(), pending_timers.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& c : sc().crons) crons.push_back(Cron{c});
    for (const auto& m : sc().monitors) monitors.push_back(Monitor{m});
    return true;
  }

  void arm_due_timers() {
    while (!pending_timers.empty() && pending_timers.front().first <= now()) {
      add_timer(pending_timers.front().second);
      pending_timers.erase(pending_timers.begin());
    }
  }

  int wait_ms(Nanos end) {
    Nanos next = end;
    if (next_action < sc().script.size()) next = std::min(next, sc().script[next_action].at);
    if (!pending_timers.empty()) next = std::min(next, pending_timers.front().first);
    Nanos d = in.real_from_virtual(next - now());
    if (auto t = rb->next_timeout(real_now())) d = std::min(d, *t);
    for (const auto& m : monitors)
      if (!m.armed && !m.done) d = std::min(d, in.real_from_virtual(m.src.at - now()));
    if (!crons.empty()) {
      // Wake at the next wall-clock minute (S9 fires at its start), not up to a loop bound later:
      // at a time scale of N the bound alone would be N times coarser in virtual time.
      constexpr Nanos kMinute = 60 * kNsPerSec;
      const Nanos into = ((cfg.wall->wall_ns() % kMinute) + kMinute) % kMinute;
      d = std::min(d, in.real_from_virtual(kMinute - into));
    }
    return static_cast<int>(std::clamp<Nanos>((d + kNsPerMs - 1) / kNsPerMs, 0, kMaxLoopWaitMs));
  }

  void run_until(Nanos end) {
    epoll_event evs[16];
    while (now() < end && !(cfg.stop_requested && cfg.stop_requested())) {
      reap();
      run_actions();
      arm_due_timers();
      arm_monitors();
      check_crons();
      expire_timers(false);
      rb_waker->arm(real_now());
      int n = epoll_wait(ep, evs, 16, wait_ms(end));
      for (int i = 0; i < n; ++i) {
        const std::uint64_t tag = evs[i].data.u64 & ~0xffffffffull;
        const int idx = static_cast<int>(evs[i].data.u64 & 0xffffffffull);
        if (tag == tag_queue) {
          int sig = read_byte(in, idx);  // C3: one byte per ready upstream per iteration
          if (sig >= 0) route(sig);
        } else if (tag == tag_ctl) {
          on_ctl(idx);
        } else if (tag == tag_timer) {
          rb_waker->drain();
          expire_timers(true);
        } else if (tag == tag_ino) {
          read_inotify();
        }
      }
    }
  }

  void stop() {
    std::vector<int> live;
    for (std::size_t p = 1; p < in.procs.size(); ++p) {
      pid_t pid = slot(static_cast<int>(p)).pid.load();
      if (pid > 0) {
        kill(pid, SIGTERM);
        live.push_back(static_cast<int>(p));
      }
    }
    // Bounded: 2 s for SIGTERM, then SIGKILL (which cannot be ignored) and a blocking reap.
    for (int tries = 0; tries < 2000 && !live.empty(); ++tries) {
      std::erase_if(live, [&](int p) {
        int status = 0;
        if (waitpid(slot(p).pid.load(), &status, WNOHANG) != slot(p).pid.load()) return false;
        slot(p).pid.store(0);
        slot(p).alive.store(0);
        ++st.reaped;
        return true;
      });
      if (!live.empty()) sleep_ns(kNsPerMs);
    }
    for (int p : live) kill_and_wait(p);
    if (ino >= 0) close(ino);
    if (ep >= 0) close(ep);
    ino = ep = -1;
    rb_waker.reset();
    kernel.reset();
    rb.reset();
  }
};

Master::Master(Instance& in, MasterConfig cfg)
    : impl_(std::make_unique<Impl>(in, std::move(cfg), stats_)) {}
Master::~Master() {
  if (impl_ && impl_->ep >= 0) impl_->stop();
}
bool Master::start(std::string* why) { return impl_->start(why); }
void Master::run_until(Nanos end) { impl_->run_until(end); }
void Master::stop() { impl_->stop(); }

}  // namespace sigh::real::detail
