#include "unix_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace sigh::conform::detail {
namespace {

int connect_unix(const std::string& path, std::string* why) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    if (why) *why = "socket path too long: " + path;
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (why) *why = "connect " + path + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int send_http_request(const std::string& socket_path, const std::string& path_query,
                      std::string* why) {
  int fd = connect_unix(socket_path, why);
  if (fd < 0) return -1;
  std::string req = "GET " + path_query + " HTTP/1.0\r\nHost: sigharness\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    if (why) *why = "write to " + socket_path + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

bool read_stats_pids(const std::string& stats_socket, InstancePids* out, std::string* why) {
  int fd = connect_unix(stats_socket, why);
  if (fd < 0) return false;
  std::string body;
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    body.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("workers")) {
    if (why) *why = "stats server sent no JSON with \"workers\"";
    return false;
  }
  for (const auto& w : j["workers"]) out->workers[w.value("id", 0)] = w.value("pid", 0);
  if (j.contains("mules"))
    for (const auto& m : j["mules"]) out->mules[m.value("id", 0)] = m.value("pid", 0);
  return true;
}

}  // namespace sigh::conform::detail
