// Real uWSGI 2.0.21 (Debian uwsgi-core + uwsgi-plugin-python3) beside our figures, same machine,
// same run: one uWSGI instance per benchmark, Python handlers (bench/uwsgi/bench_app.py), a
// raising process in the same layout as ours (a programmed mule; a worker for the `mules` target,
// whose recipients include every mule), the same 64-in-flight window as ours.
//   dispatch_uwsgi/<kind>/<n>: signals_per_second, deliveries_per_second, latency from the
//   intended send time (open loop at paced_rate = min(ours, a quarter of the capacity just
//   measured); the k-th handled time is matched to the k-th intended send, FIFO, per recipient,
//   and over the merged handled times for the pool), dropped (raised but never handled).
//   timer_uwsgi_<add_timer|add_rb_timer>/<N>: lateness from arming + k s, fires, early.
//   N is 1 or 64: uWSGI 2.0.21 refuses the 65th timer of each kind (MAX_TIMERS; checked: the
//   65th add_timer raises ValueError("unable to add timer")), so 100 or 10,000 cannot be armed.
// Loopback only (a unix http-socket), stopped with SIGINT (SIGTERM reloads uWSGI 2.0), the whole
// session reaped by pid, the run directory removed.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench_counters.h"
#include "process_ctl.h"

namespace {

namespace fs = std::filesystem;
using sigh::Nanos;
using sigh::conform::detail::Child;
using sigh::conform::detail::mono_now;
using sigh::conform::detail::sleep_for;
using sigh::conform::detail::spawn_in_session;
using sigh::conform::detail::stop_child;

constexpr std::int64_t kHeaderWords = 16;
constexpr std::int64_t kWindow = 64;
constexpr std::int64_t kDeliveriesPerThroughputRun = 50'000;
constexpr double kPacedDeliveriesPerSec = 20'000;
constexpr double kPacedSeconds = 1.0;
// The open-loop phase runs at ours' rate, or at a quarter of the capacity just measured when
// that is lower (Python handlers: a few 10k/s; the spooler: a few 1k/s), so that the latency
// is not a queue built by a rate near capacity.
constexpr double kPacedMaxLoad = 0.25;

struct Layout {
  std::string kind, target;
  int workers = 1, mules = 0, spoolers = 0;
  int per_raise = 1;
  bool pool = false;
};

struct Outcome {
  std::string error;
  std::int64_t raised = 0, handled = 0, expected = 0;
  Nanos elapsed = 0;
  std::vector<Nanos> latencies;
};

std::string read_text(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// Sends "GET /raise" to a worker over the unix http-socket; the request runs the raise loop.
int start_raise_request(const std::string& sock) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  const char req[] = "GET /raise HTTP/1.0\r\nHost: bench\r\n\r\n";
  if (write(fd, req, sizeof req - 1) != static_cast<ssize_t>(sizeof req - 1)) {
    close(fd);
    return -1;
  }
  return fd;  // closed after the run
}

// A private directory for one uWSGI instance, /tmp/sigharness-uwsgi-<tag>-XXXXXX, removed with
// everything in it when the run ends (path is empty when it could not be made).
struct RunDir {
  std::string path;
  explicit RunDir(const std::string& tag) {
    std::string tpl = "/tmp/sigharness-uwsgi-" + tag + "-XXXXXX";
    if (mkdtemp(tpl.data())) path = tpl;
  }
  ~RunDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;
};

Outcome uwsgi_run(const Layout& L, std::int64_t n, double rate) {
  Outcome out;
  const RunDir run_dir("bench");
  if (run_dir.path.empty()) {
    out.error = "mkdtemp failed";
    return out;
  }
  const std::string& dir = run_dir.path;
  for (const char* f : {"bench_app.py", "bench_raiser_mule.py", "timer_app.py"})
    fs::copy_file(fs::path(SIGH_BENCH_UWSGI_PY_DIR) / f, fs::path(dir) / f);
  const bool raise_from_worker = L.kind == "mules";

  // The board.
  const std::int64_t slots = L.workers + L.mules + L.spoolers + 1;
  const std::int64_t per_slot = n;
  const std::size_t size =
      static_cast<std::size_t>(kHeaderWords + slots + slots * per_slot) * sizeof(std::int64_t);
  const std::string board_path = dir + "/board";
  int bfd = open(board_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (bfd < 0 || ftruncate(bfd, static_cast<off_t>(size)) != 0) {
    out.error = "cannot create the board file";
    if (bfd >= 0) close(bfd);
    return out;
  }
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
  close(bfd);
  if (mem == MAP_FAILED) {
    out.error = "cannot map the board file";
    return out;
  }
  auto* w = static_cast<volatile std::int64_t*>(mem);
  const Nanos interval = rate > 0 ? static_cast<Nanos>(1e9 / rate) : 0;
  w[2] = n;
  w[3] = interval;
  w[4] = kWindow;
  w[5] = L.per_raise;
  w[6] = slots;
  w[7] = per_slot;

  std::string ini = "[uwsgi]\nplugin = python3\nplugin = signal\nmaster = true\n";
  ini += "processes = " + std::to_string(L.workers) + "\n";
  if (L.mules > 0) ini += "mules = " + std::to_string(L.mules) + "\n";
  if (!raise_from_worker) ini += "mule = " + dir + "/bench_raiser_mule.py\n";
  if (L.spoolers > 0) {
    fs::create_directories(dir + "/spool");
    ini += "spooler = " + dir + "/spool\n";
  }
  ini += "wsgi-file = " + dir + "/bench_app.py\n";
  ini += "http-socket = " + dir + "/http.sock\n";
  ini += "logto = " + dir + "/uwsgi.log\ndisable-logging = true\n";
  const std::string env_prefix = "env = SIGH_BENCH_";
  ini += env_prefix + "SIG=1\n" + env_prefix + "TARGET=" + L.target + "\n" + env_prefix +
         "BOARD=" + board_path + "\n" + env_prefix + "WORKERS=" + std::to_string(L.workers) + "\n" +
         env_prefix + "MULES=" + std::to_string(L.mules) + "\n";
  std::ofstream(dir + "/bench.ini") << ini;

  std::string why;
  Child c = spawn_in_session({"/usr/bin/uwsgi", "--ini", dir + "/bench.ini"}, {},
                             dir + "/stdout.log", &why);
  if (c.pid <= 0) {
    out.error = "cannot start uWSGI: " + why;
    munmap(mem, size);
    return out;
  }
  // Ready when every worker and mule has spawned (its log says so).
  const int mules_total = L.mules + (raise_from_worker ? 0 : 1);
  const Nanos ready_by = mono_now() + 30 * sigh::kNsPerSec;
  bool ready = false;
  while (mono_now() < ready_by && !ready) {
    const std::string log = read_text(dir + "/uwsgi.log");
    ready = count_of(log, "spawned uWSGI worker") >= L.workers &&
            count_of(log, "spawned uWSGI mule") >= mules_total &&
            (L.spoolers == 0 || count_of(log, "spawned the uWSGI spooler") >= L.spoolers);
    if (!ready) sleep_for(20 * sigh::kNsPerMs);
  }
  int req_fd = -1;
  if (ready) {
    sleep_for(300 * sigh::kNsPerMs);  // let the processes reach their loops
    w[0] = 1;                         // go
    if (raise_from_worker) req_fd = start_raise_request(dir + "/http.sock");
    const Nanos done_by = mono_now() + 90 * sigh::kNsPerSec;
    while (w[1] == 0 && mono_now() < done_by) sleep_for(2 * sigh::kNsPerMs);
    if (w[1] == 0) out.error = "the raiser did not finish within 90 s";
  } else {
    out.error = "uWSGI did not spawn every process within 30 s: " +
                read_text(dir + "/uwsgi.log").substr(0, 2000);
  }
  const std::string how = stop_child(c, 10 * sigh::kNsPerSec);
  if (req_fd >= 0) close(req_fd);

  out.raised = w[10];
  out.expected = n * L.per_raise;
  const Nanos first = w[8], start_at = w[9];
  std::vector<Nanos> merged;
  Nanos last = 0;
  for (std::int64_t s = 0; s < slots; ++s) {
    const std::int64_t cnt = std::min<std::int64_t>(std::int64_t{w[kHeaderWords + s]}, per_slot);
    out.handled += cnt;
    for (std::int64_t k = 0; k < cnt; ++k) {
      const Nanos t = w[kHeaderWords + slots + s * per_slot + k];
      last = std::max(last, t);
      if (interval <= 0) continue;
      if (L.pool)
        merged.push_back(t);
      else
        out.latencies.push_back(t - (start_at + k * interval));
    }
  }
  if (L.pool && interval > 0) {
    std::sort(merged.begin(), merged.end());
    for (std::size_t k = 0; k < merged.size(); ++k)
      out.latencies.push_back(merged[k] - (start_at + static_cast<Nanos>(k) * interval));
  }
  out.elapsed = last - first;
  munmap(mem, size);
  (void)how;  // informative only: stop_child reaps the whole session either way
  return out;
}

void BM_UwsgiDispatch(benchmark::State& st, Layout L) {
  if (access("/usr/bin/uwsgi", X_OK) != 0) {
    st.SkipWithError(
        "/usr/bin/uwsgi is not installed (apt-get install uwsgi-core "
        "uwsgi-plugin-python3)");
    return;
  }
  sigh::bench::LatencyHistogram hist;
  double sps = 0, dps = 0, dropped = 0, rate = 0;
  for (auto _ : st) {
    const std::int64_t n = std::max<std::int64_t>(500, kDeliveriesPerThroughputRun / L.per_raise);
    Outcome thr = uwsgi_run(L, n, 0);
    if (!thr.error.empty() || thr.elapsed <= 0) {
      st.SkipWithError(("throughput run: " + thr.error).c_str());
      return;
    }
    const double secs = static_cast<double>(thr.elapsed) / 1e9;
    st.SetIterationTime(secs);
    sps = static_cast<double>(thr.raised) / secs;
    dps = static_cast<double>(thr.handled) / secs;
    dropped += static_cast<double>(thr.expected - thr.handled);
    rate = std::min(kPacedDeliveriesPerSec / L.per_raise, kPacedMaxLoad * sps);
    Outcome lat = uwsgi_run(L, static_cast<std::int64_t>(rate * kPacedSeconds), rate);
    if (!lat.error.empty()) {
      st.SkipWithError(("paced run: " + lat.error).c_str());
      return;
    }
    dropped += static_cast<double>(lat.expected - lat.handled);
    for (Nanos l : lat.latencies) hist.record(l);
  }
  st.counters["signals_per_second"] = sps;
  st.counters["deliveries_per_second"] = dps;
  st.counters["dropped"] = dropped;
  st.counters["paced_rate"] = rate;
  st.counters["workers"] = L.workers;
  sigh::bench::set_latency_counters(st, hist);
}

// uWSGI's timers: N timers of 1 s (uWSGI's only resolution), handlers in a 2-worker pool.
// Lateness = handler time - (arming time + k s): it includes the master -> worker hop, the one
// point of uWSGI's timer path a Python handler can observe.
struct TimerOutcome {
  std::string error;
  std::vector<Nanos> lateness;
};

TimerOutcome uwsgi_timer_run(const std::string& kind, int n, int seconds) {
  TimerOutcome out;
  const RunDir run_dir("timers");
  if (run_dir.path.empty()) {
    out.error = "mkdtemp failed";
    return out;
  }
  const std::string& dir = run_dir.path;
  fs::copy_file(fs::path(SIGH_BENCH_UWSGI_PY_DIR) / "timer_app.py", fs::path(dir) / "timer_app.py");
  const std::int64_t cap = seconds + 2;
  const std::size_t size = static_cast<std::size_t>(3 + n + n * cap) * sizeof(std::int64_t);
  const std::string board_path = dir + "/board";
  int bfd = open(board_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (bfd < 0 || ftruncate(bfd, static_cast<off_t>(size)) != 0) {
    out.error = "cannot create the board file";
    if (bfd >= 0) close(bfd);
    return out;
  }
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
  close(bfd);
  if (mem == MAP_FAILED) {
    out.error = "cannot map the board file";
    return out;
  }
  auto* w = static_cast<volatile std::int64_t*>(mem);
  w[1] = n;
  w[2] = cap;
  std::string ini = "[uwsgi]\nplugin = python3\nplugin = signal\nmaster = true\nprocesses = 2\n";
  ini += "wsgi-file = " + dir + "/timer_app.py\nhttp-socket = " + dir + "/http.sock\n";
  ini += "logto = " + dir + "/uwsgi.log\ndisable-logging = true\n";
  ini += "env = SIGH_TIMER_N=" + std::to_string(n) + "\nenv = SIGH_TIMER_KIND=" + kind +
         "\nenv = SIGH_BENCH_BOARD=" + board_path + "\n";
  std::ofstream(dir + "/bench.ini") << ini;
  std::string why;
  Child c = spawn_in_session({"/usr/bin/uwsgi", "--ini", dir + "/bench.ini"}, {},
                             dir + "/stdout.log", &why);
  if (c.pid <= 0) {
    out.error = "cannot start uWSGI: " + why;
    munmap(mem, size);
    return out;
  }
  sleep_for(static_cast<Nanos>(seconds) * sigh::kNsPerSec + 500 * sigh::kNsPerMs);
  stop_child(c, 10 * sigh::kNsPerSec);
  const Nanos armed = w[0];
  if (armed == 0)
    out.error = "the timers were never armed: " + read_text(dir + "/uwsgi.log").substr(0, 2000);
  for (int i = 0; i < n && armed != 0; ++i) {
    const std::int64_t cnt = std::min<std::int64_t>(std::int64_t{w[3 + i]}, cap);
    for (std::int64_t k = 0; k < cnt; ++k)
      out.lateness.push_back(w[3 + n + i * cap + k] - (armed + (k + 1) * sigh::kNsPerSec));
  }
  munmap(mem, size);
  return out;
}

void BM_UwsgiTimers(benchmark::State& st, std::string kind, int n) {
  if (access("/usr/bin/uwsgi", X_OK) != 0) {
    st.SkipWithError("/usr/bin/uwsgi is not installed");
    return;
  }
  constexpr int kSeconds = 6;
  sigh::bench::LatencyHistogram hist;
  std::int64_t early = 0;
  Nanos early_max = 0;
  for (auto _ : st) {
    TimerOutcome r = uwsgi_timer_run(kind, n, kSeconds);
    if (!r.error.empty() || r.lateness.empty()) {
      st.SkipWithError(("timer run: " + (r.error.empty() ? "no fire seen" : r.error)).c_str());
      return;
    }
    for (Nanos l : r.lateness) {
      hist.record(l);  // an early fire counts as 0 there; `early` keeps it visible
      if (l < 0) {
        ++early;
        early_max = std::max(early_max, -l);
      }
    }
    st.SetIterationTime(kSeconds);
  }
  st.counters["fires"] = static_cast<double>(hist.total);
  st.counters["armed"] = n;
  st.counters["early"] = static_cast<double>(early);
  st.counters["early_max_ns"] = static_cast<double>(early_max);
  sigh::bench::set_latency_counters(st, hist);
}

void register_all() {
  // uWSGI allows at most 64 timers and 64 rb_timers (MAX_TIMERS): 10,000 cannot be armed.
  for (const char* kind : {"add_timer", "add_rb_timer"})
    for (int n : {1, 64})
      benchmark::RegisterBenchmark(
          ("timer_uwsgi_" + std::string(kind) + "/" + std::to_string(n)).c_str(), BM_UwsgiTimers,
          std::string(kind), n)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
  auto reg = [](Layout L, int n) {
    const std::string name = "dispatch_uwsgi/" + L.kind + "/" + std::to_string(n);
    benchmark::RegisterBenchmark(name.c_str(), BM_UwsgiDispatch, L)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  };
  for (int w : {1, 2, 4, 8}) reg({"pool", "worker", w, 0, 0, 1, true}, w);
  for (int w : {1, 2, 4, 8}) reg({"workerN", "worker1", w, 0, 0, 1, false}, w);
  for (int w : {1, 2, 4, 8, 16, 32}) reg({"workers", "workers", w, 0, 0, w, false}, w);
  reg({"mules", "mules", 1, 2, 0, 2, false}, 2);
  reg({"spooler", "spooler", 1, 0, 1, 1, false}, 1);
}

// Registered during static initialisation, as the BENCHMARK() macro does.
[[maybe_unused]] const bool kRegistered = (register_all(), true);

}  // namespace

BENCHMARK_MAIN();
