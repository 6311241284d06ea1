// Cron on the real backend with the wall clock driven by libfaketime instead of the runner's own
// fake clock (RunOptions::faketime: the master reads CLOCK_REALTIME as the system gives it).
//
// The test re-executes itself with libfaketime preloaded, so the faking covers the whole process
// and every child the runner forks (fork without exec keeps the preloaded library and its
// timeline, anchors.md §3.3). Within libfaketime's limits (§3.1): a fractional offset only
// (no start-at, which would also move CLOCK_MONOTONIC; no rate, which shrinks timeouts and breaks
// absolute timerfds) and FAKETIME_DONT_FAKE_MONOTONIC=1, so timers and trace times stay real.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

constexpr const char* kLib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr const char* kChildMark = "SIGHARNESS_FAKETIME_CHILD";
constexpr std::int64_t kMinute0 = 1893456000;  // 2030-01-01T00:00:00Z

Nanos realtime_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

// The child's half: runs under libfaketime with the wall clock at about 00:00:58.
void run_as_child() {
  const Nanos wall = realtime_now();
  ASSERT_GT(wall, (kMinute0 - 60) * kNsPerSec) << "libfaketime is not in effect";
  ASSERT_LT(wall, (kMinute0 + 60) * kNsPerSec) << "libfaketime is not in effect";
  Scenario s = load(R"(
name: real-cron-libfaketime
profiles: [strict]
topology: {workers: 1}
duration: 3500ms
registrations:
  - {signal: 53, target: worker1, by: master}
crons:
  - {signal: 53, minute: -1, hour: -1, day: -1, month: -1, weekday: -1}
expect:
  - event: {kind: cron-fire, signal: 53, count: 2}
  - event: {kind: cron-fire, signal: 53, count: 1, from: 500ms, until: 2100ms}
  - handled: {signal: 53, by: worker1, count: 2}
)");
  RunOptions o;
  o.faketime = true;  // the system wall clock; the runner refuses unless libfaketime is preloaded
  RunResult r = run_and_check(s, o);
  std::vector<std::int64_t> minutes;
  for (const auto& e : r.trace.events)
    if (e.kind == EventKind::cron_fire && e.wall) minutes.push_back(*e.wall / 60);
  // The faked clock starts at 00:00:58: minute 00:00 fires at the first check, 00:01 ~2 s later.
  EXPECT_EQ(minutes, (std::vector<std::int64_t>{kMinute0 / 60, kMinute0 / 60 + 1}))
      << dump(r.trace);
}

TEST(RunnerFaketime, CronFollowsTheLibfaketimeWallClock) {
  if (std::getenv(kChildMark)) {
    run_as_child();
    return;
  }
  ASSERT_EQ(access(kLib, R_OK), 0) << kLib << " is missing (apt-get install libfaketime)";
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  // Offset so the faked wall clock reads 00:00:58.000 now; the child starts a few ms later.
  const Nanos offset = 58 * kNsPerSec + kMinute0 * kNsPerSec - realtime_now();
  const Nanos magnitude = offset < 0 ? -offset : offset;
  char faketime[64];
  std::snprintf(faketime, sizeof faketime, "%c%lld.%09lld", offset < 0 ? '-' : '+',
                static_cast<long long>(magnitude / kNsPerSec),
                static_cast<long long>(magnitude % kNsPerSec));
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv(kChildMark, "1", 1);
    setenv("LD_PRELOAD", kLib, 1);
    setenv("FAKETIME", faketime, 1);
    setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
    setenv("FAKETIME_DONT_RESET", "1", 1);
    execl(self, self, "--gtest_filter=RunnerFaketime.CronFollowsTheLibfaketimeWallClock",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Bounded: the run is 3.5 s; after 30 s the child is killed (by pid) and reaped.
  int status = 0;
  bool done = false;
  for (int i = 0; i < 3000 && !done; ++i) {
    done = waitpid(pid, &status, WNOHANG) == pid;
    if (!done) usleep(10'000);
  }
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "the libfaketime child did not finish within 30 s (killed)";
  }
  // A killed libfaketime process can leave its shared-memory files behind (anchors.md §3.2).
  for (const std::string f : {"/dev/shm/faketime_shm_", "/dev/shm/sem.faketime_sem_"})
    unlink((f + std::to_string(pid)).c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "the run under FAKETIME=" << faketime << " failed (its output is above)";
}

}  // namespace
}  // namespace sigh::real::testing
