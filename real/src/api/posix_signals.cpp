#include "sigharness/real/posix_signals.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sigh::real {

namespace {

// Process-global because signal dispositions are. Lock-free atomics are
// async-signal-safe to load.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_write_fd{-1};
std::atomic<PosixSignalHandler*> g_active{nullptr};

extern "C" void sigh_posix_on_signal(int sig) {
  const int saved_errno = errno;
  const int fd = g_write_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const auto b = static_cast<unsigned char>(sig);
    // Pipe full (64 KiB of undispatched signals): dropping is all a handler can do.
    (void)!::write(fd, &b, 1);
  }
  errno = saved_errno;
}

}  // namespace

void throw_received_signal(int signum) {
  switch (signum) {
    case SIGINT:
      throw SigInt{};
    case SIGTERM:
      throw SigTerm{};
    case SIGABRT:
      throw SigAbrt{};
    case SIGHUP:
      throw SigHup{};
    default:
      throw ReceivedSignal{};
  }
}

PosixSignalHandler::Actions& PosixSignalHandler::Actions::with(int signum, Action a) {
  switch (signum) {
    case SIGINT:
      sigint = std::move(a);
      break;
    case SIGTERM:
      sigterm = std::move(a);
      break;
    case SIGABRT:
      sigabrt = std::move(a);
      break;
    case SIGHUP:
      sighup = std::move(a);
      break;
    default:
      throw std::invalid_argument("PosixSignalHandler::Actions: signal " + std::to_string(signum) +
                                  " cannot be managed");
  }
  return *this;
}

int PosixSignalHandler::slot(int signum) {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (kSignals[i] == signum) return static_cast<int>(i);
  }
  return -1;
}

PosixSignalHandler::PosixSignalHandler() : PosixSignalHandler(std::filesystem::path{}, Actions{}) {}

PosixSignalHandler::PosixSignalHandler(std::filesystem::path pid_file)
    : PosixSignalHandler(std::move(pid_file), Actions{}) {}

PosixSignalHandler::PosixSignalHandler(std::filesystem::path pid_file, Actions actions)
    : pid_file_(std::move(pid_file)) {
  actions_[0] = std::move(actions.sigint);
  actions_[1] = std::move(actions.sigterm);
  actions_[2] = std::move(actions.sigabrt);
  has_sighup_ = actions.sighup.has_value();
  actions_[3] = has_sighup_ ? std::move(*actions.sighup) : Action{Raise{}};
}

PosixSignalHandler::~PosixSignalHandler() { stop(); }

void PosixSignalHandler::set(int signum, Action action) {
  const int i = slot(signum);
  if (i < 0 || !managed(i)) {
    throw std::invalid_argument("PosixSignalHandler::set: signal " + std::to_string(signum) +
                                " is not managed by this handler");
  }
  std::lock_guard lock(mu_);
  actions_[static_cast<std::size_t>(i)] = std::move(action);
}

void PosixSignalHandler::start() {
  if (running_) throw std::logic_error("PosixSignalHandler is already running");
  PosixSignalHandler* expected = nullptr;
  if (!g_active.compare_exchange_strong(expected, this)) {
    throw std::logic_error("another PosixSignalHandler is already running in this process");
  }
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    g_active.store(nullptr);
    throw std::system_error(errno, std::system_category(), "PosixSignalHandler: pipe2()");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_write_fd.store(write_fd_);

  struct sigaction sa {};
  sa.sa_handler = sigh_posix_on_signal;
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR so poll points come soon
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (managed(static_cast<int>(i))) sigaddset(&sa.sa_mask, kSignals[i]);
  }
  installed_.fill(false);
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (!managed(static_cast<int>(i))) continue;
    if (::sigaction(kSignals[i], &sa, &saved_[i]) != 0) {
      const int err = errno;
      restore_saved();
      g_write_fd.store(-1);
      ::close(read_fd_);
      ::close(write_fd_);
      read_fd_ = write_fd_ = -1;
      g_active.store(nullptr);
      throw std::system_error(err, std::system_category(),
                              "PosixSignalHandler: sigaction(" + std::to_string(kSignals[i]) + ")");
    }
    installed_[i] = true;
  }
  owner_ = std::this_thread::get_id();
  stop_source_ = std::stop_source{};
  running_ = true;
}

void PosixSignalHandler::restore_saved() noexcept {
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (installed_[i]) {
      ::sigaction(kSignals[i], &saved_[i], nullptr);
      installed_[i] = false;
    }
  }
}

void PosixSignalHandler::stop() noexcept {
  if (!running_) return;
  restore_saved();
  g_write_fd.store(-1);
  ::close(read_fd_);
  ::close(write_fd_);
  read_fd_ = write_fd_ = -1;
  running_ = false;
  g_active.store(nullptr);
}

void PosixSignalHandler::after_fork_in_child() noexcept {
  // Same steps as stop(); kept separate so the contract (async-signal-safe calls
  // only, no locks) is explicit for callers between fork() and exec().
  if (!running_) return;
  restore_saved();
  g_write_fd.store(-1);
  ::close(read_fd_);
  ::close(write_fd_);
  read_fd_ = write_fd_ = -1;
  running_ = false;
  g_active.store(nullptr);
}

int PosixSignalHandler::wait_fd() const noexcept { return running_ ? read_fd_ : -1; }

int PosixSignalHandler::poll(std::chrono::milliseconds timeout) {
  if (!running_) return 0;
  if (std::this_thread::get_id() != owner_) {
    throw std::logic_error("PosixSignalHandler::poll called from a thread other than the owner");
  }
  if (timeout.count() > 0) {
    pollfd p{read_fd_, POLLIN, 0};
    // EINTR means a signal arrived, so its byte is in the pipe: just read below.
    (void)::poll(&p, 1, static_cast<int>(timeout.count()));
  }
  int dispatched = 0;
  for (;;) {
    unsigned char b = 0;
    const ssize_t n = ::read(read_fd_, &b, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) break;  // EAGAIN: nothing pending
    const int sig = b;
    Action action;
    {
      std::lock_guard lock(mu_);
      const int i = slot(sig);
      action = i >= 0 ? actions_[static_cast<std::size_t>(i)] : Action{Raise{}};
    }
    ++dispatched;
    if (auto* cb = std::get_if<Callback>(&action)) {
      if (*cb) (*cb)(sig);
    } else if (std::holds_alternative<Raise>(action)) {
      stop_source_.request_stop();
      throw_received_signal(sig);
    }
  }
  return dispatched;
}

}  // namespace sigh::real
