// Runs a scenario on the real forking framework: builds the topology (queues, control channels,
// shared table), lets the master fork and route for `duration`, stops everything, and returns the
// merged trace. Scenarios that cannot run for real are skipped with the precise reason.
#include "sigharness/real/runner.h"

#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "framework/instance.h"
#include "framework/master.h"

namespace sigh::real {
namespace {

using detail::Instance;

RunResult skip(std::string why) {
  RunResult r;
  r.skipped = true;
  r.skip_reason = std::move(why);
  return r;
}

void sleep_real(Nanos ns) {
  if (ns <= 0) return;
  timespec ts{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Owns every fd of the instance; closes them on every exit path.
struct FdCloser {
  Instance& in;
  ~FdCloser() {
    for (auto& q : in.queues) {
      if (q.wfd >= 0) close(q.wfd);
      if (q.rfd >= 0) close(q.rfd);
      q.wfd = q.rfd = -1;
    }
    for (auto& p : in.procs) {
      if (p.ctl_master >= 0) close(p.ctl_master);
      if (p.ctl_child >= 0) close(p.ctl_child);
      p.ctl_master = p.ctl_child = -1;
    }
    in.sink.close();
  }
};

struct TempDir {
  std::string path;
  bool keep = false;
  ~TempDir() {
    if (!path.empty() && !keep) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

bool add_queue(Instance& in, const std::string& name, int* out, std::string* why) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    *why = "socketpair for queue " + name + ": " + std::strerror(errno);
    return false;
  }
  detail::QueueDef q;
  q.name = name;
  q.wfd = fds[0];
  q.rfd = fds[1];
  q.capacity = in.topo.queue_capacity;
  // Each 1-byte write is one skb (~768 bytes of SO_SNDBUF, reference §4.5). Ask for room for the
  // configured capacity; if the kernel gives less, write_byte() still rejects explicitly.
  int want = std::max(4608, q.capacity * 800);
  if (setsockopt(q.wfd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0)
    setsockopt(q.wfd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
  *out = static_cast<int>(in.queues.size());
  in.queues.push_back(q);
  return true;
}

bool build(Instance& in, std::string* why) {
  const Topology& t = in.topo;
  bool ok = add_queue(in, "upstream", &in.q_up, why) &&
            add_queue(in, "upstream-mules", &in.q_up_mules, why) &&
            add_queue(in, "upstream-spoolers", &in.q_up_spoolers, why) &&
            add_queue(in, "worker-pool", &in.q_wpool, why) &&
            add_queue(in, "mule-pool", &in.q_mpool, why) &&
            add_queue(in, "spooler-pool", &in.q_spool, why);
  if (!ok) return false;
  for (const auto& f : t.farms) {
    int q = -1;
    if (!add_queue(in, "farm:" + f.name, &q, why)) return false;
    in.q_farm.push_back(q);
  }
  in.procs.emplace_back();  // [0]: the master (this process)
  auto add_proc = [&](ProcessId id) -> detail::ProcDef* {
    detail::ProcDef d;
    d.id = id;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
      *why = "socketpair for the control channel of " + id.str() + ": " + std::strerror(errno);
      return nullptr;
    }
    d.ctl_master = fds[0];
    d.ctl_child = fds[1];
    in.procs.push_back(d);
    return &in.procs.back();
  };
  for (int i = 1; i <= t.workers; ++i) {
    int q = -1;
    if (!add_queue(in, "worker" + std::to_string(i), &q, why)) return false;
    auto* d = add_proc(ProcessId::worker(i));
    if (!d) return false;
    d->row = i;
    d->upstream = in.q_up;
    d->private_q = q;
    d->pools = {in.q_wpool};
  }
  for (int i = 1; i <= t.mules; ++i) {
    int q = -1;
    if (!add_queue(in, "mule" + std::to_string(i), &q, why)) return false;
    auto* d = add_proc(ProcessId::mule(i));
    if (!d) return false;
    d->upstream = in.q_up_mules;
    d->private_q = q;
    d->programmed = t.is_programmed_mule(i);
    d->pools = {in.q_mpool};
    for (std::size_t f = 0; f < t.farms.size(); ++f)  // S12: every member reads the farm queue
      if (std::count(t.farms[f].mules.begin(), t.farms[f].mules.end(), i))
        d->pools.push_back(in.q_farm[f]);
  }
  for (int i = 1; i <= t.spoolers; ++i) {
    auto* d = add_proc(ProcessId::spooler(i));
    if (!d) return false;
    d->upstream = in.q_up_spoolers;
    d->pools = {in.q_spool};
  }
  return in.shm.create(t.workers + 1, static_cast<int>(in.procs.size()),
                       static_cast<int>(in.queues.size()), why);
}

// The scale a run uses: the caller's, else the scenario's real_time_scale.
double effective_scale(const Scenario& sc, const RunOptions& o) {
  return o.time_scale ? *o.time_scale : static_cast<double>(sc.real_time_scale);
}

std::string scale_str(double scale) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", scale);
  return buf;
}

std::optional<std::string> why_not_runnable(const Scenario& sc, const RunOptions& o) {
  const double scale = effective_scale(sc, o);
  if (auto it = sc.not_applicable.find("real"); it != sc.not_applicable.end())
    return "not applicable to the real backend: " + it->second;
  if (std::string e = sc.topology.validate(); !e.empty()) return "invalid topology: " + e;
  if (!(scale > 0) || !std::isfinite(scale)) return "time_scale must be a finite number > 0";
  const auto real = static_cast<Nanos>(static_cast<double>(sc.duration) / scale);
  if (real > o.max_real_duration)
    return "duration " + format_duration(sc.duration) + " at time_scale " + scale_str(scale) +
           " needs " + format_duration(real) + " of real time (limit " +
           format_duration(o.max_real_duration) + "); raise time_scale to run it";
  if (real > o.timeout)
    return "duration " + format_duration(real) + " real exceeds the run timeout " +
           format_duration(o.timeout);
  const bool system = o.faketime || o.wall_clock == WallClockMode::system;
  if (system) {
    for (const auto& a : sc.script)
      if (std::holds_alternative<ClockStepAction>(a.body))
        return "clock_step needs the in-process fake wall clock (WallClockMode::fake); the "
               "system wall clock cannot be stepped from here";
    if (!sc.crons.empty() && o.faketime) {
      const char* pre = std::getenv("LD_PRELOAD");
      if (!pre || !std::strstr(pre, "faketime"))
        return "faketime requested but libfaketime is not preloaded (LD_PRELOAD)";
    }
    if (!sc.crons.empty() && scale != 1.0)
      return "time scale " + scale_str(scale) +
             " needs the in-process fake wall clock (WallClockMode::fake): the system wall "
             "clock runs at real speed, so cron would fall behind the scaled scenario";
  }
  return std::nullopt;
}

}  // namespace

namespace detail {
bool build_topology(Instance& in, std::string* why) { return build(in, why); }
void close_instance_fds(Instance& in) { FdCloser{in}; }
}  // namespace detail

RunResult run_scenario(const Scenario& sc, const RunOptions& opt) {
  if (auto why = why_not_runnable(sc, opt)) return skip(*why);

  TempDir tmp;
  tmp.keep = opt.keep_temp_dir;
  {
    const char* base = std::getenv("TMPDIR");
    std::string tpl = std::string(base && *base ? base : "/tmp") + "/sigharness-real-XXXXXX";
    if (!mkdtemp(tpl.data()))
      return skip("cannot create a temp dir: " + std::string(std::strerror(errno)));
    tmp.path = tpl;
  }

  Instance in;
  in.topo = sc.topology;
  const double scale = effective_scale(sc, opt);
  in.scale = scale;
  FdCloser closer{in};
  std::string why;
  if (!build(in, &why)) return skip("cannot build the topology: " + why);
  if (!in.sink.open(tmp.path + "/trace.jsonl", &why)) return skip(why);

  // The handler registry is filled before fork, so every process has the same functions (the
  // "app import"); which process may run one is decided by the table rows (C5).
  std::map<std::tuple<Nanos, bool>, int> handler_ids;
  auto handler_for = [&](const Registration& r) {
    auto key = std::make_tuple(r.handler_duration, r.crash_in_handler);
    auto it = handler_ids.find(key);
    if (it != handler_ids.end()) return it->second;
    const Nanos real = in.real_from_virtual(r.handler_duration);
    const bool crash = r.crash_in_handler;
    in.handlers.push_back([real, crash](int) {
      sleep_real(real);
      if (crash) kill(getpid(), SIGKILL);  // the fault point: die inside the handler
    });
    int id = static_cast<int>(in.handlers.size()) - 1;
    handler_ids.emplace(key, id);
    return id;
  };
  for (const auto& r : sc.registrations) handler_for(r);
  for (const auto& a : sc.script)
    if (const auto* r = std::get_if<RegisterAction>(&a.body)) handler_for(r->reg);

  const Nanos t0 = SystemClock().mono_ns();
  in.shm.header().t0 = t0;
  in.sink.set_start(t0, scale);
  FakeWallClock fake(sc.wall_start * kNsPerSec, t0, scale, &in.shm.header().wall_offset);
  SystemClock system;
  const bool use_system = opt.faketime || opt.wall_clock == WallClockMode::system;

  detail::MasterConfig cfg;
  cfg.scenario = &sc;
  cfg.rb_backend = opt.rb_timer_backend;
  cfg.seed = opt.seed;
  cfg.root = tmp.path;
  cfg.wall = use_system ? static_cast<const Clock*>(&system) : &fake;
  cfg.wall_offset = use_system ? nullptr : &in.shm.header().wall_offset;
  cfg.handler_index = [&handler_for](const Registration& r) { return handler_for(r); };
  cfg.mule_programs = opt.mule_programs;

  RunResult res;
  res.temp_dir = tmp.path;
  res.time_scale = scale;
  {
    detail::Master master(in, cfg);
    if (!master.start(&why)) {
      master.stop();
      return skip("cannot start the master: " + why);
    }
    master.run_until(sc.duration);
    master.stop();
    const auto& s = master.stats();
    res.stats = {s.routed, s.rejected, s.spawned, s.reaped};
  }
  in.sink.close();

  res.trace.header = {kTraceVersion, "real", "strict", "", sc.name};
  std::ifstream f(tmp.path + "/trace.jsonl");
  std::string line;
  int bad = 0;
  while (std::getline(f, line)) {
    std::string err;
    if (auto e = parse_trace_event(line, &err))
      res.trace.events.push_back(std::move(*e));
    else
      ++bad;
  }
  std::stable_sort(res.trace.events.begin(), res.trace.events.end(),
                   [](const TraceEvent& a, const TraceEvent& b) { return a.t < b.t; });
  if (scale != 1.0) {
    // Said in the trace itself, so nobody reads a scaled run as a real-time one.
    TraceEvent n;
    n.kind = EventKind::note;
    n.proc = "master";
    n.detail = "real backend at time scale " + scale_str(scale) +
               ": timers, script, handler durations and the wall clock ran " + scale_str(scale) +
               "x real speed; times are virtual";
    res.trace.events.insert(res.trace.events.begin(), n);
  }
  if (bad > 0) {
    TraceEvent n;
    n.t = sc.duration;
    n.kind = EventKind::note;
    n.proc = "master";
    n.detail = std::to_string(bad) + " unreadable trace line(s) in the shared sink";
    res.trace.events.push_back(n);
  }
  return res;
}

}  // namespace sigh::real
