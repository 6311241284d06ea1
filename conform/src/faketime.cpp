#include "faketime.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "process_ctl.h"

namespace sigh::conform::detail {

std::int64_t real_wall_now() { return static_cast<std::int64_t>(::time(nullptr)); }

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
    out << (offset_s >= 0 ? "+" : "") << offset_s << "\n";
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
  FakeClock fc{lib, dir + "/faketime-selftest", 86400 * 365};
  std::string why;
  if (!fc.write_offset(&why)) return why;
  std::string out = dir + "/faketime-selftest.out";
  Child c = spawn_in_session({"/bin/date", "+%s"}, fc.env(), out, &why);
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
  std::ifstream in(out);
  std::int64_t got = 0;
  in >> got;
  std::int64_t want = real_wall_now() + fc.offset_s;
  std::remove(out.c_str());
  std::remove(fc.file.c_str());
  if (got < want - 2 || got > want + 2) {
    std::ostringstream os;
    os << "faketime self-test failed: /bin/date printed " << got << ", expected " << want;
    return os.str();
  }
  return "";
}

}  // namespace sigh::conform::detail
