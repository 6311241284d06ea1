#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench_results.h"
#include "commands.h"

namespace sigh::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class BenchReport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sigh-bench-report-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "raw");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static json row(const std::string& name, double real_ms, json counters, int rep = 0) {
    json r = {{"name", name},         {"run_name", name},        {"run_type", "iteration"},
              {"repetitions", 3},     {"repetition_index", rep}, {"iterations", 1},
              {"real_time", real_ms}, {"cpu_time", real_ms},     {"time_unit", "ms"}};
    for (auto& [k, v] : counters.items()) r[k] = v;
    return r;
  }
  void write(const std::string& file, json benchmarks) {
    json doc = {
        {"context", {{"date", "2026-11-22T12:00:00+00:00"}, {"host_name", "h"}, {"num_cpus", 2}}},
        {"benchmarks", benchmarks}};
    std::ofstream(dir_ / "raw" / file) << doc.dump();
  }
  fs::path dir_;
};

TEST_F(BenchReport, MediansRatiosAndTargetsFromOneRun) {
  // Three repetitions: the median (not the mean, not the last) is what counts.
  write("real.json",
        json::array({row("dispatch_real/pool/2/iterations:1/manual_time", 10,
                         {{"signals_per_second", 300e3}}, 0),
                     row("dispatch_real/pool/2", 10, {{"signals_per_second", 900e3}}, 1),
                     row("dispatch_real/pool/2", 10, {{"signals_per_second", 600e3}}, 2),
                     row("dispatch_raw/relay/1", 10, {{"signals_per_second", 1e6}})}));
  json agg = row("dispatch_uwsgi/pool/2_median", 1, {{"signals_per_second", 1}});
  agg["run_type"] = "aggregate";  // ignored: medians are recomputed from the iterations
  write("uwsgi.json",
        json::array({row("dispatch_uwsgi/pool/2", 10, {{"signals_per_second", 100e3}}), agg}));
  write(
      "timers.json",
      json::array({row("timer_rbtree/10000", 1, {{"lat_p50_ns", 20e3}, {"lat_p99_ns", 150e3}}),
                   row("timer_timerfd/10000", 1, {{"lat_p50_ns", 30e3}, {"lat_p99_ns", 250e3}})}));
  std::string why;
  auto run = load_bench_run((dir_ / "raw").string(), &why);
  ASSERT_TRUE(run) << why;
  const BenchRow* pool = run->find("dispatch_real/pool/2");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->repetitions, 3);
  EXPECT_DOUBLE_EQ(*pool->counter("signals_per_second"), 600e3);
  EXPECT_EQ(pool->kind, "pool");
  EXPECT_EQ(pool->n, 2);
  EXPECT_EQ(run->find("dispatch_uwsgi/pool/2_median"), nullptr);

  BenchSummary s = summarize(*run);
  EXPECT_DOUBLE_EQ(s.ratios.at("pool_vs_uwsgi"), 6.0);
  EXPECT_DOUBLE_EQ(s.ratios.at("pool_vs_raw"), 0.6);
  auto target = [&](const std::string& prefix) -> const BenchTarget& {
    for (const auto& t : s.targets)
      if (t.name.rfind(prefix, 0) == 0) return t;
    ADD_FAILURE() << "no target " << prefix;
    return s.targets.front();
  };
  EXPECT_TRUE(target("pool_vs_uwsgi").met());
  EXPECT_TRUE(target("pool_vs_raw").met());
  EXPECT_TRUE(target("timer_rbtree/10000").met());
  EXPECT_FALSE(target("timer_timerfd/10000").met());    // 250 us >= 200 us
  EXPECT_FALSE(target("simulator").value.has_value());  // not in this run: said, not guessed

  json latest = json::parse(render_latest_json(*run, s));
  EXPECT_DOUBLE_EQ(latest["ratios"]["pool_vs_uwsgi"].get<double>(), 6.0);
  EXPECT_TRUE(latest["sim_signals_per_second"].is_null());
  EXPECT_DOUBLE_EQ(latest["figures"]["raw_relay_signals_per_second"].get<double>(), 1e6);

  const std::string html = render_bench_html(*run, s);
  EXPECT_NE(html.find("id=\"throughput\""), std::string::npos);
  EXPECT_NE(html.find("id=\"cdf-timers-10000\""), std::string::npos);
  EXPECT_NE(html.find("id=\"growth-timers-p99\""), std::string::npos);
  EXPECT_NE(html.find("class=\"l missed\""), std::string::npos);
}

TEST(BenchJson, NonFiniteLiteralsBecomeNullOutsideStringsOnly) {
  EXPECT_EQ(null_non_finite_numbers(R"({"a": NaN, "b": -nan, "c": inf, "d": -Infinity})"),
            R"({"a": null, "b": null, "c": null, "d": null})");
  // Inside a string (escaped quotes included) nothing changes.
  EXPECT_EQ(null_non_finite_numbers(R"({"name": "NaN \" inf", "x": 1.5e+00})"),
            R"({"name": "NaN \" inf", "x": 1.5e+00})");
}

TEST_F(BenchReport, GoogleBenchmarkNaNCountersAreReadAsMissing) {
  // Google Benchmark writes the cv of an all-zero counter as a bare NaN.
  std::ofstream(dir_ / "raw" / "nan.json")
      << R"({"benchmarks": [{"name": "dispatch_real/pool/2", "run_name": "dispatch_real/pool/2",
        "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "iterations": 1,
        "real_time": 10, "cpu_time": 10, "time_unit": "ms", "signals_per_second": 5e4,
        "sender_retries": NaN}]})";
  std::string why;
  auto run = load_bench_run((dir_ / "raw").string(), &why);
  ASSERT_TRUE(run) << why;
  const BenchRow* pool = run->find("dispatch_real/pool/2");
  ASSERT_NE(pool, nullptr);
  EXPECT_DOUBLE_EQ(*pool->counter("signals_per_second"), 5e4);
  EXPECT_FALSE(pool->counter("sender_retries"));
}

TEST_F(BenchReport, SaysWhenThreeTimesUwsgiIsAboveTheRawRelay) {
  write("d.json", json::array({row("dispatch_real/pool/2", 10, {{"signals_per_second", 100e3}}),
                               row("dispatch_uwsgi/pool/2", 10, {{"signals_per_second", 90e3}}),
                               row("dispatch_raw/relay/1", 10, {{"signals_per_second", 180e3}})}));
  std::string why;
  auto run = load_bench_run((dir_ / "raw").string(), &why);
  ASSERT_TRUE(run) << why;
  BenchSummary s = summarize(*run);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("270.0 k signals/s"), std::string::npos) << s.notes[0];
  EXPECT_NE(s.notes[0].find("180.0 k/s"), std::string::npos) << s.notes[0];

  // A raw relay faster than 3x uWSGI: no such note.
  write("d.json", json::array({row("dispatch_real/pool/2", 10, {{"signals_per_second", 100e3}}),
                               row("dispatch_uwsgi/pool/2", 10, {{"signals_per_second", 50e3}}),
                               row("dispatch_raw/relay/1", 10, {{"signals_per_second", 180e3}})}));
  run = load_bench_run((dir_ / "raw").string(), &why);
  ASSERT_TRUE(run) << why;
  EXPECT_TRUE(summarize(*run).notes.empty());
}

TEST_F(BenchReport, AggregatesOnlyFilesUseTheirMedianAndTimeSuffixesAreDropped) {
  json med = row("BM_SimRoutedSignals/16/real_time_median", 110, {{"signals_per_second", 9e6}});
  med["run_name"] = "BM_SimRoutedSignals/16/real_time";
  med["run_type"] = "aggregate";
  med["aggregate_name"] = "median";
  json mean = med;
  mean["aggregate_name"] = "mean";
  mean["signals_per_second"] = 1.0;
  write("sim.json", json::array({mean, med}));
  std::string why;
  auto run = load_bench_run((dir_ / "raw").string(), &why);
  ASSERT_TRUE(run) << why;
  BenchSummary s = summarize(*run);
  ASSERT_TRUE(s.sim_signals_per_second.has_value());
  EXPECT_DOUBLE_EQ(*s.sim_signals_per_second, 9e6);
}

TEST_F(BenchReport, CommandWritesBothFilesAndFailsOnMissedTargetsWhenAsked) {
  write("a.json", json::array({row("dispatch_real/pool/2", 10, {{"signals_per_second", 1e5}}),
                               row("dispatch_uwsgi/pool/2", 10, {{"signals_per_second", 1e5}})}));
  ReportArgs a{(dir_ / "raw").string(), (dir_ / "out").string(), false};
  std::ostringstream out, err;
  EXPECT_EQ(cmd_report(a, out, err), kExitOk) << err.str();
  EXPECT_TRUE(fs::exists(dir_ / "out" / "index.html"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "latest.json"));
  EXPECT_NE(out.str().find("MISSED"), std::string::npos);  // ratio 1 < 3
  a.require_targets = true;
  EXPECT_EQ(cmd_report(a, out, err), kExitFailed);
}

TEST_F(BenchReport, BadInputNamesTheFileAndTheReason) {
  std::ofstream(dir_ / "raw" / "broken.json") << "{\"benchmarks\": [";
  ReportArgs a{(dir_ / "raw").string(), (dir_ / "out").string(), false};
  std::ostringstream out, err;
  EXPECT_EQ(cmd_report(a, out, err), kExitBadInput);
  EXPECT_NE(err.str().find("broken.json: not valid JSON"), std::string::npos) << err.str();

  fs::remove(dir_ / "raw" / "broken.json");
  std::ofstream(dir_ / "raw" / "other.json") << "{\"rows\": []}";
  err.str("");
  EXPECT_EQ(cmd_report(a, out, err), kExitBadInput);
  EXPECT_NE(err.str().find("other.json: not a Google Benchmark JSON file"), std::string::npos);

  a.input_dir = (dir_ / "missing").string();
  err.str("");
  EXPECT_EQ(cmd_report(a, out, err), kExitBadInput);
  EXPECT_NE(err.str().find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace sigh::cli
