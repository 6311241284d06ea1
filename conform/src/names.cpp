#include "names.h"

#include <array>
#include <utility>

namespace sigh::conform::detail {

std::string proc_name(const ProcessId& p) {
  switch (p.kind) {
    case ProcessKind::master: return "master";
    case ProcessKind::worker: return "worker" + std::to_string(p.index);
    case ProcessKind::mule: return "mule" + std::to_string(p.index);
    case ProcessKind::spooler: return "spooler" + std::to_string(p.index);
  }
  return "?";
}

std::optional<EventKind> kind_from_name(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, EventKind>, 16> kKinds{{
      {"raise", EventKind::raise},
      {"handler-start", EventKind::handler_start},
      {"handler-end", EventKind::handler_end},
      {"unhandled", EventKind::unhandled},
      {"wait-enter", EventKind::wait_enter},
      {"wait-return", EventKind::wait_return},
      {"received", EventKind::received},
      {"request-start", EventKind::request_start},
      {"request-end", EventKind::request_end},
      {"spawn", EventKind::spawn},
      {"exit", EventKind::exit},
      {"register", EventKind::register_ok},
      {"register-error", EventKind::register_error},
      {"note", EventKind::note},
      {"drop", EventKind::drop},
      {"cron-fire", EventKind::cron_fire},
  }};
  for (const auto& [name, kind] : kKinds)
    if (name == s) return kind;
  return std::nullopt;
}

}  // namespace sigh::conform::detail

#include <algorithm>

namespace sigh::conform::detail {

bool holds_under_uwsgi(const Scenario& s) {
  return std::find(s.profiles.begin(), s.profiles.end(), Profile::uwsgi_2_0) != s.profiles.end();
}

bool is_programmed(const Topology& t, int mule) {
  return std::find(t.programmed_mules.begin(), t.programmed_mules.end(), mule) !=
         t.programmed_mules.end();
}

std::string loc_str(const SourceLoc& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

}  // namespace sigh::conform::detail
