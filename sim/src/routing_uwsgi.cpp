// uwsgi-2.0 routing: what uWSGI 2.0.21's uwsgi_route_signal does with a byte
// the master read (reference §3, §4). The ONE place where these rules live.
#include <string>

#include "sim_core.h"

namespace sigh::sim {

void SimCore::drop(int sig, std::string_view target, std::string_view why) {
  ++res_.stats.dropped;
  emit(EventKind::drop, sig, "master", {}, target, why);
}

void SimCore::route_uwsgi(int sig) {
  // U1: the receiver comes from the master's row (row 0) only; a worker-side
  // registration's target is ignored, so an empty row 0 means "" = worker pool.
  const Entry& e = table_.at(0, sig);
  const std::string_view receiver = e.registered ? std::string_view(e.receiver) : "";
  // U2: evaluated at routing time (branch order §3.2, atoi); cached while the
  // table entry and the topology are unchanged (same input, same answer).
  const auto s = static_cast<std::size_t>(sig);
  if (!loose_route_[s] || loose_ver_[s] != table_.version(sig)) {
    loose_route_[s] = evaluate_target_uwsgi(receiver, topo_);
    loose_ver_[s] = table_.version(sig);
  }
  const LooseRoute& r = *loose_route_[s];
  emit(EventKind::route, sig, "master", {}, receiver, loose_outcome_name(r.outcome));
  switch (r.outcome) {
    case LooseOutcome::worker_pool:  // U6: unregistered numbers land here too
      enqueue(q_wpool_, sig, "master");
      return;
    case LooseOutcome::all_workers:
      // U5: every slot 1..W whatever its state; queues outlive their process.
      for (int i = 1; i <= topo_.workers; ++i) enqueue(worker(i).queue, sig, "master");
      return;
    case LooseOutcome::active_workers: {
      // U5: only live, non-cheaped slots; none => silent.
      bool any = false;
      for (int i = 1; i <= topo_.workers; ++i)
        if (worker(i).alive && !worker(i).cheaped)
          enqueue(worker(i).queue, sig, "master"), any = true;
      if (!any) drop(sig, receiver, "silent:no active worker");
      return;
    }
    case LooseOutcome::worker:  // U5: even to a cheaped or dead worker
      enqueue(worker(r.index).queue, sig, "master");
      return;
    case LooseOutcome::worker_slot_zero:
    case LooseOutcome::worker_out_of_bounds:
    case LooseOutcome::mule_negative:
      // U2: uWSGI has undefined behaviour here; the model delivers nothing.
      if (recording())
        emit(EventKind::undefined_behaviour, sig, "master", {}, receiver,
             std::string(loose_outcome_name(r.outcome)) + (r.log.empty() ? "" : ": " + r.log));
      return;
    case LooseOutcome::subscribed_noop:  // U2: silent
      drop(sig, receiver, "silent:subscribed is a no-op");
      return;
    case LooseOutcome::spooler:
      if (topo_.spoolers == 0) {
        if (recording())
          drop(sig, receiver, "ebadf: " + r.log);  // U2: logged EBADF
        else
          ++res_.stats.dropped;
      } else {
        enqueue(q_spool_, sig, "master");
      }
      return;
    case LooseOutcome::all_mules:
      if (topo_.mules == 0) drop(sig, receiver, "silent:no mules");  // U2: silent
      for (int i = 1; i <= topo_.mules; ++i) enqueue(mule(i).queue, sig, "master");
      return;
    case LooseOutcome::mule_pool:
      if (topo_.mules == 0) {
        if (recording())
          drop(sig, receiver, "ebadf: " + r.log);  // U2: logged EBADF
        else
          ++res_.stats.dropped;
      } else {
        enqueue(q_mpool_, sig, "master");
      }
      return;
    case LooseOutcome::mule:
      enqueue(mule(r.index).queue, sig, "master");
      return;
    case LooseOutcome::farm:
      enqueue(farm_queue_[static_cast<std::size_t>(r.index - 1)], sig, "master");
      return;
    case LooseOutcome::mule_invalid:
    case LooseOutcome::farm_unknown_name:
    case LooseOutcome::farm_invalid_index:
    case LooseOutcome::unsupported:
      drop(sig, receiver, r.log);  // U2: logged drops, detail = uWSGI's log line
      return;
  }
}

}  // namespace sigh::sim
