#include "faketime.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "process_ctl.h"

namespace sigh::conform::detail {

std::int64_t real_wall_now() { return static_cast<std::int64_t>(::time(nullptr)); }

std::int64_t real_wall_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

std::string format_offset(std::int64_t offset_ns) {
  const char* sign = offset_ns < 0 ? "-" : "+";
  std::uint64_t mag = offset_ns < 0 ? 0 - static_cast<std::uint64_t>(offset_ns)
                                    : static_cast<std::uint64_t>(offset_ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", sign,
                static_cast<unsigned long long>(mag / kNsPerSec),
                static_cast<unsigned long long>(mag % kNsPerSec));
  return buf;
}

void FakeClock::anchor(std::int64_t fake_wall_s) {
  offset_ns = fake_wall_s * kNsPerSec - real_wall_now_ns();
}

std::vector<std::string> FakeClock::env() const {
  return {"LD_PRELOAD=" + lib,
          "FAKETIME_TIMESTAMP_FILE=" + file,
          "FAKETIME_NO_CACHE=1",
          "FAKETIME_DONT_FAKE_MONOTONIC=1",
          "TZ=UTC",
          "LC_ALL=C"};
}

bool FakeClock::write_offset(std::string* why) const {
  // Write a new file and rename it: a reader never sees a half-written offset.
  std::string tmp = file + ".new";
  {
    std::ofstream out(tmp);
    out << format_offset(offset_ns) << "\n";
    if (!out) {
      if (why) *why = "cannot write " + tmp;
      return false;
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    if (why) *why = "cannot rename " + tmp;
    return false;
  }
  return true;
}

std::string faketime_self_test(const std::string& lib, const std::string& dir) {
  if (access(lib.c_str(), R_OK) != 0) return "libfaketime not found at " + lib;
  // A year and half a second: the half second proves fractional offsets are honoured, which
  // the driver relies on to put wall_start exactly at t0.
  FakeClock fc{lib, dir + "/faketime-selftest", 86400LL * 365 * kNsPerSec + kNsPerSec / 2};
  std::string why;
  if (!fc.write_offset(&why)) return why;
  std::string out = dir + "/faketime-selftest.out";
  std::int64_t before = real_wall_now_ns();
  Child c = spawn_in_session({"/bin/date", "+%s.%N"}, fc.env(), out, &why);
  if (c.pid < 0) return "cannot run /bin/date: " + why;
  int status = 0;
  Nanos deadline = mono_now() + 5 * kNsPerSec;
  while (waitpid(c.pid, &status, WNOHANG) == 0) {
    if (mono_now() > deadline) {
      stop_child(c, kNsPerSec);
      return "faketime self-test: /bin/date hung";
    }
    sleep_for(5 * kNsPerMs);
  }
  std::int64_t after = real_wall_now_ns();
  std::ifstream in(out);
  std::string printed;
  in >> printed;
  std::remove(out.c_str());
  std::remove(fc.file.c_str());
  std::int64_t got = 0;
  if (auto dot = printed.find('.'); dot != std::string::npos && printed.size() == dot + 10) {
    try {
      got = std::stoll(printed.substr(0, dot)) * kNsPerSec + std::stoll(printed.substr(dot + 1));
    } catch (const std::exception&) {
      got = 0;
    }
  }
  // The faked reading must fall between the real readings around the run, shifted by the
  // offset (10 ms of slack for clock granularity).
  const std::int64_t slack = 10 * kNsPerMs;
  if (got < before + fc.offset_ns - slack || got > after + fc.offset_ns + slack)
    return fmt::format(
        "faketime self-test failed: /bin/date printed '{}', expected between {} and {} "
        "(offset {})",
        printed, format_offset(before + fc.offset_ns), format_offset(after + fc.offset_ns),
        format_offset(fc.offset_ns));
  return "";
}

}  // namespace sigh::conform::detail
