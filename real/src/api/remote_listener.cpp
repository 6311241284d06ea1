#include "sigharness/real/remote_listener.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <stdexcept>

#include "socket_util.h"

namespace sigh::real {

using detail::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

struct Conn {
  UniqueFd fd;
  std::array<std::uint8_t, kHeaderSize> buf{};
  std::size_t got = 0;
  bool allowed = true;
  Clock::time_point deadline;
};

}  // namespace

struct RemoteListener::Impl {
  ListenerOptions opts;
  Callback callback;
  RemoteAddress bound;
  UniqueFd listen_fd;
  UniqueFd epoll_fd;
  std::map<int, Conn> conns;
  ListenerStats stats;
  std::size_t answered = 0;
  bool owns_path = false;

  bool peer_allowed(int fd) const {
    if (bound.kind != RemoteAddress::Kind::tcp) return true;  // see header: file mode gates UNIX
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
        peer.sin_family != AF_INET) {
      return false;
    }
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    return std::any_of(opts.allow.begin(), opts.allow.end(),
                       [&](const std::string& a) { return a == "*" || a == text; });
  }

  void close_conn(int fd) {
    ::epoll_ctl(epoll_fd.get(), EPOLL_CTL_DEL, fd, nullptr);
    conns.erase(fd);  // UniqueFd closes
  }

  void reply(int fd, bool accepted) {
    const auto r = encode_signal_reply(accepted);
    // A fresh socket's send buffer always has room for 4 bytes; a failure here
    // means the peer went away, which is its problem.
    (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    ++answered;
  }

  void accept_all() {
    for (;;) {
      int c = ::accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // EAGAIN, or a transient error (EMFILE...): try again next wakeup
      }
      UniqueFd cfd(c);
      ++stats.accepted;
      if (conns.size() >= opts.max_connections) {
        ++stats.overflow;
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.fd = c;
      if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, c, &ev) != 0) continue;
      Conn conn;
      conn.allowed = peer_allowed(c);
      conn.deadline = Clock::now() + opts.client_timeout;
      conn.fd = std::move(cfd);
      conns.emplace(c, std::move(conn));
    }
  }

  void handle(int fd) {
    auto it = conns.find(fd);
    if (it == conns.end()) return;
    Conn& c = it->second;
    for (;;) {
      ssize_t n = ::recv(fd, c.buf.data() + c.got, c.buf.size() - c.got, 0);
      if (n > 0) {
        c.got += static_cast<std::size_t>(n);
        if (c.got == c.buf.size()) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;  // wait for more
      // EOF or error before 4 bytes: nothing to answer.
      ++stats.malformed;
      close_conn(fd);
      return;
    }
    auto parsed = parse_remote_packet(c.buf);
    if (auto* err = std::get_if<PacketError>(&parsed)) {
      ++stats.malformed;
      if (err->code == PacketErrc::unexpected_body) reply(fd, false);
      close_conn(fd);
      return;
    }
    if (!c.allowed) {
      ++stats.not_allowed;
      reply(fd, false);
      close_conn(fd);
      return;
    }
    const SignalNumber sig = std::get<RemoteSignalRequest>(parsed).sig;
    bool ok = false;
    try {
      ok = callback(sig);
    } catch (...) {
      ++stats.refused;
      reply(fd, false);
      close_conn(fd);
      throw;
    }
    ++(ok ? stats.delivered : stats.refused);
    reply(fd, ok);
    close_conn(fd);
  }

  void expire() {
    const auto now = Clock::now();
    std::vector<int> dead;
    for (auto& [fd, c] : conns) {
      if (c.deadline <= now) dead.push_back(fd);
    }
    for (int fd : dead) {
      ++stats.timed_out;
      close_conn(fd);
    }
  }
};

RemoteListener::RemoteListener(ListenerOptions options, Callback callback)
    : impl_(std::make_unique<Impl>()) {
  auto& I = *impl_;
  I.opts = std::move(options);
  I.callback = std::move(callback);
  if (!I.callback) throw std::invalid_argument("RemoteListener: empty callback");
  auto parsed = parse_remote_address(I.opts.address);
  if (auto* e = std::get_if<AddressError>(&parsed)) throw std::invalid_argument(e->message());
  I.bound = std::get<RemoteAddress>(parsed);

  const auto sa = detail::to_sockaddr(I.bound);
  I.listen_fd.reset(::socket(sa.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!I.listen_fd) throw_errno("RemoteListener: socket()");
  if (sa.family == AF_INET) {
    int one = 1;
    ::setsockopt(I.listen_fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (::bind(I.listen_fd.get(), sa.get(), sa.len) != 0) {
    throw_errno("RemoteListener: bind(" + I.bound.str() + ")");
  }
  if (I.bound.kind == RemoteAddress::Kind::unix_path) {
    I.owns_path = true;
    ::chmod(I.bound.path.c_str(), 0600);
  }
  if (::listen(I.listen_fd.get(), I.opts.backlog) != 0) throw_errno("RemoteListener: listen()");
  if (I.bound.kind == RemoteAddress::Kind::tcp) {
    sockaddr_in got{};
    socklen_t len = sizeof got;
    if (::getsockname(I.listen_fd.get(), reinterpret_cast<sockaddr*>(&got), &len) != 0) {
      throw_errno("RemoteListener: getsockname()");
    }
    I.bound.port = ntohs(got.sin_port);
  }
  I.epoll_fd.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!I.epoll_fd) throw_errno("RemoteListener: epoll_create1()");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = I.listen_fd.get();
  if (::epoll_ctl(I.epoll_fd.get(), EPOLL_CTL_ADD, I.listen_fd.get(), &ev) != 0) {
    throw_errno("RemoteListener: epoll_ctl()");
  }
}

RemoteListener::~RemoteListener() {
  if (impl_ && impl_->owns_path) ::unlink(impl_->bound.path.c_str());
}
RemoteListener::RemoteListener(RemoteListener&&) noexcept = default;
RemoteListener& RemoteListener::operator=(RemoteListener&& o) noexcept {
  if (this != &o) {
    if (impl_ && impl_->owns_path) ::unlink(impl_->bound.path.c_str());
    impl_ = std::move(o.impl_);
  }
  return *this;
}

int RemoteListener::fd() const noexcept { return impl_->epoll_fd.get(); }

void RemoteListener::on_readable() {
  auto& I = *impl_;
  I.expire();
  // Level-triggered: loop until nothing is ready, bounded so one call stays short.
  for (int round = 0; round < 16; ++round) {
    std::array<epoll_event, 32> evs{};
    int n = ::epoll_wait(I.epoll_fd.get(), evs.data(), static_cast<int>(evs.size()), 0);
    if (n <= 0) return;  // 0: idle; <0 (EINTR): the caller's loop calls us again
    for (int i = 0; i < n; ++i) {
      if (evs[static_cast<std::size_t>(i)].data.fd == I.listen_fd.get()) {
        I.accept_all();
      } else {
        I.handle(evs[static_cast<std::size_t>(i)].data.fd);
      }
    }
  }
}

std::size_t RemoteListener::serve_for(std::chrono::milliseconds d) {
  using namespace std::chrono;
  const auto start_answered = impl_->answered;
  const auto deadline = Clock::now() + d;
  for (;;) {
    const auto left = duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 50)));
    if (r < 0 && errno != EINTR) throw_errno("RemoteListener::serve_for: poll()");
    on_readable();
  }
  return impl_->answered - start_answered;
}

const RemoteAddress& RemoteListener::address() const noexcept { return impl_->bound; }
std::string RemoteListener::address_string() const { return impl_->bound.str(); }
const ListenerStats& RemoteListener::stats() const noexcept { return impl_->stats; }

}  // namespace sigh::real
