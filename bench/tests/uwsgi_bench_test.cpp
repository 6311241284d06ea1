// Runs bench_uwsgi on one fast case against the real /usr/bin/uwsgi and checks that its Google
// Benchmark JSON holds sane, non-zero figures. The bench program is a child reaped by pid, with
// a bounded wait; it starts and stops uWSGI itself (loopback unix socket, SIGINT, reap by pid).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Runs argv with stdout/stderr to log_path; kills it after timeout_s. Returns the wait status
// or -1 on a spawn failure / timeout (then `why` says which).
int run_bounded(const std::vector<std::string>& argv, const std::string& log_path, int timeout_s,
                std::string* why) {
  const pid_t pid = fork();
  if (pid < 0) {
    *why = "fork failed";
    return -1;
  }
  if (pid == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 50) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) {
      *why = "waitpid failed";
      return -1;
    }
    const timespec ts{0, 50'000'000};
    nanosleep(&ts, nullptr);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  *why = "bench_uwsgi did not finish within " + std::to_string(timeout_s) + " s";
  return -1;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class UwsgiBench : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/uwsgi", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/uwsgi is not installed (uwsgi-core + uwsgi-plugin-python3)";
    char tpl[] = "/tmp/sigharness-uwsgi-bench-test-XXXXXX";
    ASSERT_NE(mkdtemp(tpl), nullptr);
    dir_ = tpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // Runs one benchmark case, returns its JSON entry (fails the test when there is none).
  nlohmann::json run_case(const std::string& filter) {
    const std::string out = dir_ + "/out.json", log = dir_ + "/log.txt";
    std::string why;
    const int st = run_bounded({SIGH_BENCH_UWSGI_BIN, "--benchmark_filter=" + filter,
                                "--benchmark_out=" + out, "--benchmark_out_format=json"},
                               log, 100, &why);
    EXPECT_TRUE(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) << why << "\n" << slurp(log);
    const auto j = nlohmann::json::parse(slurp(out), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "bad JSON in " << out << "\n" << slurp(log);
    if (j.is_discarded() || !j.contains("benchmarks") || j["benchmarks"].size() != 1) {
      ADD_FAILURE() << "expected exactly one benchmark for " << filter << "\n" << slurp(log);
      return {};
    }
    return j["benchmarks"][0];
  }
  std::string dir_;
};

TEST_F(UwsgiBench, PoolOfTwoReportsSaneThroughputAndLatency) {
  const auto b = run_case("^dispatch_uwsgi/pool/2/");
  ASSERT_FALSE(b.is_null());
  ASSERT_FALSE(b.contains("error_occurred") && b["error_occurred"].get<bool>())
      << b.value("error_message", "");
  EXPECT_EQ(b["workers"].get<double>(), 2.0);
  const double sps = b["signals_per_second"].get<double>();
  EXPECT_GT(sps, 100.0);  // Python handlers: thousands per second expected, never ~0
  EXPECT_LT(sps, 1e8);
  EXPECT_DOUBLE_EQ(b["deliveries_per_second"].get<double>(), sps);  // one delivery per raise
  EXPECT_GE(b["dropped"].get<double>(), 0.0);
  EXPECT_GT(b["samples"].get<double>(), 100.0);
  const double p50 = b["lat_p50_ns"].get<double>(), p99 = b["lat_p99_ns"].get<double>();
  EXPECT_GT(p50, 0.0);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, b["lat_max_ns"].get<double>());
  EXPECT_LT(p50, 1e9);  // a paced signal handled within a second
  EXPECT_GT(b["real_time"].get<double>(), 0.0);
}

}  // namespace
