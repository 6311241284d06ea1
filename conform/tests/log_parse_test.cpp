#include "log_parse.h"

#include <gtest/gtest.h>

namespace sigh::conform::detail {
namespace {

TEST(UwsgiLogParse, LinesBecomeEvents) {
  auto e = parse_log_line("Sun Nov 22 10:16:38 2026 - error managing signal 100 on worker 3", 5);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::unhandled);
  EXPECT_EQ(e[0].sig, 100);
  EXPECT_EQ(e[0].proc, "worker3");
  EXPECT_EQ(e[0].t, 5);

  e = parse_log_line(
      "*** SIGNAL QUEUE IS FULL: buffer size 212992 bytes (you can tune it with "
      "--signal-bufsize) ***",
      1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::drop);
  EXPECT_EQ(e[0].detail, "queue-full");

  e = parse_log_line("^^^ UNSUPPORTED SIGNAL TARGET: cluster ^^^", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].target, "cluster");
  EXPECT_EQ(e[0].detail.rfind("unsupported", 0), 0u);

  e = parse_log_line("invalid signal target: mule5", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::drop);
  EXPECT_EQ(e[0].target, "mule5");

  e = parse_log_line("unknown farm: x", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].detail, "unknown farm: x");

  e = parse_log_line("Sun Nov 22 10:16:38 2026 - [uwsgi-cron] routing signal 4", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::cron_fire);
  EXPECT_EQ(e[0].sig, 4);

  e = parse_log_line("DAMN ! worker 2 (pid: 123) died, killed by signal 9 :( trying respawn ...",
                     1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::exit);
  EXPECT_EQ(e[0].proc, "worker2");

  e = parse_log_line("Respawned uWSGI worker 2 (new pid: 456)", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::respawn);
  EXPECT_EQ(e[0].value, 456);

  e = parse_log_line("!!! uWSGI process 77 got Segmentation Fault !!!", 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, EventKind::undefined_behaviour);

  EXPECT_TRUE(parse_log_line("spawned uWSGI worker 1 (pid: 9269, cores: 1)", 1).empty());
}

}  // namespace
}  // namespace sigh::conform::detail
