#pragma once
// One signal channel (C2): a FIFO of signal bytes with a capacity. A ring
// buffer that grows by doubling up to the capacity, so a large capacity costs
// nothing until it is used.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sigh::sim {

class ByteQueue {
 public:
  ByteQueue(std::string name, std::size_t capacity) : name_(std::move(name)), cap_(capacity) {}

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ >= cap_; }

  // False (nothing written) when full.
  bool push(std::uint8_t b) {
    if (full()) return false;
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = b;
    ++size_;
    return true;
  }
  std::uint8_t at(std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  std::uint8_t front() const { return at(0); }
  std::uint8_t pop() {
    const std::uint8_t b = buf_[head_];
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return b;
  }
  // Removes the byte at position i (0 = front), keeping the others in order.
  std::uint8_t erase_at(std::size_t i) {
    const std::uint8_t b = at(i);
    for (std::size_t k = i; k + 1 < size_; ++k) buf_[(head_ + k) & (buf_.size() - 1)] = at(k + 1);
    --size_;
    return b;
  }

  // Set by the scheduler while a wake-up of this queue's readers is pending.
  bool check_pending = false;

 private:
  void grow() {
    std::vector<std::uint8_t> bigger(buf_.empty() ? 16 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = at(i);
    buf_.swap(bigger);
    head_ = 0;
  }
  std::string name_;
  std::size_t cap_;
  std::vector<std::uint8_t> buf_;  // size is 0 or a power of two
  std::size_t head_ = 0, size_ = 0;
};

}  // namespace sigh::sim
