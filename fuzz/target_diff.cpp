#include "target_diff.h"

#include <fmt/format.h>

#include <variant>

namespace sigh::fuzz {

Topology topology_from_bytes(const std::uint8_t* b) {
  Topology t;
  t.workers = 1 + b[0] % 8;
  t.mules = b[1] % 5;
  int farms = t.mules > 0 ? b[2] % 3 : 0;
  // Farm names chosen to collide with the grammar: "a" and "1" (farm_1 vs farm1).
  const char* names[] = {"a", "1"};
  for (int i = 0; i < farms; ++i) t.farms.push_back({names[i], {1}});
  t.spoolers = b[3] % 2;
  return t;
}

std::string_view diff_kind_name(DiffKind k) {
  switch (k) {
    case DiffKind::same:
      return "same";
    case DiffKind::both_reject:
      return "both-reject";
    case DiffKind::strict_rejects:
      return "strict-rejects";
    case DiffKind::strict_rejects_ub:
      return "strict-rejects-ub";
    case DiffKind::disagreement:
      return "disagreement";
    case DiffKind::strict_accepts_ub:
      return "strict-accepts-ub";
  }
  return "?";
}

namespace {

// Does the loose route deliver to at least one process?
bool loose_delivers(const LooseRoute& r, const Topology& t) {
  switch (r.outcome) {
    case LooseOutcome::worker_pool:
    case LooseOutcome::all_workers:
    case LooseOutcome::active_workers:
    case LooseOutcome::worker:
    case LooseOutcome::mule:
    case LooseOutcome::farm:
      return true;
    case LooseOutcome::spooler:
      return t.spoolers > 0;
    case LooseOutcome::all_mules:
    case LooseOutcome::mule_pool:
      return t.mules > 0;
    default:
      return false;
  }
}

// Same recipients? Compares the strict meaning with the loose route.
bool same_recipients(const Target& s, const LooseRoute& r, const Topology& t) {
  switch (s.kind) {
    case TargetKind::worker_pool:
      return r.outcome == LooseOutcome::worker_pool;
    case TargetKind::all_workers:
      return r.outcome == LooseOutcome::all_workers;
    case TargetKind::active_workers:
      return r.outcome == LooseOutcome::active_workers;
    case TargetKind::worker:
      return r.outcome == LooseOutcome::worker && r.index == s.index;
    case TargetKind::spooler:
      return r.outcome == LooseOutcome::spooler && t.spoolers > 0;
    case TargetKind::all_mules:
      return r.outcome == LooseOutcome::all_mules;
    case TargetKind::mule_pool:
      return r.outcome == LooseOutcome::mule_pool;
    case TargetKind::mule:
      return r.outcome == LooseOutcome::mule && r.index == s.index;
    case TargetKind::farm_name:
      for (std::size_t i = 0; i < t.farms.size(); ++i)
        if (t.farms[i].name == s.farm)
          return r.outcome == LooseOutcome::farm && r.index == static_cast<int>(i) + 1;
      return false;
    case TargetKind::farm_index:
      return r.outcome == LooseOutcome::farm && r.index == s.index;
  }
  return false;
}

std::string topo_str(const Topology& t) {
  return fmt::format("workers={},mules={},farms={},spoolers={}", t.workers, t.mules, t.farms.size(),
                     t.spoolers);
}

}  // namespace

DiffResult compare_target(const std::string& receiver, const Topology& topo) {
  DiffResult d;
  LooseRoute loose = evaluate_target_uwsgi(receiver, topo);
  auto parsed = parse_target_strict(receiver);
  std::string why;
  bool strict_ok = false;
  if (auto* e = std::get_if<TargetError>(&parsed)) {
    why = e->message();
  } else if (auto err = validate_target(std::get<Target>(parsed), topo)) {
    why = err->message();
  } else {
    strict_ok = true;
  }
  std::string loose_desc = fmt::format("uwsgi-2.0 branch {} -> {} (index {})", loose.branch,
                                       loose_outcome_name(loose.outcome), loose.index);
  std::string quoted = fmt::format("{:?}", receiver);
  if (strict_ok) {
    if (loose.undefined_behaviour())
      d.kind = DiffKind::strict_accepts_ub;
    else if (!same_recipients(std::get<Target>(parsed), loose, topo))
      d.kind = DiffKind::disagreement;
    else
      d.kind = DiffKind::same;
    d.description = fmt::format("{} {}: strict accepts as \"{}\"; {}", quoted, topo_str(topo),
                                std::get<Target>(parsed).str(), loose_desc);
    return d;
  }
  if (loose.undefined_behaviour())
    d.kind = DiffKind::strict_rejects_ub;
  else if (loose_delivers(loose, topo))
    d.kind = DiffKind::strict_rejects;
  else
    d.kind = DiffKind::both_reject;
  d.description =
      fmt::format("{} {}: strict rejects ({}); {}", quoted, topo_str(topo), why, loose_desc);
  return d;
}

}  // namespace sigh::fuzz
