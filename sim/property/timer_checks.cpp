#include "timer_checks.h"

#include <rapidcheck.h>

#include <algorithm>
#include <map>

namespace sigh::prop {

int check_rb_timers_once(Profile profile, Mutation mutation) {
  Topology topo;
  topo.workers = *rc::gen::inRange(1, 4);
  Scenario sc = base_scenario(topo, profile);
  int n = *rc::gen::inRange(1, 4);
  Nanos horizon = 0;
  struct Expect {
    int sig;
    Nanos at;
    Nanos period;
    int iterations;
  };
  std::vector<Expect> want;
  for (int i = 0; i < n; ++i) {
    TimerSource t;
    t.kind = TimerKind::rb_timer;
    t.sig = static_cast<SignalNumber>(20 + i);
    // uwsgi-2.0 rb_timers have whole-second periods; strict allows sub-second ones.
    t.period = profile == Profile::strict ? *rc::gen::inRange<Nanos>(1, 40) * 50 * kNsPerMs
                                          : *rc::gen::inRange<Nanos>(1, 4) * kNsPerSec;
    t.iterations = *rc::gen::inRange(1, 6);
    if (profile == Profile::uwsgi_2_0 && *rc::gen::inRange(0, 4) == 0)
      t.iterations = -*rc::gen::inRange(1, 3);
    t.at = *rc::gen::inRange<Nanos>(0, 10) * kStep;
    sc.timers.push_back(t);
    Registration r;
    r.sig = t.sig;
    r.target = "worker";
    sc.registrations.push_back(r);
    int fires = t.iterations < 0 ? 1 : t.iterations;  // U9: negative is one-shot
    if (mutation == Mutation::rb_extra_iteration) ++fires;
    want.push_back({t.sig, t.at, t.period, fires});
    horizon = std::max(horizon, t.at + (fires + 2) * t.period + 2 * kNsPerSec);
  }
  g_case_size = n;
  sc.duration = horizon;
  auto result = run(sc, profile, 1);
  RC_LOG() << counterexample(sc, profile, 1);
  for (const auto& w : want) {
    std::vector<Nanos> fired;
    for (const auto& e : result.trace.events)
      if (e.kind == EventKind::rbtimer_fire && e.sig == w.sig) fired.push_back(e.t);
    RC_ASSERT(static_cast<int>(fired.size()) == w.iterations);
    RC_ASSERT(count_events(result.trace, EventKind::handler_start, w.sig) == w.iterations);
    for (std::size_t k = 0; k < fired.size(); ++k) {
      Nanos ideal = w.at + static_cast<Nanos>(k + 1) * w.period;
      if (profile == Profile::strict) {
        RC_ASSERT(fired[k] == ideal);  // S8: exact multiples, no drift
      } else {
        // U9: 1 s resolution, checked at master iterations: within (ideal - 1 s, ideal + 1 s] per
        // firing, and the error can accumulate (drift) by at most 1 s per firing.
        RC_ASSERT(fired[k] > ideal - kNsPerSec);
        RC_ASSERT(fired[k] <= ideal + static_cast<Nanos>(k + 1) * kNsPerSec);
      }
    }
  }
  return n;
}

int check_kernel_timer_once(Profile profile) {
  Topology topo;
  topo.workers = *rc::gen::inRange(1, 4);
  Scenario sc = base_scenario(topo, profile);
  TimerSource t;
  t.kind = TimerKind::timer;
  t.sig = 30;
  t.period = profile == Profile::strict ? *rc::gen::inRange<Nanos>(1, 20) * 100 * kNsPerMs
                                        : *rc::gen::inRange<Nanos>(1, 4) * kNsPerSec;
  sc.timers.push_back(t);
  Registration r;
  r.sig = t.sig;
  r.target = "workers";
  sc.registrations.push_back(r);
  sc.duration = *rc::gen::inRange<Nanos>(2, 12) * kNsPerSec +
                500 * kNsPerUs;  // the last handler ends in time
  auto result = run(sc, profile, 1);
  RC_LOG() << counterexample(sc, profile, 1);
  int fires = count_events(result.trace, EventKind::timer_fire, t.sig);
  int ideal = static_cast<int>((sc.duration - 1) / t.period);
  if (profile == Profile::strict) {
    RC_ASSERT(fires == ideal);
  } else {
    // U8: armed at the next master check (<= 1 s after start), then every period.
    RC_ASSERT(fires >= ideal - 1);
    RC_ASSERT(fires <= ideal);
  }
  // Every firing reached every worker once (no stall, no overrun here).
  for (int w = 1; w <= topo.workers; ++w)
    RC_ASSERT(count_events(result.trace, EventKind::handler_start, t.sig,
                           "worker" + std::to_string(w)) == fires);
  return 1;
}

}  // namespace sigh::prop
