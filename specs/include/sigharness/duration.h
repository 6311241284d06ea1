#pragma once
// Virtual and real time are integer nanoseconds everywhere (no doubles).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigh {

using Nanos = std::int64_t;
inline constexpr Nanos kNsPerUs = 1'000;
inline constexpr Nanos kNsPerMs = 1'000'000;
inline constexpr Nanos kNsPerSec = 1'000'000'000;

// Parses "1.5s", "250ms", "10us", "3m", "2h", "1d", or a bare number of seconds
// ("2", "0.5"). A leading '-' is allowed only when allow_negative is true.
// Returns nullopt with `why` filled on error.
std::optional<Nanos> parse_duration(std::string_view s, std::string* why,
                                    bool allow_negative = false);
std::string format_duration(Nanos ns);  // "1.5s", "250ms", ... round-trips through parse_duration

}  // namespace sigh
