#pragma once
// Loopback-only I/O with the instance: HTTP requests over the per-worker UNIX
// http-sockets (fire and forget: the fd stays open until the run ends) and the
// stats server (process pids).
#include <sys/types.h>

#include <map>
#include <string>

namespace sigh::conform::detail {

// Connects and writes "GET <path_query> HTTP/1.0". Returns the fd (>= 0) or -1 with why.
int send_http_request(const std::string& socket_path, const std::string& path_query,
                      std::string* why);

struct InstancePids {
  std::map<int, pid_t> workers;  // id -> pid (0 when not running)
  std::map<int, pid_t> mules;
};
// Reads the stats server's JSON; false with why on error.
bool read_stats_pids(const std::string& stats_socket, InstancePids* out, std::string* why);

}  // namespace sigh::conform::detail
