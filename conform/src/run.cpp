// run_scenario_uwsgi: start the instance, replay the script at real times, tail
// the log, stop, and merge the app's records with the log-derived events.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "faketime.h"
#include "log_parse.h"
#include "process_ctl.h"
#include "run_dir.h"
#include "sigharness/conform/uwsgi_backend.h"
#include "unix_io.h"

namespace sigh::conform {
namespace {

using namespace detail;

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Reads the app's records; events are in absolute CLOCK_MONOTONIC ns.
std::vector<TraceEvent> read_app_events(const std::string& path, std::vector<std::string>* bad) {
  std::vector<TraceEvent> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    auto kind = j.is_discarded() ? std::nullopt : parse_event_kind(j.value("ev", ""));
    if (!kind) {
      if (bad) bad->push_back(line);
      continue;
    }
    TraceEvent e;
    e.t = j.value("t", Nanos{0});
    e.kind = *kind;
    e.proc = j.value("proc", "");
    if (j.contains("sig") && j["sig"].is_number_integer()) e.sig = j["sig"].get<int>();
    e.target = j.value("target", "");
    e.detail = j.value("detail", "");
    if (j.contains("value") && j["value"].is_number_integer())
      e.value = j["value"].get<std::int64_t>();
    out.push_back(std::move(e));
  }
  return out;
}

std::set<int> scenario_signals(const Scenario& s) {
  std::set<int> sigs;
  for (const auto& r : s.registrations) sigs.insert(r.sig);
  for (const auto& t : s.timers) sigs.insert(t.sig);
  for (const auto& c : s.crons) sigs.insert(c.sig);
  for (const auto& m : s.monitors) sigs.insert(m.sig);
  for (const auto& a : s.script) {
    if (auto* r = std::get_if<RaiseAction>(&a.body)) sigs.insert(r->sig);
    if (auto* r = std::get_if<RegisterAction>(&a.body)) sigs.insert(r->reg.sig);
  }
  return sigs;
}

// Log lines carry less than the trace wants: attach "could not deliver signal N to X"
// to the drop it follows, and infer the signal of target errors from the table.
void complete_log_events(const Scenario& s, std::vector<TraceEvent>& log) {
  std::vector<TraceEvent> out;
  for (auto& e : log) {
    if (e.kind == EventKind::note && e.detail == "could not deliver") {
      auto it = std::find_if(out.rbegin(), out.rend(), [](const TraceEvent& d) {
        return d.kind == EventKind::drop && !d.sig;
      });
      if (it != out.rend()) {
        it->sig = e.sig;
        it->queue = e.queue;
        continue;
      }
      e.kind = EventKind::drop;
    }
    out.push_back(std::move(e));
  }
  const std::set<int> all = scenario_signals(s);
  for (auto& e : out) {
    if (e.kind != EventKind::drop || e.sig) continue;
    std::set<int> cands;
    if (!e.target.empty()) {
      for (const auto& r : s.registrations)
        // "unknown farm: NAME" logs the name after "farm_".
        if (r.by.kind == ProcessKind::master &&
            (r.target == e.target ||
             (e.detail.rfind("unknown farm", 0) == 0 && r.target == "farm_" + e.target)))
          cands.insert(r.sig);
    } else {
      cands = all;
    }
    if (cands.size() == 1)
      e.sig = *cands.begin();
    else
      e.detail += " (signal number not in uWSGI's log line)";
  }
  log = std::move(out);
}

class Run {
 public:
  Run(const Scenario& s, const UwsgiRunOptions& o) : s_(s), opt_(o), tail_("") {}
  UwsgiRunResult go();

 private:
  void schedule();
  bool wait_ready(std::string* why);
  void pump_until(Nanos abs);
  void driver_event(EventKind k, const std::string& proc, std::optional<int> sig,
                    const std::string& detail, std::optional<std::int64_t> value = std::nullopt);
  void request(int worker, const std::string& pq);
  void mule_command(int mule, const std::string& cmd);
  void kill_process(const LifecycleAction& a);
  int source_worker() const;

  const Scenario& s_;
  const UwsgiRunOptions& opt_;
  UwsgiRunResult r_;
  RunDir d_;
  FakeClock fc_;
  bool faking_ = false;
  Child child_;
  LogTail tail_;
  Nanos t0_ = 0;
  std::vector<TraceEvent> driver_, log_;
  std::vector<int> fds_;
  std::map<int, std::deque<std::string>> open_requests_;
  std::map<int, int> mule_seq_;
  int flag_seq_ = 0;
  std::vector<std::pair<Nanos, std::function<void()>>> timeline_;
};

void Run::driver_event(EventKind k, const std::string& proc, std::optional<int> sig,
                       const std::string& detail, std::optional<std::int64_t> value) {
  TraceEvent e;
  e.t = std::max<Nanos>(0, mono_now() - t0_);
  e.kind = k;
  e.proc = proc;
  e.sig = sig;
  e.detail = detail;
  e.value = value;
  driver_.push_back(std::move(e));
}

void Run::request(int worker, const std::string& pq) {
  std::string why;
  int fd = send_http_request(d_.worker_socket(worker), pq, &why);
  if (fd < 0)
    driver_event(EventKind::note, "worker" + std::to_string(worker), {}, "request failed: " + why);
  else
    fds_.push_back(fd);
}

void Run::mule_command(int mule, const std::string& cmd) {
  std::string base = fmt::format("{}/mule{}.cmd.{}", d_.root, mule, mule_seq_[mule]++);
  { std::ofstream(base + ".tmp") << cmd << "\n"; }
  std::rename((base + ".tmp").c_str(), base.c_str());
}

void Run::kill_process(const LifecycleAction& a) {
  InstancePids pids;
  std::string why;
  const std::string name = a.process.str();
  if (!read_stats_pids(d_.stats, &pids, &why)) {
    driver_event(EventKind::note, name, {}, "kill skipped: " + why);
    return;
  }
  auto& table = a.process.kind == ProcessKind::worker ? pids.workers : pids.mules;
  auto it = table.find(a.process.index);
  if (it == table.end() || it->second <= 0) {
    driver_event(EventKind::note, name, {}, "kill skipped: no live pid in the stats");
    return;
  }
  // By pid, never by name; the pid belongs to our instance (read from its stats server).
  ::kill(it->second, SIGKILL);
  driver_event(EventKind::kill, name, {},
               a.kind == LifecycleAction::crash ? "crash (SIGKILL)" : "SIGKILL", it->second);
}

int Run::source_worker() const { return 1; }  // sources added at runtime go through worker1

void Run::schedule() {
  for (const auto& a : s_.script) {
    std::function<void()> f = std::visit(
        [&](const auto& b) -> std::function<void()> {
          using B = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<B, RaiseAction>) {
            return [this, b] {
              request(b.from.index, fmt::format("/raise?sig={}&count={}", b.sig, b.count));
            };
          } else if constexpr (std::is_same_v<B, RequestAction>) {
            return [this, b] {
              if (b.start && b.duration >= 0) {
                request(b.worker, fmt::format("/busy?ms={}", b.duration / kNsPerMs));
              } else if (b.start) {
                std::string flag = fmt::format("flag-{}", flag_seq_++);
                open_requests_[b.worker].push_back(flag);
                request(b.worker, "/busy?flag=" + flag);
              } else if (open_requests_[b.worker].empty()) {
                driver_event(EventKind::note, "worker" + std::to_string(b.worker), {},
                             "request finish with no open request");
              } else {
                std::ofstream(d_.root + "/" + open_requests_[b.worker].front()) << "";
                open_requests_[b.worker].pop_front();
              }
            };
          } else if constexpr (std::is_same_v<B, WaitAction>) {
            std::string what = b.sig ? std::to_string(*b.sig) : "any";
            return [this, b, what] {
              if (b.process.kind == ProcessKind::worker)
                request(b.process.index, "/wait?sig=" + what);
              else
                mule_command(b.process.index, "wait " + what);
            };
          } else if constexpr (std::is_same_v<B, ReceivedAction>) {
            return [this, b] {
              if (b.process.kind == ProcessKind::worker)
                request(b.process.index, "/received");
              else
                mule_command(b.process.index, "received");
            };
          } else if constexpr (std::is_same_v<B, TouchAction>) {
            return [this, b] {
              std::string p = d_.mapped(b.path);
              int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
              if (fd >= 0) {
                futimens(fd, nullptr);  // IN_ATTRIB, like touch(1)
                ::close(fd);
              }
              driver_event(EventKind::note, "", {}, "touch " + b.path);
            };
          } else if constexpr (std::is_same_v<B, LifecycleAction>) {
            return [this, b] { kill_process(b); };
          } else if constexpr (std::is_same_v<B, ClockStepAction>) {
            return [this, b] {
              fc_.offset_ns += b.step;
              std::string why;
              if (!fc_.write_offset(&why)) driver_event(EventKind::note, "", {}, why);
              driver_event(EventKind::clock_step, "", {}, "", b.step / kNsPerSec);
            };
          } else if constexpr (std::is_same_v<B, RegisterAction>) {
            const Registration& g = b.reg;
            return [this, g] {
              request(g.by.index, fmt::format("/register?sig={}&target={}&dur_ns={}&crash={}",
                                              g.sig, url_encode(g.target), g.handler_duration,
                                              g.crash_in_handler ? 1 : 0));
            };
          } else {
            return [] {};  // unregister: not applicable, rejected before the run
          }
        },
        a.body);
    timeline_.emplace_back(a.at, std::move(f));
  }
  auto add_source = [&](Nanos at, const char* kind, int i) {
    if (at == 0) return;  // added at import
    timeline_.emplace_back(at, [this, kind, i] {
      request(source_worker(), fmt::format("/source?kind={}&i={}", kind, i));
    });
  };
  int ti = 0, ri = 0;
  for (const auto& t : s_.timers)
    add_source(t.at, t.kind == TimerKind::rb_timer ? "rb_timer" : "timer",
               t.kind == TimerKind::rb_timer ? ri++ : ti++);
  for (std::size_t i = 0; i < s_.crons.size(); ++i)
    add_source(s_.crons[i].at, "cron", static_cast<int>(i));
  for (std::size_t i = 0; i < s_.monitors.size(); ++i)
    add_source(s_.monitors[i].at, "monitor", static_cast<int>(i));
  std::stable_sort(timeline_.begin(), timeline_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

bool Run::wait_ready(std::string* why) {
  const Topology& t = s_.topology;
  int awake =
      (t.cheaper_initial >= 1 && t.cheaper_initial < t.workers) ? t.cheaper_initial : t.workers;
  std::set<std::string> need;
  for (int w = 1; w <= awake; ++w) need.insert("worker" + std::to_string(w));
  for (int m = 1; m <= t.mules; ++m) need.insert("mule" + std::to_string(m));
  Nanos deadline = mono_now() + opt_.startup_timeout;
  while (mono_now() < deadline) {
    tail_.poll(0, &log_);
    if (!child_running(child_)) {
      *why = "uWSGI exited during startup (see its log)";
      return false;
    }
    std::set<std::string> seen;
    for (const auto& e : read_app_events(d_.events, nullptr))
      if (e.kind == EventKind::spawn) seen.insert(e.proc);
    if (std::includes(seen.begin(), seen.end(), need.begin(), need.end()) &&
        access(d_.stats.c_str(), F_OK) == 0)
      return true;
    sleep_for(10 * kNsPerMs);
  }
  *why = "uWSGI did not spawn every process within the startup timeout";
  return false;
}

void Run::pump_until(Nanos abs) {
  for (;;) {
    Nanos now = mono_now();
    tail_.poll(std::max<Nanos>(0, now - t0_), &log_);
    if (now >= abs) return;
    sleep_for(std::min<Nanos>(2 * kNsPerMs, abs - now));
  }
}

UwsgiRunResult Run::go() {
  r_.trace.header = {kTraceVersion, "uwsgi", "uwsgi-2.0", "", s_.name};
  if (std::string why = prepare_run_dir(s_, d_); !why.empty()) {
    r_.reason = why;
    return r_;
  }
  tail_ = LogTail(d_.log);
  bool steps = std::any_of(s_.script.begin(), s_.script.end(), [](const Action& a) {
    return std::holds_alternative<ClockStepAction>(a.body);
  });
  std::vector<std::string> env = {"TZ=UTC"};
  if (!s_.crons.empty() || steps) {
    if (std::string why = faketime_self_test(opt_.faketime_lib, d_.root); !why.empty()) {
      remove_run_dir(d_);
      r_.not_applicable = true;
      r_.reason = "cron/clock_step need libfaketime: " + why;
      return r_;
    }
    faking_ = true;
    fc_ = {opt_.faketime_lib, d_.root + "/faketime", 0};
    fc_.anchor(s_.wall_start);
    std::string why;
    fc_.write_offset(&why);
    env = fc_.env();
  }
  schedule();
  std::string why;
  child_ =
      spawn_in_session({opt_.uwsgi_binary, "--ini", d_.ini}, env, d_.root + "/stdout.log", &why);
  bool ok = child_.pid > 0 && wait_ready(&why);
  t0_ = mono_now();
  if (ok && faking_) {
    // Startup takes a while (seconds on a loaded CI machine): re-anchor so the fake wall clock
    // reads wall_start exactly at t0, as the spec's times assume. The step back by the startup
    // time cannot re-fire a cron: uWSGI's 60 s guard sees a negative now - last_job.
    fc_.anchor(s_.wall_start);
    if (!fc_.write_offset(&why)) driver_event(EventKind::note, "", {}, why);
  }
  if (ok) {
    driver_event(EventKind::note, "", {},
                 s_.topology.queue_capacity == 278
                     ? "queue capacity is the kernel's default SO_SNDBUF (212992 here => 278 "
                       "one-byte signals)"
                     : fmt::format("queue capacity {} via --signal-bufsize {}",
                                   s_.topology.queue_capacity, 384 * s_.topology.queue_capacity));
    if (faking_)
      driver_event(
          EventKind::note, "", {},
          "libfaketime: the wall clock reads wall_start at t=0 (re-anchored after startup)");
    for (auto& [at, f] : timeline_) {
      pump_until(t0_ + at);
      if (!child_running(child_)) break;
      f();
    }
    pump_until(t0_ + s_.duration);
    if (!child_running(child_))
      driver_event(EventKind::note, "master", {}, "uWSGI master exited early");
  } else {
    r_.reason = "uWSGI run failed: " + why;
    driver_event(EventKind::note, "", {}, r_.reason);
  }
  Nanos stop_t = mono_now();
  tail_.poll(std::max<Nanos>(0, stop_t - t0_), &log_);
  std::size_t before_stop = log_.size();
  for (int fd : fds_) ::close(fd);
  std::string how = stop_child(child_, opt_.stop_timeout);
  tail_.poll(std::max<Nanos>(0, stop_t - t0_), &log_);
  log_.resize(before_stop);  // shutdown noise (workers dying) is not part of the scenario
  // Merge: app records (rebased), driver events, log events; clamp pre-start to 0.
  std::vector<std::string> bad;
  auto app = read_app_events(d_.events, &bad);
  for (auto& e : app) e.t = std::max<Nanos>(0, e.t - t0_);
  // Events after the scenario's end (stop) are dropped; the run ended there.
  std::erase_if(app, [&](const TraceEvent& e) { return e.t > stop_t - t0_; });
  complete_log_events(s_, log_);
  auto& ev = r_.trace.events;
  ev = std::move(app);
  ev.insert(ev.end(), driver_.begin(), driver_.end());
  ev.insert(ev.end(), log_.begin(), log_.end());
  for (const auto& b : bad) {
    TraceEvent e;
    e.kind = EventKind::note;
    e.detail = "unparsed app record: " + b;
    ev.push_back(e);
  }
  std::stable_sort(ev.begin(), ev.end(),
                   [](const TraceEvent& a, const TraceEvent& b) { return a.t < b.t; });
  if (!opt_.log_copy_path.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(d_.log, opt_.log_copy_path,
                               std::filesystem::copy_options::overwrite_existing, ec);
    r_.log_path = opt_.log_copy_path;
  }
  if (opt_.keep_dir)
    r_.log_path = opt_.log_copy_path.empty() ? d_.log : r_.log_path;
  else
    remove_run_dir(d_);
  (void)how;
  return r_;
}

}  // namespace

UwsgiRunResult run_scenario_uwsgi(const Scenario& s, const UwsgiRunOptions& opt) {
  UwsgiRunResult r;
  r.trace.header = {kTraceVersion, "uwsgi", "uwsgi-2.0", "", s.name};
  if (std::string why = uwsgi_not_applicable_reason(s, opt); !why.empty()) {
    r.not_applicable = true;
    r.reason = why;
    return r;
  }
  if (std::string why; !uwsgi_available(&why)) {
    r.not_applicable = true;
    r.reason = "uwsgi backend unavailable: " + why;
    return r;
  }
  Run run(s, opt);
  return run.go();
}

}  // namespace sigh::conform
