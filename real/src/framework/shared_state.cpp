#include "framework/shared_state.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <new>

namespace sigh::real::detail {
namespace {
std::size_t align_up(std::size_t n) { return (n + 63) / 64 * 64; }
}  // namespace

bool SharedState::create(int rows, int procs, int queues, std::string* why) {
  const std::size_t h = align_up(sizeof(SharedHeader));
  const std::size_t t = align_up(sizeof(TableEntry) * 256 * static_cast<std::size_t>(rows));
  const std::size_t p = align_up(sizeof(ProcSlot) * static_cast<std::size_t>(procs));
  const std::size_t q = align_up(sizeof(QueueCounter) * static_cast<std::size_t>(queues));
  size_ = h + t + p + q;
  base_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (base_ == MAP_FAILED) {
    base_ = nullptr;
    *why = std::string("mmap of the shared signal table failed: ") + std::strerror(errno);
    return false;
  }
  auto* b = static_cast<char*>(base_);
  hdr_ = new (b) SharedHeader();
  table_ = reinterpret_cast<TableEntry*>(b + h);
  for (std::size_t i = 0; i < 256 * static_cast<std::size_t>(rows); ++i)
    new (&table_[i]) TableEntry();
  procs_ = reinterpret_cast<ProcSlot*>(b + h + t);
  for (int i = 0; i < procs; ++i) new (&procs_[i]) ProcSlot();
  queues_ = reinterpret_cast<QueueCounter*>(b + h + t + p);
  for (int i = 0; i < queues; ++i) new (&queues_[i]) QueueCounter();
  rows_ = rows;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(&hdr_->lock, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    *why = std::string("pthread_mutex_init (robust, process-shared) failed: ") + std::strerror(rc);
    return false;
  }
  return true;
}

SharedState::~SharedState() {
  if (base_) {
    pthread_mutex_destroy(&hdr_->lock);
    munmap(base_, size_);
  }
}

void SharedState::lock() {
  int rc = pthread_mutex_lock(&hdr_->lock);
  if (rc == EOWNERDEAD) pthread_mutex_consistent(&hdr_->lock);
}

void SharedState::unlock() { pthread_mutex_unlock(&hdr_->lock); }

}  // namespace sigh::real::detail
