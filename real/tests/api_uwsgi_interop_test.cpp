// Interop with the real uWSGI 2.0.21 (Debian uwsgi-core + python3 + signal plugins):
//  (a) our send_remote() -> a uWSGI master/worker that handles the signal in Python;
//  (b) `uwsgi --signal addr,N` (uWSGI's CLI sender) -> our RemoteListener.
// Skipped only when /usr/bin/uwsgi is missing. Every uwsgi is stopped with SIGINT
// (SIGTERM reloads in 2.0), waited by pid with a bound, then SIGKILLed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sigharness/real/remote_client.h"
#include "sigharness/real/remote_listener.h"

namespace sigh::real {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kUwsgi = "/usr/bin/uwsgi";

#define SKIP_WITHOUT_UWSGI() \
  if (::access(kUwsgi, X_OK) != 0) GTEST_SKIP() << kUwsgi << " is not installed"

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sigh-uwsgi-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// fork + exec with stdout/stderr to `log`, in its own process group.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for pid up to `bound`; returns the status, or nullopt after SIGKILL.
std::optional<int> wait_bounded(pid_t pid, std::chrono::milliseconds bound) {
  const auto deadline = Clock::now() + bound;
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(10ms);
  }
  ::kill(-pid, SIGKILL);  // its process group: the master and its workers
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

// A running uWSGI master with one worker; stopped with SIGINT on destruction.
class UwsgiServer {
 public:
  UwsgiServer(const TempDir& dir, std::uint16_t port, int signum, bool master)
      : log_(dir.path() / "uwsgi.log"), out_(dir.path() / "handled.txt") {
    const fs::path app = dir.path() / "app.py";
    std::ofstream(app) << "import uwsgi\n"
                          "def handler(num):\n"
                          "    with open("
                       << out_
                       << ", 'a') as f:\n"
                          "        f.write('signal %d\\n' % num)\n"
                          "try:\n"
                          "    uwsgi.register_signal("
                       << signum
                       << ", 'worker', handler)\n"
                          "except Exception as e:\n"
                          "    print('register failed:', e)\n"
                          "def application(env, start_response):\n"
                          "    start_response('200 OK', [])\n"
                          "    return [b'ok']\n";
    std::vector<std::string> args = {kUwsgi};
    if (master) args.push_back("--master");
    for (const char* a : {"--socket", "", "--plugin", "python3,signal", "--wsgi-file", "",
                          "--processes", "1", "--socket-timeout", "2"}) {
      args.emplace_back(a);
    }
    args[args.size() - 9] = "127.0.0.1:" + std::to_string(port);
    args[args.size() - 5] = app.string();
    pid_ = spawn(args, log_);
  }
  ~UwsgiServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGINT);
    if (!wait_bounded(pid_, 10s)) ADD_FAILURE() << "uwsgi did not stop on SIGINT\n" << log();
  }
  // Connectable and the app loaded ("WSGI app 0 ... ready" in the log).
  bool wait_ready(std::uint16_t port, std::chrono::milliseconds bound) {
    const auto deadline = Clock::now() + bound;
    while (Clock::now() < deadline) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // died
      }
      if (log().find("spawned uWSGI worker 1") != std::string::npos && connectable(port)) {
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  std::string log() const { return slurp(log_); }
  std::string handled() const { return slurp(out_); }

 private:
  static bool connectable(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  fs::path log_, out_;
  pid_t pid_ = -1;
};

TEST(UwsgiInterop, OurClientToUwsgiMasterRunsThePythonHandler) {
  SKIP_WITHOUT_UWSGI();
  TempDir dir;
  const auto port = free_port();
  UwsgiServer server(dir, port, 17, /*master=*/true);
  ASSERT_TRUE(server.wait_ready(port, 15s)) << server.log();
  auto r = send_remote(17, "127.0.0.1:" + std::to_string(port), 5000ms);
  ASSERT_FALSE(r.error) << r.error.message() << "\n" << server.log();
  EXPECT_EQ(r.status, 1);  // queued for the master
  const auto deadline = Clock::now() + 5s;
  while (server.handled().find("signal 17\n") == std::string::npos && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(server.handled(), "signal 17\n") << server.log();
}

TEST(UwsgiInterop, UwsgiWithoutMasterRejects) {
  SKIP_WITHOUT_UWSGI();
  TempDir dir;
  const auto port = free_port();
  UwsgiServer server(dir, port, 17, /*master=*/false);
  ASSERT_TRUE(server.wait_ready(port, 15s)) << server.log();
  auto r = send_remote(17, "127.0.0.1:" + std::to_string(port), 5000ms);
  EXPECT_EQ(r.error, RemoteErrc::rejected) << r.error.message() << "\n" << server.log();
  EXPECT_TRUE(r.error == RemoteCondition::rejected);
}

// Runs `uwsgi --signal addr,N` against our listener; returns the exit code.
int uwsgi_cli_signal(RemoteListener& l, const std::string& spec, const TempDir& dir) {
  std::atomic<bool> stop{false};
  std::thread serve([&] {
    const auto bound = Clock::now() + 15s;
    while (!stop && Clock::now() < bound) {
      pollfd p{l.fd(), POLLIN, 0};
      ::poll(&p, 1, 20);
      l.on_readable();
    }
  });
  const pid_t pid = spawn({kUwsgi, "--signal", spec}, dir.path() / "cli.log");
  auto st = wait_bounded(pid, 10s);
  stop = true;
  serve.join();
  if (!st || !WIFEXITED(*st)) return -1;
  return WEXITSTATUS(*st);
}

TEST(UwsgiInterop, UwsgiCliSenderToOurListener) {
  SKIP_WITHOUT_UWSGI();
  TempDir dir;
  std::mutex mu;
  std::vector<int> got;
  RemoteListener l({}, [&](SignalNumber n) {
    std::lock_guard lock(mu);
    got.push_back(n);
    return n != 66;
  });
  EXPECT_EQ(uwsgi_cli_signal(l, l.address_string() + ",23", dir), 0)
      << slurp(dir.path() / "cli.log");
  EXPECT_EQ(uwsgi_cli_signal(l, l.address_string() + ",66", dir), 2)
      << slurp(dir.path() / "cli.log");
  std::lock_guard lock(mu);
  EXPECT_EQ(got, (std::vector<int>{23, 66}));
  EXPECT_NE(slurp(dir.path() / "cli.log").find("rejected signal 66"), std::string::npos);
}

TEST(UwsgiInterop, UwsgiCliSenderNotAllowedIsRejected) {
  SKIP_WITHOUT_UWSGI();
  TempDir dir;
  int calls = 0;
  ListenerOptions o;
  o.allow = {"192.0.2.1"};
  RemoteListener l(o, [&](SignalNumber) {
    ++calls;
    return true;
  });
  EXPECT_EQ(uwsgi_cli_signal(l, l.address_string() + ",5", dir), 2)
      << slurp(dir.path() / "cli.log");
  EXPECT_EQ(calls, 0);
}

TEST(UwsgiInterop, UwsgiCliSenderToUnixListener) {
  SKIP_WITHOUT_UWSGI();
  TempDir dir;
  ListenerOptions o;
  o.address = (dir.path() / "sig.sock").string();
  std::atomic<int> got{-1};
  RemoteListener l(o, [&](SignalNumber n) {
    got = n;
    return true;
  });
  EXPECT_EQ(uwsgi_cli_signal(l, o.address + ",200", dir), 0) << slurp(dir.path() / "cli.log");
  EXPECT_EQ(got.load(), 200);
}

}  // namespace
}  // namespace sigh::real
