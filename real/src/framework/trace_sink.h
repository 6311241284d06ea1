#pragma once
// Shared trace sink: every process appends one JSON line per event (trace.h format) with a single
// write() to one O_APPEND file, so lines never interleave. Timestamps: CLOCK_MONOTONIC since the
// run start, times the run's time scale (virtual ns).
#include <cstdint>
#include <optional>
#include <string>

#include "sigharness/trace.h"

namespace sigh::real::detail {

class TraceSink {
 public:
  bool open(const std::string& path, std::string* why);
  // Logs to a copy of `fd` (e.g. stderr for `sigharness serve`): JSON lines, or text lines
  // ("    1.234567 handler-start sig=11 proc=worker1") when `text`.
  bool open_fd(int fd, bool text, std::string* why);
  void close();
  ~TraceSink() { close(); }
  void set_start(Nanos t0_mono, double scale) {
    t0_ = t0_mono;
    scale_ = scale;
  }
  Nanos now() const;  // virtual ns since start
  void emit(EventKind k, int sig, const std::string& proc, const std::string& queue = {},
            const std::string& target = {}, const std::string& detail = {},
            std::optional<std::int64_t> value = {}, std::optional<std::int64_t> wall = {});
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  bool text_ = false;
  std::string path_;
  Nanos t0_ = 0;
  double scale_ = 1.0;
};

}  // namespace sigh::real::detail
