#include "run_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "embedded_py.h"

namespace fs = std::filesystem;

namespace sigh::conform::detail {
namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

nlohmann::json registration_json(const Registration& r) {
  return {{"sig", r.sig},
          {"target", r.target},
          {"by", r.by.str()},
          {"dur_ns", r.handler_duration},
          {"crash", r.crash_in_handler}};
}

nlohmann::json sources_json(const Scenario& s, const RunDir& d) {
  nlohmann::json timers = nlohmann::json::array(), rb = nlohmann::json::array();
  for (const auto& t : s.timers) {
    // Whole seconds, floored (fractional periods are only run when the options allow it).
    nlohmann::json j = {{"sig", t.sig},
                        {"secs", t.period / kNsPerSec},
                        {"at0", t.at == 0},
                        {"iterations", t.iterations}};
    (t.kind == TimerKind::rb_timer ? rb : timers).push_back(j);
  }
  nlohmann::json crons = nlohmann::json::array(), mons = nlohmann::json::array();
  for (const auto& c : s.crons)
    crons.push_back({{"sig", c.sig},
                     {"minute", c.minute},
                     {"hour", c.hour},
                     {"day", c.day},
                     {"month", c.month},
                     {"weekday", c.weekday},
                     {"at0", c.at == 0}});
  for (const auto& m : s.monitors)
    mons.push_back({{"sig", m.sig}, {"path", d.mapped(m.path)}, {"at0", m.at == 0}});
  return {{"timer", timers}, {"rb_timer", rb}, {"cron", crons}, {"monitor", mons}};
}

std::string ini_text(const Scenario& s, const RunDir& d) {
  const Topology& t = s.topology;
  std::string ini = "[uwsgi]\nplugin = python3\nplugin = signal\nmaster = true\n";
  ini += fmt::format("processes = {}\n", t.workers);
  for (int m = 1; m <= t.mules; ++m)  // mule ids follow config order
    ini +=
        t.is_programmed_mule(m) ? fmt::format("mule = {}/sigh_mule.py\n", d.root) : "mules = 1\n";
  for (const auto& f : t.farms) {
    std::string ids;
    for (int m : f.mules) ids += (ids.empty() ? "" : ",") + std::to_string(m);
    ini += fmt::format("farm = {}:{}\n", f.name, ids);
  }
  for (int i = 1; i <= t.spoolers; ++i) ini += fmt::format("spooler = {}/spool{}\n", d.root, i);
  if (t.lazy_apps) ini += "lazy-apps = true\n";
  if (t.cheaper_initial >= 1 && t.cheaper_initial < t.workers)
    ini += fmt::format("cheaper = {}\ncheaper-initial = {}\ncheaper-algo = manual\n",
                       t.cheaper_initial, t.cheaper_initial);
  // capacity = ceil(SO_SNDBUF / 768) and the kernel doubles the request (reference §4.5).
  if (t.queue_capacity != 278) ini += fmt::format("signal-bufsize = {}\n", 384 * t.queue_capacity);
  ini += fmt::format("wsgi-file = {}/sigh_app.py\n", d.root);
  for (int w = 1; w <= t.workers; ++w) ini += fmt::format("http-socket = {}\n", d.worker_socket(w));
  for (int w = 1; w <= t.workers; ++w) ini += fmt::format("map-socket = {}:{}\n", w - 1, w);
  ini += fmt::format("stats = {}\nmaster-fifo = {}\nlogto = {}\n", d.stats, d.fifo, d.log);
  ini += "disable-logging = true\n";  // no per-request lines; signal lines stay
  return ini;
}

}  // namespace

std::string RunDir::mapped(const std::string& p) const {
  if (auto it = files.find(p); it != files.end()) return it->second;
  return root + "/files" + (p.empty() || p[0] != '/' ? "/" : "") + p;
}

std::string prepare_run_dir(const Scenario& s, RunDir& d) {
  char tmpl[] = "/tmp/sigh-uwsgi-XXXXXX";
  if (!mkdtemp(tmpl)) return std::string("mkdtemp failed: ") + std::strerror(errno);
  d.root = tmpl;
  d.ini = d.root + "/uwsgi.ini";
  d.log = d.root + "/uwsgi.log";
  d.events = d.root + "/events.jsonl";
  d.stats = d.root + "/stats.sock";
  d.fifo = d.root + "/master.fifo";
  std::error_code ec;
  for (const auto& f : s.files) {
    d.files[f] = d.mapped(f);
    fs::create_directories(fs::path(d.files[f]).parent_path(), ec);
    if (!write_file(d.files[f], "")) return "cannot create " + d.files[f];
  }
  for (const auto& m : s.monitors)  // parent dirs only: a missing watched path is part of the test
    fs::create_directories(fs::path(d.mapped(m.path)).parent_path(), ec);
  for (int i = 1; i <= s.topology.spoolers; ++i)
    fs::create_directories(d.root + "/spool" + std::to_string(i), ec);
  nlohmann::json cfg = {{"lazy", s.topology.lazy_apps}, {"sources", sources_json(s, d)}};
  cfg["registrations"] = nlohmann::json::array();
  for (const auto& r : s.registrations) cfg["registrations"].push_back(registration_json(r));
  if (!write_file(d.root + "/config.json", cfg.dump(1)) ||
      !write_file(d.root + "/sigh_app.py", kSighAppPy) ||
      !write_file(d.root + "/sigh_mule.py", kSighMulePy) || !write_file(d.ini, ini_text(s, d)))
    return "cannot write the run files under " + d.root;
  return "";
}

void remove_run_dir(const RunDir& d) {
  if (d.root.rfind("/tmp/sigh-uwsgi-", 0) != 0) return;  // never anything else
  std::error_code ec;
  fs::remove_all(d.root, ec);
}

}  // namespace sigh::conform::detail
