// Fuzz target: the uwsgi-protocol remote-signal packet parser of the real
// listener, and the address parser of the client. Any bytes give a request
// or a PacketError with a reason; an accepted request must re-encode to the
// same 4 header bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <variant>

#include "sigharness/real/remote_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  auto parsed = sigh::real::parse_remote_packet(bytes);
  if (auto* req = std::get_if<sigh::real::RemoteSignalRequest>(&parsed)) {
    auto encoded = sigh::real::encode_signal_request(req->sig);
    auto again = sigh::real::parse_remote_packet(encoded);
    auto* req2 = std::get_if<sigh::real::RemoteSignalRequest>(&again);
    if (!req2 || req2->sig != req->sig) {
      std::fprintf(stderr, "remote-packet finding: an accepted request does not round-trip\n");
      std::abort();
    }
  } else if (std::get<sigh::real::PacketError>(parsed).why.empty()) {
    std::fprintf(stderr, "remote-packet finding: rejection without a reason\n");
    std::abort();
  }
  (void)sigh::real::parse_remote_reply(bytes);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sigh::real::parse_remote_address(text);  // must not crash on any text
  return 0;
}
