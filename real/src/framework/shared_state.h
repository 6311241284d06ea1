#pragma once
// Everything the forked processes share, in one MAP_SHARED|MAP_ANONYMOUS mapping made before
// fork: the signal table (256 entries x (workers + 1) rows) behind a robust process-shared mutex,
// per-process slots, per-queue byte counters (the bounded capacity of C2/S4) and the wall-clock
// offset (clock_step is seen by every process).
#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sigh::real::detail {

inline constexpr int kReceiverLen = 64;

struct TableEntry {
  std::uint8_t registered = 0;
  char receiver[kReceiverLen] = {};
  std::int32_t owner = 0;     // wid that registered it (0 = master)
  std::int32_t handler = -1;  // index into the process-local handler registry
  std::uint64_t seq = 0;      // registration order: S1 routes on the most recent one
};

struct ProcSlot {
  std::atomic<pid_t> pid{0};
  std::atomic<int> alive{0};
  std::atomic<int> cheaped{0};
  std::atomic<int> in_handler{-1};  // signal whose handler runs now, -1 if none
  std::atomic<int> incarnation{0};
};

struct QueueCounter {
  std::atomic<std::int64_t> written{0};   // bytes accepted (counted before the write)
  std::atomic<std::int64_t> consumed{0};  // bytes read by a reader
};

struct SharedHeader {
  pthread_mutex_t lock;
  std::uint64_t seq = 0;
  std::atomic<std::int64_t> wall_offset{0};
  std::int64_t t0 = 0;  // CLOCK_MONOTONIC at run start
};

class SharedState {
 public:
  // Returns false (and fills *why) if the mapping or the mutex cannot be made.
  bool create(int rows, int procs, int queues, std::string* why);
  ~SharedState();
  SharedState() = default;
  SharedState(const SharedState&) = delete;
  SharedState& operator=(const SharedState&) = delete;

  SharedHeader& header() { return *hdr_; }
  TableEntry& entry(int row, int sig) {
    return table_[static_cast<std::size_t>(row) * 256 + static_cast<std::size_t>(sig)];
  }
  ProcSlot& proc(int i) { return procs_[i]; }
  QueueCounter& queue(int i) { return queues_[i]; }
  int rows() const { return rows_; }

  // Robust lock: a holder that died mid-update (EOWNERDEAD) leaves the table consistent enough
  // (entries are written field by field and `registered` last), so it is marked consistent.
  void lock();
  void unlock();

 private:
  void* base_ = nullptr;
  std::size_t size_ = 0;
  int rows_ = 0;
  SharedHeader* hdr_ = nullptr;
  TableEntry* table_ = nullptr;
  ProcSlot* procs_ = nullptr;
  QueueCounter* queues_ = nullptr;
};

class TableLock {
 public:
  explicit TableLock(SharedState& s) : s_(s) { s_.lock(); }
  ~TableLock() { s_.unlock(); }
  TableLock(const TableLock&) = delete;
  TableLock& operator=(const TableLock&) = delete;

 private:
  SharedState& s_;
};

}  // namespace sigh::real::detail
