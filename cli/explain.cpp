#include "explain.h"

#include <fmt/format.h>

#include <variant>

namespace sigh::cli {
namespace {

std::string range(std::string_view kind, int n) {
  if (n <= 0) return fmt::format("(no {}s)", kind);
  if (n == 1) return fmt::format("{}1", kind);
  return fmt::format("{}1..{}{}", kind, kind, n);
}

std::string farm_members(const Farm& f) {
  std::string s;
  for (int m : f.mules) s += fmt::format("{}mule{}", s.empty() ? "" : ", ", m);
  return s;
}

std::string strict_recipients(const Target& t, const Topology& topo) {
  switch (t.kind) {
    case TargetKind::worker_pool:
      return fmt::format("exactly one idle worker among {}", range("worker", topo.workers));
    case TargetKind::all_workers:
      return fmt::format("every non-cheaped worker slot: {} (a dead slot runs it after respawn)",
                         range("worker", topo.workers));
    case TargetKind::active_workers:
      return "every live, non-cheaped worker at routing time";
    case TargetKind::worker:
      return fmt::format("worker{} only (rejected while it is cheaped)", t.index);
    case TargetKind::spooler:
      return fmt::format("exactly one spooler among {}", range("spooler", topo.spoolers));
    case TargetKind::all_mules:
      return fmt::format("every mule: {}", range("mule", topo.mules));
    case TargetKind::mule_pool:
      return fmt::format("exactly one mule among {}", range("mule", topo.mules));
    case TargetKind::mule:
      return fmt::format("mule{} only", t.index);
    case TargetKind::farm_name:
    case TargetKind::farm_index: {
      for (std::size_t i = 0; i < topo.farms.size(); ++i) {
        const Farm& f = topo.farms[i];
        if ((t.kind == TargetKind::farm_name && f.name == t.farm) ||
            (t.kind == TargetKind::farm_index && static_cast<int>(i) + 1 == t.index))
          return fmt::format("exactly one member of farm {} (farm{}): {}", f.name, i + 1,
                             farm_members(f));
      }
      return "no such farm";
    }
  }
  return "?";
}

std::string loose_recipients(const LooseRoute& r, const Topology& topo) {
  switch (r.outcome) {
    case LooseOutcome::worker_pool:
      return fmt::format("one worker among {} that wins the read of the shared pool socket",
                         range("worker", topo.workers));
    case LooseOutcome::all_workers:
      return fmt::format("every worker slot {} whatever its state (cheaped/dead slots queue it)",
                         range("worker", topo.workers));
    case LooseOutcome::active_workers:
      return "live, non-cheaped, non-suspended workers at routing time (none: silently lost)";
    case LooseOutcome::worker:
      return fmt::format("worker{}'s private socket (queued while it is busy, cheaped or dead)",
                         r.index);
    case LooseOutcome::worker_slot_zero:
      return "workers[0] (the master's slot): the write goes to the master's fd 0 — environment "
             "dependent, EBADF when stdin is read-only";
    case LooseOutcome::worker_out_of_bounds:
      return fmt::format("workers[{}]: out-of-bounds read of the worker table", r.index);
    case LooseOutcome::subscribed_noop:
      return "nobody (silent no-op)";
    case LooseOutcome::spooler:
      return topo.spoolers > 0
                 ? fmt::format("one spooler among {}", range("spooler", topo.spoolers))
                 : "nobody: no spooler socket (EBADF), dropped";
    case LooseOutcome::all_mules:
      return topo.mules > 0 ? fmt::format("every mule {}", range("mule", topo.mules))
                            : "nobody (0 mules: silent no-op)";
    case LooseOutcome::mule_pool:
      return topo.mules > 0 ? fmt::format("one mule among {}", range("mule", topo.mules))
                            : "nobody: no mule socket (EBADF), dropped";
    case LooseOutcome::mule:
      return fmt::format("mule{}'s private socket", r.index);
    case LooseOutcome::mule_invalid:
      return "nobody: invalid signal target, dropped";
    case LooseOutcome::mule_negative:
      return fmt::format("mules[{}]: out-of-bounds (the master segfaults when there are no mules)",
                         r.index - 1);
    case LooseOutcome::farm: {
      if (r.index >= 1 && r.index <= static_cast<int>(topo.farms.size())) {
        const Farm& f = topo.farms[static_cast<std::size_t>(r.index - 1)];
        return fmt::format("farm {} (farm{}): one signal-only member among {}", f.name, r.index,
                           farm_members(f));
      }
      return fmt::format("farm{}", r.index);
    }
    case LooseOutcome::farm_unknown_name:
      return "nobody: unknown farm, dropped";
    case LooseOutcome::farm_invalid_index:
      return "nobody: invalid signal target, dropped";
    case LooseOutcome::unsupported:
      return "nobody: unsupported signal target, dropped";
  }
  return "?";
}

}  // namespace

Explanation explain_target(std::string_view target, Profile profile, const Topology& topo) {
  Explanation e;
  std::string quoted = fmt::format("\"{}\"", target);
  if (profile == Profile::strict) {
    auto parsed = parse_target_strict(target);
    if (auto* err = std::get_if<TargetError>(&parsed)) {
      e.text = fmt::format("target {} (strict): rejected at registration\n  error: {}\n", quoted,
                           err->message());
      return e;
    }
    const Target& t = std::get<Target>(parsed);
    if (auto err = validate_target(t, topo)) {
      e.text = fmt::format(
          "target {} (strict): well-formed ({}) but rejected for this topology\n  error: {}\n",
          quoted, t.str(), err->message());
      return e;
    }
    e.ok = true;
    e.text = fmt::format("target {} (strict): canonical \"{}\"\n  recipients: {}\n", quoted,
                         t.str(), strict_recipients(t, topo));
    return e;
  }
  LooseRoute r = evaluate_target_uwsgi(target, topo);
  e.ok = !r.undefined_behaviour() && r.log.empty() && r.outcome != LooseOutcome::subscribed_noop &&
         !(r.outcome == LooseOutcome::all_mules && topo.mules == 0);
  e.text = fmt::format("target {} (uwsgi-2.0): branch {} of uwsgi_route_signal -> {}\n", quoted,
                       r.branch, loose_outcome_name(r.outcome));
  e.text += fmt::format("  recipients: {}\n", loose_recipients(r, topo));
  if (!r.log.empty()) e.text += fmt::format("  uWSGI logs: {}\n", r.log);
  if (r.undefined_behaviour())
    e.text += "  undefined behaviour: uWSGI 2.0.21 has no defined outcome here\n";
  return e;
}

}  // namespace sigh::cli
