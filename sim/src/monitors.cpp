// File monitors on the virtual file set (U11, S10).
#include <algorithm>
#include <string>

#include "sim_core.h"

namespace sigh::sim {

// Monitors are armed at master checks; the path must exist then (§8.1: an
// inotify_add_watch failure is silent and never retried).
void SimCore::arm_monitors() {
  for (Monitor& m : monitors_) {
    if (m.armed || m.dead || now() < m.src.at) continue;
    if (!files_.count(m.src.path)) {
      m.dead = true;
      if (recording())
        emit(EventKind::note, m.src.sig, "master", {}, {},
             "monitored path does not exist when armed: never fires: " + m.src.path);
      continue;
    }
    m.armed = true;
  }
}

void SimCore::touch(const std::string& path) {
  files_.insert(path);
  if (strict_) {
    // S10: every touch fires each monitor on that path once; no coalescing.
    for (Monitor& m : monitors_) {
      if (!m.armed || m.src.path != path) continue;
      if (m.src.iterations > 0 && m.fired >= m.src.iterations) continue;  // S8
      ++m.fired;
      emit(EventKind::monitor_fire, m.src.sig, "master", {}, {}, path);
      route(m.src.sig);
    }
    return;
  }
  // U11: one shared inotify fd; the master reads the whole batch and routes one
  // signal, for the last touched path. Where a batch ends depends on timing: touches made
  // back to back may still be read as two batches (seen on real uWSGI), so the seeded
  // scheduler decides whether the master read the pending batch before this touch.
  if (monitor_batch_pending_ && pick(2) == 1) fire_monitor_batch();
  last_touched_ = path;
  if (!monitor_batch_pending_) {
    monitor_batch_pending_ = true;
    schedule(std::max(now() + kHop, master_busy_until_), kPrioSource, Ev::monitor_batch);
  }
}

void SimCore::on_monitor_batch() {
  monitor_batch_pending_ = false;
  fire_monitor_batch();
}

void SimCore::fire_monitor_batch() {
  const Monitor* hit = nullptr;
  for (const Monitor& m : monitors_)  // U11: the last-registered monitor of that path wins
    if (m.armed && m.src.path == last_touched_) hit = &m;
  if (hit == nullptr) return;
  emit(EventKind::monitor_fire, hit->src.sig, "master", {}, {}, last_touched_);
  route(hit->src.sig);
}

}  // namespace sigh::sim
