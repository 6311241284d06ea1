#pragma once
// Seeds: parsed from the command line ("42", "0x2a") or drawn from the OS,
// always printed as hex so the reproduce line round-trips.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigh::cli {

std::optional<std::uint64_t> parse_seed(std::string_view s);
std::uint64_t draw_seed_from_os();
std::string format_seed(std::uint64_t seed);  // "0x2a"

}  // namespace sigh::cli
