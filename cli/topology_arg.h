#pragma once
// `--topology workers=4,mules=2,farms=a:1,2;b:3,spoolers=1,cheaper=2`
#include <string>
#include <string_view>
#include <variant>

#include "sigharness/topology.h"

namespace sigh::cli {

// Returns the topology, or an error message naming the offending part.
std::variant<Topology, std::string> parse_topology_arg(std::string_view s);

}  // namespace sigh::cli
