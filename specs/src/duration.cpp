#include "sigharness/duration.h"

#include <cstdint>
#include <limits>

namespace sigh {

std::optional<Nanos> parse_duration(std::string_view s, std::string* why, bool allow_negative) {
  auto fail = [&](const char* w) -> std::optional<Nanos> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (s.empty()) return fail("empty duration");
  bool negative = false;
  if (s.front() == '-') {
    if (!allow_negative) return fail("negative durations are not allowed here");
    negative = true;
    s.remove_prefix(1);
  }
  // Split number and unit.
  std::size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  std::string_view num = s.substr(0, i), unit = s.substr(i);
  if (num.empty()) return fail("a duration starts with a number, e.g. 1.5s or 250ms");
  Nanos scale = 0;
  if (unit.empty() || unit == "s")
    scale = kNsPerSec;
  else if (unit == "ms")
    scale = kNsPerMs;
  else if (unit == "us")
    scale = kNsPerUs;
  else if (unit == "ns")
    scale = 1;
  else if (unit == "m")
    scale = 60 * kNsPerSec;
  else if (unit == "h")
    scale = 3600 * kNsPerSec;
  else if (unit == "d")
    scale = 86400 * kNsPerSec;
  else
    return fail("unknown unit (use ns, us, ms, s, m, h or d)");
  // Exact decimal: integer part * scale + fraction digits scaled down.
  std::size_t dot = num.find('.');
  if (dot != std::string_view::npos && num.find('.', dot + 1) != std::string_view::npos)
    return fail("more than one decimal point");
  std::string_view ip = num.substr(0, dot),
                   fp = dot == std::string_view::npos ? "" : num.substr(dot + 1);
  if (ip.empty() && fp.empty()) return fail("a duration needs digits");
  const Nanos max = std::numeric_limits<Nanos>::max() / 10;
  Nanos whole = 0;
  for (char c : ip) {
    whole = whole * 10 + (c - '0');
    if (whole > max) return fail("duration too large");
  }
  if (whole > std::numeric_limits<Nanos>::max() / scale) return fail("duration too large");
  Nanos total = whole * scale;
  Nanos frac_scale = scale;
  for (char c : fp) {
    frac_scale /= 10;
    if (frac_scale == 0) {
      if (c != '0') return fail("more decimals than nanosecond precision");
      continue;
    }
    total += (c - '0') * frac_scale;
  }
  return negative ? -total : total;
}

std::string format_duration(Nanos ns) {
  std::string sign = ns < 0 ? "-" : "";
  std::uint64_t v = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  constexpr std::uint64_t kSec = 1'000'000'000, kMs = 1'000'000, kUs = 1'000;
  if (v % kSec == 0) return sign + std::to_string(v / kSec) + "s";
  if (v >= kSec) {
    std::string frac = std::to_string(v % kSec);
    frac = std::string(9 - frac.size(), '0') + frac;
    while (frac.back() == '0') frac.pop_back();
    return sign + std::to_string(v / kSec) + "." + frac + "s";
  }
  if (v % kMs == 0) return sign + std::to_string(v / kMs) + "ms";
  if (v % kUs == 0) return sign + std::to_string(v / kUs) + "us";
  return sign + std::to_string(v) + "ns";
}

}  // namespace sigh
