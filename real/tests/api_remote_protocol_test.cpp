// Pure remote-signal packet and address parsing.
#include <gtest/gtest.h>

#include <vector>

#include "sigharness/real/remote_protocol.h"

namespace sigh::real {
namespace {

using Bytes = std::vector<std::uint8_t>;

PacketErrc packet_error(const Bytes& b) {
  auto r = parse_remote_packet(b);
  EXPECT_TRUE(std::holds_alternative<PacketError>(r));
  return std::holds_alternative<PacketError>(r) ? std::get<PacketError>(r).code : PacketErrc{};
}

TEST(RemotePacket, EncodesLikeUwsgi) {
  auto req = encode_signal_request(17);
  EXPECT_EQ(Bytes(req.begin(), req.end()), (Bytes{110, 0, 0, 17}));
  auto ok = encode_signal_reply(true);
  auto no = encode_signal_reply(false);
  EXPECT_EQ(Bytes(ok.begin(), ok.end()), (Bytes{255, 0, 0, 1}));
  EXPECT_EQ(Bytes(no.begin(), no.end()), (Bytes{255, 0, 0, 0}));
  auto h = encode_header({1, 0x1234, 2});
  EXPECT_EQ(Bytes(h.begin(), h.end()), (Bytes{1, 0x34, 0x12, 2}));  // pktsize little-endian
}

TEST(RemotePacket, ParsesEverySignalNumber) {
  for (int n = 0; n < 256; ++n) {
    auto r = parse_remote_packet(encode_signal_request(static_cast<SignalNumber>(n)));
    ASSERT_TRUE(std::holds_alternative<RemoteSignalRequest>(r)) << n;
    EXPECT_EQ(std::get<RemoteSignalRequest>(r).sig, n);
  }
}

TEST(RemotePacket, RejectsMalformed) {
  EXPECT_EQ(packet_error({}), PacketErrc::short_packet);
  EXPECT_EQ(packet_error({110, 0, 0}), PacketErrc::short_packet);
  EXPECT_EQ(packet_error({0, 0, 0, 5}), PacketErrc::wrong_modifier1);
  EXPECT_EQ(packet_error({255, 0, 0, 1}), PacketErrc::wrong_modifier1);
  EXPECT_EQ(packet_error({110, 1, 0, 5, 'x'}), PacketErrc::unexpected_body);
  EXPECT_EQ(packet_error({110, 0, 1, 5}), PacketErrc::unexpected_body);  // pktsize 256
  EXPECT_EQ(packet_error({110, 0, 0, 5, 0}), PacketErrc::trailing_bytes);
  auto r = parse_remote_packet(Bytes{42, 0, 0, 5});
  const auto msg = std::get<PacketError>(r).message();
  EXPECT_NE(msg.find("modifier1 is 42"), std::string::npos) << msg;
}

TEST(RemotePacket, ParsesReplies) {
  auto ok = parse_remote_reply(encode_signal_reply(true));
  ASSERT_TRUE(std::holds_alternative<std::uint8_t>(ok));
  EXPECT_EQ(std::get<std::uint8_t>(ok), 1);
  EXPECT_EQ(std::get<std::uint8_t>(parse_remote_reply(Bytes{255, 0, 0, 7})), 7);
  EXPECT_TRUE(std::holds_alternative<PacketError>(parse_remote_reply(Bytes{110, 0, 0, 1})));
  EXPECT_TRUE(std::holds_alternative<PacketError>(parse_remote_reply(Bytes{255, 0})));
}

RemoteAddress addr(std::string_view s) {
  auto r = parse_remote_address(s);
  EXPECT_TRUE(std::holds_alternative<RemoteAddress>(r))
      << s << ": " << std::get<AddressError>(r).message();
  return std::holds_alternative<RemoteAddress>(r) ? std::get<RemoteAddress>(r) : RemoteAddress{};
}

AddressError addr_error(std::string_view s) {
  auto r = parse_remote_address(s);
  EXPECT_TRUE(std::holds_alternative<AddressError>(r)) << s;
  return std::holds_alternative<AddressError>(r) ? std::get<AddressError>(r) : AddressError{};
}

TEST(RemoteAddressParse, UwsgiRules) {
  auto t = addr("127.0.0.1:3031");
  EXPECT_EQ(t.kind, RemoteAddress::Kind::tcp);
  EXPECT_EQ(t.host, "127.0.0.1");
  EXPECT_EQ(t.port, 3031);
  EXPECT_EQ(t.str(), "127.0.0.1:3031");
  EXPECT_EQ(addr("localhost:0").host, "127.0.0.1");
  auto u = addr("/tmp/x.sock");
  EXPECT_EQ(u.kind, RemoteAddress::Kind::unix_path);
  EXPECT_EQ(u.path, "/tmp/x.sock");
  auto a = addr("@sigh");
  EXPECT_EQ(a.kind, RemoteAddress::Kind::unix_abstract);
  EXPECT_EQ(a.path, "sigh");
  EXPECT_EQ(a.str(), "@sigh");
  EXPECT_EQ(addr("relative.sock").kind, RemoteAddress::Kind::unix_path);
}

TEST(RemoteAddressParse, Errors) {
  EXPECT_NE(addr_error("").why.find("empty"), std::string::npos);
  EXPECT_EQ(addr_error(":3031").offset, 0u);
  EXPECT_EQ(addr_error("127.0.0.1:").offset, 10u);
  EXPECT_EQ(addr_error("127.0.0.1:30x1").offset, 12u);
  addr_error("127.0.0.1:65536");
  addr_error("127.0.0.1:99999999999999999999");
  addr_error("::1");             // first ':' splits: bare IPv6 does not work (as in uWSGI)
  addr_error("example.com:80");  // numeric hosts only
  addr_error("@");
  addr_error(std::string(200, 'p'));
  EXPECT_NE(addr_error("127.0.0.1:x").message().find("127.0.0.1:x"), std::string::npos);
}

TEST(RemoteErrors, CodesMapToConditions) {
  const std::error_code rejected = RemoteErrc::rejected;
  EXPECT_TRUE(rejected == RemoteCondition::rejected);
  EXPECT_FALSE(rejected == RemoteCondition::not_delivered);
  for (auto e : {RemoteErrc::short_reply, RemoteErrc::bad_reply}) {
    EXPECT_TRUE(std::error_code(e) == RemoteCondition::not_delivered);
    EXPECT_FALSE(std::error_code(e) == RemoteCondition::rejected);
  }
  const auto refused = std::make_error_code(std::errc::connection_refused);
  EXPECT_TRUE(refused == RemoteCondition::not_delivered);
  EXPECT_TRUE(std::make_error_code(std::errc::timed_out) == RemoteCondition::not_delivered);
  EXPECT_TRUE(std::error_code(RemoteErrc::bad_address) == RemoteCondition::invalid_address);
  EXPECT_FALSE(std::error_code() == RemoteCondition::not_delivered);
  EXPECT_EQ(std::string(remote_category().name()), "sigharness.remote");
}

}  // namespace
}  // namespace sigh::real
