// Transitional: used only while conform/ has no uwsgi backend target.
#include <ostream>

#include "commands.h"

namespace sigh::cli {
int cmd_conform(const ConformArgs&, std::ostream&, std::ostream& err) {
  err << "error: this build has no conformance support (conform/ not built)\n";
  return kExitBackendError;
}
}  // namespace sigh::cli
