#pragma once
// libfaketime for cron and clock_step scenarios: uWSGI runs with LD_PRELOAD and a
// timestamp file holding an offset ("+N" seconds) that the driver rewrites to step
// the wall clock (FAKETIME_NO_CACHE=1). Monotonic clocks stay real
// (FAKETIME_DONT_FAKE_MONOTONIC=1, no speed-up: anchors §3.5 rule 5) so the recorder's
// CLOCK_MONOTONIC stamps and uWSGI's relative timers are unaffected.
#include <cstdint>
#include <string>
#include <vector>

namespace sigh::conform::detail {

struct FakeClock {
  std::string lib, file;
  std::int64_t offset_ns = 0;  // fake wall = real wall + offset (libfaketime takes fractions)
  std::vector<std::string> env() const;
  bool write_offset(std::string* why) const;
  // Sets the offset so the fake wall clock reads `fake_wall_s` right now (to the ns).
  void anchor(std::int64_t fake_wall_s);
};

// "+12.345678901" / "-0.500000000": the offset as libfaketime parses it.
std::string format_offset(std::int64_t offset_ns);

// Runs /bin/date under the same environment: it must print the faked second (+-2 s).
// Returns "" when faking works, otherwise why not.
std::string faketime_self_test(const std::string& lib, const std::string& dir);

std::int64_t real_wall_now();
std::int64_t real_wall_now_ns();

}  // namespace sigh::conform::detail
