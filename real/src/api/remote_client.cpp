#include "sigharness/real/remote_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"

namespace sigh::real {

using detail::errno_code;
using Clock = std::chrono::steady_clock;

RemoteSendResult send_remote(SignalNumber sig, std::string_view address,
                             std::chrono::milliseconds timeout) {
  auto parsed = parse_remote_address(address);
  if (std::holds_alternative<AddressError>(parsed)) {
    return {make_error_code(RemoteErrc::bad_address), 0};
  }
  return send_remote(sig, std::get<RemoteAddress>(parsed), timeout);
}

RemoteSendResult send_remote(SignalNumber sig, const RemoteAddress& address,
                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const auto sa = detail::to_sockaddr(address);
  detail::UniqueFd fd(::socket(sa.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return {errno_code(errno), 0};

  if (::connect(fd.get(), sa.get(), sa.len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) return {errno_code(errno), 0};
    if (auto ec = detail::wait_fd(fd.get(), POLLOUT, deadline)) return {ec, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      return {errno_code(errno), 0};
    if (err != 0) return {errno_code(err), 0};
  }

  const auto req = encode_signal_request(sig);
  std::size_t sent = 0;
  while (sent < req.size()) {
    if (auto ec = detail::wait_fd(fd.get(), POLLOUT, deadline)) return {ec, 0};
    ssize_t n = ::send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return {errno_code(errno), 0};
    }
  }

  std::array<std::uint8_t, kHeaderSize> reply{};
  std::size_t got = 0;
  while (got < reply.size()) {
    if (auto ec = detail::wait_fd(fd.get(), POLLIN, deadline)) return {ec, 0};
    ssize_t n = ::recv(fd.get(), reply.data() + got, reply.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return {make_error_code(RemoteErrc::short_reply), 0};
    } else if (errno != EAGAIN && errno != EINTR) {
      return {errno_code(errno), 0};
    }
  }
  auto status = parse_remote_reply(reply);
  if (std::holds_alternative<PacketError>(status)) {
    return {make_error_code(RemoteErrc::bad_reply), 0};
  }
  const std::uint8_t s = std::get<std::uint8_t>(status);
  if (s == 0) return {make_error_code(RemoteErrc::rejected), 0};
  return {{}, s};
}

}  // namespace sigh::real
