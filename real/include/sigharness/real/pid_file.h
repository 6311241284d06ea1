#pragma once
// Pid files (seed-apis.md §2.4, §2.5, §4.4): a RAII owner, strict reading, and
// send()/ping() through a pid file.
//
// Error policy: reading, parsing, sending and pinging are expected to fail and
// return a PidFileError value (each failure has its own PidErrc); acquiring the
// file is setup and throws PidFileException carrying the same PidFileError.
//
// Deviation from daemoniker (decision §4.6.4): parsing is strict. Accepted:
// optional ASCII whitespace, decimal digits, optional ASCII whitespace, with a
// value in 1..kPidMaxLimit. Rejected, each with its own code: empty, garbage
// (sign '+', '_', non-ASCII digits, trailing text, embedded NUL...), 0, negative,
// overflow. Python's int() would accept " +12", "1_0", and kill(0|-1, sig) would
// broadcast a signal from a corrupt file.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sigh::real {

// Linux's PID_MAX_LIMIT on 64-bit (2^22); /proc/sys/kernel/pid_max is at most this.
inline constexpr long kPidMaxLimit = 4194304;

enum class PidErrc {
  missing_file = 1,  // ENOENT
  unreadable,        // EACCES, EISDIR, other open/read errors (errno in sys_errno)
  empty,             // no digits at all (only whitespace or nothing)
  garbage,           // anything but whitespace + digits + whitespace
  zero,              // "0": kill(0, ...) would signal our process group
  negative,          // "-N": kill(-N, ...) would signal a process group / everyone
  overflow,          // > kPidMaxLimit
  stale,             // kill(pid, ...) == ESRCH: no such process
  no_permission,     // kill(pid, ...) == EPERM: alive but not ours
  invalid_signal,    // kill(pid, sig) == EINVAL
  exists,            // acquire: the file names a live process (or policy is exclusive)
  io_error,          // acquire/remove: create, write, fsync, link, unlink failed
};
std::string_view pid_errc_name(PidErrc e);
const std::error_category& pid_file_category() noexcept;
std::error_code make_error_code(PidErrc e) noexcept;

struct PidFileError {
  PidErrc code = PidErrc::garbage;
  std::string path;     // the pid file, "" for parse_pid_text
  std::string excerpt;  // the offending text, escaped and shortened ("" when n/a)
  std::string why;
  pid_t pid = 0;                // the parsed pid for stale/no_permission/invalid_signal/exists
  int sys_errno = 0;            // for unreadable/io_error
  std::string message() const;  // "pid file \"/run/x.pid\": garbage: \"12ab\": <why>"
  std::error_code code_as_error() const { return make_error_code(code); }
};

// A value or an error; ok() tells which.
struct PidResult {
  pid_t pid = 0;
  std::optional<PidFileError> error;
  bool ok() const noexcept { return !error.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
};

// Pure, total, never throws except std::bad_alloc (fuzz target). path is "".
PidResult parse_pid_text(std::string_view text);
// Reads the file (up to 4096 bytes; more is garbage) and parses it.
PidResult read_pid_file(const std::filesystem::path& path);

// read_pid_file + kill(pid, signum). Returns nullopt on success.
std::optional<PidFileError> send(const std::filesystem::path& pid_file, int signum);

enum class PingResult { alive, no_process, no_permission, bad_file };
// kill(pid, 0). Unlike daemoniker's ping, EPERM means alive-but-not-ours, not "dead".
// bad_file covers every read/parse error (details in *error when given).
PingResult ping(const std::filesystem::path& pid_file, PidFileError* error = nullptr);

class PidFileException : public std::runtime_error {
 public:
  explicit PidFileException(PidFileError e);
  const PidFileError& error() const noexcept { return error_; }

 private:
  PidFileError error_;
};

// RAII owner. acquire() publishes "<pid>\n" atomically: the content is written
// and fsync'ed to a temporary file in the same directory, then link()ed to the
// final name (fails with EEXIST if taken), so readers never see a partial file.
// The destructor removes the file only in the process that acquired it, and only
// if it still holds our pid (someone may have replaced it).
class PidFile {
 public:
  enum class Policy {
    exclusive,         // any existing file -> PidErrc::exists (≙ daemoniker)
    replace_if_stale,  // an existing file naming a dead pid (ESRCH) is replaced;
                       // a live pid -> exists; an unparsable file -> its parse error.
                       // Not atomic against another process replacing the same
                       // stale file at the same moment (use exclusive for that).
  };

  static PidFile acquire(const std::filesystem::path& path, Policy policy = Policy::exclusive);

  PidFile(PidFile&& o) noexcept;
  PidFile& operator=(PidFile&& o) noexcept;
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  ~PidFile();

  const std::filesystem::path& path() const noexcept { return path_; }
  pid_t pid() const noexcept { return pid_; }
  bool replaced_stale() const noexcept { return replaced_stale_; }
  // Removes now (same rule as the destructor); returns true when this call removed it.
  bool release() noexcept;

 private:
  PidFile(std::filesystem::path p, pid_t pid, bool replaced)
      : path_(std::move(p)), pid_(pid), replaced_stale_(replaced) {}
  std::filesystem::path path_;
  pid_t pid_ = 0;  // 0 = released / moved-from
  bool replaced_stale_ = false;
};

}  // namespace sigh::real

template <>
struct std::is_error_code_enum<sigh::real::PidErrc> : std::true_type {};
