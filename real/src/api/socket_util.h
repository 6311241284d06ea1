#pragma once
// Internal helpers shared by the remote client and listener.
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <system_error>
#include <utility>

#include "sigharness/real/remote_protocol.h"

namespace sigh::real::detail {

// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_UNSPEC;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SockAddr to_sockaddr(const RemoteAddress& a);

// errno as a std::error_code in the system category.
inline std::error_code errno_code(int e) { return {e, std::system_category()}; }

// poll() one fd for `events` until `deadline`; returns {} when ready,
// std::errc::timed_out on timeout, or the poll errno. EINTR is retried.
std::error_code wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline);

}  // namespace sigh::real::detail
