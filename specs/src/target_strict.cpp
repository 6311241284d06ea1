// The strict target grammar (specs/SEMANTICS.md, rule S2): validated at
// registration, every error names the offending byte.
#include <algorithm>
#include <cstdio>
#include <string>

#include "sigharness/target.h"

namespace sigh {

std::string_view profile_name(Profile p) { return p == Profile::strict ? "strict" : "uwsgi-2.0"; }

std::optional<Profile> parse_profile(std::string_view s) {
  if (s == "strict") return Profile::strict;
  if (s == "uwsgi-2.0") return Profile::uwsgi_2_0;
  return std::nullopt;
}

std::string Target::str() const {
  switch (kind) {
    case TargetKind::worker_pool:
      return "worker";
    case TargetKind::all_workers:
      return "workers";
    case TargetKind::active_workers:
      return "active-workers";
    case TargetKind::worker:
      return "worker" + std::to_string(index);
    case TargetKind::spooler:
      return "spooler";
    case TargetKind::all_mules:
      return "mules";
    case TargetKind::mule_pool:
      return "mule";
    case TargetKind::mule:
      return "mule" + std::to_string(index);
    case TargetKind::farm_name:
      return "farm_" + farm;
    case TargetKind::farm_index:
      return "farm" + std::to_string(index);
  }
  return "?";
}

std::string TargetError::message() const {
  std::string shown;
  if (offset < input.size()) {
    unsigned char c = static_cast<unsigned char>(input[offset]);
    char buf[16];
    if (c >= 0x20 && c < 0x7f)
      std::snprintf(buf, sizeof buf, "'%c'", c);
    else
      std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    shown = buf;
  } else {
    shown = "end of string";
  }
  std::string quoted;
  for (unsigned char c : input) {
    if (c == '"' || c == '\\')
      quoted += '\\', quoted += static_cast<char>(c);
    else if (c >= 0x20 && c < 0x7f)
      quoted += static_cast<char>(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      quoted += buf;
    }
  }
  return "target \"" + quoted + "\": at offset " + std::to_string(offset) + " (" + shown +
         "): " + why;
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses a strict decimal index 1..9999 starting at `pos` and running to the end.
std::variant<int, TargetError> strict_index(std::string_view s, std::size_t pos, const char* what) {
  std::string in(s);
  if (pos >= s.size()) return TargetError{in, pos, std::string("expected a ") + what + " number"};
  if (s[pos] == '0') {
    if (pos + 1 == s.size()) return 0;
    return TargetError{in, pos, std::string("leading zero in the ") + what + " number"};
  }
  int v = 0;
  for (std::size_t i = pos; i < s.size(); ++i) {
    if (!is_digit(s[i])) {
      std::string why = i == pos ? std::string("expected a ") + what + " number (digits only)"
                                 : std::string("trailing characters after the ") + what + " number";
      return TargetError{in, i, why};
    }
    if (i - pos >= 4)
      return TargetError{in, i, std::string("the ") + what + " number is too large (max 9999)"};
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::variant<Target, TargetError> parse_target_strict(std::string_view s) {
  std::string in(s);
  if (s.size() > 63)
    return TargetError{in, 63, "targets are at most 63 bytes (uWSGI's receiver[64])"};
  if (s.empty() || s == "worker") return Target{TargetKind::worker_pool, 0, {}};
  if (s == "workers") return Target{TargetKind::all_workers, 0, {}};
  if (s == "active-workers") return Target{TargetKind::active_workers, 0, {}};
  if (s == "mules") return Target{TargetKind::all_mules, 0, {}};
  if (s == "mule") return Target{TargetKind::mule_pool, 0, {}};
  if (s == "spooler") return Target{TargetKind::spooler, 0, {}};
  if (s == "subscribed")
    return TargetError{
        in, 0, "\"subscribed\" (cluster subscriptions) is a no-op in uWSGI 2.0 and not supported"};
  if (s == "cluster") return TargetError{in, 0, "\"cluster\" targets do not exist in uWSGI 2.0"};
  if (s.substr(0, 6) == "worker") {
    auto r = strict_index(s, 6, "worker");
    if (auto* e = std::get_if<TargetError>(&r)) return *e;
    int i = std::get<int>(r);
    return i == 0 ? Target{TargetKind::worker_pool, 0, {}} : Target{TargetKind::worker, i, {}};
  }
  if (s.substr(0, 5) == "farm_") {
    if (s.size() == 5) return TargetError{in, 5, "expected a farm name after \"farm_\""};
    if (s.size() > 5 + 58) return TargetError{in, 63, "farm names are at most 58 characters"};
    for (std::size_t i = 5; i < s.size(); ++i) {
      char c = s[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
                c == '.' || c == '-';
      if (!ok) return TargetError{in, i, "farm names use only [A-Za-z0-9_.-]"};
    }
    return Target{TargetKind::farm_name, 0, std::string(s.substr(5))};
  }
  if (s.substr(0, 4) == "farm") {
    auto r = strict_index(s, 4, "farm");
    if (auto* e = std::get_if<TargetError>(&r)) return *e;
    if (std::get<int>(r) == 0) return TargetError{in, 4, "farm numbers start at 1"};
    return Target{TargetKind::farm_index, std::get<int>(r), {}};
  }
  if (s.substr(0, 4) == "mule") {
    auto r = strict_index(s, 4, "mule");
    if (auto* e = std::get_if<TargetError>(&r)) return *e;
    int i = std::get<int>(r);
    return i == 0 ? Target{TargetKind::mule_pool, 0, {}} : Target{TargetKind::mule, i, {}};
  }
  // Point at the first byte that cannot start any known target.
  std::size_t off = 0;
  const std::string_view words[] = {"worker", "workers", "active-workers", "mules",
                                    "mule",   "spooler", "farm_",          "farm"};
  for (std::string_view w : words) {
    std::size_t k = 0;
    while (k < s.size() && k < w.size() && s[k] == w[k]) ++k;
    off = std::max(off, k);
  }
  return TargetError{
      in, off,
      "unknown target (known: worker, workerN, workers, active-workers, mule, muleN, mules, "
      "farmN, farm_NAME, spooler)"};
}

std::optional<TargetError> validate_target(const Target& t, const Topology& topo) {
  std::string s = t.str();
  auto err = [&](std::size_t off, std::string why) { return TargetError{s, off, std::move(why)}; };
  switch (t.kind) {
    case TargetKind::worker:
      if (t.index > topo.workers)
        return err(6, "worker " + std::to_string(t.index) +
                          " does not exist (workers: " + std::to_string(topo.workers) + ")");
      return std::nullopt;
    case TargetKind::all_mules:
    case TargetKind::mule_pool:
      if (topo.mules == 0) return err(0, "there are no mules in this topology");
      return std::nullopt;
    case TargetKind::mule:
      if (t.index > topo.mules)
        return err(4, "mule " + std::to_string(t.index) +
                          " does not exist (mules: " + std::to_string(topo.mules) + ")");
      return std::nullopt;
    case TargetKind::spooler:
      if (topo.spoolers == 0) return err(0, "there is no spooler in this topology");
      return std::nullopt;
    case TargetKind::farm_name:
      for (const auto& f : topo.farms)
        if (f.name == t.farm) return std::nullopt;
      return err(5, "no farm named \"" + t.farm + "\"");
    case TargetKind::farm_index:
      if (t.index > static_cast<int>(topo.farms.size()))
        return err(4, "farm " + std::to_string(t.index) +
                          " does not exist (farms: " + std::to_string(topo.farms.size()) + ")");
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace sigh
