// Runtime Signal API over LoopbackBackend (uwsgiconf semantics, seed-apis.md §1, §4.3).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sigharness/real/remote_listener.h"
#include "sigharness/real/runtime_signal.h"

namespace sigh::real {
namespace {

using namespace std::chrono_literals;

// A backend whose table is "full" from a given number on, for allocation tests.
class FakeBackend final : public SignalBackend {
 public:
  std::vector<bool> taken = std::vector<bool>(256, false);
  bool is_registered(SignalNumber n) const override { return taken[n]; }
  void register_signal(SignalNumber n, const Target&, Handler) override { taken[n] = true; }
  SendStatus send_local(SignalNumber) override { return SendStatus::queued; }
  std::error_code send_remote(SignalNumber, const RemoteAddress&) override { return {}; }
  SignalNumber wait(std::optional<SignalNumber> o) override { return o.value_or(0); }
  int last_received_raw() const override { return 0; }
};

TEST(RuntimeSignal, AllocatesFirstFreeWithoutReservation) {
  LoopbackBackend be;
  Runtime rt(be);
  Signal a(rt), b(rt);
  EXPECT_EQ(a.num(), 0);
  EXPECT_EQ(b.num(), 0);  // faithful pitfall: nothing is reserved until registered
  a.register_handler("", [] {});
  EXPECT_TRUE(a.registered());
  EXPECT_TRUE(b.registered());  // same number
  EXPECT_EQ(Signal(rt).num(), 1);
  EXPECT_EQ(Signal(rt, 0).num(), 0);  // explicit 0 is an ordinary number
  EXPECT_EQ(static_cast<SignalNumber>(Signal(rt, 200)), 200);
}

TEST(RuntimeSignal, AllocationSkipsHolesAndExhausts) {
  FakeBackend be;
  Runtime rt(be);
  for (int i = 0; i < 256; ++i) be.taken[i] = true;
  be.taken[137] = false;
  EXPECT_EQ(Signal(rt).num(), 137);
  be.taken[137] = true;
  EXPECT_THROW(Signal{rt}, NoFreeSignal);
  try {
    Signal s(rt);
  } catch (const SignalError& e) {
    EXPECT_STREQ(e.what(), "No uWSGI signals available.");
  }
}

TEST(RuntimeSignal, ExhaustionThroughRealRegistrations) {
  LoopbackBackend be;
  Runtime rt(be);
  for (int i = 0; i < 256; ++i) Signal(rt).register_handler("worker", [](SignalNumber) {});
  EXPECT_EQ(rt.registry().size(), 256u);
  EXPECT_THROW(Signal{rt}, NoFreeSignal);
}

TEST(RuntimeSignal, RegisterValidatesTargetStrictly) {
  LoopbackBackend be;
  Runtime rt(be);
  Signal s(rt, 3);
  try {
    s.register_handler("worker1x", [] {});
    FAIL() << "accepted worker1x";
  } catch (const RegistrationError& e) {
    EXPECT_EQ(e.reason, RegistrationError::Reason::invalid_target);
    EXPECT_NE(std::string(e.what()).find("worker1x"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(s.registered());
  EXPECT_EQ(rt.registry().find(3), nullptr);
  EXPECT_THROW(s.register_handler("cluster", [] {}), RegistrationError);
  s.register_handler("mule2", [] {});
  ASSERT_NE(be.receiver(3), nullptr);
  EXPECT_EQ(*be.receiver(3), "mule2");
  s.register_handler("", [] {});  // "" means worker (≙ target or 'worker')
  EXPECT_EQ(rt.registry().find(3)->target, "worker");
}

TEST(RuntimeSignal, RegistryStableOrderLastWins) {
  LoopbackBackend be;
  Runtime rt(be);
  std::vector<int> calls;
  Signal(rt, 9).register_handler("workers", [&](SignalNumber n) { calls.push_back(n); });
  Signal(rt, 2).register_handler("spooler", [&](SignalNumber n) { calls.push_back(100 + n); });
  Signal(rt, 9).register_handler("mules", [&](SignalNumber n) { calls.push_back(200 + n); });
  auto all = rt.registry().all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].num, 2);
  EXPECT_EQ(all[0].target, "spooler");
  EXPECT_EQ(all[1].num, 9);
  EXPECT_EQ(all[1].target, "mules");
  all[1].handler(9);
  EXPECT_EQ(calls, std::vector<int>{209});
}

TEST(RuntimeSignal, RegistryWrittenBeforeCallbackEvenIfItThrows) {
  LoopbackBackend be;
  Runtime rt(be);
  Signal s(rt, 4);
  bool seen_in_callback = false;
  EXPECT_THROW(s.register_handler(
                   "worker", [] {},
                   [&](Signal& self) {
                     seen_in_callback = rt.registry().find(self.num()) != nullptr;
                     throw std::invalid_argument("unable to add timer");
                   }),
               std::invalid_argument);
  EXPECT_TRUE(seen_in_callback);
  EXPECT_NE(rt.registry().find(4), nullptr);  // deviation §4.6.2: not invisible
  EXPECT_TRUE(s.registered());
}

TEST(RuntimeSignal, MasterRefusesReregistration) {
  LoopbackBackend be(LoopbackBackend::Options{.role = LoopbackBackend::Role::master});
  Runtime rt(be);
  Signal s(rt, 1);
  s.register_handler("worker", [] {});
  try {
    s.register_handler("worker", [] {});
    FAIL();
  } catch (const RegistrationError& e) {
    EXPECT_EQ(e.reason, RegistrationError::Reason::master_reregister);
  }
}

TEST(RuntimeSignal, SendPumpAndQueueFull) {
  LoopbackBackend be(LoopbackBackend::Options{.queue_capacity = 3});
  Runtime rt(be);
  std::vector<int> got;
  Signal s(rt, 7);
  s.register_handler("worker", [&](SignalNumber n) { got.push_back(n); });
  EXPECT_EQ(s.send(), SendStatus::queued);
  EXPECT_EQ(s.send(), SendStatus::queued);
  EXPECT_EQ(Signal(rt, 8).send(), SendStatus::queued);  // unregistered
  EXPECT_EQ(s.send(), SendStatus::queue_full);
  EXPECT_EQ(be.dropped(), 1u);
  EXPECT_EQ(be.pump(), 3u);
  EXPECT_EQ(got, (std::vector<int>{7, 7}));
  EXPECT_EQ(be.unhandled(), 1u);
}

TEST(RuntimeSignal, WaitRunsHandlersAndSetsLastReceived) {
  LoopbackBackend be;
  Runtime rt(be);
  std::vector<int> got;
  auto rec = [&](SignalNumber n) { got.push_back(n); };
  Signal five(rt, 5), six(rt, 6);
  five.register_handler("worker", rec);
  six.register_handler("worker", rec);
  EXPECT_EQ(last_received(rt).raw, 0);
  EXPECT_EQ(last_received(rt).description, nullptr);  // raw 0, and 0 not registered
  (void)six.send();
  (void)six.send();
  (void)five.send();
  five.wait();  // ≙ E23: handlers 6, 6 and 5 run in the waiter, returns after 5
  EXPECT_EQ(got, (std::vector<int>{6, 6, 5}));
  auto lr = last_received(rt);
  EXPECT_EQ(lr.raw, 5);
  ASSERT_NE(lr.description, nullptr);
  EXPECT_EQ(lr.description->num, 5);
  EXPECT_EQ(lr.num(), std::optional<SignalNumber>(5));
  try {
    five.wait();
    FAIL();
  } catch (const WaitError& e) {
    EXPECT_EQ(e.reason, WaitError::Reason::nothing_pending);
  }
  EXPECT_EQ(last_received(rt).raw, -1);
  EXPECT_EQ(last_received(rt).num(), std::nullopt);
}

TEST(RuntimeSignal, RemoteSendThroughListener) {
  LoopbackBackend be(LoopbackBackend::Options{.remote_timeout = 1500ms});
  Runtime rt(be);
  std::vector<int> got;
  RemoteListener l({}, [&](SignalNumber n) {
    got.push_back(n);
    return n != 13;
  });
  // Single-threaded: the listener answers only while we serve it, so run the
  // send in a thread and serve here.
  std::error_code ok, rejected;
  std::thread t([&] {
    ok = Signal(rt, 12).send(l.address());
    rejected = Signal(rt, 13).send(l.address_string());
  });
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) l.serve_for(20ms);
  t.join();
  EXPECT_FALSE(ok) << ok.message();
  EXPECT_TRUE(rejected == RemoteCondition::rejected);
  EXPECT_TRUE(Signal(rt, 1).send("") == RemoteCondition::invalid_address);
  EXPECT_EQ(got, (std::vector<int>{12, 13}));
}

}  // namespace
}  // namespace sigh::real
