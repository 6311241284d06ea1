// Fuzz target: the trace reader. Any input gives a Trace or a TraceReadError;
// an accepted trace must serialise and read back to the same trace.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "sigharness/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  sigh::TraceReadError err;
  auto trace = sigh::read_trace(in, &err);
  if (!trace) {
    if (err.why.empty()) {
      std::fprintf(stderr, "trace-reader finding: rejection without a reason\n");
      std::abort();
    }
    return 0;
  }
  std::ostringstream out;
  sigh::write_trace(out, *trace);
  std::istringstream back(out.str());
  auto again = sigh::read_trace(back, &err);
  if (!again || again->events != trace->events || !(again->header == trace->header)) {
    std::fprintf(stderr, "trace-reader finding: accepted trace does not round-trip\n%s\n",
                 out.str().c_str());
    std::abort();
  }
  return 0;
}
