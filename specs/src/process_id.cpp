#include "sigharness/process_id.h"

#include <charconv>

namespace sigh {

std::string ProcessId::str() const {
  switch (kind) {
    case ProcessKind::master:
      return "master";
    case ProcessKind::worker:
      return "worker" + std::to_string(index);
    case ProcessKind::mule:
      return "mule" + std::to_string(index);
    case ProcessKind::spooler:
      return "spooler" + std::to_string(index);
  }
  return "?";
}

std::optional<ProcessId> ProcessId::parse(std::string_view s) {
  if (s == "master") return ProcessId::master();
  struct Prefix {
    std::string_view name;
    ProcessKind kind;
  };
  for (Prefix p : {Prefix{"worker", ProcessKind::worker}, Prefix{"mule", ProcessKind::mule},
                   Prefix{"spooler", ProcessKind::spooler}}) {
    if (s.substr(0, p.name.size()) != p.name) continue;
    std::string_view digits = s.substr(p.name.size());
    if (digits.empty() || digits.size() > 6 || digits[0] < '1' || digits[0] > '9')
      return std::nullopt;
    int n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return ProcessId{p.kind, n};
  }
  return std::nullopt;
}

}  // namespace sigh
