// The trace format: JSON lines, versioned, fixed key order (byte-identical
// output for identical runs). Written by hand for speed; read with
// nlohmann_json, strictly.
#include "sigharness/trace.h"

#include <array>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

namespace sigh {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 30> kNames = {{
    {EventKind::raise, "raise"},
    {EventKind::route, "route"},
    {EventKind::enqueue, "enqueue"},
    {EventKind::drop, "drop"},
    {EventKind::reject, "reject"},
    {EventKind::deliver, "deliver"},
    {EventKind::handler_start, "handler-start"},
    {EventKind::handler_end, "handler-end"},
    {EventKind::unhandled, "unhandled"},
    {EventKind::wait_enter, "wait-enter"},
    {EventKind::wait_return, "wait-return"},
    {EventKind::received, "received"},
    {EventKind::timer_fire, "timer-fire"},
    {EventKind::rbtimer_fire, "rbtimer-fire"},
    {EventKind::cron_fire, "cron-fire"},
    {EventKind::monitor_fire, "monitor-fire"},
    {EventKind::request_start, "request-start"},
    {EventKind::request_end, "request-end"},
    {EventKind::spawn, "spawn"},
    {EventKind::cheap, "cheap"},
    {EventKind::respawn, "respawn"},
    {EventKind::kill, "kill"},
    {EventKind::exit, "exit"},
    {EventKind::register_ok, "register"},
    {EventKind::register_error, "register-error"},
    {EventKind::unregister, "unregister"},
    {EventKind::clock_step, "clock-step"},
    {EventKind::undefined_behaviour, "undefined-behaviour"},
    {EventKind::fault, "fault"},
    {EventKind::note, "note"},
}};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, value);
}

void append_field(std::string& out, std::string_view key, std::int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string_view event_kind_name(EventKind k) {
  for (const auto& [kind, name] : kNames)
    if (kind == k) return name;
  return "note";
}

std::optional<EventKind> parse_event_kind(std::string_view s) {
  for (const auto& [kind, name] : kNames)
    if (name == s) return kind;
  return std::nullopt;
}

std::string trace_header_to_json(const TraceHeader& h) {
  std::string out = "{\"trace\":\"sigharness\"";
  append_field(out, "version", static_cast<std::int64_t>(h.version));
  append_field(out, "backend", h.backend);
  append_field(out, "profile", h.profile);
  append_field(out, "seed", h.seed);
  append_field(out, "scenario", h.scenario);
  out += '}';
  return out;
}

std::string trace_event_to_json(const TraceEvent& e) {
  std::string out = "{\"t\":";
  out += std::to_string(e.t);
  append_field(out, "ev", event_kind_name(e.kind));
  if (e.sig) append_field(out, "sig", static_cast<std::int64_t>(*e.sig));
  if (!e.proc.empty()) append_field(out, "proc", e.proc);
  if (!e.queue.empty()) append_field(out, "queue", e.queue);
  if (!e.target.empty()) append_field(out, "target", e.target);
  if (!e.detail.empty()) append_field(out, "detail", e.detail);
  if (e.value) append_field(out, "value", *e.value);
  if (e.wall) append_field(out, "wall", *e.wall);
  out += '}';
  return out;
}

void write_trace(std::ostream& out, const Trace& t) {
  out << trace_header_to_json(t.header) << '\n';
  for (const auto& e : t.events) out << trace_event_to_json(e) << '\n';
}

std::string TraceReadError::message() const {
  return "trace line " + std::to_string(line) + ": " + why;
}

namespace {

using json = nlohmann::json;

bool get_int(const json& j, const char* key, std::int64_t& out, std::string* why) {
  const auto& v = j.at(key);
  if (!v.is_number_integer()) {
    *why = std::string("\"") + key + "\" must be an integer";
    return false;
  }
  out = v.get<std::int64_t>();
  return true;
}

bool get_str(const json& j, const char* key, std::string& out, std::string* why) {
  const auto& v = j.at(key);
  if (!v.is_string()) {
    *why = std::string("\"") + key + "\" must be a string";
    return false;
  }
  out = v.get<std::string>();
  return true;
}

}  // namespace

std::optional<TraceEvent> parse_trace_event(std::string_view line, std::string* why) {
  std::string scratch;
  if (!why) why = &scratch;
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded()) {
    *why = "not valid JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    *why = "an event must be a JSON object";
    return std::nullopt;
  }
  static const std::set<std::string> known = {"t",      "ev",     "sig",   "proc", "queue",
                                              "target", "detail", "value", "wall"};
  for (const auto& [key, v] : j.items()) {
    (void)v;
    if (!known.count(key)) {
      *why = "unknown key \"" + key + "\"";
      return std::nullopt;
    }
  }
  if (!j.contains("t") || !j.contains("ev")) {
    *why = "an event needs \"t\" and \"ev\"";
    return std::nullopt;
  }
  TraceEvent e;
  std::string ev;
  if (!get_int(j, "t", e.t, why) || !get_str(j, "ev", ev, why)) return std::nullopt;
  auto kind = parse_event_kind(ev);
  if (!kind) {
    *why = "unknown event kind \"" + ev + "\"";
    return std::nullopt;
  }
  e.kind = *kind;
  if (j.contains("sig")) {
    std::int64_t s = 0;
    if (!get_int(j, "sig", s, why)) return std::nullopt;
    if (s < 0 || s > 255) {
      *why = "\"sig\" must be 0..255";
      return std::nullopt;
    }
    e.sig = static_cast<int>(s);
  }
  if (j.contains("proc") && !get_str(j, "proc", e.proc, why)) return std::nullopt;
  if (j.contains("queue") && !get_str(j, "queue", e.queue, why)) return std::nullopt;
  if (j.contains("target") && !get_str(j, "target", e.target, why)) return std::nullopt;
  if (j.contains("detail") && !get_str(j, "detail", e.detail, why)) return std::nullopt;
  if (j.contains("value")) {
    std::int64_t v = 0;
    if (!get_int(j, "value", v, why)) return std::nullopt;
    e.value = v;
  }
  if (j.contains("wall")) {
    std::int64_t v = 0;
    if (!get_int(j, "wall", v, why)) return std::nullopt;
    e.wall = v;
  }
  return e;
}

std::optional<Trace> read_trace(std::istream& in, TraceReadError* err) {
  TraceReadError scratch;
  if (!err) err = &scratch;
  Trace t;
  std::string line;
  int n = 0;
  if (!std::getline(in, line)) {
    *err = {1, "empty trace: expected a header line"};
    return std::nullopt;
  }
  ++n;
  json h = json::parse(line, nullptr, false);
  if (h.is_discarded() || !h.is_object() || !h.contains("trace") || h["trace"] != "sigharness") {
    *err = {1, "the first line must be a sigharness trace header ({\"trace\":\"sigharness\",...})"};
    return std::nullopt;
  }
  static const std::set<std::string> header_keys = {"trace",   "version", "backend",
                                                    "profile", "seed",    "scenario"};
  for (const auto& [key, v] : h.items()) {
    (void)v;
    if (!header_keys.count(key)) {
      *err = {1, "unknown header key \"" + key + "\""};
      return std::nullopt;
    }
  }
  std::string why;
  std::int64_t version = 0;
  if (!h.contains("version") || !get_int(h, "version", version, &why)) {
    *err = {1, why.empty() ? "the header needs \"version\"" : why};
    return std::nullopt;
  }
  if (version != kTraceVersion) {
    *err = {1, "unsupported trace version " + std::to_string(version) +
                   " (this build reads version " + std::to_string(kTraceVersion) + ")"};
    return std::nullopt;
  }
  t.header.version = static_cast<int>(version);
  for (auto [key, field] :
       {std::pair{"backend", &t.header.backend}, std::pair{"profile", &t.header.profile},
        std::pair{"seed", &t.header.seed}, std::pair{"scenario", &t.header.scenario}}) {
    if (h.contains(key) && !get_str(h, key, *field, &why)) {
      *err = {1, why};
      return std::nullopt;
    }
  }
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto e = parse_trace_event(line, &why);
    if (!e) {
      *err = {n, why};
      return std::nullopt;
    }
    t.events.push_back(std::move(*e));
  }
  return t;
}

std::uint64_t trace_hash(const Trace& t) {
  std::uint64_t h = 1469598103934665603ull;
  for (const auto& e : t.events) {
    std::string line = trace_event_to_json(e);
    for (unsigned char c : line) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= '\n';
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace sigh
