#pragma once
// Classifies how the strict grammar and the uwsgi-2.0 loose evaluation treat a
// receiver string for a topology. Shared by the differential fuzz target, its
// census tool, and the unit test that pins the documented differences.
#include <cstdint>
#include <string>

#include "sigharness/target.h"
#include "sigharness/topology.h"

namespace sigh::fuzz {

enum class DiffKind {
  same,               // strict accepts and loose routes to the same recipients
  both_reject,        // strict rejects and loose delivers nothing
  strict_rejects,     // strict rejects, loose delivers somewhere (a documented difference)
  strict_rejects_ub,  // strict rejects, loose has undefined behaviour (required)
  disagreement,       // strict accepts, loose routes elsewhere (a bug)
  strict_accepts_ub,  // strict accepts, loose is UB (a bug)
};

struct DiffResult {
  DiffKind kind = DiffKind::same;
  std::string
      description;  // "\"worker1abc\" workers=2: strict rejects (...); uwsgi-2.0 -> worker 1"
};

Topology topology_from_bytes(const std::uint8_t* four);
DiffResult compare_target(const std::string& receiver, const Topology& topo);
std::string_view diff_kind_name(DiffKind k);

}  // namespace sigh::fuzz
