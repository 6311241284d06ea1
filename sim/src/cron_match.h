#pragma once
// Cron field matching for both profiles (reference §9.2; SEMANTICS.md U10/S9).
#include <cstdint>

#include "sigharness/scenario.h"

namespace sigh::sim {

struct CivilTime {
  int minute, hour, mday, month /* 1..12 */, wday /* 0 = Sunday */;
};
CivilTime civil_from_unix(std::int64_t unix_seconds);  // UTC

// uwsgi-2.0: -N = every N (tm % N == 0), weekday 7 = 0, day/weekday ORed only
// when both are >= 0. strict: the same fields, but day/weekday ORed whenever
// both are restricted (not -1), as crontab does.
bool cron_matches(const CronSource& c, const CivilTime& t, Profile profile);

}  // namespace sigh::sim
