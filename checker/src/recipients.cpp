#include "recipients.h"

#include <fmt/format.h>

#include <variant>

namespace sigh::checker {
namespace {

std::vector<std::string> names(const char* kind, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(fmt::format("{}{}", kind, i));
  return out;
}

Expected farm_members(const Topology& topo, int index1, Profile profile) {
  Expected e;
  const Farm& f = topo.farms[static_cast<std::size_t>(index1 - 1)];
  e.kind = Expected::Kind::one_of_pool;
  e.pool = "farm:" + f.name;
  for (int m : f.mules)
    // U12: in uWSGI only signal-only mules read farm queues.
    if (profile == Profile::strict || !topo.is_programmed_mule(m))
      e.procs.push_back(fmt::format("mule{}", m));
  e.why = fmt::format("one member of farm {}", f.name);
  if (e.procs.empty()) {
    e.kind = Expected::Kind::nobody;
    e.why =
        fmt::format("U12: farm {} has only programmed mules, which never read farm queues", f.name);
  }
  return e;
}

Expected strict_expected(const Target& t, const Topology& topo,
                         const std::vector<ProcessView>& workers) {
  Expected e;
  switch (t.kind) {
    case TargetKind::worker_pool:
      e.kind = Expected::Kind::one_of_pool;
      e.pool = "worker-pool";
      e.procs = names("worker", 1, topo.workers);
      e.why = "S/C4: one idle worker";
      return e;
    case TargetKind::all_workers:
      e.kind = Expected::Kind::each;
      for (int i = 1; i <= topo.workers; ++i)
        if (!workers[static_cast<std::size_t>(i)].cheaped)
          e.procs.push_back(fmt::format("worker{}", i));
      e.why = "S7: every non-cheaped worker slot";
      return e;
    case TargetKind::active_workers:
      e.kind = Expected::Kind::each;
      for (int i = 1; i <= topo.workers; ++i) {
        const auto& w = workers[static_cast<std::size_t>(i)];
        if (w.alive && !w.cheaped) e.procs.push_back(fmt::format("worker{}", i));
      }
      e.why = "S7: every live, non-cheaped worker";
      return e;
    case TargetKind::worker:
      if (workers[static_cast<std::size_t>(t.index)].cheaped) {
        e.kind = Expected::Kind::nobody;
        e.why = "S7: worker is cheaped (rejected)";
      } else {
        e.kind = Expected::Kind::each;
        e.procs = {fmt::format("worker{}", t.index)};
        e.why = "workerN: worker N only";
      }
      return e;
    case TargetKind::spooler:
      e.kind = Expected::Kind::one_of_pool;
      e.pool = "spooler-pool";
      e.procs = names("spooler", 1, topo.spoolers);
      e.why = "one spooler";
      return e;
    case TargetKind::all_mules:
      e.kind = Expected::Kind::each;
      e.procs = names("mule", 1, topo.mules);
      e.why = "every mule";
      return e;
    case TargetKind::mule_pool:
      e.kind = Expected::Kind::one_of_pool;
      e.pool = "mule-pool";
      e.procs = names("mule", 1, topo.mules);
      e.why = "one mule";
      return e;
    case TargetKind::mule:
      e.kind = Expected::Kind::each;
      e.procs = {fmt::format("mule{}", t.index)};
      e.why = "muleN: mule N only";
      return e;
    case TargetKind::farm_name:
      for (std::size_t i = 0; i < topo.farms.size(); ++i)
        if (topo.farms[i].name == t.farm)
          return farm_members(topo, static_cast<int>(i) + 1, Profile::strict);
      break;
    case TargetKind::farm_index:
      if (t.index >= 1 && t.index <= static_cast<int>(topo.farms.size()))
        return farm_members(topo, t.index, Profile::strict);
      break;
  }
  e.kind = Expected::Kind::nobody;
  e.why = "no such farm";
  return e;
}

}  // namespace

Expected expected_recipients(Profile profile, const std::string& receiver, const Topology& topo,
                             const std::vector<ProcessView>& workers) {
  Expected e;
  if (profile == Profile::strict) {
    auto parsed = parse_target_strict(receiver);
    if (std::holds_alternative<TargetError>(parsed) ||
        validate_target(std::get<Target>(parsed), topo)) {
      e.kind = Expected::Kind::nobody;
      e.why = "S2: invalid target, registration refused";
      return e;
    }
    return strict_expected(std::get<Target>(parsed), topo, workers);
  }
  LooseRoute r = evaluate_target_uwsgi(receiver, topo);
  switch (r.outcome) {
    case LooseOutcome::worker_pool:
      return strict_expected(Target{TargetKind::worker_pool, 0, {}}, topo, workers);
    case LooseOutcome::all_workers:
      e.kind = Expected::Kind::each;
      e.procs = names("worker", 1, topo.workers);  // U5: every slot, whatever its state
      e.why = "U5: every worker slot";
      return e;
    case LooseOutcome::active_workers:
      return strict_expected(Target{TargetKind::active_workers, 0, {}}, topo, workers);
    case LooseOutcome::worker:
      e.kind = Expected::Kind::each;
      e.procs = {fmt::format("worker{}", r.index)};
      e.why = "U2 branch 4: worker N's private socket";
      return e;
    case LooseOutcome::spooler:
      if (topo.spoolers > 0)
        return strict_expected(Target{TargetKind::spooler, 0, {}}, topo, workers);
      break;
    case LooseOutcome::all_mules:
      return strict_expected(Target{TargetKind::all_mules, 0, {}}, topo, workers);
    case LooseOutcome::mule_pool:
      if (topo.mules > 0)
        return strict_expected(Target{TargetKind::mule_pool, 0, {}}, topo, workers);
      break;
    case LooseOutcome::mule:
      return strict_expected(Target{TargetKind::mule, r.index, {}}, topo, workers);
    case LooseOutcome::farm:
      return farm_members(topo, r.index, Profile::uwsgi_2_0);
    default:
      break;
  }
  e.kind = Expected::Kind::nobody;
  e.why = fmt::format("U2: {} delivers to nobody", loose_outcome_name(r.outcome));
  return e;
}

}  // namespace sigh::checker
