#pragma once
// The state every process of one run knows (built by the master before fork): topology, queues,
// control channels, the shared table and the trace sink. Process-local parts (handler registry)
// diverge after fork by design (C5).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "framework/shared_state.h"
#include "framework/trace_sink.h"
#include "sigharness/process_id.h"
#include "sigharness/topology.h"

namespace sigh::real::detail {

// A handler receives the signal number. Registered before fork => present in every process;
// registered in a child => only there (the registry is plain process memory).
using HandlerFn = std::function<void(int sig)>;

struct QueueDef {
  std::string name;  // trace name: "upstream", "worker-pool", "worker2", "farm:a", ...
  int wfd = -1;      // the writer's end (master side for downstream queues)
  int rfd = -1;      // the readers' end
  int capacity = 278;
};

struct ProcDef {
  ProcessId id;
  int row = 0;              // table row: worker k -> k, everyone else 0
  int ctl_master = -1;      // SOCK_SEQPACKET control channel, master end
  int ctl_child = -1;       // child end
  int upstream = 0;         // queue index the process raises into
  int private_q = -1;       // its own queue (workers, mules)
  std::vector<int> pools;   // shared queues it reads (worker-pool, mule-pool, farms, spooler-pool)
  bool programmed = false;  // programmed mule: signals only inside signal_wait
};

enum class CtlType : std::int32_t {
  // master -> child
  raise = 1,
  req_start,  // a = duration (virtual ns) or -1
  req_finish,
  wait,  // sig = awaited number or -1 (any)
  received,
  reg,  // sig, a = handler index, text = receiver
  unreg,
  give,  // an unregistered signal handed to a waiter (S5)
  // child -> master
  wait_enter = 100,  // sig = awaited or -1
  wait_exit,
  give_back,  // the waiter had already returned: the master holds `sig` again
};

struct CtlMsg {
  CtlType type = CtlType::raise;
  std::int32_t sig = -1;
  std::int64_t a = 0;
  char text[kReceiverLen] = {};
};

struct Instance {
  Topology topo;
  double scale = 1.0;  // virtual ns per real ns
  SharedState shm;
  TraceSink sink;
  std::vector<QueueDef> queues;
  std::vector<ProcDef> procs;  // [0] = master
  int q_up = -1, q_up_mules = -1, q_up_spoolers = -1, q_wpool = -1, q_mpool = -1, q_spool = -1;
  std::vector<int> q_farm;  // per farm, in topology order
  std::vector<HandlerFn> handlers;

  int proc_index(const ProcessId& id) const;  // -1 if not in the topology
  Nanos real_from_virtual(Nanos v) const {
    return static_cast<Nanos>(static_cast<double>(v) / scale);
  }
};

// Queue I/O with the bounded counter (C2/S4). write_byte: false when the queue is full (the
// counter is at capacity, or the kernel buffer refused); *depth = depth after the write.
bool write_byte(Instance& in, int q, int sig, std::int64_t* depth);
// Reads one byte: the signal, or -1 (empty / lost the race to another reader).
int read_byte(Instance& in, int q);

bool send_ctl(int fd, const CtlMsg& m);
std::optional<CtlMsg> recv_ctl(int fd);

// Registration and removal under the table lock, with their trace events (S1, S2, S3, C9).
// `by` performs it; returns false on register-error.
bool register_entry(Instance& in, const ProcessId& by, int sig, const std::string& receiver,
                    int handler);
bool unregister_entry(Instance& in, const ProcessId& by, int sig);
// The entry a process sees for sig in its own row (copied under the lock).
TableEntry visible_entry(Instance& in, int row, int sig);
// S1: the receiver of the most recent registration of sig in any row; nullopt if unregistered.
std::optional<std::string> routing_receiver(Instance& in, int sig);
bool registered_anywhere(Instance& in, int sig);

// Builds the queues, control channels and shared table of in.topo (runner.cpp), and closes every
// fd of an instance again.
bool build_topology(Instance& in, std::string* why);
void close_instance_fds(Instance& in);

}  // namespace sigh::real::detail
