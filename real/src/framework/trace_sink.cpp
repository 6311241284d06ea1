#include "framework/trace_sink.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace sigh::real::detail {

bool TraceSink::open(const std::string& path, std::string* why) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    *why = "cannot open the trace file " + path + ": " + std::strerror(errno);
    return false;
  }
  path_ = path;
  return true;
}

bool TraceSink::open_fd(int fd, bool text, std::string* why) {
  fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (fd_ < 0) {
    *why = std::string("cannot duplicate the log fd: ") + std::strerror(errno);
    return false;
  }
  text_ = text;
  path_ = "<fd " + std::to_string(fd) + ">";
  return true;
}

void TraceSink::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {
std::string text_line(const TraceEvent& e) {
  char t[32];
  std::snprintf(t, sizeof t, "%12.6f ", static_cast<double>(e.t) / 1e9);
  std::string l = t;
  l += event_kind_name(e.kind);
  if (e.sig) l += " sig=" + std::to_string(*e.sig);
  l += " proc=" + e.proc;
  if (!e.queue.empty()) l += " queue=" + e.queue;
  if (!e.target.empty()) l += " target=" + e.target;
  if (!e.detail.empty()) l += " detail=\"" + e.detail + "\"";
  if (e.value) l += " value=" + std::to_string(*e.value);
  return l;
}
}  // namespace

Nanos TraceSink::now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  Nanos real = static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec - t0_;
  return static_cast<Nanos>(static_cast<double>(real) * scale_);
}

void TraceSink::emit(EventKind k, int sig, const std::string& proc, const std::string& queue,
                     const std::string& target, const std::string& detail,
                     std::optional<std::int64_t> value, std::optional<std::int64_t> wall) {
  if (fd_ < 0) return;
  TraceEvent e;
  e.t = now();
  e.kind = k;
  if (sig >= 0) e.sig = sig;
  e.proc = proc;
  e.queue = queue;
  e.target = target;
  e.detail = detail;
  e.value = value;
  e.wall = wall;
  std::string line = text_ ? text_line(e) : trace_event_to_json(e);
  line += '\n';
  // One write per line: O_APPEND makes each write land whole at the end of the file.
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
}

}  // namespace sigh::real::detail
