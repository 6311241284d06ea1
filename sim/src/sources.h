#pragma once
// State of the master-side event sources (C3): kernel timers, rb_timers, crons
// and file monitors. The rules that drive them live in timers.cpp, cron.cpp and
// monitors.cpp.
#include <cstdint>

#include "sigharness/scenario.h"

namespace sigh::sim {

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
  std::int64_t due_s = 0;  // uwsgi-2.0: whole wall-clock seconds
  int done = 0;            // iterations done
  bool armed = false;
  bool active = true;
};

struct CronState {
  explicit CronState(const CronSource& s) : src(s) {}
  CronSource src;
  std::int64_t last_job = 0;             // uwsgi-2.0: starts at 0 (calloc'd, §9.1)
  std::int64_t last_minute = INT64_MIN;  // strict: the last wall-clock minute fired
  int fired = 0;
};

struct Monitor {
  explicit Monitor(const MonitorSource& s) : src(s) {}
  MonitorSource src;
  bool armed = false;
  bool dead = false;  // the path did not exist when armed (§8.1)
  int fired = 0;
};

}  // namespace sigh::sim
