#pragma once
// uWSGI's log (--logto) as trace events: the lines of reference §4.5, §5.2, §3.2,
// §9.3 and the master's death/respawn lines. The driver tails the log while the
// scenario runs and stamps each line when it reads it (see UWSGI_BACKEND.md for the
// tolerance); some lines carry no signal number and are completed afterwards.
#include <string>
#include <string_view>
#include <vector>

#include "sigharness/trace.h"

namespace sigh::conform::detail {

// Events for one log line at time t (empty for lines of no interest).
std::vector<TraceEvent> parse_log_line(std::string_view line, Nanos t);

// Appends events for new complete lines of the file, stamped with `t`.
class LogTail {
 public:
  explicit LogTail(std::string path) : path_(std::move(path)) {}
  void poll(Nanos t, std::vector<TraceEvent>* out);
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::string path_;
  long long offset_ = 0;
  std::string partial_;
  std::vector<std::string> lines_;
};

}  // namespace sigh::conform::detail
