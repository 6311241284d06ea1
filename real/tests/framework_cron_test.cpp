// The real backend's cron matcher and UTC calendar (S9, U10 field rules).
#include <gtest/gtest.h>

#include "framework/cron_match.h"

namespace sigh::real::detail {
namespace {

TEST(FrameworkCron, UtcCalendar) {
  UtcTime t = utc_from_unix(1893456000);  // 2030-01-01T00:00:00Z, a Tuesday
  EXPECT_EQ(t.month, 1);
  EXPECT_EQ(t.day, 1);
  EXPECT_EQ(t.hour, 0);
  EXPECT_EQ(t.minute, 0);
  EXPECT_EQ(t.weekday, 2);
  t = utc_from_unix(951782400 + 3600 * 13 + 60 * 7);  // 2000-02-29T13:07Z, a Tuesday
  EXPECT_EQ(t.month, 2);
  EXPECT_EQ(t.day, 29);
  EXPECT_EQ(t.hour, 13);
  EXPECT_EQ(t.minute, 7);
  EXPECT_EQ(t.weekday, 2);
  t = utc_from_unix(-1);  // 1969-12-31T23:59:59Z, a Wednesday
  EXPECT_EQ(t.day, 31);
  EXPECT_EQ(t.weekday, 3);
  EXPECT_EQ(unix_minute(-1), -1);
  EXPECT_EQ(unix_minute(59), 0);
}

TEST(FrameworkCron, Fields) {
  UtcTime t{30, 12, 15, 6, 0};  // 12:30, June 15th, Sunday
  EXPECT_TRUE(cron_matches_strict({-1, -1, -1, -1, -1}, t));
  EXPECT_TRUE(cron_matches_strict({30, 12, -1, -1, -1}, t));
  EXPECT_FALSE(cron_matches_strict({31, 12, -1, -1, -1}, t));
  EXPECT_TRUE(cron_matches_strict({-15, -1, -1, -1, -1}, t));  // 30 % 15 == 0
  EXPECT_FALSE(cron_matches_strict({-7, -1, -1, -1, -1}, t));  // 30 % 7 != 0
  EXPECT_TRUE(cron_matches_strict({-1, -1, -1, -3, -1}, t));   // June: 6 % 3 == 0
  EXPECT_TRUE(cron_matches_strict({-1, -1, -1, -1, 7}, t));    // weekday 7 == Sunday
  EXPECT_FALSE(cron_matches_strict({-1, -1, -1, -1, 1}, t));
}

TEST(FrameworkCron, DayWeekdayOrWhenBothRestricted) {
  UtcTime t{0, 0, 15, 6, 0};                                 // June 15th, Sunday
  EXPECT_TRUE(cron_matches_strict({-1, -1, 1, -1, 0}, t));   // weekday matches: OR
  EXPECT_TRUE(cron_matches_strict({-1, -1, 15, -1, 3}, t));  // day matches: OR
  EXPECT_FALSE(cron_matches_strict({-1, -1, 1, -1, 3}, t));
  EXPECT_TRUE(cron_matches_strict({-1, -1, -5, -1, 3}, t));    // -5 restricts: 15 % 5 == 0 -> OR
  EXPECT_FALSE(cron_matches_strict({-1, -1, 14, -1, -1}, t));  // weekday unrestricted: AND
}

}  // namespace
}  // namespace sigh::real::detail
