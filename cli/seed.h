#pragma once
// Seeds: parsed from the command line ("42", "0x2a") or drawn from the OS,
// always printed as hex so the reproduce line round-trips.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace sigh::cli {

std::optional<std::uint64_t> parse_seed(std::string_view s);
std::uint64_t draw_seed_from_os();
std::string format_seed(std::uint64_t seed);  // "0x2a"

// For command options: when `arg` is set, parses it into `seed` (an error to
// `err` and false when it is not a seed); when unset, leaves `seed` alone.
bool resolve_seed_arg(const std::optional<std::string>& arg, std::uint64_t& seed,
                      std::ostream& err);

}  // namespace sigh::cli
