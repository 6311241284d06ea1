#include "socket_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sigh::real::detail {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

SockAddr to_sockaddr(const RemoteAddress& a) {
  SockAddr out;
  if (a.kind == RemoteAddress::Kind::tcp) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    ::inet_pton(AF_INET, a.host.c_str(), &in->sin_addr);  // validated by parse_remote_address
    out.len = sizeof(sockaddr_in);
    out.family = AF_INET;
    return out;
  }
  auto* un = reinterpret_cast<sockaddr_un*>(&out.storage);
  un->sun_family = AF_UNIX;
  // Abstract names start with a NUL byte and are not NUL-terminated.
  const std::size_t skip = a.kind == RemoteAddress::Kind::unix_abstract ? 1 : 0;
  std::memcpy(un->sun_path + skip, a.path.data(), a.path.size());
  out.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + skip + a.path.size() +
                                   (skip ? 0 : 1));
  out.family = AF_UNIX;
  return out;
}

std::error_code wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  using namespace std::chrono;
  for (;;) {
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    if (left <= 0) {
      // One last non-blocking look, so a zero timeout still sees a ready fd.
      pollfd p{fd, events, 0};
      int r = ::poll(&p, 1, 0);
      if (r > 0) return {};
      return std::make_error_code(std::errc::timed_out);
    }
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return {};
    if (r < 0 && errno != EINTR) return errno_code(errno);
  }
}

}  // namespace sigh::real::detail
