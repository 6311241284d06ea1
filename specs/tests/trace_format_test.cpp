// Trace format: fixed key order, exact bytes, strict reading, round trip.
#include <gtest/gtest.h>

#include <sstream>

#include "sigharness/expect.h"
#include "sigharness/trace.h"

namespace sigh {

TEST(TraceFormat, FixedBytes) {
  TraceEvent e;
  e.t = 1500;
  e.kind = EventKind::handler_start;
  e.sig = 3;
  e.proc = "worker2";
  e.queue = "worker-pool";
  e.detail = "a\"b\n";
  e.value = -1;
  EXPECT_EQ(trace_event_to_json(e),
            "{\"t\":1500,\"ev\":\"handler-start\",\"sig\":3,\"proc\":\"worker2\",\"queue\":"
            "\"worker-pool\","
            "\"detail\":\"a\\\"b\\n\",\"value\":-1}");
}

TEST(TraceFormat, EveryKindHasAName) {
  for (int k = 0; k <= static_cast<int>(EventKind::note); ++k) {
    auto kind = static_cast<EventKind>(k);
    EXPECT_EQ(parse_event_kind(event_kind_name(kind)), kind) << event_kind_name(kind);
  }
}

TEST(TraceFormat, RoundTrip) {
  Trace t;
  t.header = {kTraceVersion, "sim", "strict", "0x2a", "x"};
  for (int i = 0; i < 5; ++i) {
    TraceEvent e;
    e.t = i * 10;
    e.kind = i % 2 ? EventKind::route : EventKind::cron_fire;
    e.sig = i;
    e.wall = 1893456000 + i;
    t.events.push_back(e);
  }
  std::stringstream ss;
  write_trace(ss, t);
  TraceReadError err;
  auto back = read_trace(ss, &err);
  ASSERT_TRUE(back) << err.message();
  EXPECT_EQ(back->header, t.header);
  EXPECT_EQ(back->events, t.events);
  EXPECT_EQ(trace_hash(*back), trace_hash(t));
}

TEST(TraceFormat, RejectsMalformedLinesWithTheLineNumber) {
  const char* header = "{\"trace\":\"sigharness\",\"version\":1,\"backend\":\"sim\"}\n";
  auto fails_at = [&](const std::string& body) {
    std::istringstream in(header + body);
    TraceReadError err;
    EXPECT_FALSE(read_trace(in, &err)) << body;
    return err.line;
  };
  EXPECT_EQ(fails_at("{\"t\":1,\"ev\":\"raise\"}\n{\"t\":2,\"ev\":\"bogus\"}\n"), 3);
  EXPECT_EQ(fails_at("{\"t\":\"x\",\"ev\":\"raise\"}\n"), 2);
  EXPECT_EQ(fails_at("{\"t\":1}\n"), 2);
  EXPECT_EQ(fails_at("{\"t\":1,\"ev\":\"raise\",\"extra\":1}\n"), 2);
  EXPECT_EQ(fails_at("{\"t\":1,\"ev\":\"raise\",\"sig\":256}\n"), 2);
  EXPECT_EQ(fails_at("[1,2]\n"), 2);
  std::istringstream v2("{\"trace\":\"sigharness\",\"version\":2}\n");
  TraceReadError err;
  EXPECT_FALSE(read_trace(v2, &err));
  EXPECT_NE(err.why.find("version 2"), std::string::npos);
}

TEST(Expectations, GlobAndCounts) {
  EXPECT_TRUE(glob_match("worker*", "worker12"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("worker*", "mule1"));
  EXPECT_TRUE(glob_match("w*r*2", "worker2"));
  Scenario s;
  s.profiles = {Profile::strict};
  Expectation x;
  x.form = "handled";
  x.filter.kind = EventKind::handler_start;
  x.filter.sig = 1;
  x.filter.proc = "worker*";
  x.exact = 2;
  s.expectations.push_back(x);
  Expectation seq;
  seq.form = "order";
  seq.kind = Expectation::Kind::sequence;
  seq.filter.kind = EventKind::handler_start;
  seq.filter.proc = "worker1";
  seq.sequence = {1, 2};
  s.expectations.push_back(seq);
  Trace t;
  auto ev = [&](int sig, const char* p) {
    TraceEvent e;
    e.kind = EventKind::handler_start;
    e.sig = sig;
    e.proc = p;
    t.events.push_back(e);
  };
  ev(1, "worker1");
  ev(2, "worker1");
  ev(1, "worker2");
  auto r = check_expectations(s, Profile::strict, t);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].ok) << r[0].message;
  EXPECT_TRUE(r[1].ok) << r[1].message;
  ev(1, "worker3");
  r = check_expectations(s, Profile::strict, t);
  EXPECT_FALSE(r[0].ok);
  EXPECT_EQ(r[0].message, "expected handled {signal 1, by worker*} count == 2, observed 3");
  EXPECT_FALSE(r[0].evidence.empty());
}

}  // namespace sigh
