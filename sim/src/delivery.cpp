// From queues to recipients: enqueue (U4/S4), readers waking (C4), the pool
// race (one byte, one reader, PRNG among the eligible), handlers (C5) and
// signal_wait (C6, U6/U7, S5/S6).
#include <algorithm>

#include "sim_core.h"

namespace sigh::sim {

// Writes one byte; a full queue drops (U4) or rejects (S4). False when refused.
bool SimCore::enqueue(int qi, int sig, std::string_view writer) {
  ByteQueue& q = queues_[static_cast<std::size_t>(qi)];
  if (!q.push(static_cast<std::uint8_t>(sig))) {
    probe(Probe::queue_full);
    if (strict_) {
      ++res_.stats.rejected;  // S4: explicit rejection naming the queue
      emit(EventKind::reject, sig, writer, q.name(), {}, "queue-full");
    } else {
      ++res_.stats.dropped;  // U4: "SIGNAL QUEUE IS FULL", the raiser is not told
      emit(EventKind::drop, sig, writer, q.name(), {}, "queue-full");
    }
    return false;
  }
  emit(EventKind::enqueue, sig, writer, q.name(), {}, {}, static_cast<std::int64_t>(q.size()));
  if (qi == q_up_ || qi == q_up_mules_ || qi == q_up_spoolers_) {
    if (!master_read_pending_) {
      master_read_pending_ = true;
      schedule(std::max(now() + kHop, master_busy_until_), kPrioMaster, Ev::master_read);
    }
  } else if (!q.check_pending) {
    q.check_pending = true;
    schedule(now() + kHop, kPrioQueue, Ev::queue_ready, qi);
  }
  return true;
}

// A queue got bytes: hand them to eligible readers, one byte per reader (C4).
void SimCore::on_queue_ready(int qi) {
  ByteQueue& q = queues_[static_cast<std::size_t>(qi)];
  q.check_pending = false;
  const std::vector<int>& all = readers_of_[static_cast<std::size_t>(qi)];
  std::vector<int>& readers = scratch_readers_;
  while (!q.empty()) {
    readers.clear();
    std::size_t pos = 0;
    if (qi == q_waiters_) {
      // S5: the first held byte that some waiter accepts.
      for (std::size_t b = 0; b < q.size() && readers.empty(); ++b) {
        for (int i : all) {
          const Proc& p = procs_[static_cast<std::size_t>(i)];
          if (p.eligible() && p.accepts_held(q.at(b))) readers.push_back(i);
        }
        pos = b;
      }
    } else {
      for (int i : all)
        if (procs_[static_cast<std::size_t>(i)].eligible()) readers.push_back(i);
    }
    if (readers.empty()) return;
    if (readers.size() >= 2) probe(Probe::pool_race);
    // C4: a pool byte goes to exactly one eligible reader, chosen by the PRNG.
    const int who = readers[static_cast<std::size_t>(rng_.below(readers.size()))];
    const int sig = pos == 0 ? q.pop() : q.erase_at(pos);
    deliver(procs_[static_cast<std::size_t>(who)], qi, sig);
  }
}

// A process became able to read: take one byte from one of its queues.
void SimCore::on_proc_ready(int idx) {
  Proc& p = procs_[static_cast<std::size_t>(idx)];
  if (!p.eligible()) return;
  auto& ready = scratch_ready_;  // (queue, byte position)
  ready.clear();
  for (int qi : p.reads) {
    const ByteQueue& q = queues_[static_cast<std::size_t>(qi)];
    if (q.empty()) continue;
    if (qi == q_waiters_) {
      for (std::size_t b = 0; b < q.size(); ++b)
        if (p.accepts_held(q.at(b))) {
          ready.emplace_back(qi, b);
          break;
        }
    } else {
      ready.emplace_back(qi, 0);
    }
  }
  if (ready.empty()) return;
  // §4.6: no ordering between a process's channels: the PRNG picks.
  const auto [qi, pos] = ready[static_cast<std::size_t>(pick(ready.size()))];
  ByteQueue& q = queues_[static_cast<std::size_t>(qi)];
  const int sig = pos == 0 ? q.pop() : q.erase_at(pos);
  deliver(p, qi, sig);
}

void SimCore::deliver(Proc& p, int qi, int sig) {
  ++res_.stats.delivered;
  emit(EventKind::deliver, sig, p.name, queues_[static_cast<std::size_t>(qi)].name());
  const Entry& h = table_.handler_for(p.id, sig);  // C5: the process's own row
  const bool visible = h.registered;
  if (visible && !strict_ && p.is_worker() && h.owner == p.id.index &&
      h.incarnation != p.incarnation) {
    // §2.9: a handler registered after fork by a previous incarnation is a dangling pointer.
    emit(EventKind::undefined_behaviour, sig, p.name, {}, {},
         "stale handler pointer from a previous incarnation (uWSGI segfaults)");
    return;
  }
  if (p.waiting) {
    const std::optional<int> want = *p.waiting;
    const bool match = !want || *want == sig;
    if (visible) {
      // C6: the waiter runs registered handlers itself; a match also ends the wait.
      run_handler(p, sig, h, match);
    } else if (match) {
      finish_wait(p, sig);
    } else {
      if (strict_) {
        emit(EventKind::unhandled, sig, p.name, {}, {},
             "no handler in this process (signal_wait continues)");
      } else {
        ++res_.stats.dropped;  // U7: a non-matching unregistered byte is lost
        emit(EventKind::drop, sig, p.name, {}, {}, "wait-mismatch");
      }
      ready_soon(p);
    }
    return;
  }
  if (visible) {
    run_handler(p, sig, h, false);
  } else {
    // C5/U6: "error managing signal N on worker K".
    emit(EventKind::unhandled, sig, p.name, {}, {},
         table_.registered_anywhere(sig) ? "registered in another process only" : "unregistered");
    ready_soon(p);
  }
}

namespace {
// handler_end payload: sig | crash | completes-wait | incarnation.
constexpr int kCrashBit = 0x100, kWaitBit = 0x200, kIncShift = 10;
}  // namespace

void SimCore::run_handler(Proc& p, int sig, const Entry& h, bool completes_wait) {
  ++res_.stats.handled;
  if (recording()) ++res_.stats.handled_by[{sig, p.name}];
  emit(EventKind::handler_start, sig, p.name);
  p.in_handler = true;
  Nanos d = h.duration;
  bool crash = h.crash;
  if (crash_site_ && rng_.chance(opt_.faults.crash_in_handler_per_mille)) {
    crash = true;
    emit(EventKind::fault, sig, p.name, {}, {}, "crash-in-handler");
  }
  if (slow_site_ && rng_.chance(opt_.faults.slow_handler_per_mille)) {
    d = std::max<Nanos>(d * 10, kSlowHandlerMin);
    emit(EventKind::fault, sig, p.name, {}, {}, "slow-handler");
  }
  const int packed = (sig & 0xff) | (crash ? kCrashBit : 0) | (completes_wait ? kWaitBit : 0) |
                     (p.incarnation << kIncShift);
  if (d == 0 && !crash) {
    on_handler_end(index_of(p), packed);  // same instant: no event needed
    return;
  }
  schedule(now() + d, kPrioSource, Ev::handler_end, index_of(p), packed);
}

void SimCore::on_handler_end(int idx, int packed) {
  Proc& p = procs_[static_cast<std::size_t>(idx)];
  const int sig = packed & 0xff;
  if ((packed >> kIncShift) != p.incarnation || !p.in_handler) return;  // it died meanwhile
  p.in_handler = false;
  if (packed & kCrashBit) {
    emit(EventKind::handler_end, sig, p.name, {}, {}, "crash");  // C7
    die(p, "crash in handler");
    return;
  }
  emit(EventKind::handler_end, sig, p.name);
  if (packed & kWaitBit)
    finish_wait(p, sig);
  else
    ready_soon(p);
}

void SimCore::finish_wait(Proc& p, int sig) {
  p.waiting.reset();
  p.received = sig;  // U7: signal_received() of this request; S6: last number waited for
  emit(EventKind::wait_return, sig, p.name, {}, {}, strict_ ? std::string_view() : "b''");
  if (p.implicit_request)
    end_request(p);
  else
    ready_soon(p);
}

void SimCore::end_request(Proc& p) {
  p.in_request = false;
  p.implicit_request = false;
  if (!strict_) p.received = 0;  // U7: zeroed at request end
  emit(EventKind::request_end, -1, p.name);
  ready_soon(p);
}

}  // namespace sigh::sim
