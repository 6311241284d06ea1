// The physical reference for dispatch: sender -> relay -> receiver, three processes, each hop an
// AF_UNIX SOCK_STREAM socketpair (the socket type our framework's queues use) carrying 1 byte
// per write and per read, blocking. Nothing is looked up and nothing is traced: this is the most
// a two-hop 1-byte relay can do on this machine.
//   dispatch_raw/relay/1: signals_per_second (closed loop with the same 64-in-flight window as the
//   real rig) and latency from the intended send time (open loop at paced_rate).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "bench_counters.h"

namespace {

using Nanos = std::int64_t;
constexpr std::int64_t kWindow = 64;
constexpr std::int64_t kThroughputSignals = 200'000;
constexpr double kPacedRate = 20'000;

Nanos mono_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void sleep_until(Nanos t) {
  timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

struct Shared {
  std::atomic<std::int64_t> received{0};
  std::atomic<std::int64_t> first_send{0};
  // then Nanos times[n]
};

bool xfer(int fd, bool write_side) {
  unsigned char b = 1;
  for (;;) {
    ssize_t r = write_side ? ::write(fd, &b, 1) : ::read(fd, &b, 1);
    if (r == 1) return true;
    if (r < 0 && errno == EINTR) continue;
    return false;
  }
}

struct Result {
  bool ok = false;
  Nanos elapsed = 0;
  std::vector<Nanos> latencies;
};

// One run: n bytes; rate <= 0 means closed loop.
Result relay_run(std::int64_t n, double rate) {
  Result res;
  const std::size_t size = sizeof(Shared) + static_cast<std::size_t>(n) * sizeof(Nanos);
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return res;
  auto* sh = new (mem) Shared();
  auto* times = reinterpret_cast<Nanos*>(static_cast<char*>(mem) + sizeof(Shared));
  int a[2], b[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) != 0) return res;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b) != 0) return res;
  const Nanos interval = rate > 0 ? static_cast<Nanos>(1e9 / rate) : 0;
  const Nanos start_at = mono_now() + 20'000'000;
  const pid_t parent = getpid();
  auto child = [&](auto body) {
    pid_t p = fork();
    if (p == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(0);
      body();
      _exit(0);
    }
    return p;
  };
  pid_t receiver = child([&] {
    for (std::int64_t k = 0; k < n; ++k) {
      if (!xfer(b[1], false)) _exit(2);
      times[k] = mono_now();
      sh->received.store(k + 1, std::memory_order_release);
    }
  });
  pid_t relay = child([&] {
    for (std::int64_t k = 0; k < n; ++k)
      if (!xfer(a[1], false) || !xfer(b[0], true)) _exit(2);
  });
  pid_t sender = child([&] {
    prctl(PR_SET_TIMERSLACK, 1UL);
    sleep_until(start_at);
    sh->first_send.store(mono_now());
    for (std::int64_t k = 0; k < n; ++k) {
      if (interval > 0) sleep_until(start_at + k * interval);
      while (k - sh->received.load(std::memory_order_acquire) >= kWindow) sched_yield();
      if (!xfer(a[0], true)) _exit(2);
    }
  });
  for (int fd : {a[0], a[1], b[0], b[1]}) close(fd);
  bool ok = receiver > 0 && relay > 0 && sender > 0;
  for (pid_t p : {sender, relay, receiver}) {
    if (p <= 0) continue;
    int st = 0;
    while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
    }
    ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  res.ok = ok && sh->received.load() == n;
  if (res.ok) {
    res.elapsed = times[n - 1] - sh->first_send.load();
    if (interval > 0)
      for (std::int64_t k = 0; k < n; ++k)
        res.latencies.push_back(times[k] - (start_at + k * interval));
  }
  munmap(mem, size);
  return res;
}

void BM_RawRelay(benchmark::State& st) {
  sigh::bench::LatencyHistogram hist;
  double sps = 0;
  for (auto _ : st) {
    Result thr = relay_run(kThroughputSignals, 0);
    if (!thr.ok) {
      st.SkipWithError("the relay lost bytes or a process failed");
      return;
    }
    st.SetIterationTime(static_cast<double>(thr.elapsed) / 1e9);
    sps = static_cast<double>(kThroughputSignals) / (static_cast<double>(thr.elapsed) / 1e9);
    Result lat = relay_run(static_cast<std::int64_t>(kPacedRate), kPacedRate);
    if (!lat.ok) {
      st.SkipWithError("the paced relay lost bytes or a process failed");
      return;
    }
    for (Nanos l : lat.latencies) hist.record(l);
  }
  st.counters["signals_per_second"] = sps;
  st.counters["deliveries_per_second"] = sps;
  st.counters["paced_rate"] = kPacedRate;
  sigh::bench::set_latency_counters(st, hist);
}
BENCHMARK(BM_RawRelay)
    ->Name("dispatch_raw/relay/1")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
