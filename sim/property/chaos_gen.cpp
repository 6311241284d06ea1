#include "chaos_gen.h"

#include <fmt/format.h>

namespace sigh::prop {

rc::Gen<ChaosCase> gen_chaos_case() {
  return rc::gen::exec([] {
    ChaosCase c;
    c.profile = *rc::gen::elementOf(std::vector<Profile>{Profile::strict, Profile::uwsgi_2_0});
    c.seed = *rc::gen::inRange<std::uint64_t>(1, 1u << 30);
    c.faults = *rc::gen::arbitrary<bool>();
    Topology topo;
    topo.workers = *rc::gen::inRange(1, 5);
    topo.mules = *rc::gen::inRange(0, 2);
    topo.queue_capacity = *rc::gen::inRange(1, 12);
    Scenario sc = base_scenario(topo, c.profile);
    // 23:59:30 UTC: a per-minute cron crosses midnight within the run.
    sc.wall_start = 1893455970;
    const std::vector<std::string> targets = {"worker", "workers", "active-workers", "worker1"};
    for (int s = 0; s < 4; ++s) {
      Registration r;
      r.sig = static_cast<SignalNumber>(60 + s);
      r.target = targets[static_cast<std::size_t>(s)];
      sc.registrations.push_back(r);
    }
    if (*rc::gen::arbitrary<bool>()) {
      CronSource cron;
      cron.sig = 60;
      sc.crons.push_back(cron);
    }
    if (*rc::gen::arbitrary<bool>()) {
      TimerSource t;
      t.kind = *rc::gen::arbitrary<bool>() ? TimerKind::rb_timer : TimerKind::timer;
      t.sig = 61;
      t.period = kNsPerSec;
      sc.timers.push_back(t);
    }
    int actions = *rc::gen::inRange(1, 14);
    Nanos t = kStep;
    for (int i = 0; i < actions; ++i) {
      t += *rc::gen::inRange<Nanos>(1, 20) * kStep;
      int w = *rc::gen::inRange(1, topo.workers + 1);
      switch (*rc::gen::inRange(0, 6)) {
        case 0:
          sc.script.push_back(
              {{}, t, RequestAction{w, true, *rc::gen::inRange<Nanos>(1, 30) * kStep}});
          break;
        case 1:
          sc.script.push_back(
              {{}, t, LifecycleAction{LifecycleAction::kill, ProcessId::worker(w)}});
          break;
        case 2:
          sc.script.push_back(
              {{}, t, ClockStepAction{*rc::gen::inRange<Nanos>(-120, 120) * kNsPerSec}});
          break;
        default:
          sc.script.push_back({{},
                               t,
                               RaiseAction{static_cast<SignalNumber>(*rc::gen::inRange(60, 64)),
                                           ProcessId::worker(w), *rc::gen::inRange(1, 30)}});
      }
    }
    sc.duration = t + 5 * kNsPerSec;
    c.scenario = std::move(sc);
    return c;
  });
}

sim::SimResult run_chaos(const ChaosCase& c) {
  sim::SimOptions opt;
  opt.profile = c.profile;
  opt.seed = c.seed;
  opt.faults.enabled = c.faults;
  return sim::run_scenario(c.scenario, opt);
}

}  // namespace sigh::prop
