#include "bench_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>

namespace sigh::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double to_ns(double t, const std::string& unit) {
  if (unit == "us") return t * 1e3;
  if (unit == "ms") return t * 1e6;
  if (unit == "s") return t * 1e9;
  return t;  // "ns"
}

// Keys of a benchmark row that are not user counters.
const std::set<std::string>& builtin_keys() {
  static const std::set<std::string> k = {"name",
                                          "family_index",
                                          "per_family_instance_index",
                                          "run_name",
                                          "run_type",
                                          "repetitions",
                                          "repetition_index",
                                          "threads",
                                          "iterations",
                                          "real_time",
                                          "cpu_time",
                                          "time_unit",
                                          "aggregate_name",
                                          "aggregate_unit",
                                          "label",
                                          "error_occurred",
                                          "error_message",
                                          "skipped",
                                          "skip_message"};
  return k;
}

// Google Benchmark appends its run options to the name ("/iterations:1/manual_time"); the
// report's names are the benchmark's own.
std::string strip_run_options(const std::string& name) {
  static const char* kOptions[] = {"iterations:",      "repeats:",  "threads:",    "min_time:",
                                   "min_warmup_time:", "real_time", "manual_time", "process_time"};
  std::string out;
  std::stringstream ss(name);
  for (std::string part; std::getline(ss, part, '/');) {
    bool option = false;
    for (const char* o : kOptions) option = option || part.rfind(o, 0) == 0;
    if (!option) out += (out.empty() ? "" : "/") + part;
  }
  return out;
}

void split_name(BenchRow& r) {
  std::vector<std::string> parts;
  std::stringstream ss(r.name);
  for (std::string p; std::getline(ss, p, '/');) parts.push_back(p);
  r.family = parts.empty() ? r.name : parts.front();
  if (parts.size() >= 3) r.kind = parts[1];
  if (parts.size() >= 2) {
    const std::string& last = parts.back();
    // "workers:8" style args and plain numbers both count.
    auto colon = last.rfind(':');
    std::string num = colon == std::string::npos ? last : last.substr(colon + 1);
    char* end = nullptr;
    long v = std::strtol(num.c_str(), &end, 10);
    if (end && *end == '\0' && !num.empty()) r.n = v;
  }
}

struct Accum {
  BenchRow row;
  std::vector<double> times;
  std::map<std::string, std::vector<double>> counters;
};

bool read_file(const fs::path& p, std::map<std::string, Accum>& acc,
               std::map<std::string, Accum>& medians, BenchRun& run, std::string* error) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(null_non_finite_numbers(text.str()));
  } catch (const json::exception& e) {
    *error = fmt::format("{}: not valid JSON: {}", p.string(), e.what());
    return false;
  }
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array()) {
    *error =
        fmt::format("{}: not a Google Benchmark JSON file (no \"benchmarks\" array)", p.string());
    return false;
  }
  if (doc.contains("context") && doc["context"].is_object()) {
    const json& c = doc["context"];
    auto put = [&](const char* key, const std::string& v) {
      if (!run.machine.contains(key)) run.machine[key] = v;
    };
    if (c.contains("host_name")) put("host", c["host_name"].get<std::string>());
    if (c.contains("num_cpus")) put("cpus", std::to_string(c["num_cpus"].get<long>()));
    if (c.contains("mhz_per_cpu")) put("mhz_per_cpu", std::to_string(c["mhz_per_cpu"].get<long>()));
    if (c.contains("library_build_type"))
      put("benchmark_library_build", c["library_build_type"].get<std::string>());
    if (c.contains("load_avg") && c["load_avg"].is_array()) {
      std::string la;
      for (const auto& v : c["load_avg"]) la += fmt::format("{:.2f} ", v.get<double>());
      run.machine["load_avg_at_" + p.stem().string()] = la;
    }
    if (c.contains("date")) {
      std::string d = c["date"].get<std::string>();
      if (run.first_date.empty() || d < run.first_date) run.first_date = d;
      if (run.last_date.empty() || d > run.last_date) run.last_date = d;
    }
  }
  for (const json& b : doc["benchmarks"]) {
    if (!b.is_object() || !b.contains("name")) {
      *error = fmt::format("{}: a benchmark entry without a name", p.string());
      return false;
    }
    const std::string run_type = b.value("run_type", "iteration");
    std::string name = b.value("run_name", b["name"].get<std::string>());
    name = strip_run_options(name);
    if (run_type != "iteration") {
      // We take our own medians over the repetitions; a file written with
      // --benchmark_report_aggregates_only has only aggregates: keep its median then.
      if (b.value("aggregate_name", "") == "median") {
        Accum& m = medians[name];
        m.row.name = name;
        m.row.source = p.filename().string();
        m.row.repetitions = b.value("repetitions", 1);
        m.times.push_back(to_ns(b.value("real_time", 0.0), b.value("time_unit", "ns")));
        for (const auto& [k, v] : b.items())
          if (!builtin_keys().contains(k) && v.is_number())
            m.counters[k].push_back(v.get<double>());
      }
      continue;
    }
    Accum& a = acc[name];
    a.row.name = name;
    a.row.source = p.filename().string();
    if (b.value("error_occurred", false) || b.value("skipped", false)) {
      a.row.error = b.value("error_message", b.value("skip_message", std::string("skipped")));
      continue;
    }
    a.row.repetitions++;
    a.times.push_back(to_ns(b.value("real_time", 0.0), b.value("time_unit", "ns")));
    for (const auto& [k, v] : b.items())
      if (!builtin_keys().contains(k) && v.is_number()) a.counters[k].push_back(v.get<double>());
  }
  run.sources.push_back(p.filename().string());
  return true;
}

}  // namespace

std::string null_non_finite_numbers(const std::string& text) {
  static constexpr std::string_view kLiterals[] = {"-Infinity", "Infinity", "-NaN", "NaN",
                                                   "-nan",      "nan",      "-inf", "inf"};
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      ++i;
      continue;
    }
    bool replaced = false;
    for (auto lit : kLiterals) {
      if (text.compare(i, lit.size(), lit) == 0) {
        out += "null";
        i += lit.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

const BenchRow* BenchRun::find(const std::string& name) const {
  for (const auto& r : rows)
    if (r.name == name && r.repetitions > 0) return &r;
  return nullptr;
}

std::vector<const BenchRow*> BenchRun::family(const std::string& fam) const {
  std::vector<const BenchRow*> out;
  for (const auto& r : rows)
    if (r.family == fam && r.repetitions > 0) out.push_back(&r);
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return a->kind != b->kind ? a->kind < b->kind : a->n < b->n; });
  return out;
}

std::optional<BenchRun> load_bench_run(const std::string& dir, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *error = fmt::format(
        "{}: not a directory (run bench/run_all.sh first; it writes the "
        "benchmark JSON there)",
        dir);
    return std::nullopt;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    *error = fmt::format("{}: no *.json benchmark files in it", dir);
    return std::nullopt;
  }
  BenchRun run;
  std::map<std::string, Accum> acc, medians;
  for (const auto& f : files)
    if (f.filename() != "run.json" && !read_file(f, acc, medians, run, error)) return std::nullopt;
  // run.json (written by bench/run_all.sh): commit and machine facts of the run.
  fs::path meta = fs::path(dir) / "run.json";
  if (fs::exists(meta)) {
    try {
      std::ifstream in(meta);
      json m = json::parse(in);
      run.commit = m.value("commit", "");
      if (m.contains("machine") && m["machine"].is_object())
        for (const auto& [k, v] : m["machine"].items())
          run.machine[k] = v.is_string() ? v.get<std::string>() : v.dump();
    } catch (const json::exception& e) {
      *error = fmt::format("{}: not valid JSON: {}", meta.string(), e.what());
      return std::nullopt;
    }
  }
  for (auto& [name, m] : medians)
    if (!acc.contains(name) || acc[name].row.repetitions == 0) acc[name] = std::move(m);
  for (auto& [name, a] : acc) {
    a.row.real_time_ns = median(a.times);
    for (auto& [k, v] : a.counters) a.row.counters[k] = median(v);
    split_name(a.row);
    run.rows.push_back(std::move(a.row));
  }
  return run;
}

BenchSummary summarize(const BenchRun& run) {
  BenchSummary s;
  auto sps = [&](const std::string& name) -> std::optional<double> {
    const BenchRow* r = run.find(name);
    return r ? r->counter("signals_per_second") : std::nullopt;
  };
  // Headline pool size: 2 workers when both implementations have it, else the smallest shared.
  long pool_n = -1;
  for (long n : {2L, 1L, 4L, 8L})
    if (sps(fmt::format("dispatch_real/pool/{}", n)) &&
        sps(fmt::format("dispatch_uwsgi/pool/{}", n))) {
      pool_n = n;
      break;
    }
  if (pool_n < 0)
    for (long n : {2L, 1L, 4L, 8L})
      if (sps(fmt::format("dispatch_real/pool/{}", n))) {
        pool_n = n;
        break;
      }
  std::optional<double> ours, uwsgi, raw = sps("dispatch_raw/relay/1");
  if (pool_n > 0) {
    ours = sps(fmt::format("dispatch_real/pool/{}", pool_n));
    uwsgi = sps(fmt::format("dispatch_uwsgi/pool/{}", pool_n));
    s.figures["pool_workers"] = static_cast<double>(pool_n);
  }
  if (ours) s.figures["pool_signals_per_second"] = *ours;
  if (uwsgi) s.figures["uwsgi_pool_signals_per_second"] = *uwsgi;
  if (raw) s.figures["raw_relay_signals_per_second"] = *raw;
  if (ours && uwsgi && *uwsgi > 0) s.ratios["pool_vs_uwsgi"] = *ours / *uwsgi;
  if (ours && raw && *raw > 0) s.ratios["pool_vs_raw"] = *ours / *raw;
  if (const BenchRow* r = run.find("BM_SimRoutedSignals/16"))
    s.sim_signals_per_second = r->counter("signals_per_second");
  for (auto [arg, profile] : {std::pair{0, "strict"}, std::pair{1, "uwsgi-2.0"}})
    if (const BenchRow* r = run.find(fmt::format("BM_SimDay24h/{}", arg)))
      s.figures[fmt::format("sim_day_24h_seconds_{}", profile)] = r->real_time_ns / 1e9;

  auto target = [&](std::string name, std::optional<double> v, double thr, bool higher,
                    std::string missing) {
    BenchTarget t{std::move(name), v, thr, higher, v ? "" : std::move(missing)};
    s.targets.push_back(std::move(t));
  };
  auto ratio = [&](const char* k) -> std::optional<double> {
    auto it = s.ratios.find(k);
    return it == s.ratios.end() ? std::nullopt : std::optional<double>(it->second);
  };
  target("pool_vs_uwsgi >= 3", ratio("pool_vs_uwsgi"), 3, true,
         "needs dispatch_real/pool/N and dispatch_uwsgi/pool/N in the same run");
  target("pool_vs_raw >= 0.5", ratio("pool_vs_raw"), 0.5, true,
         "needs dispatch_real/pool/N and dispatch_raw/relay/1 in the same run");
  for (const char* b : {"rbtree", "timerfd"}) {
    const BenchRow* r = run.find(fmt::format("timer_{}/10000", b));
    std::optional<double> p99 = r ? r->counter("lat_p99_ns") : std::nullopt;
    target(fmt::format("timer_{}/10000 lateness p99 < 200 us", b),
           p99 ? std::optional<double>(*p99 / 1e3) : std::nullopt, 200, false,
           fmt::format("needs timer_{}/10000 with lat_p99_ns", b));
  }
  target("simulator routed signals/s >= 5 M",
         s.sim_signals_per_second ? std::optional<double>(*s.sim_signals_per_second / 1e6)
                                  : std::nullopt,
         5, true, "needs BM_SimRoutedSignals/16");
  // The two targets can contradict each other on a machine: say so when the pool would have to
  // beat the raw relay (which only moves the byte through the same two hops) to reach 3x uWSGI.
  if (uwsgi && raw && 3 * *uwsgi > *raw)
    s.notes.push_back(fmt::format(
        "pool_vs_uwsgi >= 3 needs {:.1f} k signals/s here (3 x uWSGI's {:.1f} k/s), above the raw "
        "two-hop relay's {:.1f} k/s measured in the same run: out of reach for any design with "
        "uWSGI's two hops",
        3 * *uwsgi / 1e3, *uwsgi / 1e3, *raw / 1e3));
  for (const auto& r : run.rows)
    if (!r.error.empty()) s.notes.push_back(fmt::format("{} did not run: {}", r.name, r.error));
  return s;
}

std::string render_latest_json(const BenchRun& run, const BenchSummary& s) {
  json j;
  j["schema"] = "sigharness-bench/1";
  j["commit"] = run.commit;
  j["run"] = {{"first_benchmark_date", run.first_date},
              {"last_benchmark_date", run.last_date},
              {"sources", run.sources}};
  j["machine"] = run.machine;
  j["ratios"] = s.ratios;
  j["figures"] = s.figures;
  j["sim_signals_per_second"] =
      s.sim_signals_per_second ? json(*s.sim_signals_per_second) : json(nullptr);
  json targets = json::array();
  for (const auto& t : s.targets)
    targets.push_back({{"target", t.name},
                       {"value", t.value ? json(*t.value) : json(nullptr)},
                       {"met", t.met()},
                       {"why_missing", t.why_missing}});
  j["targets"] = targets;
  j["notes"] = s.notes;
  json rows = json::array();
  for (const auto& r : run.rows) {
    json row = {{"name", r.name},
                {"repetitions", r.repetitions},
                {"real_time_ns_median", r.real_time_ns},
                {"counters_median", r.counters},
                {"source", r.source}};
    if (!r.error.empty()) row["error"] = r.error;
    rows.push_back(row);
  }
  j["benchmarks"] = rows;
  return j.dump(2) + "\n";
}

}  // namespace sigh::cli
