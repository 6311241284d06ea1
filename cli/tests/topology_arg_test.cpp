#include "topology_arg.h"

#include <gtest/gtest.h>

namespace sigh::cli {

TEST(TopologyArg, ParsesEveryKey) {
  auto r = parse_topology_arg("workers=4,mules=3,farms=a:1,2;b:3,spoolers=1,cheaper=2");
  ASSERT_TRUE(std::holds_alternative<Topology>(r)) << std::get<std::string>(r);
  const auto& t = std::get<Topology>(r);
  EXPECT_EQ(t.workers, 4);
  EXPECT_EQ(t.mules, 3);
  EXPECT_EQ(t.spoolers, 1);
  EXPECT_EQ(t.cheaper_initial, 2);
  ASSERT_EQ(t.farms.size(), 2u);
  EXPECT_EQ(t.farms[0].name, "a");
  EXPECT_EQ(t.farms[0].mules, (std::vector<int>{1, 2}));
  EXPECT_EQ(t.farms[1].mules, (std::vector<int>{3}));
}

TEST(TopologyArg, ErrorsNameThePart) {
  auto bad = [](const char* s) {
    auto r = parse_topology_arg(s);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string();
  };
  EXPECT_NE(bad("workers=x").find("workers=\"x\""), std::string::npos);
  EXPECT_NE(bad("wrokers=2").find("unknown key \"wrokers\""), std::string::npos);
  EXPECT_NE(bad("farms=a").find("NAME:MULE"), std::string::npos);
  EXPECT_NE(bad("workers=2,farms=a:1").find("--topology"), std::string::npos);  // mule 1 of 0
  EXPECT_NE(bad("workers=0").find("--topology"), std::string::npos);
}

}  // namespace sigh::cli
