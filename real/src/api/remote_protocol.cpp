#include "sigharness/real/remote_protocol.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>

namespace sigh::real {

std::array<std::uint8_t, kHeaderSize> encode_header(const PacketHeader& h) {
  return {h.modifier1, static_cast<std::uint8_t>(h.pktsize & 0xff),
          static_cast<std::uint8_t>(h.pktsize >> 8), h.modifier2};
}

std::array<std::uint8_t, kHeaderSize> encode_signal_request(SignalNumber sig) {
  return encode_header({kSignalModifier1, 0, sig});
}

std::array<std::uint8_t, kHeaderSize> encode_signal_reply(bool accepted) {
  return encode_header({kReplyModifier1, 0, static_cast<std::uint8_t>(accepted ? 1 : 0)});
}

std::string_view packet_errc_name(PacketErrc e) {
  switch (e) {
    case PacketErrc::short_packet:
      return "short_packet";
    case PacketErrc::wrong_modifier1:
      return "wrong_modifier1";
    case PacketErrc::unexpected_body:
      return "unexpected_body";
    case PacketErrc::trailing_bytes:
      return "trailing_bytes";
  }
  return "unknown";
}

std::string PacketError::message() const {
  return fmt::format("remote packet: at byte {}: {} ({})", offset, why, packet_errc_name(code));
}

namespace {

// Shared header checks for requests and replies; nullopt-like via the variant.
std::variant<PacketHeader, PacketError> parse_header(std::span<const std::uint8_t> b,
                                                     std::uint8_t want_modifier1,
                                                     std::string_view kind) {
  if (b.size() < kHeaderSize) {
    return PacketError{PacketErrc::short_packet, b.size(),
                       fmt::format("{} is {} byte(s), a uwsgi header needs 4", kind, b.size())};
  }
  PacketHeader h{b[0], static_cast<std::uint16_t>(b[1] | (b[2] << 8)), b[3]};
  if (h.modifier1 != want_modifier1) {
    return PacketError{
        PacketErrc::wrong_modifier1, 0,
        fmt::format("{} modifier1 is {}, expected {}", kind, h.modifier1, want_modifier1)};
  }
  if (h.pktsize != 0) {
    return PacketError{
        PacketErrc::unexpected_body, 1,
        fmt::format("{} pktsize is {}, a signal packet has no body", kind, h.pktsize)};
  }
  if (b.size() > kHeaderSize) {
    return PacketError{
        PacketErrc::trailing_bytes, kHeaderSize,
        fmt::format("{} has {} byte(s) after the header", kind, b.size() - kHeaderSize)};
  }
  return h;
}

}  // namespace

std::variant<RemoteSignalRequest, PacketError> parse_remote_packet(
    std::span<const std::uint8_t> bytes) {
  auto r = parse_header(bytes, kSignalModifier1, "request");
  if (auto* e = std::get_if<PacketError>(&r)) return std::move(*e);
  return RemoteSignalRequest{std::get<PacketHeader>(r).modifier2};
}

std::variant<std::uint8_t, PacketError> parse_remote_reply(std::span<const std::uint8_t> bytes) {
  auto r = parse_header(bytes, kReplyModifier1, "reply");
  if (auto* e = std::get_if<PacketError>(&r)) return std::move(*e);
  return std::get<PacketHeader>(r).modifier2;
}

// ---- addresses ----

std::string RemoteAddress::str() const {
  switch (kind) {
    case Kind::tcp:
      return fmt::format("{}:{}", host, port);
    case Kind::unix_path:
      return path;
    case Kind::unix_abstract:
      return "@" + path;
  }
  return {};
}

std::string AddressError::message() const {
  return fmt::format("remote address \"{}\": at offset {}: {}", input, offset, why);
}

std::variant<RemoteAddress, AddressError> parse_remote_address(std::string_view s) {
  auto fail = [&](std::size_t off, std::string why) {
    return AddressError{std::string(s), off, std::move(why)};
  };
  if (s.empty()) return fail(0, "empty address (expected host:port or a UNIX socket path)");
  if (s.find('\0') != std::string_view::npos) {
    return fail(s.find('\0'), "NUL byte in address");
  }
  RemoteAddress a;
  const auto colon = s.find(':');
  if (colon != std::string_view::npos) {
    a.kind = RemoteAddress::Kind::tcp;
    std::string host(s.substr(0, colon));
    std::string_view port = s.substr(colon + 1);
    if (host.empty()) return fail(0, "empty host before ':'");
    if (host == "localhost") host = "127.0.0.1";
    in_addr tmp{};
    if (inet_pton(AF_INET, host.c_str(), &tmp) != 1) {
      return fail(0, "host must be a numeric IPv4 address or localhost");
    }
    if (port.empty()) return fail(colon + 1, "empty port after ':'");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (end != port.data() + port.size()) {
      return fail(colon + 1 + static_cast<std::size_t>(end - port.data()),
                  "port must be decimal digits only");
    }
    if (ec == std::errc::result_out_of_range || value > 65535) {
      return fail(colon + 1, "port out of range 0..65535");
    }
    a.host = host;
    a.port = static_cast<std::uint16_t>(value);
    return a;
  }
  constexpr std::size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (s.front() == '@') {
    a.kind = RemoteAddress::Kind::unix_abstract;
    a.path = std::string(s.substr(1));
    if (a.path.empty()) return fail(1, "empty abstract socket name after '@'");
  } else {
    a.kind = RemoteAddress::Kind::unix_path;
    a.path = std::string(s);
  }
  if (a.path.size() > kMaxPath) {
    return fail(kMaxPath, fmt::format("UNIX socket path longer than {} bytes", kMaxPath));
  }
  return a;
}

// ---- error categories ----

namespace {

class RemoteCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sigharness.remote"; }
  std::string message(int v) const override {
    switch (static_cast<RemoteErrc>(v)) {
      case RemoteErrc::rejected:
        return "remote node rejected the signal (status 0)";
      case RemoteErrc::bad_address:
        return "invalid remote address";
      case RemoteErrc::short_reply:
        return "remote closed before a complete 4-byte reply";
      case RemoteErrc::bad_reply:
        return "remote reply is not a uwsgi signal reply";
      case RemoteErrc::peer_not_allowed:
        return "peer address is not in the allow-list";
      case RemoteErrc::malformed_request:
        return "malformed remote signal request";
    }
    return "unknown remote error";
  }
  std::error_condition default_error_condition(int v) const noexcept override {
    switch (static_cast<RemoteErrc>(v)) {
      case RemoteErrc::rejected:
      case RemoteErrc::peer_not_allowed:
        return RemoteCondition::rejected;
      case RemoteErrc::bad_address:
        return RemoteCondition::invalid_address;
      default:
        return RemoteCondition::not_delivered;
    }
  }
};

class RemoteConditionCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sigharness.remote-condition"; }
  std::string message(int v) const override {
    switch (static_cast<RemoteCondition>(v)) {
      case RemoteCondition::rejected:
        return "signal rejected by the remote node";
      case RemoteCondition::not_delivered:
        return "signal could not be delivered";
      case RemoteCondition::invalid_address:
        return "invalid remote address";
    }
    return "unknown remote condition";
  }
  bool equivalent(const std::error_code& ec, int cond) const noexcept override {
    if (ec.category() == remote_category()) {
      return ec.category().default_error_condition(ec.value()).value() == cond &&
             ec.category().default_error_condition(ec.value()).category() == *this;
    }
    // Any OS-level failure (connect, write, read, timeout) means "not delivered".
    if (ec.category() == std::system_category() || ec.category() == std::generic_category()) {
      return cond == static_cast<int>(RemoteCondition::not_delivered) && ec.value() != 0;
    }
    return false;
  }
};

}  // namespace

const std::error_category& remote_category() noexcept {
  static const RemoteCategory c;
  return c;
}
const std::error_category& remote_condition_category() noexcept {
  static const RemoteConditionCategory c;
  return c;
}
std::error_code make_error_code(RemoteErrc e) noexcept {
  return {static_cast<int>(e), remote_category()};
}
std::error_condition make_error_condition(RemoteCondition c) noexcept {
  return {static_cast<int>(c), remote_condition_category()};
}

}  // namespace sigh::real
