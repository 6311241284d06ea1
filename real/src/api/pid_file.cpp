#include "sigharness/real/pid_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace sigh::real {

namespace {

constexpr std::size_t kMaxFileBytes = 4096;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Printable, bounded rendering of untrusted text for error messages.
std::string escape_excerpt(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

PidResult fail(PidErrc code, std::string_view excerpt, std::string why, pid_t pid = 0,
               int sys_errno = 0) {
  PidResult r;
  r.error = PidFileError{code, "", escape_excerpt(excerpt), std::move(why), pid, sys_errno};
  return r;
}

// Accumulates digits with an overflow guard; false when the value exceeds the limit.
bool digits_value(std::string_view d, long& out) {
  long v = 0;
  for (char c : d) {
    v = v * 10 + (c - '0');
    if (v > kPidMaxLimit) return false;
  }
  out = v;
  return true;
}

}  // namespace

std::string_view pid_errc_name(PidErrc e) {
  switch (e) {
    case PidErrc::missing_file:
      return "missing_file";
    case PidErrc::unreadable:
      return "unreadable";
    case PidErrc::empty:
      return "empty";
    case PidErrc::garbage:
      return "garbage";
    case PidErrc::zero:
      return "zero";
    case PidErrc::negative:
      return "negative";
    case PidErrc::overflow:
      return "overflow";
    case PidErrc::stale:
      return "stale";
    case PidErrc::no_permission:
      return "no_permission";
    case PidErrc::invalid_signal:
      return "invalid_signal";
    case PidErrc::exists:
      return "exists";
    case PidErrc::io_error:
      return "io_error";
  }
  return "unknown";
}

namespace {
class PidCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sigharness.pid_file"; }
  std::string message(int v) const override {
    return std::string(pid_errc_name(static_cast<PidErrc>(v)));
  }
};
}  // namespace

const std::error_category& pid_file_category() noexcept {
  static const PidCategory c;
  return c;
}
std::error_code make_error_code(PidErrc e) noexcept {
  return {static_cast<int>(e), pid_file_category()};
}

std::string PidFileError::message() const {
  std::string where = path.empty() ? std::string("pid text") : fmt::format("pid file \"{}\"", path);
  std::string what = excerpt.empty() ? std::string() : fmt::format(": \"{}\"", excerpt);
  std::string sys = sys_errno ? fmt::format(" ({})", std::strerror(sys_errno)) : std::string();
  return fmt::format("{}: {}{}: {}{}", where, pid_errc_name(code), what, why, sys);
}

PidFileException::PidFileException(PidFileError e)
    : std::runtime_error(e.message()), error_(std::move(e)) {}

PidResult parse_pid_text(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  const std::string_view core = text.substr(b, e - b);
  if (core.empty()) {
    return fail(PidErrc::empty, text, "no pid in the text (expected decimal digits)");
  }
  const bool neg = core.front() == '-';
  const std::string_view digits = neg ? core.substr(1) : core;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!is_digit(digits[i])) {
      const std::size_t off = b + (neg ? 1 : 0) + i;
      return fail(PidErrc::garbage, core,
                  fmt::format("unexpected byte 0x{:02x} at offset {} (only ASCII whitespace and "
                              "decimal digits are allowed)",
                              static_cast<unsigned char>(text[off]), off));
    }
  }
  if (digits.empty()) return fail(PidErrc::garbage, core, "'-' without digits");
  long value = 0;
  const bool fits = digits_value(digits, value);
  if (neg) {
    if (fits && value == 0)
      return fail(PidErrc::zero, core, "pid 0 would signal our process group");
    return fail(PidErrc::negative, core,
                "negative pid would signal a process group (or every process for -1)");
  }
  if (!fits) {
    return fail(PidErrc::overflow, core,
                fmt::format("pid exceeds the Linux maximum {}", kPidMaxLimit));
  }
  if (value == 0) return fail(PidErrc::zero, core, "pid 0 would signal our process group");
  PidResult r;
  r.pid = static_cast<pid_t>(value);
  return r;
}

PidResult read_pid_file(const std::filesystem::path& path) {
  auto with_path = [&](PidResult r) {
    if (r.error) r.error->path = path.string();
    return r;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return with_path(fail(PidErrc::missing_file, "", "no such file", 0, err));
    return with_path(fail(PidErrc::unreadable, "", "cannot open", 0, err));
  }
  std::string buf(kMaxFileBytes + 1, '\0');
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return with_path(fail(PidErrc::unreadable, "", "cannot read", 0, err));
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  if (got > kMaxFileBytes) {
    return with_path(
        fail(PidErrc::garbage, buf, fmt::format("file larger than {} bytes", kMaxFileBytes)));
  }
  return with_path(parse_pid_text(buf));
}

std::optional<PidFileError> send(const std::filesystem::path& pid_file, int signum) {
  PidResult r = read_pid_file(pid_file);
  if (!r) return r.error;
  if (::kill(r.pid, signum) == 0) return std::nullopt;
  const int err = errno;
  PidFileError e{PidErrc::stale, pid_file.string(), "", "", r.pid, err};
  if (err == ESRCH) {
    e.why = fmt::format("no process with pid {} (stale pid file)", r.pid);
  } else if (err == EPERM) {
    e.code = PidErrc::no_permission;
    e.why = fmt::format("process {} exists but may not be signalled by us", r.pid);
  } else {
    e.code = PidErrc::invalid_signal;
    e.why = fmt::format("kill({}, {}) failed", r.pid, signum);
  }
  return e;
}

PingResult ping(const std::filesystem::path& pid_file, PidFileError* error) {
  auto e = send(pid_file, 0);
  if (!e) return PingResult::alive;
  if (error) *error = *e;
  switch (e->code) {
    case PidErrc::stale:
      return PingResult::no_process;
    case PidErrc::no_permission:
      return PingResult::no_permission;
    default:
      return PingResult::bad_file;
  }
}

// ---- PidFile ----

namespace {

[[noreturn]] void throw_io(const std::filesystem::path& p, std::string why, int err) {
  throw PidFileException(PidFileError{PidErrc::io_error, p.string(), "", std::move(why), 0, err});
}

std::filesystem::path write_temp(const std::filesystem::path& path, pid_t pid) {
  static std::atomic<unsigned> counter{0};
  auto tmp = path;
  tmp += fmt::format(".tmp.{}.{}", pid, counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) throw_io(path, fmt::format("cannot create temporary \"{}\"", tmp.string()), errno);
  const std::string text = fmt::format("{}\n", pid);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw_io(path, "cannot write temporary", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw_io(path, "fsync failed", err);
  }
  ::close(fd);
  return tmp;
}

}  // namespace

PidFile PidFile::acquire(const std::filesystem::path& path, Policy policy) {
  const pid_t me = ::getpid();
  const auto tmp = write_temp(path, me);
  struct TmpGuard {
    const std::filesystem::path& p;
    ~TmpGuard() { ::unlink(p.c_str()); }
  } guard{tmp};

  // A few rounds: the existing file may vanish between link() and our read.
  for (int round = 0; round < 4; ++round) {
    if (::link(tmp.c_str(), path.c_str()) == 0) return PidFile(path, me, false);
    if (errno != EEXIST) throw_io(path, "cannot link the pid file into place", errno);

    PidResult cur = read_pid_file(path);
    if (!cur) {
      if (cur.error->code == PidErrc::missing_file) continue;  // raced with a remover
      throw PidFileException(*cur.error);
    }
    const bool alive = ::kill(cur.pid, 0) == 0 || errno == EPERM;
    if (alive) {
      throw PidFileException(
          PidFileError{PidErrc::exists, path.string(), "",
                       fmt::format("already held by running process {}", cur.pid), cur.pid, 0});
    }
    if (policy == Policy::exclusive) {
      throw PidFileException(PidFileError{
          PidErrc::exists, path.string(), "",
          fmt::format("names pid {} which is not running (stale); Policy::replace_if_stale "
                      "would replace it",
                      cur.pid),
          cur.pid, 0});
    }
    // Stale and allowed: rename() replaces atomically.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      throw_io(path, "cannot replace the stale pid file", errno);
    }
    return PidFile(path, me, true);
  }
  throw_io(path, "the pid file kept appearing and disappearing", EAGAIN);
}

PidFile::PidFile(PidFile&& o) noexcept
    : path_(std::move(o.path_)),
      pid_(std::exchange(o.pid_, 0)),
      replaced_stale_(o.replaced_stale_) {}

PidFile& PidFile::operator=(PidFile&& o) noexcept {
  if (this != &o) {
    release();
    path_ = std::move(o.path_);
    pid_ = std::exchange(o.pid_, 0);
    replaced_stale_ = o.replaced_stale_;
  }
  return *this;
}

PidFile::~PidFile() { release(); }

bool PidFile::release() noexcept {
  const pid_t owner = std::exchange(pid_, 0);
  // Only the acquiring process removes it: a forked child inherits this object.
  if (owner == 0 || owner != ::getpid()) return false;
  try {
    PidResult cur = read_pid_file(path_);
    if (!cur || cur.pid != owner) return false;
    return ::unlink(path_.c_str()) == 0;
  } catch (...) {  // bad_alloc while formatting an error: leave the file
    return false;
  }
}

}  // namespace sigh::real
