// `sigharness serve` (see serve.h): the real master in the foreground, its own lifecycle driven by
// the POSIX handler (self-pipe, polled at a safe point of the master loop), optional pid file and
// uwsgi-protocol listener.
#include "sigharness/real/serve.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>

#include "framework/instance.h"
#include "framework/master.h"
#include "sigharness/real/clock.h"
#include "sigharness/real/pid_file.h"
#include "sigharness/real/posix_signals.h"
#include "sigharness/real/remote_listener.h"

namespace sigh::real {
namespace {

void sleep_real(Nanos ns) {
  timespec ts{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  while (ns > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Loopback: 127.0.0.0/8, ::1, localhost, or a UNIX socket (a path or @abstract name).
bool loopback_address(const std::string& a) {
  if (a.empty() || a[0] == '/' || a[0] == '@' || a[0] == '.') return true;
  const std::string host = a.substr(0, a.rfind(':'));
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "[::1]" || host == "::1";
}

struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

int serve(const Scenario& spec, const ServeOptions& o, std::ostream& err) {
  Scenario sc = spec;
  sc.script.clear();  // a served master runs until stopped: no timed script, no expectations
  sc.expectations.clear();
  sc.duration = std::numeric_limits<Nanos>::max() / 4;

  if (!o.listen.empty() && !loopback_address(o.listen) && o.allow.empty()) {
    err << "error: --listen " << o.listen
        << ": not a loopback address; remote signals from other hosts need an explicit "
           "--allow ADDR (the peers to accept)\n";
    return 2;
  }
  std::optional<PidFile> pid;
  if (!o.pid_file.empty()) {
    try {
      pid.emplace(PidFile::acquire(o.pid_file, PidFile::Policy::replace_if_stale));
    } catch (const std::exception& e) {
      err << "error: --pid-file " << o.pid_file << ": " << e.what() << "\n";
      return 2;
    }
  }

  detail::Instance* current = nullptr;  // the running generation (for remote signals)
  std::unique_ptr<RemoteListener> listener;
  if (!o.listen.empty()) {
    ListenerOptions lo;
    lo.address = o.listen;
    if (!o.allow.empty()) lo.allow = o.allow;
    try {
      listener = std::make_unique<RemoteListener>(lo, [&current](SignalNumber sig) {
        // Raised into the master like any process's raise: the upstream queue (S4 if full).
        if (!current) return false;
        current->sink.emit(EventKind::raise, sig, "master", {}, {}, "remote signal");
        return detail::write_byte(*current, current->q_up, sig, nullptr);
      });
    } catch (const std::exception& e) {
      err << "error: --listen " << o.listen << ": " << e.what() << "\n";
      return 2;
    }
  }

  std::atomic<bool> stop{false}, reload{false};
  PosixSignalHandler signals(std::filesystem::path{},
                             PosixSignalHandler::Actions{}
                                 .with(SIGINT, [&](int) { stop = true; })
                                 .with(SIGTERM, [&](int) { stop = true; })
                                 .with(SIGHUP, [&](int) { reload = true; }));
  try {
    signals.start();
  } catch (const std::exception& e) {
    err << "error: cannot install the signal handlers: " << e.what() << "\n";
    return 3;
  }

  TempDir root;
  {
    const char* base = std::getenv("TMPDIR");
    std::string tpl = std::string(base && *base ? base : "/tmp") + "/sigharness-serve-XXXXXX";
    if (!mkdtemp(tpl.data())) {
      err << "error: cannot create a run directory: " << std::strerror(errno) << "\n";
      return 3;
    }
    root.path = tpl;
  }
  const Nanos t0 = monotonic_now();
  for (int generation = 1;; ++generation) {
    detail::Instance in;
    in.topo = sc.topology;
    std::string why;
    if (!detail::build_topology(in, &why) || !in.sink.open_fd(o.log_fd, !o.json_log, &why)) {
      detail::close_instance_fds(in);
      err << "error: cannot build the topology: " << why << "\n";
      return 3;
    }
    in.shm.header().t0 = t0;
    in.sink.set_start(t0, 1.0);
    for (const auto& r : sc.registrations) {  // one handler per registration, before fork (C5)
      const Nanos d = r.handler_duration;
      in.handlers.push_back([d](int) { sleep_real(d); });
    }
    static SystemClock wall;
    detail::MasterConfig cfg;
    cfg.scenario = &sc;
    cfg.rb_backend = o.rb_backend;
    cfg.root = root.path;
    cfg.wall = &wall;
    cfg.handler_index = [&sc](const Registration& r) {
      for (std::size_t i = 0; i < sc.registrations.size(); ++i)
        if (&sc.registrations[i] == &r) return static_cast<int>(i);
      return 0;
    };
    // Polled once per master loop iteration (at most 5 ms apart): the safe point where the
    // POSIX handler's callbacks run and remote signals are accepted.
    cfg.stop_requested = [&] {
      signals.poll();
      if (listener) listener->on_readable();
      return stop.load() || reload.load();
    };
    {
      detail::Master master(in, cfg);
      if (!master.start(&why)) {
        master.stop();
        detail::close_instance_fds(in);
        err << "error: cannot start the master: " << why << "\n";
        return 3;
      }
      current = &in;
      std::string hello = "serving " + sc.name + " (generation " + std::to_string(generation) +
                          ", master pid " + std::to_string(getpid()) + ")";
      if (listener) hello += ", remote signals on " + listener->address_string();
      if (!sc.monitors.empty()) hello += ", monitored files under " + root.path + "/files";
      hello += "; SIGINT/SIGTERM stop, SIGHUP reloads";
      in.sink.emit(EventKind::note, -1, "master", {}, {}, hello);
      for (std::size_t p = 1; p < in.procs.size(); ++p)
        if (pid_t c = in.shm.proc(static_cast<int>(p)).pid.load(); c > 0)
          in.sink.emit(EventKind::note, -1, in.procs[p].id.str(), {}, {},
                       "pid " + std::to_string(c));
      master.run_until(sc.duration);
      in.sink.emit(EventKind::note, -1, "master", {}, {},
                   stop ? "stopping: every child is stopped and reaped"
                        : "reload (SIGHUP): children stopped, respawning with every source "
                          "re-armed");
      current = nullptr;
      master.stop();
    }
    detail::close_instance_fds(in);
    if (stop) break;
    reload = false;
  }
  signals.stop();
  return 0;
}

}  // namespace sigh::real
