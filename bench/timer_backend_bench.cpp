// Timer backends under load: N armed periodic timers, the master's wait (TimerWaker + epoll, the
// code path the master runs), firing lateness and CPU per firing.
//   timer_<backend>/<N>, backend: timerfd | rbtree | wheel; N: 1 10 100 1000 10000.
// Periods are drawn uniformly from [a, 10a) with a = 100 ms x min(1, N/100) (seeded, continuous
// in ns) so deadlines spread out: up to 100 timers fire ~256 times per second in all, 1,000 timers
// ~2,560 and 10,000 timers ~25,600. Each case runs kRunSeconds.
// Lateness = the time the loop observes a fire (CLOCK_MONOTONIC right after epoll_wait returns)
// minus its true due time (arming time + k x period). For the timing wheel the due time is NOT
// rounded to its 1 ms tick, so its figures include that rounding (about 0.5 ms on average).
#include <benchmark/benchmark.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench_counters.h"
#include "sigharness/real/timer_backend.h"
#include "sigharness/real/timer_waker.h"

namespace {

using sigh::Nanos;
using sigh::real::TimerBackendKind;

constexpr double kRunSeconds = 3.0;

Nanos clock_ns(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return static_cast<Nanos>(ts.tv_sec) * sigh::kNsPerSec + ts.tv_nsec;
}

void BM_TimerBackend(benchmark::State& st, TimerBackendKind kind, int armed) {
  sigh::bench::LatencyHistogram hist;
  std::int64_t fires = 0;
  double cpu_per_fire = 0;
  for (auto _ : st) {
    auto backend = sigh::real::make_timer_backend(kind);
    const Nanos base = clock_ns(CLOCK_MONOTONIC);  // the backend's timeline starts here
    sigh::real::TimerWaker waker(*backend, base);
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (ep < 0 || waker.fd() < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, waker.fd(), &ev) != 0) {
      st.SkipWithError("epoll/timerfd setup failed");
      if (ep >= 0) close(ep);
      return;
    }
    std::mt19937_64 rng(42);
    // Shortest period a = 100 ms x min(1, N/100): below 100 timers the periods shrink so that
    // every case sees at least ~256 fires per second (enough samples for its p99).
    const Nanos a = 100 * sigh::kNsPerMs * std::min(armed, 100) / 100;
    std::uniform_int_distribution<Nanos> period(a, 10 * a - 1);
    std::vector<Nanos> periods(static_cast<std::size_t>(armed)), armed_at(periods.size());
    std::vector<std::int64_t> expirations(periods.size(), 0);
    for (int i = 0; i < armed; ++i) {
      periods[static_cast<std::size_t>(i)] = period(rng);
      const Nanos now = clock_ns(CLOCK_MONOTONIC) - base;
      armed_at[static_cast<std::size_t>(i)] = now;
      if (!backend->add(i, periods[static_cast<std::size_t>(i)], 0, now)) {
        st.SkipWithError("the backend refused a timer");
        close(ep);
        return;
      }
    }
    const Nanos end = clock_ns(CLOCK_MONOTONIC) - base + static_cast<Nanos>(kRunSeconds * 1e9);
    const Nanos cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    epoll_event out[8];
    for (;;) {
      const Nanos now = clock_ns(CLOCK_MONOTONIC) - base;
      if (now >= end) break;
      waker.arm(now);
      // The ms timeout only bounds the run; the waker (or the timerfds) wakes the loop on time.
      const int n = epoll_wait(ep, out, 8, static_cast<int>((end - now) / sigh::kNsPerMs + 1));
      const Nanos seen = clock_ns(CLOCK_MONOTONIC) - base;
      if (n > 0) waker.drain();
      for (const auto& f : backend->expire(seen)) {
        const auto i = static_cast<std::size_t>(f.id);
        expirations[i] += f.expirations;
        const Nanos due = armed_at[i] + expirations[i] * periods[i];
        hist.record(seen - due);
        ++fires;
      }
    }
    const Nanos cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    cpu_per_fire = fires > 0 ? static_cast<double>(cpu) / static_cast<double>(fires) : 0;
    st.SetIterationTime(kRunSeconds);
    close(ep);
  }
  st.counters["fires"] = static_cast<double>(fires);
  st.counters["armed"] = armed;
  st.counters["cpu_ns_per_fire"] = cpu_per_fire;
  sigh::bench::set_latency_counters(st, hist);
}

void register_all() {
  for (auto kind : {TimerBackendKind::timerfd, TimerBackendKind::rbtree, TimerBackendKind::wheel})
    for (int n : {1, 10, 100, 1000, 10000}) {
      const std::string name =
          "timer_" + std::string(sigh::real::timer_backend_name(kind)) + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(name.c_str(), BM_TimerBackend, kind, n)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
}

// Registered during static initialisation, as the BENCHMARK() macro does.
[[maybe_unused]] const bool kRegistered = (register_all(), true);

}  // namespace

BENCHMARK_MAIN();
