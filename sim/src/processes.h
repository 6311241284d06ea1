#pragma once
// Process state (C1) and the rule that says when a process reads a byte (C4,
// C6, U12/S12). States: idle, busy-request, in-handler, waiting, cheaped, dead.
#include <optional>
#include <string>
#include <vector>

#include "sigharness/process_id.h"

namespace sigh::sim {

struct Proc {
  explicit Proc(ProcessId i) : id(i), name(i.str()) {}
  ProcessId id;
  std::string name;  // cached: the hot path must not format names
  bool alive = true;
  bool cheaped = false;
  bool programmed = false;  // programmed mule
  bool in_handler = false;
  bool in_request = false;
  bool implicit_request = false;              // opened by a signal_wait outside a request (U7)
  std::optional<std::optional<int>> waiting;  // engaged: in signal_wait; inner: the awaited number
  int received = 0;  // uwsgi-2.0: per request; strict: last number waited for (-1 none)
  int incarnation = 0;
  int queue = -1;          // private queue index
  std::vector<int> reads;  // queues it reads (private first)

  bool is_worker() const { return id.kind == ProcessKind::worker; }

  // May this process take a byte right now?
  bool eligible() const {
    if (!alive || cheaped || in_handler) return false;
    if (waiting) return true;             // C6: a waiter reads
    if (is_worker()) return !in_request;  // C4: sync workers read only when idle
    return !programmed;                   // C6: programmed mules only inside signal_wait
  }

  // S5: does this waiter accept a held (unregistered) signal?
  bool accepts_held(int sig) const {
    return waiting && (!waiting->has_value() || **waiting == sig);
  }

  // Everything volatile goes; queues and the table row survive (U5).
  void stop() {
    alive = false;
    in_handler = in_request = implicit_request = false;
    waiting.reset();
    ++incarnation;
  }
};

}  // namespace sigh::sim
