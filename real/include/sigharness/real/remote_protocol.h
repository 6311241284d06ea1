#pragma once
// uWSGI remote signals (reference uwsgi-signal-semantics.md §10): the wire format,
// a pure packet parser (fuzz target), address parsing and the error codes shared by
// RemoteListener and send_remote().
//
// Wire format: a bare 4-byte uwsgi header {modifier1 u8, pktsize u16 LE, modifier2 u8}.
//   request : {110, 0, signum}
//   reply   : {255, 0, status}   status 1 = queued for the master, 0 = rejected
//
// Body rule (documented deviation): uWSGI's sender never sends a body. A header
// with pktsize != 0 is refused (PacketErrc::unexpected_body); the listener answers
// such a request with status 0 and never reads the body. uWSGI itself would read
// and ignore the body.
//
// Error policy: expected failures (peer rejected, unreachable, timeout, malformed
// input) are returned as values (std::error_code / std::variant), never thrown.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "sigharness/signal_number.h"

namespace sigh::real {

inline constexpr std::uint8_t kSignalModifier1 = 110;
inline constexpr std::uint8_t kReplyModifier1 = 255;
inline constexpr std::size_t kHeaderSize = 4;

struct PacketHeader {
  std::uint8_t modifier1 = 0;
  std::uint16_t pktsize = 0;
  std::uint8_t modifier2 = 0;
  bool operator==(const PacketHeader&) const = default;
};

std::array<std::uint8_t, kHeaderSize> encode_header(const PacketHeader& h);
std::array<std::uint8_t, kHeaderSize> encode_signal_request(SignalNumber sig);
std::array<std::uint8_t, kHeaderSize> encode_signal_reply(bool accepted);

enum class PacketErrc {
  short_packet = 1,  // fewer than 4 bytes
  wrong_modifier1,   // request: not 110; reply: not 255
  unexpected_body,   // pktsize != 0 (see the body rule above)
  trailing_bytes,    // more bytes than header + pktsize
};
std::string_view packet_errc_name(PacketErrc e);

struct PacketError {
  PacketErrc code = PacketErrc::short_packet;
  std::size_t offset = 0;  // byte offset of the offending field
  std::string why;
  std::string message() const;  // "remote packet: at byte 0: <why>"
};

struct RemoteSignalRequest {
  SignalNumber sig = 0;
  bool operator==(const RemoteSignalRequest&) const = default;
};

// Pure: exactly one request packet. Never throws except std::bad_alloc.
std::variant<RemoteSignalRequest, PacketError> parse_remote_packet(
    std::span<const std::uint8_t> bytes);
// Pure: exactly one reply packet; returns the status byte (uWSGI treats 0 as
// rejected and any other value as success).
std::variant<std::uint8_t, PacketError> parse_remote_reply(std::span<const std::uint8_t> bytes);

// uWSGI's address rule (core/socket.c): the first ':' makes it TCP host:port,
// otherwise a UNIX socket path, and a leading '@' means the abstract namespace.
// Stricter than uWSGI: the port is 0..65535 in decimal (no atoi), the host is a
// numeric IPv4 address or "localhost", and "" is a parse error (uWSGI: OSError).
struct RemoteAddress {
  enum class Kind { tcp, unix_path, unix_abstract };
  Kind kind = Kind::tcp;
  std::string host;        // tcp: dotted IPv4 ("localhost" is stored as 127.0.0.1)
  std::uint16_t port = 0;  // tcp
  std::string path;        // unix: the path; abstract: the name without '@'

  std::string str() const;  // "127.0.0.1:3031", "/run/x.sock", "@name"
  bool operator==(const RemoteAddress&) const = default;
};

struct AddressError {
  std::string input;
  std::size_t offset = 0;
  std::string why;
  std::string message() const;  // "remote address \"...\": at offset N: <why>"
};

std::variant<RemoteAddress, AddressError> parse_remote_address(std::string_view s);

// Error codes of the remote path, category "sigharness.remote".
enum class RemoteErrc {
  rejected = 1,      // the peer answered status 0
  bad_address,       // the address string did not parse
  short_reply,       // the peer closed before sending 4 bytes
  bad_reply,         // 4 bytes arrived but were not a {255, 0, status} reply
  peer_not_allowed,  // listener side: peer address not in the allow-list
  malformed_request  // listener side: the request did not parse
};
const std::error_category& remote_category() noexcept;
std::error_code make_error_code(RemoteErrc e) noexcept;

// Conditions to test a code against: `ec == RemoteCondition::not_delivered` is true
// for connect errors (ECONNREFUSED, ENOENT, ...), timed_out, short_reply and
// bad_reply; `ec == RemoteCondition::rejected` only for RemoteErrc::rejected.
enum class RemoteCondition { rejected = 1, not_delivered, invalid_address };
const std::error_category& remote_condition_category() noexcept;
std::error_condition make_error_condition(RemoteCondition c) noexcept;

}  // namespace sigh::real

template <>
struct std::is_error_code_enum<sigh::real::RemoteErrc> : std::true_type {};
template <>
struct std::is_error_condition_enum<sigh::real::RemoteCondition> : std::true_type {};
