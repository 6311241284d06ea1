// Pid files: strict parsing (each error distinct), read/send/ping, RAII owner.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "sigharness/real/pid_file.h"

namespace sigh::real {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sigh-pid-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

int reap(pid_t pid, std::chrono::milliseconds bound = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(5ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ADD_FAILURE() << "child " << pid << " did not exit in time";
  return status;
}

// A pid that certainly names no process: a reaped child's.
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  reap(pid);
  return pid;
}

PidErrc parse_error(std::string_view text) {
  auto r = parse_pid_text(text);
  EXPECT_FALSE(r.ok()) << "accepted \"" << text << "\" as " << r.pid;
  return r.ok() ? PidErrc{} : r.error->code;
}

TEST(PidParse, AcceptsDigitsWithSurroundingWhitespace) {
  EXPECT_EQ(parse_pid_text("1234").pid, 1234);
  EXPECT_EQ(parse_pid_text("  1234\n").pid, 1234);
  EXPECT_EQ(parse_pid_text("\t42\r\n").pid, 42);
  EXPECT_EQ(parse_pid_text("4194304").pid, 4194304);
  EXPECT_TRUE(parse_pid_text("1").ok());
}

TEST(PidParse, EachErrorIsDistinct) {
  EXPECT_EQ(parse_error(""), PidErrc::empty);
  EXPECT_EQ(parse_error(" \n\t"), PidErrc::empty);
  EXPECT_EQ(parse_error("abc\n"), PidErrc::garbage);
  EXPECT_EQ(parse_error("+1234"), PidErrc::garbage);
  EXPECT_EQ(parse_error("1_0"), PidErrc::garbage);
  EXPECT_EQ(parse_error("12 34"), PidErrc::garbage);
  EXPECT_EQ(parse_error("12\n34\n"), PidErrc::garbage);
  EXPECT_EQ(parse_error(std::string_view("12\0", 3)), PidErrc::garbage);
  EXPECT_EQ(parse_error("\xd9\xa1\xd9\xa2"), PidErrc::garbage);  // Arabic-Indic digits
  EXPECT_EQ(parse_error("-"), PidErrc::garbage);
  EXPECT_EQ(parse_error("0"), PidErrc::zero);
  EXPECT_EQ(parse_error("000\n"), PidErrc::zero);
  EXPECT_EQ(parse_error("-0"), PidErrc::zero);
  EXPECT_EQ(parse_error("-1"), PidErrc::negative);
  EXPECT_EQ(parse_error("-1234"), PidErrc::negative);
  EXPECT_EQ(parse_error("-99999999999999999999999"), PidErrc::negative);
  EXPECT_EQ(parse_error("4194305"), PidErrc::overflow);
  EXPECT_EQ(parse_error("99999999999999999999999999999"), PidErrc::overflow);
}

TEST(PidParse, MessageNamesTheOffendingText) {
  auto r = parse_pid_text("12ab\n");
  ASSERT_FALSE(r.ok());
  const std::string m = r.error->message();
  EXPECT_NE(m.find("garbage"), std::string::npos) << m;
  EXPECT_NE(m.find("\"12ab\""), std::string::npos) << m;
  EXPECT_NE(m.find("offset 2"), std::string::npos) << m;
  auto bin = parse_pid_text(std::string("\x01\xff", 2));
  ASSERT_FALSE(bin.ok());
  EXPECT_NE(bin.error->message().find("\\x01\\xff"), std::string::npos) << bin.error->message();
}

TEST(PidFileRead, MissingEmptyGarbageAndGood) {
  TempDir d;
  auto r = read_pid_file(d / "nope.pid");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, PidErrc::missing_file);
  EXPECT_NE(r.error->message().find("nope.pid"), std::string::npos) << r.error->message();

  write_file(d / "empty.pid", "");
  EXPECT_EQ(read_pid_file(d / "empty.pid").error->code, PidErrc::empty);
  write_file(d / "junk.pid", "hello\n");
  auto j = read_pid_file(d / "junk.pid");
  EXPECT_EQ(j.error->code, PidErrc::garbage);
  EXPECT_NE(j.error->message().find("junk.pid"), std::string::npos);
  EXPECT_NE(j.error->message().find("hello"), std::string::npos);
  write_file(d / "big.pid", std::string(5000, '1'));
  EXPECT_EQ(read_pid_file(d / "big.pid").error->code, PidErrc::garbage);
  write_file(d / "ok.pid", "321\n");
  EXPECT_EQ(read_pid_file(d / "ok.pid").pid, 321);
  fs::create_directory(d / "dir.pid");
  EXPECT_EQ(read_pid_file(d / "dir.pid").error->code, PidErrc::unreadable);
}

TEST(PidFileSend, StaleZeroNegativeAreRefusedWithoutSignalling) {
  TempDir d;
  write_file(d / "stale.pid", std::to_string(dead_pid()) + "\n");
  auto e = send(d / "stale.pid", SIGTERM);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, PidErrc::stale);
  EXPECT_EQ(e->code_as_error(), make_error_code(PidErrc::stale));
  // 0 / -1 would be kill(0|-1, SIGTERM): must never reach kill().
  write_file(d / "zero.pid", "0\n");
  EXPECT_EQ(send(d / "zero.pid", SIGTERM)->code, PidErrc::zero);
  write_file(d / "neg.pid", "-1\n");
  EXPECT_EQ(send(d / "neg.pid", SIGTERM)->code, PidErrc::negative);
  EXPECT_EQ(send(d / "missing.pid", SIGTERM)->code, PidErrc::missing_file);
}

TEST(PidFileSend, DeliversToALiveChild) {
  TempDir d;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (int i = 0; i < 100; ++i) ::usleep(50000);  // <= 5 s, then give up
    _exit(7);
  }
  write_file(d / "child.pid", std::to_string(child) + "\n");
  EXPECT_EQ(ping(d / "child.pid"), PingResult::alive);
  EXPECT_FALSE(send(d / "child.pid", SIGTERM).has_value());
  const int status = reap(child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(ping(d / "child.pid"), PingResult::no_process);
  PidFileError err;
  EXPECT_EQ(ping(d / "missing.pid", &err), PingResult::bad_file);
  EXPECT_EQ(err.code, PidErrc::missing_file);
}

TEST(PidFileSend, InvalidSignalNumber) {
  TempDir d;
  write_file(d / "me.pid", std::to_string(getpid()));
  auto e = send(d / "me.pid", 12345);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, PidErrc::invalid_signal);
}

TEST(PidFileOwner, CreatesWithOurPidAndRemovesOnExit) {
  TempDir d;
  const auto p = d / "daemon.pid";
  {
    auto f = PidFile::acquire(p);
    EXPECT_EQ(f.pid(), getpid());
    EXPECT_FALSE(f.replaced_stale());
    auto r = read_pid_file(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pid, getpid());
    // No temporaries left behind.
    int entries = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(p.parent_path())) ++entries;
    EXPECT_EQ(entries, 1);
  }
  EXPECT_FALSE(fs::exists(p));
}

TEST(PidFileOwner, ExistingLiveFileIsRefused) {
  TempDir d;
  const auto p = d / "daemon.pid";
  auto first = PidFile::acquire(p);
  for (auto policy : {PidFile::Policy::exclusive, PidFile::Policy::replace_if_stale}) {
    try {
      (void)PidFile::acquire(p, policy);
      FAIL() << "second acquire succeeded";
    } catch (const PidFileException& e) {
      EXPECT_EQ(e.error().code, PidErrc::exists);
      EXPECT_EQ(e.error().pid, getpid());
      EXPECT_NE(std::string(e.what()).find("running"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(read_pid_file(p).pid, getpid());
}

TEST(PidFileOwner, StaleFileReplacedOnlyWhenPolicyAllows) {
  TempDir d;
  const auto p = d / "daemon.pid";
  const pid_t dead = dead_pid();
  write_file(p, std::to_string(dead) + "\n");
  try {
    (void)PidFile::acquire(p, PidFile::Policy::exclusive);
    FAIL() << "exclusive acquire replaced a stale file";
  } catch (const PidFileException& e) {
    EXPECT_EQ(e.error().code, PidErrc::exists);
    EXPECT_NE(std::string(e.what()).find("stale"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_pid_file(p).pid, dead);
  {
    auto f = PidFile::acquire(p, PidFile::Policy::replace_if_stale);
    EXPECT_TRUE(f.replaced_stale());
    EXPECT_EQ(read_pid_file(p).pid, getpid());
  }
  EXPECT_FALSE(fs::exists(p));
}

TEST(PidFileOwner, CorruptFileIsNeverReplaced) {
  TempDir d;
  const auto p = d / "daemon.pid";
  write_file(p, "garbage");
  try {
    (void)PidFile::acquire(p, PidFile::Policy::replace_if_stale);
    FAIL();
  } catch (const PidFileException& e) {
    EXPECT_EQ(e.error().code, PidErrc::garbage);
  }
  EXPECT_TRUE(fs::exists(p));
}

TEST(PidFileOwner, NotRemovedWhenSomeoneElsesPidIsInside) {
  TempDir d;
  const auto p = d / "daemon.pid";
  {
    auto f = PidFile::acquire(p);
    write_file(p, "1\n");  // replaced behind our back
  }
  EXPECT_TRUE(fs::exists(p));
  EXPECT_EQ(read_pid_file(p).pid, 1);
}

TEST(PidFileOwner, ForkedChildDoesNotRemove) {
  TempDir d;
  const auto p = d / "daemon.pid";
  auto f = PidFile::acquire(p);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const bool removed = f.release();  // inherited object: must not remove
    _exit(removed ? 1 : 0);
  }
  const int status = reap(child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(p));
  EXPECT_TRUE(f.release());
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(f.release());  // idempotent
}

TEST(PidFileOwner, MoveTransfersOwnership) {
  TempDir d;
  const auto p = d / "daemon.pid";
  auto a = PidFile::acquire(p);
  {
    PidFile b = std::move(a);
    EXPECT_EQ(a.pid(), 0);
  }
  EXPECT_FALSE(fs::exists(p));
}

TEST(PidFileOwner, MissingDirectoryIsAnIoError) {
  TempDir d;
  try {
    (void)PidFile::acquire(d / "no-such-dir" / "x.pid");
    FAIL();
  } catch (const PidFileException& e) {
    EXPECT_EQ(e.error().code, PidErrc::io_error);
    EXPECT_EQ(e.error().sys_errno, ENOENT);
  }
}

}  // namespace
}  // namespace sigh::real
