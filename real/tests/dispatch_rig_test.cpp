// The benchmark rig runs the real framework: every delivery is counted exactly, nothing is
// rejected, and it leaves no child process and no fd behind.
#include "sigharness/real/dispatch_rig.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace sigh::real {
namespace {

int open_fds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

// Processes whose parent is this test process (read from /proc/<pid>/stat).
int my_children() {
  int n = 0;
  const pid_t me = getpid();
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream f("/proc/" + name + "/stat");
      std::string stat;
      std::getline(f, stat);
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      char state = 0;
      int ppid = 0;
      if (sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == me) ++n;
    }
    closedir(d);
  }
  return n;
}

DispatchRun run_once(const std::string& target, Topology t, std::int64_t n, double rate) {
  DispatchRigOptions o;
  o.topology = t;
  o.target = target;
  std::string why;
  auto rig = DispatchRig::start(o, &why);
  EXPECT_NE(rig, nullptr) << why;
  if (!rig) return {};
  return rig->run(n, rate, 30 * kNsPerSec);
}

TEST(DispatchRig, PoolDeliversEverySignalOnceAndCleansUp) {
  const int fds = open_fds();
  Topology t;
  t.workers = 3;
  DispatchRun r = run_once("worker", t, 5000, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.raised, 5000);
  EXPECT_EQ(r.expected, 5000);
  EXPECT_EQ(r.handled, 5000);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_GT(r.elapsed(), 0);
  EXPECT_TRUE(r.latencies.empty());  // closed loop: no intended times
  EXPECT_EQ(my_children(), 0);
  EXPECT_EQ(open_fds(), fds);
}

TEST(DispatchRig, BroadcastReachesEveryWorkerAndPacedRunsMeasureLatency) {
  const int fds = open_fds();
  Topology t;
  t.workers = 4;
  DispatchRun r = run_once("workers", t, 500, 5000);  // 0.1 s at 5000 raises/s
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.expected, 2000);
  EXPECT_EQ(r.handled, 2000);
  EXPECT_EQ(r.rejected, 0);
  ASSERT_EQ(r.latencies.size(), 2000u);
  for (Nanos l : r.latencies) EXPECT_GT(l, 0);  // a handler never runs before its send
  EXPECT_EQ(my_children(), 0);
  EXPECT_EQ(open_fds(), fds);
}

// Closed loop to many workers: the in-flight window follows the slowest recipient, so no
// private queue overflows even when one worker is descheduled while the others run ahead.
TEST(DispatchRig, WideBroadcastClosedLoopLosesNothing) {
  const int fds = open_fds();
  Topology t;
  t.workers = 16;
  DispatchRun r = run_once("workers", t, 2000, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_EQ(r.handled, 32000);
  EXPECT_EQ(r.sender_retries, 0);  // the window keeps the upstream queue from filling
  EXPECT_EQ(my_children(), 0);
  EXPECT_EQ(open_fds(), fds);
}

TEST(DispatchRig, MulesSpoolerAndWorkerN) {
  Topology t;
  t.workers = 2;
  t.mules = 2;
  t.spoolers = 1;
  EXPECT_EQ(run_once("mules", t, 300, 0).handled, 600);
  EXPECT_EQ(run_once("spooler", t, 300, 0).handled, 300);
  EXPECT_EQ(run_once("worker2", t, 300, 0).handled, 300);
}

TEST(DispatchRig, NonStrictTargetIsRefused) {
  DispatchRigOptions o;
  o.target = "worker1abc";
  std::string why;
  EXPECT_EQ(DispatchRig::start(o, &why), nullptr);
  EXPECT_NE(why.find("not a strict target"), std::string::npos);
}

}  // namespace
}  // namespace sigh::real
