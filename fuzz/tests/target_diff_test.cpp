// Pins the documented strict vs uwsgi-2.0 differences (specs/SEMANTICS.md,
// "Target meaning") and the two invariants the differential fuzzer enforces.
#include "target_diff.h"

#include <gtest/gtest.h>

namespace sigh::fuzz {
namespace {

Topology topo() {
  const std::uint8_t b[4] = {1, 2, 2, 1};  // workers=2, mules=2, farms a and 1, spoolers=1
  return topology_from_bytes(b);
}

DiffKind kind(const std::string& s) { return compare_target(s, topo()).kind; }

}  // namespace

TEST(TargetDiff, TopologyFromBytes) {
  Topology t = topo();
  EXPECT_EQ(t.workers, 2);
  EXPECT_EQ(t.mules, 2);
  ASSERT_EQ(t.farms.size(), 2u);
  EXPECT_EQ(t.farms[1].name, "1");
  EXPECT_EQ(t.spoolers, 1);
}

TEST(TargetDiff, AgreeWhereStrictAccepts) {
  for (const char* s :
       {"", "worker", "worker0", "workers", "active-workers", "worker1", "worker2", "mules", "mule",
        "mule0", "mule1", "mule2", "spooler", "farm_a", "farm1", "farm2", "farm_1"}) {
    EXPECT_EQ(kind(s), DiffKind::same) << compare_target(s, topo()).description;
  }
}

TEST(TargetDiff, LooseDeliversWhereStrictRejects) {
  // The loose atoi reading still reaches somebody.
  for (const char* s : {"worker1abc", "worker 1", "worker+1", "worker01", "mulesX", "mule00",
                        "mule1x", "farm01", "farm1abc"}) {
    EXPECT_EQ(kind(s), DiffKind::strict_rejects) << compare_target(s, topo()).description;
  }
}

TEST(TargetDiff, UndefinedBehaviourIsAlwaysRejectedByStrict) {
  for (const char* s : {"workers2", "worker00", "workerfoo", "worker-1", "worker9", "mule-1"}) {
    EXPECT_EQ(kind(s), DiffKind::strict_rejects_ub) << compare_target(s, topo()).description;
  }
}

TEST(TargetDiff, BothRejectTheUnsupported) {
  for (const char* s :
       {"cluster", "Workers", "subscribed", "farm", "farmX", "farm_zz", "mule5", "default"}) {
    EXPECT_EQ(kind(s), DiffKind::both_reject) << compare_target(s, topo()).description;
  }
}

}  // namespace sigh::fuzz
