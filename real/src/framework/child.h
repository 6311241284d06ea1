#pragma once
// The body of every forked process (worker, mule, spooler): a poll loop over its control channel
// and the signal queues it may read in its current state (C4, U12/S12, S5, S6).
#include <functional>

#include "framework/instance.h"
#include "sigharness/real/process_api.h"

namespace sigh::real::detail {

using ProgramFn = std::function<void(ProcessApi&)>;

// Never returns: the process ends with _exit().
[[noreturn]] void child_main(Instance& in, int proc, pid_t master, const ProgramFn& program);

}  // namespace sigh::real::detail
