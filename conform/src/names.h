#pragma once
// Small local helpers so the backend does not depend on more of specs/src than it needs.
#include <optional>
#include <string>
#include <string_view>

#include "sigharness/process_id.h"
#include "sigharness/trace.h"

namespace sigh::conform::detail {

std::string proc_name(const ProcessId& p);                   // "worker3", "master", ...
std::optional<EventKind> kind_from_name(std::string_view s); // "handler-start" -> handler_start

}  // namespace sigh::conform::detail

#include "sigharness/scenario.h"

namespace sigh::conform::detail {
// Header-only equivalents of a few specs helpers (the backend only needs the vocabulary).
bool holds_under_uwsgi(const Scenario& s);
bool is_programmed(const Topology& t, int mule);
std::string loc_str(const SourceLoc& l);
}  // namespace sigh::conform::detail
