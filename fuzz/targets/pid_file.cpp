// Fuzz target: the pid-file reader. Any text gives a pid in 1..pid_max or a
// distinct error with a reason; never a crash.
#include "sigharness/real/pid_file.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sigh::real::PidResult r = sigh::real::parse_pid_text(text);
  if (r.ok()) {
    if (r.pid < 1 || r.pid > sigh::real::kPidMaxLimit) {
      std::fprintf(stderr, "pid-file finding: accepted pid %ld outside 1..pid_max\n",
                   static_cast<long>(r.pid));
      std::abort();
    }
  } else if (r.error->why.empty() || r.error->message().empty()) {
    std::fprintf(stderr, "pid-file finding: rejection without a reason\n");
    std::abort();
  }
  return 0;
}
