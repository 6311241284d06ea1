#pragma once
// Logical process names shared by every backend and the trace: "master",
// "worker3", "mule1", "spooler1". Indices are 1-based like uWSGI's ids.
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace sigh {

enum class ProcessKind { master, worker, mule, spooler };

struct ProcessId {
  ProcessKind kind = ProcessKind::master;
  int index = 0;  // 0 for the master, 1..N otherwise

  static ProcessId master() { return {ProcessKind::master, 0}; }
  static ProcessId worker(int i) { return {ProcessKind::worker, i}; }
  static ProcessId mule(int i) { return {ProcessKind::mule, i}; }
  static ProcessId spooler(int i) { return {ProcessKind::spooler, i}; }

  std::string str() const;
  // Accepts exactly the forms str() produces; nullopt otherwise.
  static std::optional<ProcessId> parse(std::string_view s);

  auto operator<=>(const ProcessId&) const = default;
};

}  // namespace sigh
