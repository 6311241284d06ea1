#include "seed.h"

#include <sys/random.h>

#include <charconv>
#include <chrono>
#include <ostream>

namespace sigh::cli {

std::optional<std::uint64_t> parse_seed(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::uint64_t draw_seed_from_os() {
  std::uint64_t v = 0;
  if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    // getrandom cannot fail for 8 bytes on Linux >= 3.17; fall back to the clock anyway.
    v = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return v;
}

bool resolve_seed_arg(const std::optional<std::string>& arg, std::uint64_t& seed,
                      std::ostream& err) {
  if (!arg) return true;
  auto parsed = parse_seed(*arg);
  if (!parsed) {
    err << "error: --seed \"" << *arg << "\" is not a decimal or 0x-hex 64-bit number\n";
    return false;
  }
  seed = *parsed;
  return true;
}

std::string format_seed(std::uint64_t seed) {
  char buf[2 + 16 + 1];
  auto [p, ec] = std::to_chars(buf + 2, buf + sizeof buf, seed, 16);
  (void)ec;
  buf[0] = '0';
  buf[1] = 'x';
  return std::string(buf, p);
}

}  // namespace sigh::cli
