#include "seed.h"

#include <gtest/gtest.h>

namespace sigh::cli {

TEST(Seed, ParsesDecimalAndHex) {
  EXPECT_EQ(parse_seed("42"), 42u);
  EXPECT_EQ(parse_seed("0x2a"), 42u);
  EXPECT_EQ(parse_seed("0XFFFFFFFFFFFFFFFF"), UINT64_MAX);
}

TEST(Seed, RejectsGarbage) {
  EXPECT_FALSE(parse_seed(""));
  EXPECT_FALSE(parse_seed("0x"));
  EXPECT_FALSE(parse_seed("12a"));
  EXPECT_FALSE(parse_seed("-1"));
  EXPECT_FALSE(parse_seed("0x10000000000000000"));
}

TEST(Seed, FormatRoundTrips) {
  for (std::uint64_t v : std::initializer_list<std::uint64_t>{0, 1, 42, 0xdeadbeef, UINT64_MAX}) {
    EXPECT_EQ(parse_seed(format_seed(v)), v) << format_seed(v);
  }
  EXPECT_EQ(format_seed(42), "0x2a");
}

}  // namespace sigh::cli
