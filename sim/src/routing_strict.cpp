// strict routing: sigharness's documented semantics with uWSGI's defects fixed
// (profiles.md S1, S4, S5, S7). The ONE place where these rules live.
#include <string>
#include <variant>

#include "sim_core.h"

namespace sigh::sim {

void SimCore::reject(int sig, std::string_view target, std::string_view why) {
  ++res_.stats.rejected;
  emit(EventKind::reject, sig, "master", {}, target, why);
}

void SimCore::route_strict(int sig) {
  const Entry* newest = table_.newest(sig);
  if (newest == nullptr) {
    // S5: unregistered: held for a waiter that accepts it; idle workers never see it.
    emit(EventKind::route, sig, "master", {}, {}, "waiters");
    enqueue(q_waiters_, sig, "master");
    return;
  }
  // S1: the most recent registration anywhere decides, whoever made it.
  const std::string& receiver = newest->receiver;
  const auto s = static_cast<std::size_t>(sig);
  if (strict_ver_[s] != table_.version(sig)) {
    auto parsed = parse_target_strict(receiver);
    strict_invalid_[s] = !std::holds_alternative<Target>(parsed);
    if (!strict_invalid_[s]) strict_target_[s] = std::get<Target>(parsed);
    strict_ver_[s] = table_.version(sig);
  }
  if (strict_invalid_[s]) {  // S2 makes this unreachable; kept as a guard, never silent
    reject(sig, receiver, "invalid target");
    return;
  }
  const Target& t = *strict_target_[s];
  if (recording()) emit(EventKind::route, sig, "master", {}, receiver, t.str());
  switch (t.kind) {
    case TargetKind::worker_pool:
      enqueue(q_wpool_, sig, "master");
      return;
    case TargetKind::all_workers:
      // S7: every non-cheaped slot; a dead slot keeps its queue until respawn.
      for (int i = 1; i <= topo_.workers; ++i)
        if (!worker(i).cheaped) enqueue(worker(i).queue, sig, "master");
      return;
    case TargetKind::active_workers: {
      // S7: only live, non-cheaped, non-dead workers; none => explicit rejection.
      bool any = false;
      for (int i = 1; i <= topo_.workers; ++i)
        if (worker(i).alive && !worker(i).cheaped)
          enqueue(worker(i).queue, sig, "master"), any = true;
      if (!any) reject(sig, receiver, "no active worker");
      return;
    }
    case TargetKind::worker:
      if (worker(t.index).cheaped) {  // S7: never queued for a cheaped worker
        if (recording())
          reject(sig, receiver, "worker " + std::to_string(t.index) + " is cheaped");
        else
          ++res_.stats.rejected;
      } else {
        enqueue(worker(t.index).queue, sig, "master");
      }
      return;
    case TargetKind::spooler:
      enqueue(q_spool_, sig, "master");
      return;
    case TargetKind::all_mules:
      for (int i = 1; i <= topo_.mules; ++i) enqueue(mule(i).queue, sig, "master");
      return;
    case TargetKind::mule_pool:
      enqueue(q_mpool_, sig, "master");
      return;
    case TargetKind::mule:
      enqueue(mule(t.index).queue, sig, "master");
      return;
    case TargetKind::farm_name:  // S12: the farm's queue, read by every member
      for (std::size_t f = 0; f < topo_.farms.size(); ++f)
        if (topo_.farms[f].name == t.farm) enqueue(farm_queue_[f], sig, "master");
      return;
    case TargetKind::farm_index:
      enqueue(farm_queue_[static_cast<std::size_t>(t.index - 1)], sig, "master");
      return;
  }
}

}  // namespace sigh::sim
