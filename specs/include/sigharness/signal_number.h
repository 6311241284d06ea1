#pragma once
// Signal numbers: uWSGI signals are one byte, 0..255, and 0 is an ordinary signal.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigh {

using SignalNumber = std::uint8_t;
inline constexpr int kSignalCount = 256;

// Returns the number when 0 <= v <= 255, nullopt otherwise. uWSGI's Python binding
// reduces modulo 256 instead; sigharness never does (see specs/SEMANTICS.md).
constexpr std::optional<SignalNumber> checked_signal_number(long long v) {
  if (v < 0 || v > 255) return std::nullopt;
  return static_cast<SignalNumber>(v);
}

}  // namespace sigh
