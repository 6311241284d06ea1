#pragma once
// Receiver side of uWSGI remote signals (≙ the `signal` plugin's modifier1 110
// handler), runnable inside an epoll loop: add fd() for EPOLLIN and call
// on_readable() when it fires. fd() is an internal epoll instance that watches the
// listening socket and every half-read connection, so on_readable() never blocks.
//
// Per connection: read exactly 4 bytes, parse (parse_remote_packet), then
//   - peer not in the allow-list           -> reply status 0, close
//   - pktsize != 0 (body rule)             -> reply status 0, close
//   - wrong modifier1 / other parse error  -> close without reply (as uWSGI does for
//                                             an unavailable modifier)
//   - otherwise callback(sig): true -> status 1 ("queued for the master"), false -> 0.
// Connections that do not deliver 4 bytes within client_timeout are closed
// (checked on every on_readable()/serve_for() call).
//
// The allow-list applies to TCP peers (exact dotted IPv4 strings, or "*" for any).
// UNIX-socket access is governed by the socket file's mode (0600 after bind);
// abstract sockets have no access control beyond the network namespace.
// uWSGI itself has no ACL (reference §10.2): this is an addition.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sigharness/real/remote_protocol.h"

namespace sigh::real {

struct ListenerOptions {
  std::string address = "127.0.0.1:0";  // host:port (port 0 = ephemeral) or UNIX path/@name
  std::vector<std::string> allow = {"127.0.0.1"};  // TCP peer allow-list
  std::chrono::milliseconds client_timeout{1000};
  std::size_t max_connections = 64;  // further connections are accepted and closed at once
  int backlog = 64;
};

struct ListenerStats {
  std::size_t accepted = 0;
  std::size_t delivered = 0;    // callback returned true
  std::size_t refused = 0;      // callback returned false (status 0)
  std::size_t not_allowed = 0;  // peer not in the allow-list (status 0)
  std::size_t malformed = 0;    // parse errors (incl. the body rule)
  std::size_t timed_out = 0;    // closed for not sending 4 bytes in time
  std::size_t overflow = 0;     // closed because max_connections was reached
};

class RemoteListener {
 public:
  using Callback = std::function<bool(SignalNumber)>;

  // Binds and listens; throws std::system_error (bind/listen failures) or
  // std::invalid_argument (unparsable address) — setup errors, not expected failures.
  RemoteListener(ListenerOptions options, Callback callback);
  ~RemoteListener();
  RemoteListener(RemoteListener&&) noexcept;
  RemoteListener& operator=(RemoteListener&&) noexcept;
  RemoteListener(const RemoteListener&) = delete;
  RemoteListener& operator=(const RemoteListener&) = delete;

  int fd() const noexcept;  // poll/epoll for readability
  void on_readable();       // non-blocking; callback exceptions propagate
  // Serves until `d` has elapsed; returns the number of requests answered
  // (status 0 or 1). Convenience for tests and small tools.
  std::size_t serve_for(std::chrono::milliseconds d);

  const RemoteAddress& address() const noexcept;  // the bound address (real port for port 0)
  std::string address_string() const;
  const ListenerStats& stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigh::real
