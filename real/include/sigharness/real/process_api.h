#pragma once
// What code running inside a forked worker or programmed mule can call (seed-apis.md names):
// signal_wait([n]), signal_received(), and raising a signal upstream.
#include <optional>

#include "sigharness/duration.h"
#include "sigharness/process_id.h"

namespace sigh::real {

enum class RaiseResult { ok, queue_full };

class ProcessApi {
 public:
  virtual ~ProcessApi() = default;
  virtual ProcessId self() const = 0;
  // Blocks until a signal arrives (any, or exactly `sig`); registered handlers of other signals
  // run meanwhile (S6). Returns the number, or -1 if `timeout` (>= 0) passed first.
  virtual int signal_wait(std::optional<int> sig = std::nullopt, Nanos timeout = -1) = 0;
  // The last number this process got from signal_wait, -1 if none (S6).
  virtual int signal_received() const = 0;
  // S4: queue_full when the upstream queue is at capacity (a `reject` event records it).
  virtual RaiseResult raise(int sig) = 0;
};

}  // namespace sigh::real
