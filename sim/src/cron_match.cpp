#include "cron_match.h"

namespace sigh::sim {

CivilTime civil_from_unix(std::int64_t t) {
  std::int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) rem += 86400, --days;
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  c.mday = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp + (mp < 10 ? 3 : -9));
  return c;
}

namespace {
bool field(int want, int have) {
  if (want >= 0) return want == have;
  return have % (-want) == 0;  // -1 matches anything
}
}  // namespace

bool cron_matches(const CronSource& c, const CivilTime& t, Profile profile) {
  int week = c.weekday == 7 ? 0 : c.weekday;
  if (!field(c.minute, t.minute) || !field(c.hour, t.hour) || !field(c.month, t.month))
    return false;
  bool day_ok = field(c.day, t.mday);
  bool week_ok = field(week, t.wday);
  bool either = profile == Profile::uwsgi_2_0 ? (c.day >= 0 && c.weekday >= 0)
                                              : (c.day != -1 && c.weekday != -1);
  return either ? (day_ok || week_ok) : (day_ok && week_ok);
}

}  // namespace sigh::sim
