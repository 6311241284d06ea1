#include "cron_match.h"

#include <gtest/gtest.h>

namespace sigh::sim {
namespace {
CronSource cron(int minute, int hour, int day, int month, int weekday) {
  CronSource c;
  c.minute = minute;
  c.hour = hour;
  c.day = day;
  c.month = month;
  c.weekday = weekday;
  return c;
}
}  // namespace

TEST(CronMatch, CivilTime) {
  CivilTime t = civil_from_unix(1893456000);  // 2030-01-01 00:00 UTC, a Tuesday
  EXPECT_EQ(t.month, 1);
  EXPECT_EQ(t.mday, 1);
  EXPECT_EQ(t.wday, 2);
  EXPECT_EQ(t.hour, 0);
  t = civil_from_unix(1893456000 + 5 * 86400 + 3600 * 13 + 60 * 7);  // Sunday 2030-01-06 13:07
  EXPECT_EQ(t.wday, 0);
  EXPECT_EQ(t.mday, 6);
  EXPECT_EQ(t.hour, 13);
  EXPECT_EQ(t.minute, 7);
}

TEST(CronMatch, EveryNIsModulo) {
  CivilTime t{45, 3, 6, 3, 5};
  EXPECT_TRUE(cron_matches(cron(-15, -1, -1, -1, -1), t, Profile::uwsgi_2_0));
  t.minute = 50;
  EXPECT_FALSE(cron_matches(cron(-15, -1, -1, -1, -1), t, Profile::uwsgi_2_0));
  EXPECT_TRUE(cron_matches(cron(-1, -1, -2, -3, -1), CivilTime{0, 0, 6, 3, 5},
                           Profile::strict));  // day 6, month 3
}

TEST(CronMatch, WeekdaySevenIsSunday) {
  CivilTime sunday{0, 0, 6, 1, 0};
  EXPECT_TRUE(cron_matches(cron(0, 0, -1, -1, 7), sunday, Profile::uwsgi_2_0));
  EXPECT_TRUE(cron_matches(cron(0, 0, -1, -1, 7), sunday, Profile::strict));
}

TEST(CronMatch, DayWeekdayOrDiffersByProfile) {
  CivilTime tuesday_1st{0, 0, 1, 1, 2};
  // Both >= 0: OR in both profiles.
  EXPECT_TRUE(cron_matches(cron(0, 0, 15, -1, 2), tuesday_1st, Profile::uwsgi_2_0));
  EXPECT_TRUE(cron_matches(cron(0, 0, 15, -1, 2), tuesday_1st, Profile::strict));
  // A -N weekday: uWSGI ANDs, strict ORs (crontab).
  EXPECT_FALSE(cron_matches(cron(0, 0, 15, -1, -2), tuesday_1st, Profile::uwsgi_2_0));
  EXPECT_TRUE(cron_matches(cron(0, 0, 15, -1, -2), tuesday_1st, Profile::strict));
  // Out-of-range values never match.
  EXPECT_FALSE(
      cron_matches(cron(60, -1, -1, -1, -1), CivilTime{0, 0, 1, 1, 2}, Profile::uwsgi_2_0));
  EXPECT_FALSE(
      cron_matches(cron(-1, -1, -1, 13, -1), CivilTime{0, 0, 1, 1, 2}, Profile::uwsgi_2_0));
}

}  // namespace sigh::sim
