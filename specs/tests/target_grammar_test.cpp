// The target grammar under both profiles: strict errors name the offending
// byte; the loose evaluation follows uwsgi_route_signal's branch order and
// atoi exactly (reference §3.2, §3.3).
#include <gtest/gtest.h>

#include <variant>

#include "sigharness/target.h"

namespace sigh {
namespace {

Topology topo(int workers = 2, int mules = 2, int spoolers = 0) {
  Topology t;
  t.workers = workers;
  t.mules = mules;
  t.spoolers = spoolers;
  if (mules > 0) t.farms = {{"a", {1, 2}}};
  return t;
}

struct LooseCase {
  const char* receiver;
  LooseOutcome outcome;
  int index;
  int branch;
};

}  // namespace

TEST(UwsgiAtoi, GlibcSemantics) {
  EXPECT_EQ(uwsgi_atoi(""), 0);
  EXPECT_EQ(uwsgi_atoi("abc"), 0);
  EXPECT_EQ(uwsgi_atoi("  12x"), 12);
  EXPECT_EQ(uwsgi_atoi("\t+7"), 7);
  EXPECT_EQ(uwsgi_atoi("-3"), -3);
  EXPECT_EQ(uwsgi_atoi("007"), 7);
  EXPECT_EQ(uwsgi_atoi("2147483648"), INT32_MIN);     // (int)2147483648L
  EXPECT_EQ(uwsgi_atoi("99999999999999999999"), -1);  // (int)LONG_MAX
  EXPECT_EQ(uwsgi_atoi("-99999999999999999999"), 0);  // (int)LONG_MIN
}

TEST(LooseTargets, ReferenceTable) {
  const LooseCase cases[] = {
      {"", LooseOutcome::worker_pool, 0, 1},
      {"worker", LooseOutcome::worker_pool, 0, 1},
      {"worker0", LooseOutcome::worker_pool, 0, 1},
      {"workers", LooseOutcome::all_workers, 0, 2},
      {"active-workers", LooseOutcome::active_workers, 0, 3},
      {"workers2", LooseOutcome::worker_slot_zero, 0, 4},
      {"worker 1", LooseOutcome::worker, 1, 4},
      {"worker+1", LooseOutcome::worker, 1, 4},
      {"worker01", LooseOutcome::worker, 1, 4},
      {"worker1abc", LooseOutcome::worker, 1, 4},
      {"worker00", LooseOutcome::worker_slot_zero, 0, 4},
      {"workerfoo", LooseOutcome::worker_slot_zero, 0, 4},
      {"worker-1", LooseOutcome::worker_out_of_bounds, -1, 4},
      {"worker9", LooseOutcome::worker_out_of_bounds, 9, 4},
      {"subscribed", LooseOutcome::subscribed_noop, 0, 5},
      {"spooler", LooseOutcome::spooler, 0, 6},
      {"mules", LooseOutcome::all_mules, 0, 7},
      {"mule", LooseOutcome::mule_pool, 0, 8},
      {"mule0", LooseOutcome::mule_pool, 0, 8},
      {"mule00", LooseOutcome::mule_pool, 0, 8},
      {"mulesX", LooseOutcome::mule_pool, 0, 8},
      {"mule2", LooseOutcome::mule, 2, 8},
      {"mule5", LooseOutcome::mule_invalid, 5, 8},
      {"mule-1", LooseOutcome::mule_negative, -1, 8},
      {"farm_a", LooseOutcome::farm, 1, 9},
      {"farm_1", LooseOutcome::farm_unknown_name, 0, 9},
      {"farm1", LooseOutcome::farm, 1, 10},
      {"farm", LooseOutcome::farm_invalid_index, 0, 10},
      {"farmX", LooseOutcome::farm_invalid_index, 0, 10},
      {"cluster", LooseOutcome::unsupported, 0, 11},
      {"Workers", LooseOutcome::unsupported, 0, 11},
      {"default", LooseOutcome::unsupported, 0, 11},
      {"any", LooseOutcome::unsupported, 0, 11},
  };
  for (const auto& c : cases) {
    LooseRoute r = evaluate_target_uwsgi(c.receiver, topo());
    EXPECT_EQ(r.outcome, c.outcome)
        << '"' << c.receiver << "\" -> " << loose_outcome_name(r.outcome);
    EXPECT_EQ(r.index, c.index) << c.receiver;
    EXPECT_EQ(r.branch, c.branch) << c.receiver;
  }
}

TEST(LooseTargets, LogLinesAndUndefinedBehaviour) {
  EXPECT_EQ(evaluate_target_uwsgi("worker9", topo()).log, "invalid signal target: worker9");
  EXPECT_TRUE(evaluate_target_uwsgi("worker9", topo()).undefined_behaviour());
  EXPECT_TRUE(evaluate_target_uwsgi("mule-1", topo(2, 0)).undefined_behaviour());
  EXPECT_EQ(evaluate_target_uwsgi("cluster", topo()).log,
            "^^^ UNSUPPORTED SIGNAL TARGET: cluster ^^^");
  EXPECT_EQ(evaluate_target_uwsgi("farm_zz", topo()).log, "unknown farm: zz");
  EXPECT_NE(evaluate_target_uwsgi("spooler", topo(2, 0, 0)).log.find("Bad file descriptor"),
            std::string::npos);
  EXPECT_EQ(evaluate_target_uwsgi("spooler", topo(2, 0, 1)).log, "");
  EXPECT_NE(evaluate_target_uwsgi("mule", topo(2, 0)).log.find("Bad file descriptor"),
            std::string::npos);
  EXPECT_EQ(evaluate_target_uwsgi("subscribed", topo()).log, "");  // silent
}

TEST(StrictTargets, AcceptsTheGrammar) {
  auto ok = [](const char* s) {
    auto r = parse_target_strict(s);
    EXPECT_TRUE(std::holds_alternative<Target>(r))
        << s << ": " << std::get<TargetError>(r).message();
    return std::holds_alternative<Target>(r) ? std::get<Target>(r).str() : std::string();
  };
  EXPECT_EQ(ok(""), "worker");
  EXPECT_EQ(ok("worker0"), "worker");
  EXPECT_EQ(ok("worker12"), "worker12");
  EXPECT_EQ(ok("mule0"), "mule");
  EXPECT_EQ(ok("farm_web-1.x"), "farm_web-1.x");
  EXPECT_EQ(ok("farm3"), "farm3");
  EXPECT_EQ(ok("active-workers"), "active-workers");
}

TEST(StrictTargets, ErrorsNameTheOffendingByte) {
  auto off = [](const std::string& s) {
    auto r = parse_target_strict(s);
    EXPECT_TRUE(std::holds_alternative<TargetError>(r)) << s;
    return std::holds_alternative<TargetError>(r) ? std::get<TargetError>(r).offset : 999u;
  };
  EXPECT_EQ(off("worker1abc"), 7u);
  EXPECT_EQ(off("worker 1"), 6u);
  EXPECT_EQ(off("worker01"), 6u);
  EXPECT_EQ(off("workers2"), 6u);
  EXPECT_EQ(off("mulesX"), 4u);
  EXPECT_EQ(off("farm_"), 5u);
  EXPECT_EQ(off("farm_a b"), 6u);
  EXPECT_EQ(off("farm0"), 4u);
  EXPECT_EQ(off("Workers"), 0u);
  EXPECT_EQ(off("cluster"), 0u);
  EXPECT_EQ(off(std::string(64, 'w')), 63u);
  auto r = parse_target_strict("worker1x");
  EXPECT_EQ(std::get<TargetError>(r).message(),
            "target \"worker1x\": at offset 7 ('x'): trailing characters after the worker number");
}

TEST(StrictTargets, ValidatedAgainstTheTopology) {
  auto bad = [](const char* s, const Topology& t) {
    return validate_target(std::get<Target>(parse_target_strict(s)), t).has_value();
  };
  EXPECT_TRUE(bad("worker3", topo()));
  EXPECT_FALSE(bad("worker2", topo()));
  EXPECT_TRUE(bad("mules", topo(2, 0)));
  EXPECT_TRUE(bad("mule3", topo()));
  EXPECT_TRUE(bad("spooler", topo()));
  EXPECT_FALSE(bad("spooler", topo(2, 2, 1)));
  EXPECT_TRUE(bad("farm_b", topo()));
  EXPECT_TRUE(bad("farm2", topo()));
  EXPECT_FALSE(bad("farm1", topo()));
}

}  // namespace sigh
