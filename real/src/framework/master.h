#pragma once
// The master: forks and respawns children, routes every signal (strict profile, S1..S12) from one
// epoll loop, runs the event sources (kernel timers, rb_timers, crons, file monitors) and the
// scenario script at its real times.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "framework/child.h"
#include "framework/instance.h"
#include "sigharness/real/clock.h"
#include "sigharness/real/timer_backend.h"
#include "sigharness/real/timer_waker.h"
#include "sigharness/scenario.h"

namespace sigh::real::detail {

struct MasterConfig {
  const Scenario* scenario = nullptr;
  TimerBackendKind rb_backend = TimerBackendKind::rbtree;
  std::uint64_t seed = 1;
  std::string root;             // per-run temp dir: scenario paths live under it
  const Clock* wall = nullptr;  // cron's wall clock
  std::atomic<std::int64_t>* wall_offset = nullptr;       // clock_step moves it (null: no steps)
  std::function<int(const Registration&)> handler_index;  // registration -> registry index
  std::map<int, ProgramFn> mule_programs;                 // programmed mule id -> its code
  Nanos respawn_delay = kNsPerMs;                         // C7 (virtual)
  // Checked once per loop iteration: run_until returns early when it says so (the benchmark
  // rig stops when every signal is handled; `serve` stops on SIGINT/SIGTERM).
  std::function<bool()> stop_requested;
};

class Master {
 public:
  Master(Instance& in, MasterConfig cfg);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  bool start(std::string* why);  // master registrations, fork, arm sources
  void run_until(Nanos end);     // virtual ns since start
  void stop();                   // SIGTERM, bounded wait, SIGKILL; reaps every child by pid

  struct Stats {
    std::int64_t routed = 0, rejected = 0, held = 0, spawned = 0, reaped = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Stats stats_;
};

}  // namespace sigh::real::detail
