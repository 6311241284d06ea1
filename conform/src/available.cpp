#include <sys/wait.h>
#include <unistd.h>

#include "process_ctl.h"
#include "sigharness/conform/uwsgi_backend.h"

namespace sigh::conform {

bool uwsgi_available(std::string* why) {
  const std::string bin = UwsgiRunOptions{}.uwsgi_binary;
  if (access(bin.c_str(), X_OK) != 0) {
    if (why) *why = bin + " not found or not executable";
    return false;
  }
  // --need-plugins exits non-zero when python3 or signal cannot be loaded.
  std::string err;
  detail::Child c = detail::spawn_in_session({bin, "--need-plugins", "python3,signal", "--version"},
                                             {}, "/dev/null", &err);
  if (c.pid < 0) {
    if (why) *why = err;
    return false;
  }
  int status = 0;
  Nanos deadline = detail::mono_now() + 10 * kNsPerSec;
  while (waitpid(c.pid, &status, WNOHANG) == 0) {
    if (detail::mono_now() > deadline) {
      detail::stop_child(c, kNsPerSec);
      if (why) *why = "uwsgi --version hung";
      return false;
    }
    detail::sleep_for(5 * kNsPerMs);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (why) *why = "uwsgi cannot load the python3 and signal plugins (uwsgi-plugin-python3)";
    return false;
  }
  return true;
}

}  // namespace sigh::conform
