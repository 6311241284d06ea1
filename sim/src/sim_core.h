#pragma once
// The simulator's state and the declarations of its parts. Each part lives in
// its own file:
//   simulator.cpp      setup, the scheduler loop, script actions, trace output
//   delivery.cpp       queues -> readers, handlers, signal_wait (C4-C6, U6/U7, S5/S6)
//   lifecycle.cpp      kill, crash, cheap, spawn, respawn (C7, S7, S11)
//   registration.cpp   the table writes (U3, S2, S3, C9)
//   routing_uwsgi.cpp  uwsgi-2.0 routing (U1, U2, U4, U5)
//   routing_strict.cpp strict routing (S1, S4, S5, S7)
//   timers.cpp         kernel timers and rb_timers (U8, U9, S8)
//   cron.cpp           cron firing (U10, S9); cron_match.cpp: field matching
//   monitors.cpp       file monitors (U11, S10)
// Rule ids (C*, U*, S*) refer to /work/notes/profiles.md and specs/SEMANTICS.md.
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "byte_queue.h"
#include "clock.h"
#include "event_queue.h"
#include "prng.h"
#include "processes.h"
#include "sigharness/sim/simulator.h"
#include "signal_table.h"
#include "sources.h"

namespace sigh::sim {

inline constexpr Nanos kHop = 10 * kNsPerUs;        // C8: one hop (write -> reader wakes)
inline constexpr Nanos kMasterStep = 1 * kNsPerUs;  // C3: one master loop per upstream byte
inline constexpr Nanos kRespawnDelay = kNsPerMs;    // C7
inline constexpr Nanos kTick = kNsPerSec;           // C8: master check interval
inline constexpr Nanos kSlowHandlerMin = 100 * kNsPerMs;
inline constexpr Nanos kMasterStall = 3 * kNsPerSec;

enum class Probe {
  queue_full,
  timer_overrun,
  cron_midnight,
  clock_step_back,
  respawn_with_backlog,
  pool_race,
  count_
};
inline constexpr std::array<const char*, 6> kProbeNames = {
    "queue-full",      "timer-overrun",        "cron-midnight",
    "clock-step-back", "respawn-with-backlog", "pool-race"};

class SimCore {
 public:
  SimCore(const Scenario& sc, const SimOptions& opt);
  SimResult run();

  // ---- trace (simulator.cpp). Cheap when not recording: string_views only.
  bool recording() const { return opt_.record_trace; }
  void emit(EventKind k, int sig, std::string_view proc, std::string_view queue = {},
            std::string_view target = {}, std::string_view detail = {},
            std::optional<std::int64_t> value = {}, std::optional<std::int64_t> wall = {}) {
    if (opt_.record_trace) record(k, sig, proc, queue, target, detail, value, wall);
  }
  void probe(Probe p) { ++probe_counts_[static_cast<std::size_t>(p)]; }
  void schedule(Nanos t, int prio, Ev kind, int a = 0, int b = 0) {
    events_.push(t, prio, kind, a, b);
  }
  Nanos now() const { return clock_.mono(); }

 private:
  void record(EventKind k, int sig, std::string_view proc, std::string_view queue,
              std::string_view target, std::string_view detail, std::optional<std::int64_t> value,
              std::optional<std::int64_t> wall);
  // setup and loop (simulator.cpp)
  int add_queue(std::string name);
  void build();
  void dispatch(const Event& e);
  void action(int i);
  void do_action(const RaiseAction& r);
  void do_action(const RequestAction& r);
  void do_action(const WaitAction& w);
  void do_action(const ReceivedAction& r);
  void do_action(const TouchAction& t);
  void do_action(const LifecycleAction& l);
  void do_action(const ClockStepAction& c);
  void do_action(const RegisterAction& r);
  void do_action(const UnregisterAction& u);
  void on_tick();
  void on_master_read();
  Proc& proc_of(const ProcessId& id);
  Proc& worker(int i) { return procs_[static_cast<std::size_t>(worker_index_[i - 1])]; }
  Proc& mule(int i) { return procs_[static_cast<std::size_t>(mule_index_[i - 1])]; }
  int index_of(const Proc& p) const { return static_cast<int>(&p - procs_.data()); }

  // delivery (delivery.cpp)
  bool enqueue(int q, int sig, std::string_view writer);
  void on_queue_ready(int q);
  void on_proc_ready(int idx);
  void ready_soon(const Proc& p) { schedule(now(), kPrioProc, Ev::proc_ready, index_of(p)); }
  void deliver(Proc& p, int q, int sig);
  void run_handler(Proc& p, int sig, const Entry& h, bool completes_wait);
  void on_handler_end(int idx, int packed);
  void finish_wait(Proc& p, int sig);
  void end_request(Proc& p);
  int pick(std::size_t n) { return n == 1 ? 0 : static_cast<int>(rng_.below(n)); }

  // lifecycle (lifecycle.cpp)
  void die(Proc& p, std::string_view why);
  void on_respawn(int idx);
  void start_process(Proc& p);
  void lifecycle(const LifecycleAction& l);

  // registration (registration.cpp)
  void do_register(const Registration& r);
  void do_unregister(const UnregisterAction& u);

  // routing (routing_uwsgi.cpp, routing_strict.cpp)
  void route(int sig) {
    ++res_.stats.routed;
    if (strict_)
      route_strict(sig);
    else
      route_uwsgi(sig);
  }
  void route_uwsgi(int sig);
  void route_strict(int sig);
  void drop(int sig, std::string_view target, std::string_view why);
  void reject(int sig, std::string_view target, std::string_view why);

  // sources (timers.cpp, cron.cpp, monitors.cpp)
  void add_timer(const TimerSource& t);
  void on_kernel_timer(int i);
  void on_strict_rb_timer(int i);
  void uwsgi_rb_timers();
  void crons_check();
  void arm_monitors();
  void touch(const std::string& path);
  void on_monitor_batch();
  void fire_monitor_batch();  // routes the signal of the batch read now (U11)
  bool master_stalled() const { return now() < master_busy_until_; }

  const Scenario& sc_;
  SimOptions opt_;
  Prng rng_;
  Topology topo_;
  bool strict_ = true;
  bool crash_site_ = false, slow_site_ = false, stall_site_ = false;
  SimResult res_;
  VirtualClock clock_;
  Nanos master_busy_until_ = 0;
  EventQueue events_;
  std::vector<ByteQueue> queues_;
  std::vector<Proc> procs_;  // index 0 = master
  std::vector<int> worker_index_, mule_index_, spooler_index_, farm_queue_;
  SignalTable table_;
  int q_up_ = 0, q_up_mules_ = 0, q_up_spoolers_ = 0, q_wpool_ = 0, q_mpool_ = 0, q_spool_ = 0,
      q_waiters_ = 0;
  int up_rr_ = 0;  // master: rotation over the three upstream queues
  bool master_read_pending_ = false;
  std::vector<KernelTimer> kernel_;
  std::vector<RbTimer> rbs_;
  std::vector<CronState> crons_;
  std::vector<Monitor> monitors_;
  std::set<std::string> files_;  // the virtual file set (ordered)
  std::string last_touched_;
  bool monitor_batch_pending_ = false;
  std::array<std::uint64_t, 6> probe_counts_{};
  std::vector<int> scratch_readers_;
  std::vector<std::pair<int, std::size_t>> scratch_ready_;
  std::vector<std::vector<int>> readers_of_;  // queue -> processes that read it, in process order
  // Routing caches per signal number, valid while table_.version(sig) matches:
  // routing applies the same rules, only without re-parsing the receiver per byte.
  std::array<std::optional<Target>, 256> strict_target_;
  std::array<std::optional<LooseRoute>, 256> loose_route_;
  std::array<std::uint64_t, 256> strict_ver_{}, loose_ver_{};
  std::array<bool, 256> strict_invalid_{};
};

}  // namespace sigh::sim
