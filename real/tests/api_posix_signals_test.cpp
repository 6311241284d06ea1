// PosixSignalHandler: modes, re-assignment, exact restore, self-pipe delivery, fork.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <type_traits>
#include <vector>

#include "sigharness/real/posix_signals.h"

namespace sigh::real {
namespace {

using namespace std::chrono_literals;
using H = PosixSignalHandler;

static_assert(!std::is_base_of_v<std::exception, ReceivedSignal>);
static_assert(std::is_base_of_v<ReceivedSignal, SigTerm>);

extern "C" void marker_handler(int) {}
extern "C" void marker_action(int, siginfo_t*, void*) {}

struct sigaction current(int sig) {
  struct sigaction sa {};
  sigaction(sig, nullptr, &sa);
  return sa;
}

// glibc's sigaction() always adds the kernel-only SA_RESTORER flag (0x04000000) when
// it installs anything, so a never-touched SIG_DFL reads back without it and a
// restored one with it; that bit is not part of the disposition.
constexpr int kSaRestorer = 0x04000000;

bool same_action(const struct sigaction& a, const struct sigaction& b) {
  if ((a.sa_flags & ~kSaRestorer) != (b.sa_flags & ~kSaRestorer)) return false;
  if ((a.sa_flags & SA_SIGINFO) ? a.sa_sigaction != b.sa_sigaction : a.sa_handler != b.sa_handler)
    return false;
  for (int s = 1; s < 32; ++s) {
    if (sigismember(&a.sa_mask, s) != sigismember(&b.sa_mask, s)) return false;
  }
  return true;
}

// Waits for pid with a bound; SIGKILL + reap on timeout. Returns the wait status.
int reap(pid_t pid, std::chrono::milliseconds bound = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    std::this_thread::sleep_for(5ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ADD_FAILURE() << "child " << pid << " did not exit in time";
  return status;
}

TEST(PosixSignals, ThrowHelperMapsNumbersAndIsNotStdException) {
  EXPECT_THROW(throw_received_signal(SIGINT), SigInt);
  EXPECT_THROW(throw_received_signal(SIGTERM), SigTerm);
  EXPECT_THROW(throw_received_signal(SIGABRT), SigAbrt);
  EXPECT_THROW(throw_received_signal(SIGHUP), SigHup);
  bool generic_caught = false, base_caught = false;
  try {
    try {
      throw_received_signal(-42);
    } catch (const std::exception&) {
      generic_caught = true;
    }
  } catch (const ReceivedSignal& s) {
    base_caught = true;
    EXPECT_EQ(s.signum(), -1);
  }
  EXPECT_FALSE(generic_caught);
  EXPECT_TRUE(base_caught);
}

TEST(PosixSignals, DefaultRaiseThrowsAtPollPoint) {
  H h;
  h.start();
  EXPECT_FALSE(h.stop_token().stop_requested());
  ASSERT_EQ(raise(SIGTERM), 0);  // delivered to our handler, not fatal
  try {
    h.poll();
    FAIL() << "poll() did not throw";
  } catch (const SigTerm& s) {
    EXPECT_EQ(s.signum(), SIGTERM);
  }
  EXPECT_TRUE(h.stop_token().stop_requested());
  EXPECT_EQ(h.poll(), 0);  // consumed
}

TEST(PosixSignals, CallbackModeViaKillSelf) {
  std::vector<int> got;
  H h({}, H::Actions().with(SIGINT, [&](int s) { got.push_back(s); }));
  h.start();
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  EXPECT_EQ(h.poll(500ms), 1);
  EXPECT_EQ(got, std::vector<int>{SIGINT});
  EXPECT_FALSE(h.stop_token().stop_requested());
}

TEST(PosixSignals, IgnoreModeCatchesAndDrops) {
  H h({}, H::Actions().with(SIGINT, H::Ignore{}).with(SIGTERM, H::Ignore{}));
  h.start();
  raise(SIGINT);
  raise(SIGTERM);
  EXPECT_EQ(h.poll(), 2);  // dispatched, no throw, process alive
  // Ignore is a no-op handler, not SIG_IGN.
  EXPECT_NE(current(SIGINT).sa_handler, SIG_IGN);
}

TEST(PosixSignals, ReassignAfterStartAndReset) {
  std::vector<int> a, b;
  H h({}, H::Actions().with(SIGINT, [&](int s) { a.push_back(s); }));
  h.start();
  h.set(SIGINT, [&](int s) { b.push_back(s); });
  raise(SIGINT);
  EXPECT_EQ(h.poll(), 1);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b, std::vector<int>{SIGINT});
  h.reset(SIGINT);  // back to Raise, not SIG_DFL
  raise(SIGINT);
  EXPECT_THROW(h.poll(), SigInt);
}

TEST(PosixSignals, SignalsAfterARaiseStayPending) {
  std::vector<int> got;
  H h({}, H::Actions().with(SIGINT, [&](int s) { got.push_back(s); }));
  h.start();
  raise(SIGTERM);
  raise(SIGINT);
  EXPECT_THROW(h.poll(), SigTerm);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(h.poll(), 1);
  EXPECT_EQ(got, std::vector<int>{SIGINT});
}

TEST(PosixSignals, InstalledWithoutSaRestart) {
  H h;
  h.start();
  for (int s : {SIGINT, SIGTERM, SIGABRT}) {
    EXPECT_EQ(current(s).sa_flags & SA_RESTART, 0) << s;
    EXPECT_NE(current(s).sa_handler, SIG_DFL) << s;
  }
}

TEST(PosixSignals, StopTwiceLeavesTheOriginalDisposition) {
  struct sigaction orig_int {
  }, orig_term{};
  orig_int.sa_sigaction = marker_action;
  orig_int.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&orig_int.sa_mask);
  sigaddset(&orig_int.sa_mask, SIGUSR1);
  orig_term.sa_handler = marker_handler;
  orig_term.sa_flags = SA_NODEFER;
  sigemptyset(&orig_term.sa_mask);
  sigaddset(&orig_term.sa_mask, SIGUSR2);
  ASSERT_EQ(sigaction(SIGINT, &orig_int, nullptr), 0);
  ASSERT_EQ(sigaction(SIGTERM, &orig_term, nullptr), 0);
  const auto before_int = current(SIGINT), before_term = current(SIGTERM),
             before_abrt = current(SIGABRT), before_hup = current(SIGHUP);

  H h;
  h.stop();  // stop() without start(): no change (daemoniker would set SIG_DFL)
  EXPECT_TRUE(same_action(current(SIGINT), before_int));
  h.start();
  EXPECT_FALSE(same_action(current(SIGINT), before_int));
  EXPECT_FALSE(same_action(current(SIGTERM), before_term));
  h.stop();
  h.stop();
  EXPECT_TRUE(same_action(current(SIGINT), before_int));
  EXPECT_TRUE(same_action(current(SIGTERM), before_term));
  EXPECT_TRUE(same_action(current(SIGABRT), before_abrt));
  EXPECT_TRUE(same_action(current(SIGHUP), before_hup));
  EXPECT_EQ(h.wait_fd(), -1);
}

TEST(PosixSignals, StartTwiceAndSecondInstanceAreRefused) {
  H a, b;
  a.start();
  EXPECT_THROW(a.start(), std::logic_error);
  EXPECT_THROW(b.start(), std::logic_error);
  a.stop();
  EXPECT_NO_THROW(b.start());  // free again
}

TEST(PosixSignals, WaitFdBecomesReadable) {
  H h({}, H::Actions().with(SIGINT, H::Ignore{}));
  h.start();
  pollfd p{h.wait_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  raise(SIGINT);
  p.revents = 0;
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(h.poll(), 1);
  p.revents = 0;
  EXPECT_EQ(::poll(&p, 1, 0), 0);
}

TEST(PosixSignals, SighupIsOptIn) {
  const auto before = current(SIGHUP);
  {
    H h;
    h.start();
    EXPECT_TRUE(same_action(current(SIGHUP), before));
    EXPECT_THROW(h.set(SIGHUP, H::Ignore{}), std::invalid_argument);
    EXPECT_THROW(h.set(SIGUSR1, H::Ignore{}), std::invalid_argument);
  }
  H h({}, H::Actions().with(SIGHUP, H::Raise{}));
  h.start();
  raise(SIGHUP);
  EXPECT_THROW(h.poll(), SigHup);
  h.stop();
  EXPECT_TRUE(same_action(current(SIGHUP), before));
}

TEST(PosixSignals, PollFromAnotherThreadIsRefused) {
  H h;
  h.start();
  bool threw = false;
  std::thread t([&] {
    try {
      h.poll();
    } catch (const std::logic_error&) {
      threw = true;
    }
  });
  t.join();
  EXPECT_TRUE(threw);
}

TEST(PosixSignals, DestructorRestores) {
  const auto before = current(SIGTERM);
  {
    H h;
    h.start();
    EXPECT_FALSE(same_action(current(SIGTERM), before));
  }
  EXPECT_TRUE(same_action(current(SIGTERM), before));
}

TEST(PosixSignals, AfterForkInChildRestoresDefaultsAndLeavesParentIntact) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ASSERT_EQ(sigaction(SIGTERM, &dfl, nullptr), 0);
  H h({}, H::Actions().with(SIGINT, H::Ignore{}));
  h.start();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    h.after_fork_in_child();
    if (h.running() || h.wait_fd() != -1) _exit(3);
    // SIGTERM is SIG_DFL again: the child dies by it instead of writing the parent's pipe.
    kill(getpid(), SIGTERM);
    _exit(4);
  }
  const int status = reap(pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_TRUE(h.running());
  EXPECT_EQ(h.poll(), 0);  // nothing leaked into the parent's pipe
  raise(SIGINT);
  EXPECT_EQ(h.poll(), 1);  // the parent still works
}

}  // namespace
}  // namespace sigh::real
