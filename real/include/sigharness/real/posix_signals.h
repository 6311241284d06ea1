#pragma once
// A RAII POSIX signal handler modelled on daemoniker's SignalHandler1
// (seed-apis.md §2.3, §4.4, §4.5), without its flaws:
//  - delivery through a self-pipe: the async handler only write()s the signal
//    number (saving errno); callbacks run, and Raise actions throw, at safe points:
//    poll() or after wait_fd() became readable in an epoll loop;
//  - installed WITHOUT SA_RESTART, so blocking calls return EINTR promptly;
//  - stop() restores the exact previous struct sigaction and is truly idempotent
//    (a second stop(), or stop() without start(), changes nothing);
//  - set() re-assigns an action at any time; it is read at dispatch time.
// One instance may run per process at a time (signal dispositions are global).
#include <signal.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <variant>

namespace sigh::real {

// Deliberately NOT derived from std::exception (≙ Python BaseException), so a
// generic catch (const std::exception&) does not swallow a shutdown request.
struct ReceivedSignal {
  virtual ~ReceivedSignal() = default;
  virtual int signum() const noexcept { return -1; }
};
struct SigInt final : ReceivedSignal {
  static constexpr int number = SIGINT;
  int signum() const noexcept override { return number; }
};
struct SigTerm final : ReceivedSignal {
  static constexpr int number = SIGTERM;
  int signum() const noexcept override { return number; }
};
struct SigAbrt final : ReceivedSignal {
  static constexpr int number = SIGABRT;
  int signum() const noexcept override { return number; }
};
struct SigHup final : ReceivedSignal {  // reload request (addition; daemoniker has no SIGHUP)
  static constexpr int number = SIGHUP;
  int signum() const noexcept override { return number; }
};

// Throws the exception class for signum (ReceivedSignal itself for other numbers).
[[noreturn]] void throw_received_signal(int signum);

class PosixSignalHandler {
 public:
  struct Raise {};   // ≙ daemoniker's default: throw SigInt/SigTerm/SigAbrt/SigHup at poll()
  struct Ignore {};  // ≙ IGNORE_SIGNAL: still caught (not SIG_IGN), then dropped
  using Callback = std::function<void(int)>;
  using Action = std::variant<Raise, Ignore, Callback>;

  struct Actions {
    Action sigint = Raise{};
    Action sigterm = Raise{};
    Action sigabrt = Raise{};
    std::optional<Action> sighup;  // nullopt: SIGHUP is left alone
    // Fluent form: Actions().with(SIGINT, cb).with(SIGHUP, Raise{}) (avoids
    // -Wmissing-field-initializers with designated initializers).
    // std::invalid_argument for a signal other than SIGINT/SIGTERM/SIGABRT/SIGHUP.
    Actions& with(int signum, Action a);
  };

  PosixSignalHandler();  // no pid file, Raise for SIGINT/SIGTERM/SIGABRT, SIGHUP untouched
  explicit PosixSignalHandler(std::filesystem::path pid_file);
  PosixSignalHandler(std::filesystem::path pid_file, Actions actions);
  ~PosixSignalHandler();  // stop()
  PosixSignalHandler(const PosixSignalHandler&) = delete;
  PosixSignalHandler& operator=(const PosixSignalHandler&) = delete;

  // Creates the pipe and installs the handlers. std::logic_error when this (or
  // another) instance is already running; std::system_error on failure, after
  // rolling back whatever was installed.
  void start();
  // Restores the saved sigactions exactly, closes the pipe, drops undelivered
  // signals. No-op when not running.
  void stop() noexcept;
  bool running() const noexcept { return running_; }

  // Effective immediately. std::invalid_argument for a signal this handler does
  // not manage (SIGHUP when Actions::sighup was nullopt, anything else).
  void set(int signum, Action action);
  void reset(int signum) { set(signum, Raise{}); }  // ≙ del: back to Raise, not SIG_DFL

  // Readable while signals are pending; -1 when not running.
  int wait_fd() const noexcept;
  // Dispatches pending signals in arrival order, waiting up to `timeout` for the
  // first one. Callbacks run here; Raise requests stop on stop_token() and throws
  // (signals after it stay pending for the next poll()). Returns the number
  // dispatched. std::logic_error from a thread other than the one that called
  // start() (≙ CPython's "signal only works in main thread").
  int poll(std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

  std::stop_token stop_token() const noexcept { return stop_source_.get_token(); }
  const std::filesystem::path& pid_file() const noexcept { return pid_file_; }

  // For the child right after fork(): restores the saved dispositions, closes the
  // inherited pipe and makes this instance inert (not running) without touching the
  // parent's state. Uses only async-signal-safe calls (sigaction, close).
  void after_fork_in_child() noexcept;

 private:
  static constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGABRT, SIGHUP};
  static int slot(int signum);  // index into kSignals, -1 if not one of them
  bool managed(int i) const { return i < 3 || has_sighup_; }
  void restore_saved() noexcept;

  std::filesystem::path pid_file_;
  mutable std::mutex mu_;  // guards actions_ (set() may come from any thread)
  std::array<Action, 4> actions_;
  bool has_sighup_ = false;
  std::array<struct sigaction, 4> saved_{};
  std::array<bool, 4> installed_{};
  int read_fd_ = -1;
  int write_fd_ = -1;
  bool running_ = false;
  std::thread::id owner_;
  std::stop_source stop_source_;
};

}  // namespace sigh::real
