// reports/bench/index.html: one self-contained page (inline CSS and SVG, no scripts).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "bench_results.h"

namespace sigh::cli {
namespace {

std::string esc(std::string_view s) {
  std::string o;
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  return o;
}

std::string si(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (a >= 1e3) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

std::string ns_text(double ns) {
  if (ns >= 1e9) return fmt::format("{:.2f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.2f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.1f} µs", ns / 1e3);
  return fmt::format("{:.0f} ns", ns);
}

const char* kPalette[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea",
                          "#ea580c", "#0891b2", "#4b5563", "#ca8a04"};

// One colour per implementation or backend, the same in every chart.
const char* color_for(const std::string& name, std::size_t index) {
  static const std::pair<const char*, const char*> kFixed[] = {
      {"sigharness real", "#2563eb"}, {"uWSGI 2.0.21", "#dc2626"},
      {"raw 2-hop relay", "#16a34a"}, {"rbtree", "#2563eb"},
      {"timerfd", "#ea580c"},         {"wheel", "#9333ea"},
      {"uWSGI add_timer", "#dc2626"}, {"uWSGI add_rb_timer", "#be185d"}};
  for (auto [n, c] : kFixed)
    if (name == n) return c;
  return kPalette[index % std::size(kPalette)];
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> pts;  // (x, y)
};

// Maps a value onto [0, 1] along an axis, linear or log10.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double at(double v) const {
    if (log) {
      v = std::max(v, lo);
      return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    }
    return (v - lo) / (hi - lo);
  }
};

Axis fit_axis(const std::vector<Series>& ss, bool x, bool log) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : ss)
    for (auto [px, py] : s.pts) {
      double v = x ? px : py;
      if (log && v <= 0) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) lo = log ? 1 : 0, hi = log ? 10 : 1;
  if (log) {
    lo = std::pow(10, std::floor(std::log10(lo)));
    hi = std::pow(10, std::ceil(std::log10(hi)));
    if (hi <= lo) hi = lo * 10;
  } else {
    lo = std::min(lo, 0.0);
    hi = hi <= lo ? lo + 1 : hi * 1.08;
  }
  return Axis{lo, hi, log};
}

// A line chart with markers. y_nines: the y values are percentiles drawn on an
// "inverted log" axis (0, 90, 99, 99.9, 99.99 equally spaced), as latency CDFs usually are.
std::string line_chart(const std::string& id, const std::string& title, const std::string& xlabel,
                       const std::string& ylabel, const std::vector<Series>& ss, bool xlog,
                       bool ylog, bool y_nines = false, bool x_is_ns = false,
                       bool y_is_ns = false) {
  const double W = 640, H = 300, L = 70, R = 150, T = 30, B = 45;
  const double pw = W - L - R, ph = H - T - B;
  Axis ax = fit_axis(ss, true, xlog);
  auto nines = [](double p) { return -std::log10(std::max(1e-5, 1 - p / 100.0)); };
  Axis ay = y_nines ? Axis{0, 5, false} : fit_axis(ss, false, ylog);
  auto X = [&](double v) { return L + ax.at(v) * pw; };
  auto Y = [&](double v) { return T + ph - ay.at(y_nines ? nines(v) : v) * ph; };
  std::string s = fmt::format(
      "<svg id=\"{}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\">\n",
      esc(id), W, H, W, H);
  s += fmt::format("<text x=\"{}\" y=\"18\" class=\"title\">{}</text>\n", L, esc(title));
  s += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", L, T,
      pw, ph);
  // x ticks
  std::vector<double> xt;
  if (xlog)
    for (double v = ax.lo; v <= ax.hi * 1.0001; v *= 10) xt.push_back(v);
  else
    for (int i = 0; i <= 5; ++i) xt.push_back(ax.lo + (ax.hi - ax.lo) * i / 5);
  for (double v : xt)
    s += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#eee\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4}</text>\n",
        X(v), T, T + ph, T + ph + 14, esc(x_is_ns ? ns_text(v) : si(v)));
  // y ticks
  std::vector<std::pair<double, std::string>> yt;
  if (y_nines) {
    for (double p : {0.0, 90.0, 99.0, 99.9, 99.99}) yt.push_back({p, fmt::format("{}%", p)});
  } else if (ylog) {
    for (double v = ay.lo; v <= ay.hi * 1.0001; v *= 10)
      yt.push_back({v, y_is_ns ? ns_text(v) : si(v)});
  } else {
    for (int i = 0; i <= 4; ++i) {
      double v = ay.lo + (ay.hi - ay.lo) * i / 4;
      yt.push_back({v, si(v)});
    }
  }
  for (const auto& [v, label] : yt)
    s += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" class=\"tick\" text-anchor=\"end\">{5}</text>\n",
        L, L + pw, Y(v), L - 4, Y(v) + 4, esc(label));
  s += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{}</text>\n",
                   L + pw / 2, H - 8, esc(xlabel));
  s += fmt::format(
      "<text x=\"14\" y=\"{}\" class=\"axis\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {})\">{}</text>\n",
      T + ph / 2, T + ph / 2, esc(ylabel));
  for (std::size_t i = 0; i < ss.size(); ++i) {
    const char* c = color_for(ss[i].name, i);
    std::string d;
    for (auto [x, y] : ss[i].pts) {
      if ((xlog && x <= 0) || (ylog && y <= 0)) continue;
      d += fmt::format("{}{:.1f},{:.1f} ", d.empty() ? "M" : "L", X(x), Y(y));
    }
    s += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" class=\"series\" "
        "data-series=\"{}\"/>\n",
        d, c, esc(ss[i].name));
    for (auto [x, y] : ss[i].pts)
      if (!(xlog && x <= 0) && !(ylog && y <= 0))
        s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>", X(x), Y(y),
                         c);
    s += fmt::format(
        "\n<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"legend\">{}</text>\n",
        L + pw + 10, T + 4 + 16 * static_cast<double>(i), c, L + pw + 24,
        T + 13 + 16 * static_cast<double>(i), esc(ss[i].name));
  }
  return s + "</svg>\n";
}

struct Bar {
  std::string group, label;
  double value = 0;
};

// Grouped horizontal bars: one row per bar, groups separated.
std::string bar_chart(const std::string& id, const std::string& title, const std::string& unit,
                      const std::vector<Bar>& bars) {
  const double L = 230, pw = 360, row = 18;
  double mx = 0;
  for (const auto& b : bars) mx = std::max(mx, b.value);
  if (mx <= 0) mx = 1;
  std::set<std::string> labels;
  std::vector<std::string> label_order;
  for (const auto& b : bars)
    if (labels.insert(b.label).second) label_order.push_back(b.label);
  auto color = [&](const std::string& l) {
    auto it = std::find(label_order.begin(), label_order.end(), l);
    return color_for(l, static_cast<std::size_t>(it - label_order.begin()));
  };
  double y = 30;
  std::string body;
  std::string group;
  for (const auto& b : bars) {
    if (b.group != group) {
      group = b.group;
      y += 6;
      body += fmt::format("<text x=\"4\" y=\"{}\" class=\"group\">{}</text>\n", y + 12, esc(group));
    }
    const double w = b.value / mx * pw;
    body += fmt::format(
        "<text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" class=\"bar\" "
        "data-value=\"{}\"/><text x=\"{:.1f}\" y=\"{}\" class=\"tick\">{}{}</text>\n",
        L - 6, y + 12, esc(b.label), L, y + 2, w, row - 4, color(b.label), b.value, L + w + 4,
        y + 12, si(b.value), esc(unit));
    y += row;
  }
  std::string s = fmt::format(
      "<svg id=\"{}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
      "height=\"{}\">\n<text x=\"4\" y=\"18\" class=\"title\">{}</text>\n",
      esc(id), L + pw + 110, y + 10, esc(title));
  return s + body + "</svg>\n";
}

std::string impl_label(const std::string& family) {
  if (family == "dispatch_real") return "sigharness real";
  if (family == "dispatch_uwsgi") return "uWSGI 2.0.21";
  if (family == "dispatch_raw") return "raw 2-hop relay";
  return family;
}

std::string backend_label(const std::string& family) {
  std::string b = family.substr(std::string("timer_").size());
  if (b == "uwsgi_add_timer") return "uWSGI add_timer";
  if (b == "uwsgi_add_rb_timer") return "uWSGI add_rb_timer";
  return b;
}

Series cdf_of(const BenchRow& r, std::string name) {
  Series s{std::move(name), {}};
  const std::pair<const char*, double> pts[] = {
      {"lat_min_ns", 0},  {"lat_p10_ns", 10},    {"lat_p25_ns", 25},
      {"lat_p50_ns", 50}, {"lat_p75_ns", 75},    {"lat_p90_ns", 90},
      {"lat_p99_ns", 99}, {"lat_p999_ns", 99.9}, {"lat_p9999_ns", 99.99}};
  for (auto [k, p] : pts)
    if (auto v = r.counter(k)) s.pts.push_back({std::max(*v, 1.0), p});
  return s;
}

}  // namespace

std::string render_bench_html(const BenchRun& run, const BenchSummary& sum) {
  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>sigharness benchmarks</title>\n<style>\n";
  h += "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}\n";
  h += "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px "
       "8px;font-size:13px;text-align:right}th{background:#eee}td.l,th.l{text-align:left}\n";
  h += "td.met{background:#b7e4b0}td.missed{background:#f4a7a7}td.absent{background:#e5e7eb}\n";
  h += ".chart{margin:.5em 1em .5em 0;border:1px solid #ddd;background:#fff}\n";
  h += ".title{font-size:14px;font-weight:600}.tick{font-size:11px}.axis{font-size:12px}"
       ".legend{font-size:12px}.group{font-size:12px;font-weight:600}\n";
  h += "code{font-size:12px}\n</style></head><body>\n<h1>sigharness benchmarks</h1>\n";
  h += fmt::format("<p>commit <code>{}</code> · benchmarks ran {} → {}</p>\n", esc(run.commit),
                   esc(run.first_date), esc(run.last_date));
  h += "<p>Every figure below was measured in one run on the machine described here; "
       "ratios compare figures of that same run. Values are medians over the repetitions "
       "of each benchmark.</p>\n";

  h += "<h2>Machine</h2>\n<table id=\"machine\">\n";
  for (const auto& [k, v] : run.machine)
    h += fmt::format("<tr><th class=\"l\">{}</th><td class=\"l\">{}</td></tr>\n", esc(k), esc(v));
  h += "</table>\n";

  h += "<h2>Targets</h2>\n<table id=\"targets\"><tr><th class=\"l\">target</th><th>value</th>"
       "<th class=\"l\">verdict</th></tr>\n";
  for (const auto& t : sum.targets) {
    const char* cls = !t.value ? "absent" : t.met() ? "met" : "missed";
    h += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td class=\"l {}\">{}</td></tr>\n",
                     esc(t.name), t.value ? fmt::format("{:.3g}", *t.value) : "—", cls,
                     !t.value  ? "not measured: " + esc(t.why_missing)
                     : t.met() ? "met"
                               : "missed");
  }
  h += "</table>\n<table id=\"ratios\"><tr><th class=\"l\">figure</th><th>value</th></tr>\n";
  for (const auto& [k, v] : sum.ratios)
    h += fmt::format("<tr><td class=\"l\">{}</td><td>{:.3f}</td></tr>\n", esc(k), v);
  for (const auto& [k, v] : sum.figures)
    h += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td></tr>\n", esc(k), si(v));
  if (sum.sim_signals_per_second)
    h += fmt::format("<tr><td class=\"l\">sim_signals_per_second</td><td>{}</td></tr>\n",
                     si(*sum.sim_signals_per_second));
  h += "</table>\n";
  if (!sum.notes.empty()) {
    h += "<ul id=\"notes\">\n";
    for (const auto& n : sum.notes) h += "<li>" + esc(n) + "</li>\n";
    h += "</ul>\n";
  }

  // Throughput per target kind: ours, uWSGI, and the raw relay as the physical limit.
  h += "<h2>Dispatch throughput per target kind</h2>\n";
  std::vector<Bar> bars;
  const std::pair<const char*, std::vector<long>> kinds[] = {{"pool", {2, 1, 4, 8}},
                                                             {"workerN", {2, 1, 4}},
                                                             {"workers", {8, 2, 32}},
                                                             {"mules", {2}},
                                                             {"spooler", {1}}};
  for (const auto& [kind, prefs] : kinds) {
    for (long n : prefs) {
      const BenchRow* ours = run.find(fmt::format("dispatch_real/{}/{}", kind, n));
      const BenchRow* uw = run.find(fmt::format("dispatch_uwsgi/{}/{}", kind, n));
      if (!ours && !uw) continue;
      std::string g = fmt::format("{} (n={})", kind, n);
      for (const BenchRow* r : {ours, uw})
        if (r)
          if (auto v = r->counter("signals_per_second"))
            bars.push_back({g, impl_label(r->family), *v});
      break;
    }
  }
  if (const BenchRow* raw = run.find("dispatch_raw/relay/1"))
    if (auto v = raw->counter("signals_per_second"))
      bars.push_back({"physical limit", impl_label("dispatch_raw"), *v});
  if (bars.empty())
    h += "<p>No dispatch benchmark in this run.</p>\n";
  else
    h += bar_chart("throughput", "raises fully handled per second (higher is better)", "/s", bars);

  // Dispatch latency table.
  h += "<h3>Raise → handler latency, from the intended send time</h3>\n<table id=\"latency\">"
       "<tr><th class=\"l\">benchmark</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th>"
       "<th>samples</th></tr>\n";
  for (const auto& r : run.rows)
    if (r.family.rfind("dispatch_", 0) == 0 && r.counter("lat_p50_ns"))
      h += fmt::format(
          "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td>{}</td></tr>\n",
          esc(r.name), ns_text(*r.counter("lat_p50_ns")),
          ns_text(r.counter("lat_p99_ns").value_or(0)),
          ns_text(r.counter("lat_p999_ns").value_or(0)),
          ns_text(r.counter("lat_max_ns").value_or(0)), si(r.counter("samples").value_or(0)));
  h += "</table>\n";

  // Cost growth with workers (broadcast).
  std::vector<Series> growth;
  for (const char* fam : {"dispatch_real", "dispatch_uwsgi"}) {
    Series s{impl_label(fam), {}};
    for (const BenchRow* r : run.family(fam))
      if (r->kind == "workers")
        if (auto v = r->counter("signals_per_second"); v && *v > 0)
          s.pts.push_back({static_cast<double>(r->n), 1e9 / *v});
    if (!s.pts.empty()) growth.push_back(s);
  }
  h += "<h2>Cost growth</h2>\n";
  if (!growth.empty())
    h +=
        line_chart("growth-workers", "broadcast to `workers`: time per raise vs workers", "workers",
                   "time per raise (all deliveries)", growth, true, true, false, false, true);

  // Timers: cost growth with armed timers, and CDFs.
  std::set<std::string> timer_fams;
  for (const auto& r : run.rows)
    if (r.family.rfind("timer_", 0) == 0 && r.repetitions > 0) timer_fams.insert(r.family);
  std::vector<Series> p99s, cpus;
  for (const auto& f : timer_fams) {
    Series p{backend_label(f), {}}, c{backend_label(f), {}};
    for (const BenchRow* r : run.family(f)) {
      if (auto v = r->counter("lat_p99_ns")) p.pts.push_back({static_cast<double>(r->n), *v});
      if (auto v = r->counter("cpu_ns_per_fire")) c.pts.push_back({static_cast<double>(r->n), *v});
    }
    if (!p.pts.empty()) p99s.push_back(p);
    if (!c.pts.empty()) cpus.push_back(c);
  }
  if (!p99s.empty())
    h += line_chart("growth-timers-p99", "timer firing lateness p99 vs armed timers",
                    "armed timers", "p99 lateness", p99s, true, true, false, false, true);
  if (!cpus.empty())
    h += line_chart("growth-timers-cpu", "master CPU per firing vs armed timers", "armed timers",
                    "CPU per firing", cpus, true, true, false, false, true);

  h += "<h2>Timer firing lateness (CDF per backend)</h2>\n";
  std::set<long> ns;
  for (const auto& f : timer_fams)
    for (const BenchRow* r : run.family(f)) ns.insert(r->n);
  for (long n : ns) {
    std::vector<Series> cdfs;
    for (const auto& f : timer_fams)
      if (const BenchRow* r = run.find(fmt::format("{}/{}", f, n)))
        if (r->counter("lat_p50_ns")) cdfs.push_back(cdf_of(*r, backend_label(f)));
    if (!cdfs.empty())
      h += line_chart(fmt::format("cdf-timers-{}", n),
                      fmt::format("lateness CDF, {} armed timer{}", n, n == 1 ? "" : "s"),
                      "lateness (log)", "percentile", cdfs, true, false, true, true);
  }
  if (timer_fams.empty()) h += "<p>No timer benchmark in this run.</p>\n";

  // Everything, raw.
  h += "<h2>All benchmarks (medians)</h2>\n<table id=\"all\"><tr><th class=\"l\">name</th>"
       "<th>reps</th><th>real time</th><th class=\"l\">counters</th><th class=\"l\">file</th>"
       "</tr>\n";
  for (const auto& r : run.rows) {
    std::string cs;
    for (const auto& [k, v] : r.counters) cs += fmt::format("{}={} ", k, si(v));
    if (!r.error.empty()) cs = "did not run: " + r.error;
    h += fmt::format(
        "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td>"
        "<td class=\"l\">{}</td></tr>\n",
        esc(r.name), r.repetitions, ns_text(r.real_time_ns), esc(cs), esc(r.source));
  }
  h += "</table>\n</body></html>\n";
  return h;
}

}  // namespace sigh::cli
