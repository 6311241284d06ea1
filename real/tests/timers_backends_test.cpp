// The three TimerBackend implementations behind one interface.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sigharness/real/timer_backend.h"
#include "sigharness/real/timer_waker.h"

namespace sigh::real {
namespace {

constexpr Nanos ms = kNsPerMs;

class VirtualTimeBackends : public ::testing::TestWithParam<TimerBackendKind> {};

TEST_P(VirtualTimeBackends, CountedAndOneShot) {
  auto b = make_timer_backend(GetParam());
  ASSERT_TRUE(b->add(1, 100 * ms, 3, 0));
  ASSERT_TRUE(b->add(2, 250 * ms, 1, 0));
  EXPECT_FALSE(b->add(1, 100 * ms, 0, 0)) << "duplicate id";
  EXPECT_FALSE(b->add(3, 0, 0, 0)) << "period 0";
  EXPECT_FALSE(b->add(4, 10 * ms, -1, 0)) << "negative iterations";
  EXPECT_EQ(b->size(), 2u);
  EXPECT_EQ(b->next_timeout(0), 100 * ms);
  EXPECT_TRUE(b->expire(99 * ms).empty());
  auto f = b->expire(260 * ms);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].id, 1);
  EXPECT_EQ(f[0].iteration, 1);
  EXPECT_EQ(f[1].id, 1);
  EXPECT_EQ(f[1].iteration, 2);
  EXPECT_EQ(f[2].id, 2);
  f = b->expire(10'000 * ms);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, 1);
  EXPECT_EQ(f[0].iteration, 3);
  EXPECT_EQ(b->size(), 0u);
  EXPECT_FALSE(b->next_timeout(0).has_value());
}

TEST_P(VirtualTimeBackends, ExactMultiplesNoDrift) {
  auto b = make_timer_backend(GetParam());
  ASSERT_TRUE(b->add(7, 30 * ms, 0, 5 * ms));
  int fires = 0;
  // Check late and irregularly: fires are still one per multiple of the period from arming.
  for (Nanos now : {40 * ms, 41 * ms, 200 * ms, 3'005 * ms})
    fires += static_cast<int>(b->expire(now).size());
  EXPECT_EQ(fires, 100);  // (3005 - 5) / 30
  EXPECT_EQ(b->next_timeout(3'005 * ms), 30 * ms);
  EXPECT_TRUE(b->remove(7));
  EXPECT_FALSE(b->remove(7));
  EXPECT_TRUE(b->expire(10'000 * ms).empty());
}

TEST_P(VirtualTimeBackends, TiesKeepInsertionOrderAndLongHorizons) {
  auto b = make_timer_backend(GetParam());
  ASSERT_TRUE(b->add(3, 50 * ms, 1, 0));
  ASSERT_TRUE(b->add(1, 50 * ms, 1, 0));
  ASSERT_TRUE(b->add(2, 5 * 3600 * kNsPerSec, 1, 0));  // beyond the wheel's top level
  auto f = b->expire(50 * ms);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].id, 3);
  EXPECT_EQ(f[1].id, 1);
  EXPECT_TRUE(b->expire(4 * 3600 * kNsPerSec).empty());
  f = b->expire(5 * 3600 * kNsPerSec);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, VirtualTimeBackends,
                         ::testing::Values(TimerBackendKind::rbtree, TimerBackendKind::wheel),
                         [](const auto& i) { return std::string(timer_backend_name(i.param)); });

void sleep_ms(int n) {
  timespec ts{0, n * kNsPerMs};
  nanosleep(&ts, nullptr);
}

TEST(TimersTimerfd, FiresAndCoalescesMissedExpirations) {
  auto b = make_timer_backend(TimerBackendKind::timerfd);
  ASSERT_GE(b->fd(), 0);
  ASSERT_TRUE(b->add(1, 10 * ms, 2, 0));
  sleep_ms(55);  // ~5 expirations while nobody reads
  auto f = b->expire(0);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_GE(f[0].expirations, 4);  // coalesced, and said so
  EXPECT_EQ(f[0].iteration, 1);
  sleep_ms(15);
  f = b->expire(0);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].iteration, 2);
  EXPECT_EQ(b->size(), 0u) << "2 iterations, then disarmed";
}

TEST(TimersTimerfd, SubSecondPeriodIsHonoured) {
  auto b = make_timer_backend(TimerBackendKind::timerfd);
  ASSERT_TRUE(b->add(5, 30 * ms, 0, 0));
  EXPECT_TRUE(b->expire(0).empty());
  sleep_ms(40);
  auto f = b->expire(0);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expirations, 1);
  EXPECT_EQ(parse_timer_backend("wheel"), TimerBackendKind::wheel);
  EXPECT_FALSE(parse_timer_backend("heap").has_value());
}

}  // namespace
}  // namespace sigh::real

namespace sigh::real {
namespace {

// The master's precise wait: the waker's timerfd is armed at the backend's exact deadline
// (absolute CLOCK_MONOTONIC), not at epoll_wait's whole milliseconds.
TEST(TimerWaker, ArmsAtTheExactDeadlineAndDrains) {
  for (auto kind : {TimerBackendKind::rbtree, TimerBackendKind::wheel}) {
    auto b = make_timer_backend(kind);
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const Nanos base = static_cast<Nanos>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
    TimerWaker w(*b, base);
    ASSERT_GE(w.fd(), 0);
    ASSERT_NE(w.fd(), b->fd());
    const Nanos period = 80 * kNsPerMs + 300 * kNsPerUs;  // not a whole number of ms
    ASSERT_TRUE(b->add(1, period, 1, 0));
    w.arm(0);
    itimerspec cur{};
    ASSERT_EQ(timerfd_gettime(w.fd(), &cur), 0);
    const Nanos left = static_cast<Nanos>(cur.it_value.tv_sec) * kNsPerSec + cur.it_value.tv_nsec;
    // Armed for base + 80.3 ms (the wheel rounds up to its 1 ms tick: 81 ms).
    const Nanos want = kind == TimerBackendKind::wheel ? 81 * kNsPerMs : period;
    EXPECT_GT(left, 0);
    EXPECT_LE(left, want);
    EXPECT_GT(left, want - 60 * kNsPerMs);  // generous: the test may be descheduled a while
    pollfd p{w.fd(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1);  // it does fire
    w.drain();
    EXPECT_EQ(poll(&p, 1, 0), 0);  // and drain clears it
    b->expire(period + kNsPerMs);
    w.arm(period + kNsPerMs);  // nothing armed any more: disarmed
    ASSERT_EQ(timerfd_gettime(w.fd(), &cur), 0);
    EXPECT_EQ(cur.it_value.tv_sec, 0);
    EXPECT_EQ(cur.it_value.tv_nsec, 0);
  }
  auto tfd = make_timer_backend(TimerBackendKind::timerfd);
  TimerWaker w(*tfd, 0);
  EXPECT_EQ(w.fd(), tfd->fd());  // the timerfd backend wakes the loop itself
}

}  // namespace
}  // namespace sigh::real
