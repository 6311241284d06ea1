#pragma once
// Client side of uWSGI remote signals (≙ uwsgi_remote_signal_send / `uwsgi --signal`).
#include <chrono>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "sigharness/real/remote_protocol.h"

namespace sigh::real {

struct RemoteSendResult {
  std::error_code error;    // empty: the peer answered a non-zero status
  std::uint8_t status = 0;  // the reply's status byte when one was read
  explicit operator bool() const noexcept { return !error; }
};

// Connects (non-blocking), writes {110, 0, sig}, reads the 4-byte reply. The whole
// exchange is bounded by `timeout` (uWSGI bounds each of its three steps by
// --socket-timeout instead; the total is the more useful bound for tests).
// Errors (compare with RemoteCondition):
//   rejected      : RemoteErrc::rejected (status 0)
//   not_delivered : connect/write/read errno (system_category), std::errc::timed_out,
//                   RemoteErrc::short_reply, RemoteErrc::bad_reply
//   invalid_address: RemoteErrc::bad_address (string overload only)
// uWSGI treats any status other than 0 as success; so do we.
RemoteSendResult send_remote(SignalNumber sig, const RemoteAddress& address,
                             std::chrono::milliseconds timeout);
RemoteSendResult send_remote(SignalNumber sig, std::string_view address,
                             std::chrono::milliseconds timeout);

}  // namespace sigh::real
