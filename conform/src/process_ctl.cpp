#include "process_ctl.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

extern char** environ;

namespace sigh::conform::detail {

Nanos mono_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

void sleep_for(Nanos ns) {
  if (ns <= 0) return;
  timespec ts{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

Child spawn_in_session(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& out_path, std::string* why) {
  // Everything the child needs is built before fork (no allocation after it).
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const auto& add : env)
      if (kv.substr(0, kv.find('=') + 1) == add.substr(0, add.find('=') + 1)) replaced = true;
    if (!replaced) envs.push_back(kv);
  }
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0) {
    if (why) *why = "cannot open " + out_path + ": " + std::strerror(errno);
    if (out >= 0) close(out);
    if (in >= 0) close(in);
    return {};
  }
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  int err = errno;
  close(out);
  close(in);
  if (pid < 0) {
    if (why) *why = std::string("fork failed: ") + std::strerror(err);
    return {};
  }
  return {pid};
}

bool child_running(const Child& c) {
  if (c.pid <= 0) return false;
  siginfo_t si{};
  // WNOWAIT: the zombie keeps the pid (and so the pgid) reserved until we reap.
  if (waitid(P_PID, static_cast<id_t>(c.pid), &si, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return si.si_pid == 0;
}

bool group_gone(pid_t pgid) { return kill(-pgid, 0) != 0 && errno == ESRCH; }

std::string stop_child(Child& c, Nanos timeout) {
  if (c.pid <= 0) return "not started";
  std::string how;
  if (child_running(c)) {
    kill(c.pid, SIGINT);
    Nanos deadline = mono_now() + timeout;
    while (child_running(c) && mono_now() < deadline) sleep_for(10 * kNsPerMs);
    how = child_running(c) ? "SIGKILL after SIGINT timeout" : "SIGINT";
  } else {
    how = "had already exited";
  }
  // The master (maybe a zombie now) still holds the pgid: kill every straggler of the
  // group, then reap the master.
  kill(-c.pid, SIGKILL);
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  Nanos deadline = mono_now() + 2 * kNsPerSec;  // orphans are reaped by init, wait for it
  while (!group_gone(c.pid) && mono_now() < deadline) {
    kill(-c.pid, SIGKILL);
    sleep_for(10 * kNsPerMs);
  }
  if (WIFEXITED(status)) how += ", exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) how += ", signal " + std::to_string(WTERMSIG(status));
  c.pid = -1;
  return how;
}

}  // namespace sigh::conform::detail
