// The libfaketime offset file: exact formatting (fractions included) and anchoring.
#include "faketime.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "sigharness/duration.h"

namespace sigh::conform::detail {
namespace {

TEST(FaketimeOffset, FormatsSignSecondsAndNanoseconds) {
  EXPECT_EQ(format_offset(0), "+0.000000000");
  EXPECT_EQ(format_offset(kNsPerSec / 2), "+0.500000000");
  EXPECT_EQ(format_offset(-kNsPerSec / 2), "-0.500000000");
  EXPECT_EQ(format_offset(-30 * kNsPerSec), "-30.000000000");
  EXPECT_EQ(format_offset(123 * kNsPerSec + 7), "+123.000000007");
  EXPECT_EQ(format_offset(INT64_MIN), "-9223372036.854775808");
}

TEST(FaketimeOffset, AnchorMakesTheFakeClockReadTheGivenSecondNow) {
  FakeClock fc;
  const std::int64_t target = 1893456000;  // 2030-01-01T00:00:00Z
  fc.anchor(target);
  std::int64_t fake_now = real_wall_now_ns() + fc.offset_ns;
  EXPECT_GE(fake_now, target * kNsPerSec);
  EXPECT_LT(fake_now, target * kNsPerSec + 100 * kNsPerMs);
}

TEST(FaketimeOffset, SelfTestPassesWhenLibfaketimeIsInstalledAndNamesAMissingLibrary) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sigh-faketime-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_NE(faketime_self_test("/nonexistent/libfaketime.so.1", dir.string())
                .find("libfaketime not found at /nonexistent/libfaketime.so.1"),
            std::string::npos);
  const std::string lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  if (std::filesystem::exists(lib)) {
    EXPECT_EQ(faketime_self_test(lib, dir.string()), "");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sigh::conform::detail
