// Fuzz target (live mode of the remote-signal surface): our real RemoteListener serves on
// 127.0.0.1 (ephemeral port) in a thread of this process, so libFuzzer sees its coverage; each
// input is sent over a fresh TCP connection. The listener must answer with a well-formed uwsgi
// reply (modifier1 255, size 0, status 0 or 1) or close the connection, and it must stay up: a
// listener that stops answering aborts the run with a finding (a crash in it is libFuzzer's).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>

#include "sigharness/real/remote_listener.h"

namespace {

std::thread* g_thread = nullptr;
std::atomic<bool> g_stop{false};
std::uint16_t g_port = 0;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "remote-live finding: %s\n", what);
  std::abort();
}

void stop_listener() {
  g_stop = true;
  if (g_thread) g_thread->join();
}

void start_listener() {
  std::promise<std::uint16_t> port;
  auto ready = port.get_future();
  g_thread = new std::thread([&port] {
    sigh::real::ListenerOptions lo;
    lo.address = "127.0.0.1:0";
    lo.client_timeout = std::chrono::milliseconds(200);
    // Even signals are accepted (status 1), odd ones refused (status 0): both replies are seen.
    sigh::real::RemoteListener l(lo, [](sigh::SignalNumber s) { return s % 2 == 0; });
    port.set_value(l.address().port);
    while (!g_stop) l.serve_for(std::chrono::milliseconds(50));
  });
  g_port = ready.get();
  std::atexit(stop_listener);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!g_thread) start_listener();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) finding("socket failed");
  timeval tv{2, 0};  // bounded: a listener that neither answers nor closes in 2 s is hung
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(g_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) finding("the listener is down");
  // The listener may close before reading everything: EPIPE/ECONNRESET on send are fine.
  if (size > 0) (void)send(fd, data, size, MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  unsigned char reply[64];
  std::size_t got = 0;
  for (;;) {
    const ssize_t n = recv(fd, reply + got, sizeof reply - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      if (got == sizeof reply) break;
      continue;
    }
    if (n == 0 || errno == ECONNRESET) break;  // closed (cleanly, or with our bytes unread)
    if (errno == EINTR) continue;
    finding("no answer and no close within 2 s");
  }
  close(fd);
  if (got != 0 &&
      !(got == 4 && reply[0] == 255 && reply[1] == 0 && reply[2] == 0 && reply[3] <= 1)) {
    std::fprintf(stderr, "remote-live finding: a malformed reply of %zu bytes\n", got);
    std::abort();
  }
  return 0;
}
