#pragma once
// The target grammar, in one place, under both profiles.
//   strict    : parse_target_strict() + validate_target() — sigharness's grammar,
//               checked at registration, errors name the offending character.
//   uwsgi-2.0 : evaluate_target_uwsgi() — uWSGI 2.0.21's uwsgi_route_signal
//               branch order (core/signal.c L316-418) with atoi parsing,
//               evaluated at routing time (reference §3).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "sigharness/topology.h"

namespace sigh {

enum class Profile { strict, uwsgi_2_0 };
std::string_view profile_name(Profile p);  // "strict" | "uwsgi-2.0"
std::optional<Profile> parse_profile(std::string_view s);

enum class TargetKind {
  worker_pool,     // "", "worker", "worker0": one idle worker
  all_workers,     // "workers"
  active_workers,  // "active-workers": live, non-cheaped workers at routing time
  worker,          // "workerN"
  spooler,         // "spooler": one spooler
  all_mules,       // "mules"
  mule_pool,       // "mule", "mule0": one mule
  mule,            // "muleN"
  farm_name,       // "farm_NAME"
  farm_index,      // "farmN" (1-based)
};

struct Target {
  TargetKind kind = TargetKind::worker_pool;
  int index = 0;     // worker/mule/farm index where relevant
  std::string farm;  // farm_name only

  std::string str() const;  // canonical receiver string ("worker" for the pool)
  bool operator==(const Target&) const = default;
};

struct TargetError {
  std::string input;
  std::size_t offset = 0;  // byte offset of the offending character
  std::string why;
  std::string message() const;  // "target \"worker1x\": at offset 7 ('x'): <why>"
};

// Strict syntax: "" | worker | worker0 | workers | active-workers | worker<N>
// (N = 1..9999, no sign, no leading zero, no trailing bytes) | mules | mule |
// mule0 | mule<N> | spooler | farm_<name> (name: [A-Za-z0-9_.-]{1,58}) |
// farm<N>. "subscribed" and "cluster" are rejected (not implemented by uWSGI).
// Receivers longer than 63 bytes are rejected (uWSGI's receiver[64]).
std::variant<Target, TargetError> parse_target_strict(std::string_view s);

// Strict check against a topology (worker index in range, mules exist, farm
// exists, spooler configured...). nullopt when fine.
std::optional<TargetError> validate_target(const Target& t, const Topology& topo);

// uWSGI 2.0.21's glibc atoi: leading isspace, optional sign, digits, stops at
// the first non-digit; no digits => 0; overflow => (int)strtol (saturates to
// LONG_MAX/LONG_MIN, then truncated to int).
int uwsgi_atoi(std::string_view s);

// What uwsgi_route_signal does with a receiver string at routing time.
enum class LooseOutcome {
  worker_pool,       // branch 1
  all_workers,       // branch 2
  active_workers,    // branch 3
  worker,            // branch 4, 1 <= index <= workers
  worker_slot_zero,  // branch 4, index 0 ("worker00", "workerfoo", "workers2"): writes the master's
                     // fd 0
  worker_out_of_bounds,  // branch 4, index > workers or < 0: logs, then indexes out of bounds (UB)
  subscribed_noop,       // branch 5: silent no-op
  spooler,               // branch 6 (drops with EBADF when there is no spooler)
  all_mules,             // branch 7 (silent no-op with 0 mules)
  mule_pool,             // branch 8, index 0 (EBADF when there are no mules)
  mule,                  // branch 8, 1 <= index <= mules
  mule_invalid,          // branch 8, index > mules: "invalid signal target", dropped
  mule_negative,       // branch 8, index < 0: mules[i-1] out of bounds (UB; master segfault with no
                       // mules)
  farm,                // branch 9/10 resolved to a farm (index is 1-based)
  farm_unknown_name,   // branch 9: "unknown farm", dropped
  farm_invalid_index,  // branch 10: "invalid signal target", dropped
  unsupported,         // branch 11: "^^^ UNSUPPORTED SIGNAL TARGET ^^^", dropped
};

struct LooseRoute {
  LooseOutcome outcome = LooseOutcome::unsupported;
  int index = 0;   // parsed number (worker/mule/farm), 1-based farm index when resolved
  int branch = 0;  // 1..11, the branch of reference §3.2 that matched
  // What uWSGI logs / what happens; "" when it is silent.
  std::string log;
  bool undefined_behaviour() const {
    return outcome == LooseOutcome::worker_out_of_bounds ||
           outcome == LooseOutcome::mule_negative || outcome == LooseOutcome::worker_slot_zero;
  }
};

LooseRoute evaluate_target_uwsgi(std::string_view receiver, const Topology& topo);
std::string_view loose_outcome_name(LooseOutcome o);

}  // namespace sigh
