#pragma once
// Starting uWSGI in its own session (so the whole tree can be killed by process
// group), and stopping it: SIGINT (SIGTERM reloads in 2.0), bounded wait, then
// SIGKILL to the group; everything reaped by pid.
#include <sys/types.h>

#include <string>
#include <vector>

#include "sigharness/duration.h"

namespace sigh::conform::detail {

struct Child {
  pid_t pid = -1;  // also the process group id (setsid)
};

// argv[0] is the binary. env entries "K=V" are added to (or replace in) the environment.
// stdin is /dev/null read-only (reference §3.3: slot-0 writes then fail with EBADF),
// stdout/stderr go to out_path. Returns pid or -1 with why.
Child spawn_in_session(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& out_path, std::string* why);

bool child_running(const Child& c);  // not exited (no reap)
// Stops and reaps. Returns a description of how it ended ("exited 0 after SIGINT", ...).
std::string stop_child(Child& c, Nanos timeout);
// True when no process of the group is left.
bool group_gone(pid_t pgid);

Nanos mono_now();
void sleep_for(Nanos ns);

}  // namespace sigh::conform::detail
