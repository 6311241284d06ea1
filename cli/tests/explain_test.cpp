#include "explain.h"

#include <gtest/gtest.h>

namespace sigh::cli {
namespace {
Topology topo() {
  Topology t;
  t.workers = 2;
  t.mules = 2;
  t.farms = {{"a", {1, 2}}};
  return t;
}
bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }
}  // namespace

TEST(Explain, StrictAcceptsAndNamesRecipients) {
  auto e = explain_target("workers", Profile::strict, topo());
  EXPECT_TRUE(e.ok);
  EXPECT_TRUE(has(e.text, "worker1..worker2")) << e.text;
  e = explain_target("farm_a", Profile::strict, topo());
  EXPECT_TRUE(e.ok);
  EXPECT_TRUE(has(e.text, "mule1, mule2")) << e.text;
}

TEST(Explain, StrictRejectsWithOffset) {
  auto e = explain_target("worker1abc", Profile::strict, topo());
  EXPECT_FALSE(e.ok);
  EXPECT_TRUE(has(e.text, "offset 7")) << e.text;
  e = explain_target("worker3", Profile::strict, topo());
  EXPECT_FALSE(e.ok);
  EXPECT_TRUE(has(e.text, "rejected for this topology")) << e.text;
}

TEST(Explain, LooseShowsBranchAndUndefinedBehaviour) {
  auto e = explain_target("worker1abc", Profile::uwsgi_2_0, topo());
  EXPECT_TRUE(e.ok);
  EXPECT_TRUE(has(e.text, "branch 4")) << e.text;
  EXPECT_TRUE(has(e.text, "worker1's private socket")) << e.text;
  e = explain_target("worker9", Profile::uwsgi_2_0, topo());
  EXPECT_FALSE(e.ok);
  EXPECT_TRUE(has(e.text, "undefined behaviour")) << e.text;
  e = explain_target("cluster", Profile::uwsgi_2_0, topo());
  EXPECT_TRUE(has(e.text, "branch 11")) << e.text;
}

}  // namespace sigh::cli
