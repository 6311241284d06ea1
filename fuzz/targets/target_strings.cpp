// Differential fuzz target for target strings.
// Input: 4 topology bytes (workers, mules, farms, spoolers), then the receiver.
// Invariants (crash = finding):
//  1. wherever the strict parser accepts (and validates for the topology), the
//     uwsgi-2.0 loose evaluation routes to the same recipients;
//  2. every string the loose evaluation sends to undefined behaviour is
//     rejected by strict;
//  3. explain (the CLI's code path) never fails on any input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "sigharness/target.h"
#include "target_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  sigh::Topology topo = sigh::fuzz::topology_from_bytes(data);
  std::string receiver(reinterpret_cast<const char*>(data + 4), size - 4);
  sigh::fuzz::DiffResult d = sigh::fuzz::compare_target(receiver, topo);
  if (d.kind == sigh::fuzz::DiffKind::disagreement ||
      d.kind == sigh::fuzz::DiffKind::strict_accepts_ub) {
    std::fprintf(stderr, "target-strings finding: %s\n", d.description.c_str());
    std::abort();
  }
  return 0;
}
