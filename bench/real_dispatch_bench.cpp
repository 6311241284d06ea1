// Real dispatch through our forking framework, per target kind: raise -> handler run.
//   dispatch_real/<kind>/<n>: signals_per_second (closed loop: the sender raises as fast as the
//   queues take it), deliveries_per_second, and raise->handler latency from the intended send
//   time (open loop at `paced_rate` raises/s, well below capacity).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>

#include "bench_counters.h"
#include "sigharness/real/dispatch_rig.h"

namespace {

using sigh::kNsPerSec;
using sigh::Topology;
using sigh::real::DispatchRig;
using sigh::real::DispatchRigOptions;
using sigh::real::DispatchRun;

constexpr std::int64_t kDeliveriesPerThroughputRun = 200'000;
constexpr double kPacedDeliveriesPerSec = 20'000;
constexpr double kPacedSeconds = 1.0;

bool one_run(benchmark::State& st, const DispatchRigOptions& o, std::int64_t n, double rate,
             DispatchRun* out) {
  std::string why;
  auto rig = DispatchRig::start(o, &why);
  if (!rig) {
    st.SkipWithError(("cannot start the rig: " + why).c_str());
    return false;
  }
  *out = rig->run(n, rate, 60 * kNsPerSec);
  if (out->timed_out || out->handled != out->expected || out->rejected != 0) {
    st.SkipWithError(("lost or late signals: handled " + std::to_string(out->handled) + " of " +
                      std::to_string(out->expected) + ", rejected " + std::to_string(out->rejected))
                         .c_str());
    return false;
  }
  return true;
}

void BM_RealDispatch(benchmark::State& st, std::string target, Topology topo) {
  DispatchRigOptions o;
  o.topology = topo;
  o.target = target;
  sigh::bench::LatencyHistogram hist;
  double sps = 0, dps = 0, retries = 0, waits = 0, rate = 0;
  int per_raise = 1;
  for (auto _ : st) {
    {
      std::string why;
      auto probe = DispatchRig::start(o, &why);  // recipients per raise, for the sizes below
      if (!probe) {
        st.SkipWithError(why.c_str());
        return;
      }
      per_raise = probe->recipients_per_raise();
    }
    const std::int64_t n = std::max<std::int64_t>(1000, kDeliveriesPerThroughputRun / per_raise);
    DispatchRun thr;
    if (!one_run(st, o, n, 0, &thr)) return;
    const double secs = static_cast<double>(thr.elapsed()) / 1e9;
    st.SetIterationTime(secs);
    sps = static_cast<double>(thr.raised) / secs;
    dps = static_cast<double>(thr.handled) / secs;
    retries = static_cast<double>(thr.sender_retries);
    waits = static_cast<double>(thr.window_waits);

    rate = kPacedDeliveriesPerSec / per_raise;
    DispatchRun lat;
    if (!one_run(st, o, static_cast<std::int64_t>(rate * kPacedSeconds), rate, &lat)) return;
    for (auto l : lat.latencies) hist.record(l);
  }
  st.counters["signals_per_second"] = sps;
  st.counters["deliveries_per_second"] = dps;
  st.counters["sender_retries"] = retries;
  st.counters["window_waits"] = waits;
  st.counters["paced_rate"] = rate;
  st.counters["workers"] = topo.workers;
  sigh::bench::set_latency_counters(st, hist);
}

Topology workers(int w) {
  Topology t;
  t.workers = w;
  return t;
}

void register_all() {
  auto reg = [](const std::string& name, const std::string& target, Topology t) {
    benchmark::RegisterBenchmark(name.c_str(), BM_RealDispatch, target, t)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  };
  for (int w : {1, 2, 4, 8}) reg("dispatch_real/pool/" + std::to_string(w), "worker", workers(w));
  for (int w : {1, 2, 4, 8})
    reg("dispatch_real/workerN/" + std::to_string(w), "worker1", workers(w));
  for (int w : {1, 2, 4, 8, 16, 32})
    reg("dispatch_real/workers/" + std::to_string(w), "workers", workers(w));
  Topology mules = workers(1);
  mules.mules = 2;
  reg("dispatch_real/mules/2", "mules", mules);
  Topology spooler = workers(1);
  spooler.spoolers = 1;
  reg("dispatch_real/spooler/1", "spooler", spooler);
}

// Registered during static initialisation, as the BENCHMARK() macro does.
[[maybe_unused]] const bool kRegistered = (register_all(), true);

}  // namespace

BENCHMARK_MAIN();
