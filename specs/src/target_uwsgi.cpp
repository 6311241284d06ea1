// uWSGI 2.0.21's uwsgi_route_signal target evaluation (core/signal.c
// L316-418), branch by branch, with glibc atoi (reference §3). This is the one
// place the uwsgi-2.0 target rules live.
#include <climits>
#include <cstdint>
#include <string>

#include "sigharness/target.h"

namespace sigh {

int uwsgi_atoi(std::string_view s) {
  std::size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (i < s.size() && space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  // strtol on LP64: saturate to LONG_MAX / LONG_MIN, then atoi truncates to int.
  std::uint64_t mag = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (!overflow) {
      mag = mag * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (mag > static_cast<std::uint64_t>(LONG_MAX) + (negative ? 1u : 0u)) overflow = true;
    }
  }
  std::uint64_t as_long;  // two's complement bits of the long result
  if (overflow)
    as_long = negative ? (std::uint64_t{1} << 63) : static_cast<std::uint64_t>(LONG_MAX);
  else
    as_long = negative ? (0 - mag) : mag;
  // (int) of a long keeps the low 32 bits (well defined modular conversion since C++20).
  return static_cast<int>(static_cast<std::uint32_t>(as_long & 0xffffffffu));
}

std::string_view loose_outcome_name(LooseOutcome o) {
  switch (o) {
    case LooseOutcome::worker_pool:
      return "worker-pool";
    case LooseOutcome::all_workers:
      return "all-workers";
    case LooseOutcome::active_workers:
      return "active-workers";
    case LooseOutcome::worker:
      return "worker";
    case LooseOutcome::worker_slot_zero:
      return "worker-slot-zero";
    case LooseOutcome::worker_out_of_bounds:
      return "worker-out-of-bounds";
    case LooseOutcome::subscribed_noop:
      return "subscribed-noop";
    case LooseOutcome::spooler:
      return "spooler";
    case LooseOutcome::all_mules:
      return "all-mules";
    case LooseOutcome::mule_pool:
      return "mule-pool";
    case LooseOutcome::mule:
      return "mule";
    case LooseOutcome::mule_invalid:
      return "mule-invalid";
    case LooseOutcome::mule_negative:
      return "mule-negative";
    case LooseOutcome::farm:
      return "farm";
    case LooseOutcome::farm_unknown_name:
      return "farm-unknown-name";
    case LooseOutcome::farm_invalid_index:
      return "farm-invalid-index";
    case LooseOutcome::unsupported:
      return "unsupported";
  }
  return "?";
}

LooseRoute evaluate_target_uwsgi(std::string_view r, const Topology& topo) {
  auto starts = [&](std::string_view p) { return r.substr(0, p.size()) == p; };
  std::string recv(r);
  LooseRoute out;
  // Branch 1: "", "worker", "worker0" -> the any-worker pool.
  if (r.empty() || r == "worker" || r == "worker0") return {LooseOutcome::worker_pool, 0, 1, ""};
  // Branch 2: every worker slot, whatever its state.
  if (r == "workers") return {LooseOutcome::all_workers, 0, 2, ""};
  // Branch 3: live, non-cheaped workers; silent when nobody is active.
  if (r == "active-workers") return {LooseOutcome::active_workers, 0, 3, ""};
  // Branch 4: any other "worker..." -> atoi; no else after the bounds log.
  if (starts("worker")) {
    int i = uwsgi_atoi(r.substr(6));
    if (i > topo.workers || i < 0)
      return {LooseOutcome::worker_out_of_bounds, i, 4,
              i > topo.workers ? "invalid signal target: " + recv : std::string()};
    if (i == 0) return {LooseOutcome::worker_slot_zero, 0, 4, ""};
    return {LooseOutcome::worker, i, 4, ""};
  }
  // Branch 5: silent no-op.
  if (r == "subscribed") return {LooseOutcome::subscribed_noop, 0, 5, ""};
  // Branch 6: the guard tests the worker pipe, so with no spooler the write hits fd -1.
  if (r == "spooler") {
    if (topo.spoolers == 0)
      return {LooseOutcome::spooler, 0, 6,
              "uwsgi_signal_send(): Bad file descriptor [core/signal.c line 306] / could not "
              "deliver signal to the "
              "spooler"};
    return {LooseOutcome::spooler, 0, 6, ""};
  }
  // Branch 7: every mule; silent with none.
  if (r == "mules") return {LooseOutcome::all_mules, 0, 7, ""};
  // Branch 8: "mule..." -> atoi.
  if (starts("mule")) {
    int i = uwsgi_atoi(r.substr(4));
    if (i > topo.mules) return {LooseOutcome::mule_invalid, i, 8, "invalid signal target: " + recv};
    if (i < 0) return {LooseOutcome::mule_negative, i, 8, ""};
    if (i == 0) {
      if (topo.mules == 0)
        return {LooseOutcome::mule_pool, 0, 8,
                "uwsgi_signal_send(): Bad file descriptor [core/signal.c line 306] / could not "
                "deliver signal to a "
                "mule"};
      return {LooseOutcome::mule_pool, 0, 8, ""};
    }
    return {LooseOutcome::mule, i, 8, ""};
  }
  // Branch 9: "farm_NAME" by exact name.
  if (starts("farm_")) {
    std::string_view name = r.substr(5);
    for (std::size_t k = 0; k < topo.farms.size(); ++k)
      if (topo.farms[k].name == name) return {LooseOutcome::farm, static_cast<int>(k) + 1, 9, ""};
    return {LooseOutcome::farm_unknown_name, 0, 9, "unknown farm: " + std::string(name)};
  }
  // Branch 10: "farmN", 1-based.
  if (starts("farm")) {
    int i = uwsgi_atoi(r.substr(4));
    if (i <= 0 || i > static_cast<int>(topo.farms.size()))
      return {LooseOutcome::farm_invalid_index, i, 10, "invalid signal target: " + recv};
    return {LooseOutcome::farm, i, 10, ""};
  }
  // Branch 11.
  return {LooseOutcome::unsupported, 0, 11, "^^^ UNSUPPORTED SIGNAL TARGET: " + recv + " ^^^"};
}

}  // namespace sigh
