// Loads a scenario from YAML (specs/FORMAT.md). Every error is a SpecError
// with file:line:column, what is wrong and a hint; nothing throws out.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "sigharness/scenario.h"

namespace sigh {

std::string SourceLoc::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string SpecError::message() const {
  std::string m = loc.str() + ": error: " + what;
  if (!hint.empty()) m += "\n  hint: " + hint;
  return m;
}

bool Scenario::holds_under(Profile p) const {
  return std::find(profiles.begin(), profiles.end(), p) != profiles.end();
}

namespace {

struct Fail {
  SpecError error;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  SourceLoc loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    return {file_, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
  }

  [[noreturn]] void fail(const YAML::Node& n, std::string what, std::string hint = {}) const {
    throw Fail{{loc(n), std::move(what), std::move(hint)}};
  }

  void expect_map(const YAML::Node& n, const char* what) const {
    if (!n.IsMap())
      fail(n, std::string(what) + " must be a mapping (key: value)", "see specs/FORMAT.md");
  }

  void check_keys(const YAML::Node& n, const char* what,
                  std::initializer_list<const char*> allowed) const {
    expect_map(n, what);
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      bool ok =
          std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, "unknown key \"" + key + "\" in " + what, "allowed keys: " + list);
      }
    }
  }

  std::string scalar(const YAML::Node& n, const char* what) const {
    if (!n.IsScalar()) fail(n, std::string(what) + " must be a single value");
    return n.Scalar();
  }

  long long integer(const YAML::Node& n, const char* what, long long lo, long long hi) const {
    std::string s = scalar(n, what);
    long long v = 0;
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == s.size()) fail(n, std::string(what) + " must be an integer, got \"" + s + "\"");
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9')
        fail(n, std::string(what) + " must be an integer, got \"" + s + "\"");
      v = v * 10 + (s[i] - '0');
      if (v > 1'000'000'000'000LL) fail(n, std::string(what) + " is too large");
    }
    if (neg) v = -v;
    if (v < lo || v > hi)
      fail(n, std::string(what) + " must be " + std::to_string(lo) + ".." + std::to_string(hi) +
                  ", got " + s);
    return v;
  }

  SignalNumber signal(const YAML::Node& n) const {
    auto v = integer(n, "signal", -1'000'000, 1'000'000);
    auto s = checked_signal_number(v);
    if (!s)
      fail(n, "signal " + std::to_string(v) + " is outside 0..255", "uWSGI signals are one byte");
    return *s;
  }

  bool boolean(const YAML::Node& n, const char* what) const {
    std::string s = scalar(n, what);
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    fail(n, std::string(what) + " must be true or false, got \"" + s + "\"");
  }

  Nanos duration(const YAML::Node& n, const char* what, bool allow_negative = false) const {
    std::string why;
    auto d = parse_duration(scalar(n, what), &why, allow_negative);
    if (!d)
      fail(n, std::string(what) + ": " + why,
           "durations look like 1.5s, 250ms, 3m or a number of seconds");
    return *d;
  }

  ProcessId process(const YAML::Node& n, const char* what) const {
    std::string s = scalar(n, what);
    auto p = ProcessId::parse(s);
    if (!p)
      fail(n, std::string(what) + ": \"" + s + "\" is not a process",
           "use master, workerN, muleN or spoolerN");
    bool exists = p->kind == ProcessKind::master ||
                  (p->kind == ProcessKind::worker && p->index <= sc.topology.workers) ||
                  (p->kind == ProcessKind::mule && p->index <= sc.topology.mules) ||
                  (p->kind == ProcessKind::spooler && p->index <= sc.topology.spoolers);
    if (!exists)
      fail(n, std::string(what) + ": " + s + " does not exist in this topology",
           topology_summary());
    return *p;
  }

  std::string topology_summary() const {
    return "topology: workers=" + std::to_string(sc.topology.workers) +
           ", mules=" + std::to_string(sc.topology.mules) +
           ", spoolers=" + std::to_string(sc.topology.spoolers);
  }

  Profile profile(const YAML::Node& n) const {
    auto p = parse_profile(scalar(n, "profile"));
    if (!p) fail(n, "unknown profile \"" + n.Scalar() + "\"", "profiles are strict and uwsgi-2.0");
    return *p;
  }

  std::vector<Profile> profiles(const YAML::Node& n) const {
    std::vector<Profile> out;
    if (n.IsScalar())
      out.push_back(profile(n));
    else if (n.IsSequence())
      for (const auto& p : n) out.push_back(profile(p));
    else
      fail(n, "profiles must be a list, e.g. [strict, uwsgi-2.0]");
    if (out.empty()) fail(n, "profiles must name at least one profile");
    return out;
  }

  void topology(const YAML::Node& n) {
    check_keys(n, "topology",
               {"workers", "cheaper", "mules", "programmed_mules", "farms", "spoolers", "lazy_apps",
                "queue_capacity"});
    Topology& t = sc.topology;
    if (n["workers"])
      t.workers = static_cast<int>(integer(n["workers"], "workers", -1'000'000, 1'000'000));
    if (n["mules"]) t.mules = static_cast<int>(integer(n["mules"], "mules", -1'000'000, 1'000'000));
    if (n["spoolers"])
      t.spoolers = static_cast<int>(integer(n["spoolers"], "spoolers", -1'000'000, 1'000'000));
    if (n["queue_capacity"])
      t.queue_capacity = static_cast<int>(
          integer(n["queue_capacity"], "queue_capacity", -1'000'000, 1'000'000'000));
    if (n["lazy_apps"]) t.lazy_apps = boolean(n["lazy_apps"], "lazy_apps");
    if (auto c = n["cheaper"]) {
      check_keys(c, "cheaper", {"initial"});
      if (!c["initial"]) fail(c, "cheaper needs initial: N");
      t.cheaper_initial =
          static_cast<int>(integer(c["initial"], "cheaper.initial", -1'000'000, 1'000'000));
    }
    if (auto pm = n["programmed_mules"]) {
      if (!pm.IsSequence()) fail(pm, "programmed_mules must be a list of mule ids");
      for (const auto& m : pm)
        t.programmed_mules.push_back(static_cast<int>(integer(m, "mule id", 1, 256)));
    }
    if (auto fs = n["farms"]) {
      if (!fs.IsSequence()) fail(fs, "farms must be a list of {name, mules}");
      for (const auto& f : fs) {
        check_keys(f, "farm", {"name", "mules"});
        if (!f["name"] || !f["mules"]) fail(f, "a farm needs name and mules");
        Farm farm{scalar(f["name"], "farm name"), {}};
        if (!f["mules"].IsSequence()) fail(f["mules"], "farm mules must be a list of mule ids");
        for (const auto& m : f["mules"])
          farm.mules.push_back(static_cast<int>(integer(m, "mule id", -1'000'000, 1'000'000)));
        t.farms.push_back(std::move(farm));
      }
    }
    if (std::string err = t.validate(); !err.empty()) fail(n, "impossible topology: " + err);
  }

  Registration registration(const YAML::Node& n) const {
    check_keys(n, "registration",
               {"signal", "target", "by", "handler_duration", "unchecked", "crash"});
    Registration r;
    r.loc = loc(n);
    if (!n["signal"]) fail(n, "a registration needs signal:");
    r.sig = signal(n["signal"]);
    if (n["target"]) r.target = n["target"].IsNull() ? "" : scalar(n["target"], "target");
    if (n["by"]) r.by = process(n["by"], "by");
    if (n["handler_duration"])
      r.handler_duration = duration(n["handler_duration"], "handler_duration");
    if (n["unchecked"]) r.unchecked = boolean(n["unchecked"], "unchecked");
    if (n["crash"]) r.crash_in_handler = boolean(n["crash"], "crash");
    if (!r.unchecked) {
      auto parsed = parse_target_strict(r.target);
      if (auto* e = std::get_if<TargetError>(&parsed))
        fail(n["target"] ? n["target"] : n, e->message(),
             "fix the target, or mark a deliberately non-strict one with unchecked: true");
      if (auto e = validate_target(std::get<Target>(parsed), sc.topology))
        fail(n["target"] ? n["target"] : n, e->message() + " (" + topology_summary() + ")",
             "fix the target, or mark a deliberately invalid one with unchecked: true");
    }
    return r;
  }

  int iterations(const YAML::Node& n) const {
    if (!n["iterations"]) return 0;
    return static_cast<int>(integer(n["iterations"], "iterations", -1'000'000, 1'000'000));
  }

  void timers(const YAML::Node& list) {
    if (!list.IsSequence()) fail(list, "timers must be a list");
    for (const auto& n : list) {
      check_keys(n, "timer", {"signal", "period", "rb", "iterations", "at"});
      if (!n["signal"] || !n["period"]) fail(n, "a timer needs signal: and period:");
      TimerSource t;
      t.loc = loc(n);
      t.sig = signal(n["signal"]);
      t.period = duration(n["period"], "period", true);
      t.kind = n["rb"] && boolean(n["rb"], "rb") ? TimerKind::rb_timer : TimerKind::timer;
      t.iterations = iterations(n);
      if (n["at"]) t.at = duration(n["at"], "at");
      sc.timers.push_back(t);
    }
  }

  void crons(const YAML::Node& list) {
    if (!list.IsSequence()) fail(list, "crons must be a list");
    for (const auto& n : list) {
      check_keys(n, "cron",
                 {"signal", "minute", "hour", "day", "month", "weekday", "iterations", "at"});
      if (!n["signal"]) fail(n, "a cron needs signal:");
      CronSource c;
      c.loc = loc(n);
      c.sig = signal(n["signal"]);
      auto field = [&](const char* k, int& out) {
        if (n[k]) out = static_cast<int>(integer(n[k], k, -1000, 1000));
      };
      field("minute", c.minute);
      field("hour", c.hour);
      field("day", c.day);
      field("month", c.month);
      field("weekday", c.weekday);
      c.iterations = iterations(n);
      if (n["at"]) c.at = duration(n["at"], "at");
      sc.crons.push_back(c);
    }
  }

  void monitors(const YAML::Node& list) {
    if (!list.IsSequence()) fail(list, "monitors must be a list");
    for (const auto& n : list) {
      check_keys(n, "monitor", {"signal", "path", "iterations", "at"});
      if (!n["signal"] || !n["path"]) fail(n, "a monitor needs signal: and path:");
      MonitorSource m;
      m.loc = loc(n);
      m.sig = signal(n["signal"]);
      m.path = scalar(n["path"], "path");
      if (m.path.empty() || m.path.front() != '/')
        fail(n["path"], "monitor paths are absolute, e.g. /app/reload");
      m.iterations = iterations(n);
      if (n["at"]) m.at = duration(n["at"], "at");
      sc.monitors.push_back(m);
    }
  }

  Action action(const YAML::Node& n) {
    expect_map(n, "script entry");
    Action a;
    a.loc = loc(n);
    if (!n["at"]) fail(n, "every script entry needs at:", "e.g. {at: 1s, raise: 1, from: worker1}");
    a.at = duration(n["at"], "at");
    if (a.at > sc.duration)
      fail(n["at"],
           "at is after the end of the run (duration " + format_duration(sc.duration) + ")");
    const char* kinds[] = {"raise", "request", "wait",  "received",   "touch",    "cheap",
                           "spawn", "kill",    "crash", "clock_step", "register", "unregister"};
    std::string kind;
    for (const char* k : kinds)
      if (n[k]) {
        if (!kind.empty())
          fail(n, "one action per script entry (found " + kind + " and " + k + ")");
        kind = k;
      }
    if (kind.empty())
      fail(n, "script entry has no action",
           "actions: raise, request, wait, received, touch, cheap, spawn, kill, crash, clock_step, "
           "register, unregister");
    if (kind == "raise") {
      check_keys(n, "raise entry", {"at", "raise", "from", "count"});
      RaiseAction r;
      r.sig = signal(n["raise"]);
      if (!n["from"]) fail(n, "raise needs from: (the process that raises)");
      r.from = process(n["from"], "from");
      if (n["count"]) r.count = static_cast<int>(integer(n["count"], "count", 1, 10'000'000));
      a.body = r;
    } else if (kind == "request") {
      check_keys(n, "request entry", {"at", "request", "worker", "duration"});
      RequestAction r;
      std::string what = scalar(n["request"], "request");
      if (what != "start" && what != "finish")
        fail(n["request"], "request must be start or finish");
      r.start = what == "start";
      if (!n["worker"]) fail(n, "request needs worker: N");
      r.worker = static_cast<int>(integer(n["worker"], "worker", 1, sc.topology.workers));
      if (n["duration"]) {
        if (!r.start) fail(n["duration"], "only request: start takes a duration");
        r.duration = duration(n["duration"], "duration");
      }
      a.body = r;
    } else if (kind == "wait") {
      check_keys(n, "wait entry", {"at", "wait", "process"});
      WaitAction w;
      if (!n["process"]) fail(n, "wait needs process:");
      w.process = process(n["process"], "process");
      std::string s = scalar(n["wait"], "wait");
      if (s != "any") w.sig = signal(n["wait"]);
      a.body = w;
    } else if (kind == "received") {
      check_keys(n, "received entry", {"at", "received"});
      a.body = ReceivedAction{process(n["received"], "received")};
    } else if (kind == "touch") {
      check_keys(n, "touch entry", {"at", "touch"});
      a.body = TouchAction{scalar(n["touch"], "touch")};
    } else if (kind == "cheap" || kind == "spawn" || kind == "kill" || kind == "crash") {
      check_keys(n, "lifecycle entry", {"at", "cheap", "spawn", "kill", "crash"});
      LifecycleAction l;
      l.kind = kind == "cheap"   ? LifecycleAction::cheap
               : kind == "spawn" ? LifecycleAction::spawn
               : kind == "kill"  ? LifecycleAction::kill
                                 : LifecycleAction::crash;
      l.process = process(n[kind], kind.c_str());
      if ((l.kind == LifecycleAction::cheap || l.kind == LifecycleAction::spawn) &&
          l.process.kind != ProcessKind::worker)
        fail(n[kind], kind + " applies to workers only");
      a.body = l;
    } else if (kind == "clock_step") {
      check_keys(n, "clock_step entry", {"at", "clock_step"});
      a.body = ClockStepAction{duration(n["clock_step"], "clock_step", true)};
    } else if (kind == "register") {
      check_keys(n, "register entry", {"at", "register"});
      a.body = RegisterAction{registration(n["register"])};
    } else {
      check_keys(n, "unregister entry", {"at", "unregister", "by"});
      UnregisterAction u;
      u.sig = signal(n["unregister"]);
      if (n["by"]) u.by = process(n["by"], "by");
      a.body = u;
    }
    return a;
  }

  Expectation expectation(const YAML::Node& n) const {
    expect_map(n, "expectation");
    Expectation e;
    e.loc = loc(n);
    const char* forms[] = {"handled", "never", "once", "dropped", "rejected",
                           "event",   "order", "wait", "received"};
    YAML::Node body;
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      if (key == "profile") {
        e.profiles = profiles(kv.second);
        continue;
      }
      bool known =
          std::any_of(std::begin(forms), std::end(forms), [&](const char* f) { return key == f; });
      if (!known)
        fail(kv.first, "unknown expectation \"" + key + "\"",
             "forms: handled, never, once, dropped, rejected, event, order, wait, received (plus "
             "profile:)");
      if (!e.form.empty())
        fail(kv.first, "one expectation per list item (found " + e.form + " and " + key + ")");
      e.form = key;
      body = kv.second;
    }
    if (e.form.empty())
      fail(n, "expectation has no form", "e.g. handled: {signal: 1, by: worker1, count: 3}");
    for (Profile p : e.profiles)
      if (!sc.holds_under(p))
        fail(n["profile"],
             "expectation for profile " + std::string(profile_name(p)) +
                 ", which the scenario does not name",
             "add it to profiles:");
    check_keys(body, e.form.c_str(),
               {"signal", "by", "count", "min", "max", "reason", "kind", "queue", "detail", "value",
                "from", "until", "signals", "returns", "values"});
    EventFilter& f = e.filter;
    if (body["signal"]) f.sig = signal(body["signal"]);
    if (body["by"]) f.proc = scalar(body["by"], "by");
    if (body["queue"]) f.queue = scalar(body["queue"], "queue");
    if (body["detail"]) f.detail_contains = scalar(body["detail"], "detail");
    if (body["reason"]) f.detail_contains = scalar(body["reason"], "reason");
    if (body["value"])
      f.value = integer(body["value"], "value", -1'000'000'000'000LL, 1'000'000'000'000LL);
    if (body["from"]) f.from = duration(body["from"], "from");
    if (body["until"]) f.until = duration(body["until"], "until");
    auto count_fields = [&] {
      if (body["count"]) e.exact = integer(body["count"], "count", 0, 1'000'000'000);
      if (body["min"]) e.min = integer(body["min"], "min", 0, 1'000'000'000);
      if (body["max"]) e.max = integer(body["max"], "max", 0, 1'000'000'000);
      if (!e.exact && !e.min && !e.max) fail(body, e.form + " needs count:, or min: and/or max:");
    };
    auto sequence = [&](const char* key) {
      if (!body[key] || !body[key].IsSequence()) fail(body, e.form + " needs " + key + ": [...]");
      e.kind = Expectation::Kind::sequence;
      for (const auto& v : body[key])
        e.sequence.push_back(integer(v, key, -1'000'000'000'000LL, 1'000'000'000'000LL));
    };
    if (e.form == "handled") {
      f.kind = EventKind::handler_start;
      count_fields();
    } else if (e.form == "never") {
      f.kind = EventKind::handler_start;
      e.exact = 0;
    } else if (e.form == "once") {
      f.kind = EventKind::handler_start;
      e.exact = 1;
    } else if (e.form == "dropped") {
      f.kind = EventKind::drop;
      count_fields();
    } else if (e.form == "rejected") {
      f.kind = EventKind::reject;
      count_fields();
    } else if (e.form == "event") {
      if (!body["kind"])
        fail(body, "event needs kind: (a trace event kind, e.g. undefined-behaviour)");
      auto k = parse_event_kind(scalar(body["kind"], "kind"));
      if (!k)
        fail(body["kind"], "unknown event kind \"" + body["kind"].Scalar() + "\"",
             "see specs/include/sigharness/trace.h");
      f.kind = *k;
      count_fields();
    } else if (e.form == "order") {
      f.kind = EventKind::handler_start;
      sequence("signals");
    } else if (e.form == "wait") {
      f.kind = EventKind::wait_return;
      sequence("returns");
    } else {
      f.kind = EventKind::received;
      e.sequence_uses_value = true;
      sequence("values");
    }
    return e;
  }

  std::int64_t wall_time(const YAML::Node& n) const {
    std::string s = scalar(n, "wall_start");
    int y, mo, d, h, mi, se;
    char z = 0;
    if (s.size() != 20 ||
        std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
        z != 'Z')
      fail(n, "wall_start must look like 2030-01-01T00:00:00Z (UTC)");
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
      fail(n, "wall_start has a field out of range");
    // Days from civil (proleptic Gregorian), no dependence on TZ.
    int yy = y - (mo <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + se;
  }

  void load(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) fail(root, "the scenario file is empty");
    check_keys(root, "scenario",
               {"name", "description", "profiles", "not_applicable", "topology", "duration",
                "wall_start", "real_time_scale", "files", "registrations", "timers", "crons",
                "monitors", "script", "expect"});
    if (!root["name"]) fail(root, "a scenario needs name:");
    sc.name = scalar(root["name"], "name");
    if (sc.name.empty() || !std::all_of(sc.name.begin(), sc.name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }))
      fail(root["name"], "name must be [a-z0-9-]+");
    if (root["description"]) sc.description = scalar(root["description"], "description");
    if (!root["profiles"])
      fail(root, "a scenario needs profiles: [strict, uwsgi-2.0] (the profiles it holds under)");
    sc.profiles = profiles(root["profiles"]);
    if (auto na = root["not_applicable"]) {
      check_keys(na, "not_applicable", {"sim", "real", "uwsgi"});
      for (const auto& kv : na) sc.not_applicable[kv.first.Scalar()] = scalar(kv.second, "reason");
    }
    if (root["topology"]) topology(root["topology"]);
    if (!root["duration"]) fail(root, "a scenario needs duration:", "e.g. duration: 10s");
    sc.duration = duration(root["duration"], "duration");
    if (sc.duration <= 0 || sc.duration > 30 * 86400 * kNsPerSec)
      fail(root["duration"], "duration must be > 0 and at most 30 days");
    if (root["wall_start"]) sc.wall_start = wall_time(root["wall_start"]);
    if (root["real_time_scale"])
      sc.real_time_scale =
          static_cast<int>(integer(root["real_time_scale"], "real_time_scale", 1, 100));
    if (auto files = root["files"]) {
      if (!files.IsSequence()) fail(files, "files must be a list of absolute paths");
      for (const auto& f : files) {
        std::string p = scalar(f, "file");
        if (p.empty() || p.front() != '/') fail(f, "file paths are absolute, e.g. /app/reload");
        sc.files.push_back(p);
      }
    }
    if (auto regs = root["registrations"]) {
      if (!regs.IsSequence()) fail(regs, "registrations must be a list");
      for (const auto& r : regs) sc.registrations.push_back(registration(r));
    }
    if (root["timers"]) timers(root["timers"]);
    if (root["crons"]) crons(root["crons"]);
    if (root["monitors"]) monitors(root["monitors"]);
    if (auto script = root["script"]) {
      if (!script.IsSequence()) fail(script, "script must be a list of timed actions");
      for (const auto& a : script) sc.script.push_back(action(a));
      std::stable_sort(sc.script.begin(), sc.script.end(),
                       [](const Action& a, const Action& b) { return a.at < b.at; });
    }
    if (auto ex = root["expect"]) {
      if (!ex.IsSequence()) fail(ex, "expect must be a list");
      for (const auto& e : ex) sc.expectations.push_back(expectation(e));
    }
  }

  Scenario sc;

 private:
  std::string file_;
};

}  // namespace

ScenarioOrError load_scenario_string(const std::string& yaml, const std::string& filename) {
  Loader loader(filename);
  loader.sc.file = filename;
  try {
    YAML::Node root = YAML::Load(yaml);
    loader.load(root);
  } catch (const Fail& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    SourceLoc l{filename, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                e.mark.column >= 0 ? e.mark.column + 1 : 0};
    return SpecError{l, "invalid YAML: " + e.msg,
                     "check indentation, quotes and brackets around this place"};
  } catch (const std::exception& e) {
    return SpecError{{filename, 0, 0}, std::string("cannot load scenario: ") + e.what(), ""};
  }
  return std::move(loader.sc);
}

ScenarioOrError load_scenario_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return SpecError{{path, 0, 0}, "cannot open the scenario file", "check the path"};
  std::ostringstream ss;
  ss << f.rdbuf();
  return load_scenario_string(ss.str(), path);
}

}  // namespace sigh
