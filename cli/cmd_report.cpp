// `sigharness report`: benchmark JSON of one run -> reports/bench/index.html + latest.json.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "bench_results.h"
#include "commands.h"

namespace sigh::cli {
namespace {

bool write_text(const std::filesystem::path& p, const std::string& text, std::ostream& err) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    err << fmt::format("error: cannot write {}\n", p.string());
    return false;
  }
  return true;
}

}  // namespace

int cmd_report(const ReportArgs& args, std::ostream& out, std::ostream& err) {
  std::string why;
  auto run = load_bench_run(args.input_dir, &why);
  if (!run) {
    err << "error: " << why << "\n";
    return kExitBadInput;
  }
  if (run->rows.empty()) {
    err << fmt::format("error: {}: the JSON files hold no benchmark results\n", args.input_dir);
    return kExitBadInput;
  }
  const BenchSummary sum = summarize(*run);
  std::error_code ec;
  std::filesystem::create_directories(args.out_dir, ec);
  if (ec) {
    err << fmt::format("error: cannot create {}: {}\n", args.out_dir, ec.message());
    return kExitBadInput;
  }
  const auto dir = std::filesystem::path(args.out_dir);
  if (!write_text(dir / "index.html", render_bench_html(*run, sum), err) ||
      !write_text(dir / "latest.json", render_latest_json(*run, sum), err))
    return kExitBackendError;

  out << fmt::format("{} benchmarks from {} file(s) in {}\n", run->rows.size(), run->sources.size(),
                     args.input_dir);
  for (const auto& [k, v] : sum.ratios) out << fmt::format("  {:<28} {:.3f}\n", k, v);
  bool all_met = true;
  for (const auto& t : sum.targets) {
    const char* verdict = !t.value ? "not measured" : t.met() ? "met" : "MISSED";
    out << fmt::format("  target {:<44} {:>10}  {}\n", t.name,
                       t.value ? fmt::format("{:.3g}", *t.value) : "-", verdict);
    all_met = all_met && t.met();
  }
  for (const auto& n : sum.notes) out << "  note: " << n << "\n";
  out << fmt::format("wrote {} and {}\n", (dir / "index.html").string(),
                     (dir / "latest.json").string());
  return args.require_targets && !all_met ? kExitFailed : kExitOk;
}

}  // namespace sigh::cli
