// The dispatch benchmark rig (see dispatch_rig.h): real master + real children, tracing off.
#include "sigharness/real/dispatch_rig.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <variant>

#include "framework/instance.h"
#include "framework/master.h"
#include "sigharness/real/clock.h"
#include "sigharness/scenario.h"
#include "sigharness/target.h"

namespace sigh::real {
namespace {

void sleep_until(Nanos t) {
  timespec ts{static_cast<time_t>(t / kNsPerSec), static_cast<long>(t % kNsPerSec)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// Shared by the rig, the sender and every recipient (mapped before fork).
struct Board {
  std::atomic<std::int64_t> handled{0};
  std::atomic<std::int64_t> raised{0};
  std::atomic<std::int64_t> retries{0};
  std::atomic<std::int64_t> window_waits{0};
  std::atomic<std::int64_t> first_send{0};
  std::atomic<int> next_slot{0};
  std::int64_t slots = 0, per_slot = 0;
  // then: std::atomic<int64_t> count[slots]; Nanos times[slots][per_slot]
};

struct Mapping {
  void* base = nullptr;
  std::size_t size = 0;
  Board* board() const { return static_cast<Board*>(base); }
  std::atomic<std::int64_t>* counts() const {
    return reinterpret_cast<std::atomic<std::int64_t>*>(static_cast<char*>(base) + sizeof(Board));
  }
  Nanos* times(std::int64_t slot) const {
    auto* t = reinterpret_cast<Nanos*>(counts() + board()->slots);
    return t + slot * board()->per_slot;
  }
};

constexpr std::int64_t kWindow = 64;

// Which process of the recipients this is (claimed on its first handler run after fork).
int g_slot = -1;

}  // namespace

struct DispatchRig::Impl {
  DispatchRigOptions opt;
  detail::Instance in;
  Scenario sc;
  std::unique_ptr<detail::Master> master;
  Mapping map;
  int per_raise = 1;
  bool pool = true;  // one recipient per raise among several readers (pairing by merge)

  ~Impl() {
    if (master) master->stop();
    master.reset();
    detail::close_instance_fds(in);
    if (map.base) munmap(map.base, map.size);
  }
};

std::unique_ptr<DispatchRig> DispatchRig::start(const DispatchRigOptions& o, std::string* why) {
  auto parsed = parse_target_strict(o.target);
  if (!std::holds_alternative<Target>(parsed)) {
    *why = "not a strict target: " + o.target;
    return nullptr;
  }
  if (std::string e = o.topology.validate(); !e.empty()) {
    *why = "invalid topology: " + e;
    return nullptr;
  }
  const Target t = std::get<Target>(parsed);
  std::unique_ptr<DispatchRig> rig(new DispatchRig());
  rig->impl_ = std::make_unique<Impl>();
  Impl& m = *rig->impl_;
  m.opt = o;
  switch (t.kind) {
    case TargetKind::all_workers:
    case TargetKind::active_workers:
      m.per_raise = o.topology.workers;
      m.pool = false;
      break;
    case TargetKind::all_mules:
      m.per_raise = o.topology.mules;
      m.pool = false;
      break;
    case TargetKind::worker:
    case TargetKind::mule:
      m.pool = false;  // one private queue: exact pairing
      break;
    default:
      break;
  }
  if (m.per_raise < 1) {
    *why = "the target has no recipient in this topology";
    return nullptr;
  }

  m.in.topo = o.topology;
  if (!detail::build_topology(m.in, why)) return nullptr;
  // Tracing stays off: the sink is never opened, so emit() returns at once.
  const Nanos t0 = monotonic_now();
  m.in.shm.header().t0 = t0;
  m.in.sink.set_start(t0, 1.0);

  Registration r;
  r.sig = static_cast<SignalNumber>(o.signal);
  r.target = o.target;
  r.by = ProcessId::master();
  m.sc.name = "dispatch-rig";
  m.sc.topology = o.topology;
  m.sc.duration = 3600 * kNsPerSec;
  m.sc.registrations = {r};
  return rig;
}

int DispatchRig::recipients_per_raise() const { return impl_->per_raise; }

DispatchRun DispatchRig::run(std::int64_t n, double rate_per_sec, Nanos timeout) {
  Impl& m = *impl_;
  DispatchRun res;
  const std::int64_t slots =
      static_cast<std::int64_t>(m.in.topo.workers + m.in.topo.mules + m.in.topo.spoolers);
  const std::int64_t per_slot = n;  // a pool reader may take every signal
  m.map.size = sizeof(Board) + static_cast<std::size_t>(slots) * sizeof(std::int64_t) +
               static_cast<std::size_t>(slots * per_slot) * sizeof(Nanos);
  m.map.base = mmap(nullptr, m.map.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m.map.base == MAP_FAILED) {
    m.map.base = nullptr;
    res.timed_out = true;
    return res;
  }
  Board* b = new (m.map.base) Board();
  b->slots = slots;
  b->per_slot = per_slot;
  const Mapping map = m.map;

  // The handler: registered before fork, so every process has it (C5); it only timestamps.
  m.in.handlers.push_back([map](int) {
    const Nanos now = monotonic_now();
    Board* bd = map.board();
    if (g_slot < 0) g_slot = bd->next_slot.fetch_add(1);
    if (g_slot < bd->slots) {
      auto& c = map.counts()[g_slot];
      const std::int64_t k = c.load(std::memory_order_relaxed);
      if (k < bd->per_slot) map.times(g_slot)[k] = now;
      c.store(k + 1, std::memory_order_release);
    }
    bd->handled.fetch_add(1, std::memory_order_release);
  });

  detail::MasterConfig cfg;
  cfg.scenario = &m.sc;
  static SystemClock wall;
  cfg.wall = &wall;
  cfg.root = "/nonexistent-dispatch-rig";  // no files: the rig has no monitors
  cfg.handler_index = [](const Registration&) { return 0; };
  const std::int64_t expected = n * m.per_raise;
  Nanos deadline = 0;
  cfg.stop_requested = [b, expected, &deadline] {
    return b->handled.load(std::memory_order_acquire) >= expected ||
           (deadline > 0 && monotonic_now() > deadline);
  };
  m.master = std::make_unique<detail::Master>(m.in, cfg);
  std::string why;
  if (!m.master->start(&why)) {
    res.timed_out = true;
    return res;
  }

  // The sender: a separate process raising into the upstream queue as a worker would.
  const pid_t master_pid = getpid();
  const std::int64_t per_raise = m.per_raise;
  const Nanos interval = rate_per_sec > 0 ? static_cast<Nanos>(1e9 / rate_per_sec) : 0;
  const Nanos start_at = monotonic_now() + 20 * kNsPerMs;  // children settle into their loops
  // Raises every recipient has handled. A broadcast counts its slowest recipient, not the
  // average: one descheduled worker must not fall a whole queue behind the others.
  const bool pool = m.pool;
  const auto done = [b, map, pool, per_raise]() -> std::int64_t {
    if (pool) return b->handled.load(std::memory_order_acquire) / per_raise;
    const std::int64_t claimed = std::min<std::int64_t>(b->next_slot.load(), b->slots);
    if (claimed < per_raise) return 0;  // a recipient has not run yet
    std::int64_t least = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t s = 0; s < claimed; ++s)
      least = std::min(least, map.counts()[s].load(std::memory_order_acquire));
    return least;
  };
  const pid_t sender = fork();
  if (sender == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != master_pid) _exit(0);
    prctl(PR_SET_TIMERSLACK, 1UL);  // wake at the intended time, not 50 us later
    sleep_until(start_at);
    b->first_send.store(monotonic_now());
    for (std::int64_t k = 0; k < n; ++k) {
      if (interval > 0) sleep_until(start_at + k * interval);
      // Closed-loop window: at most kWindow raises in flight, so no downstream queue (capacity
      // 278 by default) can overflow; the master would reject loudly (S4) rather than block.
      while (k - done() >= kWindow) {
        b->window_waits.fetch_add(1, std::memory_order_relaxed);
        sched_yield();
      }
      while (!detail::write_byte(m.in, m.in.q_up, m.opt.signal, nullptr)) {
        b->retries.fetch_add(1, std::memory_order_relaxed);
        sched_yield();
      }
      b->raised.fetch_add(1, std::memory_order_relaxed);
    }
    _exit(0);
  }
  if (sender < 0) {
    res.timed_out = true;
    return res;
  }
  deadline = monotonic_now() + timeout;
  m.master->run_until(std::numeric_limits<Nanos>::max() / 2);
  res.timed_out = b->handled.load() < expected;
  // The sender is done or stuck behind a full queue: either way it is reaped by its pid.
  if (res.timed_out) kill(sender, SIGKILL);
  int status = 0;
  while (waitpid(sender, &status, 0) < 0 && errno == EINTR) {
  }
  m.master->stop();
  res.rejected = m.master->stats().rejected;

  res.raised = b->raised.load();
  res.handled = b->handled.load();
  res.expected = expected;
  res.sender_retries = b->retries.load();
  res.window_waits = b->window_waits.load();
  res.first_send_ns = b->first_send.load();
  // Latencies (open loop only): the intended send time of the k-th raise is start_at + k*interval.
  const auto intended = [&](std::int64_t k) { return start_at + k * interval; };
  std::vector<Nanos> merged;
  for (std::int64_t s = 0; s < slots; ++s) {
    const std::int64_t c = std::min(map.counts()[s].load(), per_slot);
    const Nanos* ts = map.times(s);
    for (std::int64_t k = 0; k < c; ++k) {
      res.last_handled_ns = std::max(res.last_handled_ns, ts[k]);
      if (interval <= 0) continue;
      if (m.pool)
        merged.push_back(ts[k]);
      else
        res.latencies.push_back(ts[k] - intended(k));
    }
  }
  if (m.pool) {
    std::sort(merged.begin(), merged.end());
    for (std::size_t k = 0; k < merged.size(); ++k)
      res.latencies.push_back(merged[k] - intended(static_cast<std::int64_t>(k)));
  }
  return res;
}

DispatchRig::~DispatchRig() = default;

}  // namespace sigh::real
