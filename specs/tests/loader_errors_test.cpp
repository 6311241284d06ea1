// The scenario loader: the documented example loads, round-trips, and every
// class of bad input gives an error at the right file:line:column.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <variant>

#include "sigharness/scenario.h"

namespace sigh {
namespace {

std::string format_example() {
  std::ifstream f(std::string(SIGHARNESS_SOURCE_DIR) + "/specs/FORMAT.md");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string md = ss.str();
  auto a = md.find("```yaml\n");
  auto b = md.find("```", a + 8);
  return md.substr(a + 8, b - a - 8);
}

SpecError error_of(const std::string& yaml) {
  auto r = load_scenario_string(yaml, "t.yaml");
  EXPECT_TRUE(std::holds_alternative<SpecError>(r)) << "expected an error for:\n" << yaml;
  return std::holds_alternative<SpecError>(r) ? std::get<SpecError>(r) : SpecError{};
}

const char* kHead =
    "name: t\nprofiles: [strict, uwsgi-2.0]\nduration: 5s\ntopology: {workers: 2}\n";

}  // namespace

TEST(ScenarioLoader, DocumentedExampleLoadsAndRoundTrips) {
  auto r = load_scenario_string(format_example(), "FORMAT.md");
  ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<SpecError>(r).message();
  const Scenario& s = std::get<Scenario>(r);
  EXPECT_EQ(s.topology.workers, 3);
  EXPECT_EQ(s.topology.farms.at(0).name, "a");
  EXPECT_EQ(s.registrations.size(), 3u);
  EXPECT_EQ(s.timers.at(1).kind, TimerKind::rb_timer);
  EXPECT_EQ(s.timers.at(1).iterations, 3);
  EXPECT_EQ(s.wall_start, 1893456000);
  EXPECT_EQ(s.real_time_scale, 4);
  EXPECT_EQ(s.script.front().at, kNsPerSec);  // sorted by `at`
  auto again = load_scenario_string(scenario_to_yaml(s), "again.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(again))
      << std::get<SpecError>(again).message() << "\n"
      << scenario_to_yaml(s);
  const Scenario& t = std::get<Scenario>(again);
  EXPECT_EQ(t.script.size(), s.script.size());
  EXPECT_EQ(t.expectations.size(), s.expectations.size());
  EXPECT_EQ(scenario_to_yaml(t), scenario_to_yaml(s));
  EXPECT_EQ(t.real_time_scale, 4);
}

TEST(ScenarioLoader, RealTimeScaleIsAnIntegerFrom1To100) {
  auto ok = load_scenario_string(std::string(kHead), "t.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(ok));
  EXPECT_EQ(std::get<Scenario>(ok).real_time_scale, 1);  // default: real time
  for (const char* bad : {"0", "101", "-4", "2.5", "fast", "[2]"}) {
    SpecError e = error_of(std::string(kHead) + "real_time_scale: " + bad + "\n");
    EXPECT_EQ(e.loc.line, 5) << bad;
    EXPECT_NE(e.what.find("real_time_scale"), std::string::npos) << bad << ": " << e.message();
  }
}

TEST(ScenarioLoader, BadYamlPointsAtThePlace) {
  auto e = error_of("name: t\nprofiles: [strict\n");
  EXPECT_EQ(e.loc.file, "t.yaml");
  EXPECT_GE(e.loc.line, 2);
  EXPECT_NE(e.what.find("invalid YAML"), std::string::npos);
}

TEST(ScenarioLoader, UnknownKeyIsNamedWithHint) {
  auto e = error_of(std::string(kHead) + "wrokers: 3\n");
  EXPECT_EQ(e.loc.line, 5);
  EXPECT_EQ(e.loc.column, 1);
  EXPECT_NE(e.what.find("\"wrokers\""), std::string::npos);
  EXPECT_NE(e.hint.find("allowed keys"), std::string::npos);
}

TEST(ScenarioLoader, SignalOutOfRange) {
  auto e = error_of(std::string(kHead) + "registrations:\n  - {signal: 256, target: worker}\n");
  EXPECT_EQ(e.loc.line, 6);
  EXPECT_EQ(e.loc.column, 14);
  EXPECT_NE(e.what.find("outside 0..255"), std::string::npos);
  e = error_of(std::string(kHead) + "script:\n  - {at: 1s, raise: -1, from: worker1}\n");
  EXPECT_NE(e.what.find("outside 0..255"), std::string::npos);
}

TEST(ScenarioLoader, BadTargetNamesTheOffendingCharacter) {
  auto e = error_of(std::string(kHead) + "registrations:\n  - {signal: 1, target: worker1abc}\n");
  EXPECT_EQ(e.loc.line, 6);
  EXPECT_NE(e.what.find("offset 7"), std::string::npos) << e.message();
  EXPECT_NE(e.hint.find("unchecked"), std::string::npos);
  e = error_of(std::string(kHead) + "registrations:\n  - {signal: 1, target: worker3}\n");
  EXPECT_NE(e.what.find("does not exist"), std::string::npos) << e.message();
  // Deliberately non-strict targets load when marked.
  auto ok = load_scenario_string(
      std::string(kHead) + "registrations:\n  - {signal: 1, target: worker1abc, unchecked: true}\n",
      "t.yaml");
  EXPECT_TRUE(std::holds_alternative<Scenario>(ok));
}

TEST(ScenarioLoader, ImpossibleTopologyAndUnknownProcess) {
  auto e = error_of("name: t\nprofiles: [strict]\nduration: 1s\ntopology: {workers: 0}\n");
  EXPECT_EQ(e.loc.line, 4);
  EXPECT_NE(e.what.find("impossible topology"), std::string::npos);
  e = error_of(
      "name: t\nprofiles: [strict]\nduration: 1s\ntopology: {workers: 1, mules: 1, farms: [{name: "
      "a, mules: [2]}]}\n");
  EXPECT_NE(e.what.find("mule 2 does not exist"), std::string::npos);
  e = error_of(std::string(kHead) + "script:\n  - {at: 1s, raise: 1, from: worker3}\n");
  EXPECT_NE(e.what.find("worker3 does not exist"), std::string::npos);
}

TEST(ScenarioLoader, ExpectationFormsAndProfiles) {
  auto e = error_of(std::string(kHead) + "expect:\n  - {handled: {signal: 1}}\n");
  EXPECT_NE(e.what.find("count"), std::string::npos);
  e = error_of(
      "name: t\nprofiles: [strict]\nduration: 1s\nexpect:\n  - {profile: uwsgi-2.0, never: "
      "{signal: 1}}\n");
  EXPECT_NE(e.what.find("does not name"), std::string::npos);
  e = error_of(std::string(kHead) + "expect:\n  - {handeld: {signal: 1, count: 1}}\n");
  EXPECT_NE(e.what.find("unknown expectation"), std::string::npos);
}

TEST(ScenarioLoader, GarbageNeverCrashes) {
  for (const char* s :
       {"", "[", "{", "- - -", "name: [", "\x01\x02", "name: t\nprofiles: 7\n", "!!binary x",
        "name: t\nprofiles: [strict]\nduration: 1y\n", "a: &x\n  b: *x\n"}) {
    auto r = load_scenario_string(s, "g.yaml");
    EXPECT_TRUE(std::holds_alternative<SpecError>(r)) << s;
  }
}

}  // namespace sigh
