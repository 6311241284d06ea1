#include "framework/cron_match.h"

namespace sigh::real::detail {

std::int64_t unix_minute(std::int64_t s) { return s >= 0 ? s / 60 : -((-s + 59) / 60); }

UtcTime utc_from_unix(std::int64_t s) {
  std::int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
  std::int64_t secs = s - days * 86400;
  UtcTime t;
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs % 3600 / 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  // Civil date from days since the epoch (Howard Hinnant's algorithm, proleptic Gregorian).
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return t;
}

namespace {
bool field(int spec, int value) {
  if (spec >= 0) return spec == value;
  return value % (-spec) == 0;
}
}  // namespace

bool cron_matches_strict(const CronSpec& c, const UtcTime& t) {
  if (!field(c.minute, t.minute) || !field(c.hour, t.hour) || !field(c.month, t.month))
    return false;
  const int wd = c.weekday == 7 ? 0 : c.weekday;
  const bool day_ok = field(c.day, t.day);
  const bool wd_ok = field(wd, t.weekday);
  if (c.day != -1 && c.weekday != -1) return day_ok || wd_ok;  // both restricted: crontab OR
  return day_ok && wd_ok;
}

}  // namespace sigh::real::detail
