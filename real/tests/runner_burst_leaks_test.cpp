// S4: a burst past queue capacity loses nothing silently; and a run leaves no child process,
// no fd, no shared mapping and no temp dir behind.
#include <dirent.h>
#include <sys/wait.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "run_helpers.h"

namespace sigh::real::testing {
namespace {

TEST(RunnerBurst, PastCapacityEverySignalIsDeliveredOrRejected) {
  Scenario s = load(R"(
name: real-burst
profiles: [strict]
topology: {workers: 2, queue_capacity: 100}
duration: 1500ms
registrations:
  - {signal: 1, target: worker1, by: master}
script:
  - {at: 100ms, request: start, worker: 1, duration: 600ms}
  - {at: 200ms, raise: 1, from: worker2, count: 1000}
expect:
  - handled: {signal: 1, by: worker1, count: 100}
  - rejected: {signal: 1, count: 900}
  - dropped: {signal: 1, count: 0}
)");
  RunResult r = run_and_check(s);
  const int raised = count(r.trace, EventKind::raise, 1);
  const int up_rejected = count(r.trace, EventKind::reject, 1, "worker2", "queue-full");
  const int up_enqueued = count(r.trace, EventKind::enqueue, 1, "worker2");
  const int routed = count(r.trace, EventKind::route, 1, "master");
  const int down_rejected = count(r.trace, EventKind::reject, 1, "master", "queue-full");
  const int down_enqueued = count(r.trace, EventKind::enqueue, 1, "master");
  const int delivered = count(r.trace, EventKind::deliver, 1, "worker1");
  const int handled = count(r.trace, EventKind::handler_end, 1, "worker1");
  EXPECT_EQ(raised, 1000);
  EXPECT_EQ(up_enqueued + up_rejected, raised) << "every raise is accepted or rejected";
  EXPECT_EQ(routed, up_enqueued) << "every accepted byte is routed";
  EXPECT_EQ(down_enqueued + down_rejected, routed) << "every routed byte is queued or rejected";
  EXPECT_EQ(delivered, down_enqueued) << "every queued byte is delivered";
  EXPECT_EQ(handled, delivered);
  // Every reject names its queue and a reason.
  for (const auto& e : r.trace.events)
    if (e.kind == EventKind::reject) {
      EXPECT_FALSE(e.queue.empty());
      EXPECT_EQ(e.detail, "queue-full");
    }
}

int count_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

int count_shared_mappings() {
  std::ifstream maps("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);)
    if (line.find("/dev/zero") != std::string::npos || line.find("SYSV") != std::string::npos) ++n;
  return n;
}

TEST(RunnerLeaks, NoChildNoFdNoMappingNoTempDirLeftBehind) {
  Scenario s = load(R"(
name: real-leaks
profiles: [strict]
topology: {workers: 3, mules: 2, farms: [{name: a, mules: [1, 2]}], spoolers: 1}
duration: 700ms
files: [/app/f]
registrations:
  - {signal: 1, target: workers, by: master, handler_duration: 5s}
  - {signal: 2, target: farm_a, by: master}
timers:
  - {signal: 2, period: 100ms}
  - {signal: 2, period: 150ms, rb: true}
monitors:
  - {signal: 2, path: /app/f}
script:
  - {at: 100ms, raise: 1, from: master}
  - {at: 200ms, touch: /app/f}
  - {at: 300ms, kill: mule1}
)");
  const int fds_before = count_fds();
  const int maps_before = count_shared_mappings();
  RunResult r = run_scenario(s, RunOptions{});
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  // Workers were stuck in a 5 s handler at the end: stop() still reaped them (bounded).
  EXPECT_GE(count(r.trace, EventKind::handler_start, 1), 3);
  EXPECT_EQ(r.stats.reaped, r.stats.spawned);
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "a child process is left";
  EXPECT_EQ(count_fds(), fds_before);
  EXPECT_EQ(count_shared_mappings(), maps_before);
  EXPECT_FALSE(std::filesystem::exists(r.temp_dir)) << r.temp_dir;
}

}  // namespace
}  // namespace sigh::real::testing
