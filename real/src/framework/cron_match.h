#pragma once
// Cron field matching for the real backend (strict, S9/U10). Deliberately separate from sim/.
#include <cstdint>

namespace sigh::real::detail {

struct UtcTime {
  int minute = 0, hour = 0, day = 1, month = 1, weekday = 0;  // month 1..12, weekday 0 = Sunday
};
UtcTime utc_from_unix(std::int64_t unix_s);

struct CronSpec {
  int minute = -1, hour = -1, day = -1, month = -1, weekday = -1;
};
// Field >= 0: equal (weekday 7 = 0); field -N: value % N == 0 (-1 = any). Day and weekday are
// ORed when both are restricted (any value other than -1), as crontab does; otherwise ANDed.
bool cron_matches_strict(const CronSpec& c, const UtcTime& t);

// Minute index of a unix time (floor division, correct before 1970 too).
std::int64_t unix_minute(std::int64_t unix_s);

}  // namespace sigh::real::detail
