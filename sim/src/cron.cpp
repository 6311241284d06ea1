// Cron firing at master checks (U10, S9). Field matching: cron_match.cpp.
#include "cron_match.h"
#include "sim_core.h"

namespace sigh::sim {

void SimCore::crons_check() {
  if (crons_.empty()) return;
  const std::int64_t now_s = clock_.wall_s();  // cron reads the wall clock
  const CivilTime ct = civil_from_unix(now_s);
  for (CronState& c : crons_) {
    if (now() < c.src.at) continue;
    if (strict_ && c.src.iterations > 0 && c.fired >= c.src.iterations) continue;  // S8
    if (!cron_matches(c.src, ct, opt_.profile)) continue;
    bool fire = false;
    if (strict_) {
      // S9: once per matching wall-clock minute; a step back never re-fires a
      // minute, a step forward skips the minutes jumped over.
      const std::int64_t minute = now_s >= 0 ? now_s / 60 : -((-now_s + 59) / 60);
      if (minute > c.last_minute) {
        fire = true;
        c.last_minute = minute;
      }
    } else if (now_s - c.last_job >= 60) {
      // U10: 60 s guard from the last run; last_job starts at 0, so a matching
      // cron fires at the first check; a step back can re-fire.
      fire = true;
      c.last_job = now_s;
    }
    if (!fire) continue;
    ++c.fired;
    if (ct.hour == 0 && ct.minute == 0) probe(Probe::cron_midnight);
    emit(EventKind::cron_fire, c.src.sig, "master", {}, {}, {}, {}, now_s);
    route(c.src.sig);
  }
}

}  // namespace sigh::sim
