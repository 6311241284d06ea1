#pragma once
// The scheduler's agenda: a binary heap ordered by (time, priority, sequence).
// The sequence number makes ties a stable FIFO, so the order never depends on
// the heap's internal layout.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sigharness/duration.h"

namespace sigh::sim {

enum class Ev : std::uint8_t {
  action,           // a = script index
  master_read,      // the master reads one upstream byte
  queue_ready,      // a = queue: bytes arrived, wake its readers
  proc_ready,       // a = process: it may read again
  handler_end,      // a = process, b = packed (sig, crash, completes wait, incarnation)
  request_end,      // a = process, b = incarnation
  respawn,          // a = process
  tick,             // master check interval (C8)
  kernel_timer,     // a = kernel timer index
  strict_rb_timer,  // a = rb_timer index
  monitor_batch     // uwsgi-2.0 inotify batch (U11)
};

// Lower value = earlier among events at the same instant.
enum Prio : int {
  kPrioSource = 0,
  kPrioAction = 1,
  kPrioMaster = 2,
  kPrioQueue = 3,
  kPrioProc = 4
};

struct Event {
  Nanos t = 0;
  int prio = 0;
  std::uint64_t seq = 0;
  Ev kind = Ev::tick;
  int a = 0, b = 0;
};

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.front(); }

  void push(Nanos t, int prio, Ev kind, int a = 0, int b = 0) {
    heap_.push_back(Event{t, prio, seq_++, kind, a, b});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }

  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Event e = heap_.back();
    heap_.pop_back();
    return e;
  }

 private:
  // Heap comparator: "a comes after b" puts the earliest event on top.
  static bool later(const Event& a, const Event& b) {
    if (a.t != b.t) return a.t > b.t;
    if (a.prio != b.prio) return a.prio > b.prio;
    return a.seq > b.seq;
  }
  std::vector<Event> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace sigh::sim
