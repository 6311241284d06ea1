#pragma once
// A benchmark rig around the real framework (closed loop: at most 64 raises in flight): the real
// master (routing loop, queues, shared table) and real children (worker/mule/spooler loop, handler
// registry), with tracing off and a handler that only timestamps into shared memory. A separate
// sender process raises into the upstream queue exactly as a worker's raise() does (write_byte; on
// queue-full it retries and counts).
//
// Latency pairing: every handler run appends its CLOCK_MONOTONIC time to its own process's
// slot. For a pool target the k-th handler start (all slots merged, sorted) is paired with the
// k-th intended send time (the queue is FIFO; concurrent readers may swap neighbours, which
// moves a sample by at most a few microseconds). For broadcast targets each recipient has its
// own FIFO queue, so its j-th run pairs with the j-th send exactly.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sigharness/duration.h"
#include "sigharness/topology.h"

namespace sigh::real {

struct DispatchRigOptions {
  Topology topology;  // workers / mules / spoolers; queue_capacity as in uWSGI by default
  std::string target = "worker";
  int signal = 1;
};

struct DispatchRun {
  std::int64_t raised = 0;          // signals the sender put in the upstream queue
  std::int64_t handled = 0;         // handler runs observed
  std::int64_t expected = 0;        // raised x recipients per raise
  std::int64_t sender_retries = 0;  // write_byte refused (upstream queue full), then retried
  std::int64_t window_waits = 0;    // spins waiting for the 64-raise in-flight window
  std::int64_t rejected = 0;        // signals the master refused (must be 0 in a benchmark)
  Nanos first_send_ns = 0;          // CLOCK_MONOTONIC of the first raise
  Nanos last_handled_ns = 0;        // CLOCK_MONOTONIC of the last handler run
  bool timed_out = false;
  std::vector<Nanos> latencies;  // per delivery: handler time - intended send time
  Nanos elapsed() const { return last_handled_ns - first_send_ns; }
};

class DispatchRig {
 public:
  // Forks the topology; nullptr (and *why) when the target is not strict or the OS refuses.
  static std::unique_ptr<DispatchRig> start(const DispatchRigOptions& o, std::string* why);
  ~DispatchRig();  // stops the master: every child SIGTERM/SIGKILL and reaped by pid
  DispatchRig(const DispatchRig&) = delete;
  DispatchRig& operator=(const DispatchRig&) = delete;

  // Raises `n` signals. rate_per_sec <= 0: as fast as the queues take them (closed loop);
  // otherwise open loop at that rate, each send at its intended time. Runs the master loop
  // until every delivery is handled or `timeout` passes. One run per rig.
  DispatchRun run(std::int64_t n, double rate_per_sec, Nanos timeout);

  int recipients_per_raise() const;

 private:
  DispatchRig() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigh::real
