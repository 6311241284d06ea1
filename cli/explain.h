#pragma once
// What a target string means under a profile and topology, in words. Reads
// the same specs/ functions the backends use (parse_target_strict,
// validate_target, evaluate_target_uwsgi), so a fuzzer finding is explainable.
#include <string>
#include <string_view>

#include "sigharness/target.h"
#include "sigharness/topology.h"

namespace sigh::cli {

struct Explanation {
  bool ok = false;   // strict: accepted; uwsgi-2.0: something is delivered
  std::string text;  // multi-line, ends with '\n'
};

Explanation explain_target(std::string_view target, Profile profile, const Topology& topo);

}  // namespace sigh::cli
