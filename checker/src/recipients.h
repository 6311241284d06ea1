#pragma once
// Who the model says must receive a routed signal, per profile. This is the
// checker's own, deliberately small reading of the rules (specs/SEMANTICS.md);
// it shares only the target grammar (specs/) with the backends.
#include <optional>
#include <string>
#include <vector>

#include "sigharness/target.h"
#include "sigharness/topology.h"

namespace sigh::checker {

struct ProcessView {
  bool alive = true;
  bool cheaped = false;
};

struct Expected {
  enum class Kind {
    nobody,       // dropped, rejected or UB: no delivery allowed
    each,         // every process in `procs` gets exactly one byte
    one_of_pool,  // exactly one eligible reader of `pool` gets it
    unknown,      // the checker cannot decide (reported as unknown)
  } kind = Kind::unknown;
  std::vector<std::string> procs;  // each: recipients; one_of_pool: candidates
  std::string pool;                // "worker-pool", "mule-pool", "farm:NAME", "spooler-pool"
  std::string why;                 // the rule, for messages
};

// `workers` states indexed 1..W (index 0 unused); same for mules.
Expected expected_recipients(Profile profile, const std::string& receiver, const Topology& topo,
                             const std::vector<ProcessView>& workers);

}  // namespace sigh::checker
