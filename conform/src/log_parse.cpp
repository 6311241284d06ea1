#include "log_parse.h"

#include <fstream>
#include <regex>

namespace sigh::conform::detail {
namespace {

TraceEvent ev(Nanos t, EventKind k) {
  TraceEvent e;
  e.t = t;
  e.kind = k;
  return e;
}

// "to worker 3" -> "worker3", "to workers pool" -> "worker-pool", ...
std::string queue_of(const std::string& dest) {
  static const std::regex worker(R"(^worker (\d+))"), mule(R"(^mule (\d+))");
  std::smatch m;
  if (std::regex_search(dest, m, worker)) return "worker" + m[1].str();
  if (std::regex_search(dest, m, mule)) return "mule" + m[1].str();
  if (dest.rfind("workers pool", 0) == 0) return "worker-pool";
  if (dest.rfind("the spooler", 0) == 0) return "spooler-pool";
  if (dest.rfind("a mule", 0) == 0) return "mule-pool";
  return dest;
}

}  // namespace

std::vector<TraceEvent> parse_log_line(std::string_view sv, Nanos t) {
  static const std::regex managing(R"(error managing signal (\d+) on (worker|mule|spooler) (\d+))");
  static const std::regex deliver(R"(could not deliver signal (\d+) to (.*))");
  static const std::regex cron(R"(\[uwsgi-cron\] routing signal (\d+))");
  static const std::regex segv(R"(!!! uWSGI process (\d+) got Segmentation Fault !!!)");
  static const std::regex died(R"(DAMN ! (worker|mule) (\d+) \(pid: (\d+)\) died(.*))");
  static const std::regex respawned(R"(Respawned uWSGI (worker|mule) (\d+) \(new pid: (\d+)\))");
  static const std::regex target(R"((invalid signal target|unknown farm): (.*)$)");
  static const std::regex unsupported(R"(\^\^\^ UNSUPPORTED SIGNAL TARGET: (.*) \^\^\^)");
  const std::string line(sv);
  std::smatch m;
  std::vector<TraceEvent> out;
  if (line.find("SIGNAL QUEUE IS FULL") != std::string::npos) {
    TraceEvent e = ev(t, EventKind::drop);
    e.detail = "queue-full";
    out.push_back(e);
  } else if (std::regex_search(line, m, deliver)) {
    // Completes the preceding queue-full/ebadf drop (see complete_drops in the runner).
    TraceEvent e = ev(t, EventKind::note);
    e.sig = std::stoi(m[1]);
    e.queue = queue_of(m[2]);
    e.detail = "could not deliver";
    out.push_back(e);
  } else if (line.find("uwsgi_signal_send(): ") != std::string::npos) {
    TraceEvent e = ev(t, EventKind::drop);
    e.detail = line.find("Bad file descriptor") != std::string::npos ? "ebadf" : "send error";
    e.detail += ": " + line.substr(line.find("uwsgi_signal_send(): "));
    out.push_back(e);
  } else if (std::regex_search(line, m, managing)) {
    TraceEvent e = ev(t, EventKind::unhandled);
    e.sig = std::stoi(m[1]);
    // spoolers log their pid, not an index: one spooler is the common case
    e.proc = m[2].str() == "spooler" ? "spooler1" : m[2].str() + m[3].str();
    e.detail = "error managing signal";
    out.push_back(e);
  } else if (std::regex_search(line, m, cron)) {
    TraceEvent e = ev(t, EventKind::cron_fire);
    e.sig = std::stoi(m[1]);
    e.proc = "master";
    out.push_back(e);
  } else if (std::regex_search(line, m, segv)) {
    TraceEvent e = ev(t, EventKind::undefined_behaviour);
    e.detail = "segmentation fault in pid " + m[1].str();
    e.value = std::stoll(m[1]);
    out.push_back(e);
  } else if (std::regex_search(line, m, died)) {
    TraceEvent e = ev(t, EventKind::exit);
    e.proc = m[1].str() + m[2].str();
    e.value = std::stoll(m[3]);
    e.detail = "died" + m[4].str();
    out.push_back(e);
  } else if (std::regex_search(line, m, respawned)) {
    TraceEvent e = ev(t, EventKind::respawn);
    e.proc = m[1].str() + m[2].str();
    e.value = std::stoll(m[3]);
    out.push_back(e);
  } else if (std::regex_search(line, m, unsupported)) {
    TraceEvent e = ev(t, EventKind::drop);
    e.target = m[1];
    e.detail = "unsupported: " + line.substr(line.find("^^^"));
    out.push_back(e);
  } else if (std::regex_search(line, m, target)) {
    TraceEvent e = ev(t, EventKind::drop);
    e.target = m[2];
    e.detail = m[1].str() + ": " + m[2].str();
    out.push_back(e);
  } else if (line.find("timerfd_settime()") != std::string::npos) {
    TraceEvent e = ev(t, EventKind::note);
    e.proc = "master";
    e.detail = line;
    out.push_back(e);
  }
  return out;
}

void LogTail::poll(Nanos t, std::vector<TraceEvent>* out) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;
  in.seekg(offset_);
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  offset_ += static_cast<long long>(chunk.size());
  partial_ += chunk;
  std::size_t start = 0, nl;
  while ((nl = partial_.find('\n', start)) != std::string::npos) {
    std::string line = partial_.substr(start, nl - start);
    for (auto& e : parse_log_line(line, t)) out->push_back(std::move(e));
    lines_.push_back(std::move(line));
    start = nl + 1;
  }
  partial_.erase(0, start);
}

}  // namespace sigh::conform::detail
