// RemoteListener + send_remote over loopback TCP and UNIX sockets.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "sigharness/real/remote_client.h"
#include "sigharness/real/remote_listener.h"

namespace sigh::real {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs listener.on_readable() in a thread until destroyed.
class Serving {
 public:
  explicit Serving(RemoteListener& l) : l_(l), t_([this] { run(); }) {}
  ~Serving() {
    stop_ = true;
    t_.join();
  }

 private:
  void run() {
    const auto bound = Clock::now() + 10s;  // never outlive a broken test
    while (!stop_ && Clock::now() < bound) {
      pollfd p{l_.fd(), POLLIN, 0};
      ::poll(&p, 1, 20);
      l_.on_readable();
    }
  }
  RemoteListener& l_;
  std::atomic<bool> stop_{false};
  std::thread t_;
};

struct Recorder {
  std::mutex mu;
  std::vector<int> got;
  RemoteListener::Callback callback(int refuse = -1) {
    return [this, refuse](SignalNumber s) {
      std::lock_guard lock(mu);
      got.push_back(s);
      return s != refuse;
    };
  }
  std::vector<int> seen() {
    std::lock_guard lock(mu);
    return got;
  }
};

int raw_connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

TEST(RemoteNet, DeliveredAndRefusedByCallback) {
  Recorder rec;
  RemoteListener l({}, rec.callback(/*refuse=*/99));
  ASSERT_NE(l.address().port, 0);
  EXPECT_EQ(l.address().host, "127.0.0.1");
  Serving s(l);
  auto ok = send_remote(17, l.address_string(), 2000ms);
  EXPECT_FALSE(ok.error) << ok.error.message();
  EXPECT_EQ(ok.status, 1);
  auto no = send_remote(99, l.address(), 2000ms);
  EXPECT_EQ(no.error, RemoteErrc::rejected);
  EXPECT_TRUE(no.error == RemoteCondition::rejected);
  EXPECT_FALSE(no.error == RemoteCondition::not_delivered);
  EXPECT_EQ(rec.seen(), (std::vector<int>{17, 99}));
}

TEST(RemoteNet, ConnectionRefusedIsNotDelivered) {
  std::uint16_t port = 0;
  {
    RemoteListener l({}, [](SignalNumber) { return true; });
    port = l.address().port;
  }  // closed: nothing listens on port now
  auto r = send_remote(1, "127.0.0.1:" + std::to_string(port), 1000ms);
  EXPECT_EQ(r.error, std::errc::connection_refused) << r.error.message();
  EXPECT_TRUE(r.error == RemoteCondition::not_delivered);
  EXPECT_FALSE(r.error == RemoteCondition::rejected);
}

TEST(RemoteNet, SilentPeerTimesOutWithinBound) {
  // Listens (so connect succeeds through the backlog) but never accepts or answers.
  int srv = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(srv, 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
  const auto t0 = Clock::now();
  auto r = send_remote(1, "127.0.0.1:" + std::to_string(ntohs(a.sin_port)), 300ms);
  const auto took = Clock::now() - t0;
  ::close(srv);
  EXPECT_EQ(r.error, std::errc::timed_out) << r.error.message();
  EXPECT_TRUE(r.error == RemoteCondition::not_delivered);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

TEST(RemoteNet, PeerClosingEarlyIsShortReply) {
  int srv = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(srv, 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
  std::thread t([srv] {
    pollfd p{srv, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return;
    int c = ::accept(srv, nullptr, nullptr);
    char buf[4];
    (void)!::recv(c, buf, 4, MSG_WAITALL);
    (void)!::send(c, "\xff\0", 2, MSG_NOSIGNAL);  // half a reply, then close
    ::close(c);
  });
  auto r = send_remote(1, "127.0.0.1:" + std::to_string(ntohs(a.sin_port)), 1500ms);
  t.join();
  ::close(srv);
  EXPECT_EQ(r.error, RemoteErrc::short_reply) << r.error.message();
  EXPECT_TRUE(r.error == RemoteCondition::not_delivered);
}

TEST(RemoteNet, BadAddressIsItsOwnError) {
  auto r = send_remote(1, "", 100ms);
  EXPECT_EQ(r.error, RemoteErrc::bad_address);
  EXPECT_TRUE(r.error == RemoteCondition::invalid_address);
  EXPECT_FALSE(r.error == RemoteCondition::not_delivered);
}

TEST(RemoteNet, AllowListRejectsOtherPeers) {
  Recorder rec;
  ListenerOptions o;
  o.allow = {"10.9.8.7"};
  RemoteListener l(o, rec.callback());
  {
    Serving s(l);
    auto r = send_remote(5, l.address(), 2000ms);
    EXPECT_EQ(r.error, RemoteErrc::rejected) << r.error.message();
  }
  EXPECT_TRUE(rec.seen().empty());  // callback never ran
  EXPECT_EQ(l.stats().not_allowed, 1u);
  EXPECT_EQ(l.stats().delivered, 0u);

  o.allow = {"*"};
  RemoteListener any(o, rec.callback());
  Serving s(any);
  EXPECT_FALSE(send_remote(6, any.address(), 2000ms).error);
  EXPECT_EQ(rec.seen(), std::vector<int>{6});
}

TEST(RemoteNet, UnixPathAndAbstractSockets) {
  Recorder rec;
  char tmpl[] = "/tmp/sigh-sock-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/sig.sock";
  {
    ListenerOptions o;
    o.address = path;
    RemoteListener l(o, rec.callback());
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Serving s(l);
    EXPECT_FALSE(send_remote(3, path, 2000ms).error);
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // removed by the listener
  std::filesystem::remove_all(tmpl);
  {
    ListenerOptions o;
    o.address = "@sigh-test-" + std::to_string(::getpid());
    RemoteListener l(o, rec.callback());
    Serving s(l);
    EXPECT_FALSE(send_remote(4, o.address, 2000ms).error);
  }
  EXPECT_EQ(rec.seen(), (std::vector<int>{3, 4}));
  auto missing = send_remote(1, std::string(tmpl) + "/gone.sock", 500ms);
  EXPECT_EQ(missing.error, std::errc::no_such_file_or_directory);
  EXPECT_TRUE(missing.error == RemoteCondition::not_delivered);
}

TEST(RemoteNet, MalformedRequestsAndBodyRule) {
  Recorder rec;
  RemoteListener l({}, rec.callback());
  Serving s(l);
  {  // wrong modifier1: closed without a reply
    int fd = raw_connect(l.address().port);
    const std::uint8_t bad[4] = {1, 0, 0, 5};
    ASSERT_EQ(::send(fd, bad, 4, MSG_NOSIGNAL), 4);
    std::uint8_t buf[4];
    EXPECT_EQ(::recv(fd, buf, 4, 0), 0);
    ::close(fd);
  }
  {  // pktsize != 0: answered with status 0, body never read
    int fd = raw_connect(l.address().port);
    const std::uint8_t body[4] = {110, 3, 0, 5};
    ASSERT_EQ(::send(fd, body, 4, MSG_NOSIGNAL), 4);
    std::uint8_t buf[4] = {};
    EXPECT_EQ(::recv(fd, buf, 4, MSG_WAITALL), 4);
    EXPECT_EQ(buf[0], 255);
    EXPECT_EQ(buf[3], 0);
    ::close(fd);
  }
  {  // request split across two writes still works
    int fd = raw_connect(l.address().port);
    const std::uint8_t req[4] = {110, 0, 0, 9};
    ASSERT_EQ(::send(fd, req, 2, MSG_NOSIGNAL), 2);
    std::this_thread::sleep_for(30ms);
    ASSERT_EQ(::send(fd, req + 2, 2, MSG_NOSIGNAL), 2);
    std::uint8_t buf[4] = {};
    EXPECT_EQ(::recv(fd, buf, 4, MSG_WAITALL), 4);
    EXPECT_EQ(buf[3], 1);
    ::close(fd);
  }
  EXPECT_EQ(rec.seen(), std::vector<int>{9});
  EXPECT_EQ(l.stats().malformed, 2u);
}

TEST(RemoteNet, IdleClientIsDroppedAfterClientTimeout) {
  ListenerOptions o;
  o.client_timeout = 100ms;
  RemoteListener l(o, [](SignalNumber) { return true; });
  int fd = raw_connect(l.address().port);
  EXPECT_EQ(l.serve_for(300ms), 0u);
  EXPECT_EQ(l.stats().timed_out, 1u);
  std::uint8_t buf[4];
  EXPECT_EQ(::recv(fd, buf, 4, 0), 0);  // closed by the listener
  ::close(fd);
}

TEST(RemoteNet, WorksInsideAnExternalEpollLoop) {
  Recorder rec;
  RemoteListener l({}, rec.callback());
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = l.fd();
  ASSERT_EQ(::epoll_ctl(ep, EPOLL_CTL_ADD, l.fd(), &ev), 0);
  std::atomic<bool> done{false};
  std::thread loop([&] {
    const auto bound = Clock::now() + 5s;
    while (!done && Clock::now() < bound) {
      epoll_event out{};
      if (::epoll_wait(ep, &out, 1, 20) == 1 && out.data.fd == l.fd()) l.on_readable();
    }
  });
  auto r = send_remote(42, l.address(), 2000ms);
  done = true;
  loop.join();
  ::close(ep);
  EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(rec.seen(), std::vector<int>{42});
}

TEST(RemoteNet, SetupErrorsThrow) {
  EXPECT_THROW(RemoteListener(ListenerOptions{.address = ""}, [](SignalNumber) { return true; }),
               std::invalid_argument);
  RemoteListener a({}, [](SignalNumber) { return true; });
  ListenerOptions same;
  same.address = a.address_string();
  EXPECT_THROW(RemoteListener(same, [](SignalNumber) { return true; }), std::system_error);
}

}  // namespace
}  // namespace sigh::real
