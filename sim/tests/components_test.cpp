// The simulator's building blocks: byte queue, event queue, clock, signal table.
#include <gtest/gtest.h>

#include "byte_queue.h"
#include "clock.h"
#include "event_queue.h"
#include "signal_table.h"

namespace sigh::sim {

TEST(ByteQueue, FifoWithCapacityAndGrowth) {
  ByteQueue q("worker1", 40);
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(q.push(static_cast<std::uint8_t>(i)));
  EXPECT_TRUE(q.full());
  EXPECT_FALSE(q.push(99));
  EXPECT_EQ(q.size(), 40u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(q.pop(), i);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(q.push(static_cast<std::uint8_t>(100 + i)));  // wraps
  EXPECT_EQ(q.erase_at(1), 11);
  EXPECT_EQ(q.front(), 10);
  EXPECT_EQ(q.at(1), 12);
  EXPECT_EQ(q.at(q.size() - 1), 109);
}

TEST(EventQueue, OrderedByTimePriorityThenSequence) {
  EventQueue q;
  q.push(20, 0, Ev::tick, 1);
  q.push(10, 3, Ev::tick, 2);
  q.push(10, 1, Ev::tick, 3);
  q.push(10, 1, Ev::tick, 4);  // same (t, prio): FIFO
  q.push(5, 9, Ev::tick, 5);
  std::vector<int> order;
  while (!q.empty()) order.push_back(q.pop().a);
  EXPECT_EQ(order, (std::vector<int>{5, 3, 4, 2, 1}));
}

TEST(VirtualClock, WallIsStartPlusMonoPlusSteps) {
  VirtualClock c(1000);
  c.advance_to(2500 * kNsPerMs);
  EXPECT_EQ(c.wall_s(), 1002);
  c.step_wall(-3 * kNsPerSec);
  EXPECT_EQ(c.mono(), 2500 * kNsPerMs);  // monotonic time is untouched
  EXPECT_EQ(c.wall_s(), 999);            // floor of 999.5
  c.step_wall(-kNsPerSec);
  EXPECT_EQ(c.wall_s(), 998);
}

TEST(SignalTable, NewestRegistrationAndRowCopies) {
  SignalTable t(2);
  Entry a{true, "worker2", 0, 0, false, 0, t.next_seq()};
  t.set(0, 5, a);
  EXPECT_TRUE(t.registered_anywhere(5));
  EXPECT_FALSE(t.at(1, 5).registered);
  t.copy_row0_to_all();
  EXPECT_TRUE(t.at(2, 5).registered);
  Entry b{true, "worker1", 2, 0, false, 0, t.next_seq()};
  t.set(2, 5, b);
  EXPECT_EQ(t.newest(5)->receiver, "worker1");
  EXPECT_TRUE(t.reset_row_to_master(2));  // row 2 held worker2's own entry
  EXPECT_EQ(t.newest(5)->receiver, "worker2");
  t.clear_all_rows(5);
  EXPECT_FALSE(t.registered_anywhere(5));
  EXPECT_EQ(t.newest(5), nullptr);
  EXPECT_EQ(SignalTable::handler_row(ProcessId::mule(1)), 0);
  EXPECT_EQ(SignalTable::handler_row(ProcessId::worker(2)), 2);
}

}  // namespace sigh::sim
