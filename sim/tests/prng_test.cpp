#include "prng.h"

#include <gtest/gtest.h>

#include <array>

namespace sigh::sim {

TEST(Prng, SameSeedSameSequence) {
  Prng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Prng, BelowStaysInRangeAndIsRoughlyUniform) {
  Prng r(7);
  std::array<int, 3> counts{};
  for (int i = 0; i < 30000; ++i) {
    auto v = r.below(3);
    ASSERT_LT(v, 3u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 600);
  EXPECT_EQ(r.below(1), 0u);
}

TEST(Prng, KnownFirstValuesPinTheAlgorithm) {
  // Any change to the generator changes every trace: pin it.
  // Reference values computed independently (splitmix64 seeding of
  // xoshiro256**, seed 0).
  Prng r(0);
  EXPECT_EQ(r.next(), 0x99ec5f36cb75f2b4u);
  EXPECT_EQ(r.next(), 0xbf6e1f784956452au);
  EXPECT_FALSE(Prng(1).chance(0));
  EXPECT_TRUE(Prng(1).chance(1000));
}

}  // namespace sigh::sim
