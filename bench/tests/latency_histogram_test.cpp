#include "latency_histogram.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <memory>

namespace sigh::bench {
namespace {

TEST(LatencyHistogram, ExactBelow128) {
  LatencyHistogram h;
  for (int v = 0; v < 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 49);
  EXPECT_EQ(h.percentile(100), 99);
  EXPECT_EQ(h.percentile(1), 0);
  EXPECT_EQ(h.min_seen, 0);
  EXPECT_EQ(h.max_seen, 99);
}

TEST(LatencyHistogram, RelativeErrorBoundedAtEveryScale) {
  for (std::int64_t v = 128; v < (std::int64_t{1} << 42); v = v * 3 / 2 + 7) {
    const int b = LatencyHistogram::bucket_of(v);
    const std::int64_t up = LatencyHistogram::bucket_upper(b);
    ASSERT_GE(up, v) << v;
    ASSERT_LE(static_cast<double>(up - v), static_cast<double>(v) / 64.0) << v;
    if (b > 0) {
      ASSERT_LT(LatencyHistogram::bucket_upper(b - 1), v) << v;
    }
  }
}

TEST(LatencyHistogram, PercentilesOfKnownDistribution) {
  LatencyHistogram h;
  for (int i = 1; i <= 10000; ++i) h.record(i * 1000);  // 1 us .. 10 ms, uniform
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 5e6, 5e6 / 60);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 9.9e6, 9.9e6 / 60);
  EXPECT_EQ(h.percentile(100), 10'000'000);  // capped at the max seen
  EXPECT_EQ(h.total, 10000u);
}

TEST(LatencyHistogram, NegativeAndHugeValuesAreClamped) {
  LatencyHistogram h;
  h.record(-5);
  h.record(std::int64_t{1} << 60);
  EXPECT_EQ(h.min_seen, 0);
  EXPECT_EQ(h.max_seen, LatencyHistogram::kMaxValue);
  EXPECT_EQ(h.total, 2u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int i = 0; i < 500; ++i) {
    a.record(i * 37);
    b.record(i * 91 + 5);
    all.record(i * 37);
    all.record(i * 91 + 5);
  }
  a.merge(b);
  EXPECT_EQ(a.total, all.total);
  EXPECT_EQ(a.counts, all.counts);
  EXPECT_EQ(a.min_seen, all.min_seen);
  EXPECT_EQ(a.max_seen, all.max_seen);
}

TEST(LatencyHistogram, SharedRecordingFromSeveralProcesses) {
  void* mem = mmap(nullptr, sizeof(LatencyHistogram), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* h = static_cast<LatencyHistogram*>(mem);  // zeroed memory is an empty histogram
  constexpr int kProcs = 3, kEach = 20000;
  pid_t pids[kProcs];
  for (int p = 0; p < kProcs; ++p) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      for (int i = 0; i < kEach; ++i) h->record_shared(1000 + p * kEach + i);
      _exit(0);
    }
  }
  for (pid_t pid : pids) {
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  EXPECT_EQ(h->total, static_cast<std::uint64_t>(kProcs * kEach));
  EXPECT_EQ(h->min_seen, 1000);
  EXPECT_EQ(h->max_seen, 1000 + kProcs * kEach - 1);
  munmap(mem, sizeof(LatencyHistogram));
}

}  // namespace
}  // namespace sigh::bench
