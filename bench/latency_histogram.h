#pragma once
// A fixed-size log-linear latency histogram (HDR-style): exact below 128 ns, then 64 sub-buckets
// per power of two, so any recorded value is reported within 1/64 (1.6 %) of itself.
//
// Plain data on purpose: a zero-filled block of memory is an empty histogram, so one can live in
// a MAP_SHARED mapping and be filled by several processes at once with record_shared().
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <type_traits>

namespace sigh::bench {

struct LatencyHistogram {
  static constexpr int kExactBelow = 128;  // values 0..127 get a bucket each
  static constexpr int kSubBuckets = 64;   // per power of two above that
  static constexpr int kMaxShift = 36;     // largest tracked value ~ 2^43 ns (about 2.4 h)
  static constexpr int kBuckets = kExactBelow + kMaxShift * kSubBuckets;
  static constexpr std::int64_t kMaxValue = (std::int64_t{128} << kMaxShift) - 1;

  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t total = 0;
  std::int64_t max_seen = 0;
  std::int64_t min_seen = 0;  // valid only when total > 0

  // Negative values (a clock read before the intended time) count as 0; huge ones saturate.
  static std::int64_t clamp(std::int64_t v) { return std::clamp<std::int64_t>(v, 0, kMaxValue); }

  static int bucket_of(std::int64_t v) {
    v = clamp(v);
    if (v < kExactBelow) return static_cast<int>(v);
    const int msb = std::bit_width(static_cast<std::uint64_t>(v)) - 1;  // >= 7
    const int shift = msb - 6;  // v >> shift lands in [64, 127]
    return kExactBelow + (shift - 1) * kSubBuckets + static_cast<int>((v >> shift) - 64);
  }
  // Largest value that falls in bucket i.
  static std::int64_t bucket_upper(int i) {
    if (i < kExactBelow) return i;
    const int shift = (i - kExactBelow) / kSubBuckets + 1;
    const std::int64_t m = (i - kExactBelow) % kSubBuckets + 64;
    return ((m + 1) << shift) - 1;
  }

  void record(std::int64_t v) {
    v = clamp(v);
    ++counts[static_cast<std::size_t>(bucket_of(v))];
    min_seen = total == 0 ? v : std::min(min_seen, v);
    max_seen = std::max(max_seen, v);
    ++total;
  }

  // For a histogram in shared memory written by several processes: lock-free, and each field
  // is individually consistent (readers read after the writers are done).
  void record_shared(std::int64_t v) {
    v = clamp(v);
    std::atomic_ref<std::uint64_t>(counts[static_cast<std::size_t>(bucket_of(v))])
        .fetch_add(1, std::memory_order_relaxed);
    std::atomic_ref<std::int64_t> mx(max_seen);
    for (std::int64_t cur = mx.load(); v > cur && !mx.compare_exchange_weak(cur, v);) {
    }
    std::atomic_ref<std::int64_t> mn(min_seen);
    std::atomic_ref<std::uint64_t> tot(total);
    // min_seen starts at 0 in zeroed memory; the first writer (total 0 -> 1) sets it.
    if (tot.fetch_add(1, std::memory_order_acq_rel) == 0) {
      mn.store(v);
    } else {
      for (std::int64_t cur = mn.load(); v < cur && !mn.compare_exchange_weak(cur, v);) {
      }
    }
  }

  void merge(const LatencyHistogram& o) {
    if (o.total == 0) return;
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
    min_seen = total == 0 ? o.min_seen : std::min(min_seen, o.min_seen);
    max_seen = std::max(max_seen, o.max_seen);
    total += o.total;
  }

  void reset() { *this = LatencyHistogram{}; }

  // The value at percentile p (0..100): the upper bound of the bucket holding that rank, never
  // above the largest value recorded. 0 when empty.
  std::int64_t percentile(double p) const {
    if (total == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(total) + 0.5);
    rank = std::clamp<std::uint64_t>(rank, 1, total);
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts[static_cast<std::size_t>(i)];
      if (seen >= rank) return std::clamp(bucket_upper(i), min_seen, max_seen);
    }
    return max_seen;
  }
};

static_assert(std::is_trivially_copyable_v<LatencyHistogram>);

}  // namespace sigh::bench
