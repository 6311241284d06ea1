// Simulator speed (issue targets: >= 5 M routed signals/s on one core; a
// simulated 24-hour day with 16 workers, a 1 s timer, a per-minute cron and 10
// rb_timers in < 2 s). Trace recording off, as in swarm runs.
#include <benchmark/benchmark.h>

#include "sigharness/sim/simulator.h"

namespace sigh {
namespace {

Scenario burst(int workers, int raises) {
  Scenario s;
  s.name = "bench-burst";
  s.profiles = {Profile::strict};
  s.topology.workers = workers;
  s.topology.queue_capacity = 100'000'000;
  s.duration = 1000 * kNsPerSec;
  Registration r;
  r.sig = 1;
  r.target = "worker";
  s.registrations.push_back(r);
  s.script.push_back({{}, kNsPerMs, RaiseAction{1, ProcessId::worker(1), raises}});
  return s;
}

Scenario day() {
  Scenario d;
  d.name = "bench-day";
  d.profiles = {Profile::strict, Profile::uwsgi_2_0};
  d.topology.workers = 16;
  d.duration = 86400 * kNsPerSec;
  Registration a;
  a.sig = 1;
  a.target = "workers";
  d.registrations.push_back(a);
  Registration b;
  b.sig = 2;
  b.target = "worker";
  d.registrations.push_back(b);
  TimerSource t;
  t.sig = 1;
  t.period = kNsPerSec;
  d.timers.push_back(t);
  CronSource c;
  c.sig = 2;
  d.crons.push_back(c);
  for (int i = 0; i < 10; ++i) {
    TimerSource rb;
    rb.kind = TimerKind::rb_timer;
    rb.sig = static_cast<SignalNumber>(10 + i);
    rb.period = (i + 1) * kNsPerSec;
    d.timers.push_back(rb);
    Registration r;
    r.sig = rb.sig;
    r.target = "worker";
    d.registrations.push_back(r);
  }
  return d;
}

void BM_SimRoutedSignals(benchmark::State& state) {
  Scenario s = burst(static_cast<int>(state.range(0)), 1'000'000);
  sim::SimOptions o;
  o.record_trace = false;
  std::uint64_t routed = 0;
  for (auto _ : state) {
    auto r = sim::run_scenario(s, o);
    routed += r.stats.routed;
    benchmark::DoNotOptimize(r.stats.handled);
  }
  state.counters["signals_per_second"] =
      benchmark::Counter(static_cast<double>(routed), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimRoutedSignals)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SimDay24h(benchmark::State& state) {
  Scenario d = day();
  sim::SimOptions o;
  o.record_trace = false;
  o.profile = state.range(0) == 0 ? Profile::strict : Profile::uwsgi_2_0;
  for (auto _ : state) {
    auto r = sim::run_scenario(d, o);
    benchmark::DoNotOptimize(r.stats.handled);
  }
  state.SetLabel(state.range(0) == 0 ? "strict" : "uwsgi-2.0");
}
BENCHMARK(BM_SimDay24h)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sigh

BENCHMARK_MAIN();
