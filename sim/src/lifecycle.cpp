// Process lifecycle (C7): kill/crash -> exit -> respawn 1 ms later; cheap and
// spawn; what survives a process (U5: queues; S7: cheaping rejects the
// backlog; S11: a new incarnation's row is the master's).
#include "sim_core.h"

namespace sigh::sim {

void SimCore::die(Proc& p, std::string_view why) {
  p.stop();
  emit(EventKind::exit, -1, p.name, {}, {}, why);
  schedule(now() + kRespawnDelay, kPrioSource, Ev::respawn, index_of(p));
}

void SimCore::on_respawn(int idx) {
  Proc& p = procs_[static_cast<std::size_t>(idx)];
  if (p.alive || p.cheaped) return;
  p.alive = true;
  p.received = strict_ ? -1 : 0;
  emit(EventKind::respawn, -1, p.name);
  start_process(p);
}

void SimCore::start_process(Proc& p) {
  emit(EventKind::spawn, -1, p.name);
  if (p.is_worker()) {
    if (strict_ && table_.reset_row_to_master(p.id.index))  // S11
      emit(EventKind::note, -1, p.name, {}, {},
           "handlers registered after fork are gone in the new incarnation");
    if (topo_.lazy_apps)  // C9: the new incarnation imports the app again
      for (const auto& r : sc_.registrations)
        if (r.by.kind == ProcessKind::master) {
          Registration copy = r;
          copy.by = p.id;
          do_register(copy);
        }
  }
  // U5: a queue that outlived the previous incarnation is drained now (burst).
  if (p.queue >= 0 && !queues_[static_cast<std::size_t>(p.queue)].empty())
    probe(Probe::respawn_with_backlog);
  ready_soon(p);
}

void SimCore::lifecycle(const LifecycleAction& l) {
  Proc& p = proc_of(l.process);
  switch (l.kind) {
    case LifecycleAction::kill:
    case LifecycleAction::crash:
      if (!p.alive) {
        emit(EventKind::note, -1, p.name, {}, {}, "not running: nothing to kill");
        return;
      }
      emit(EventKind::kill, -1, p.name, {}, {},
           l.kind == LifecycleAction::kill ? "SIGKILL" : "crash");
      if (p.in_handler) emit(EventKind::handler_end, -1, p.name, {}, {}, "crash");
      die(p, l.kind == LifecycleAction::kill ? "killed" : "crashed");
      return;
    case LifecycleAction::cheap: {
      if (p.cheaped) {
        emit(EventKind::note, -1, p.name, {}, {}, "already cheaped");
        return;
      }
      p.stop();
      p.cheaped = true;
      emit(EventKind::cheap, -1, p.name);
      if (strict_) {
        // S7: what was queued for a cheaped worker is rejected, never burst later.
        ByteQueue& q = queues_[static_cast<std::size_t>(p.queue)];
        while (!q.empty()) {
          ++res_.stats.rejected;
          emit(EventKind::reject, q.front(), p.name, q.name(), {}, "cheaped with backlog");
          q.pop();
        }
      }
      return;
    }
    case LifecycleAction::spawn:
      if (!p.cheaped) {
        emit(EventKind::note, -1, p.name, {}, {}, "not cheaped: nothing to spawn");
        return;
      }
      p.cheaped = false;
      p.alive = true;
      p.received = strict_ ? -1 : 0;
      start_process(p);
      return;
  }
}

}  // namespace sigh::sim
