// Hierarchical timing wheel: 4 levels x 64 slots over a 1 ms tick (level L spans 64^(L+1) ticks),
// plus an overflow list beyond 2^24 ticks (~4.6 h). A timer sits in the level of the highest
// 6-bit group in which its due tick differs from the current tick, and is cascaded down when the
// current tick enters its block. Due times are rounded up to the tick, so fires are up to 1 ms
// late; the period arithmetic itself is exact (multiples of the period from arming, S8).
#include <algorithm>
#include <array>
#include <unordered_map>

#include "timers/backends.h"

namespace sigh::real::detail {
namespace {

constexpr Nanos kTick = kNsPerMs;
constexpr int kBits = 6;
constexpr std::int64_t kSlots = 1 << kBits;
constexpr std::int64_t kMaxStep = std::int64_t{1} << 20;  // beyond this, rebuild instead of ticking

class WheelBackend final : public TimerBackend {
 public:
  TimerBackendKind kind() const override { return TimerBackendKind::wheel; }

  bool add(int id, Nanos period, int iterations, Nanos now) override {
    if (period <= 0 || iterations < 0 || timers_.count(id)) return false;
    if (timers_.empty()) cur_ = floor_tick(now);
    Timer& t = timers_[id];
    t = Timer{period, iterations, 0, now, now + period, seq_++, ++gen_};
    place(id);
    return true;
  }

  bool remove(int id) override { return timers_.erase(id) > 0; }  // slots are cleaned lazily

  std::optional<Nanos> next_timeout(Nanos now) const override {
    std::optional<Nanos> best;
    for (const auto& [id, t] : timers_) {
      Nanos d = std::max<Nanos>(0, due_tick(t) * kTick - now);
      if (!best || d < *best) best = d;
    }
    return best;
  }

  std::vector<TimerFire> expire(Nanos now) override {
    std::vector<TimerFire> out;
    const std::int64_t target = floor_tick(now);
    fire_ready(out);
    if (target - cur_ > kMaxStep) {
      cur_ = target;
      std::vector<int> ids;
      for (auto& [id, t] : timers_) ids.push_back(id);
      for (auto& lvl : slots_)
        for (auto& s : lvl) s.clear();
      overflow_.clear();
      for (int id : ids) place(id, ++gen_);
      fire_ready(out);
      return out;
    }
    while (cur_ < target) {
      ++cur_;
      if ((cur_ & (kSlots - 1)) == 0) cascade_from(cur_);
      auto slot = std::move(slots_[0][static_cast<std::size_t>(cur_ & (kSlots - 1))]);
      slots_[0][static_cast<std::size_t>(cur_ & (kSlots - 1))].clear();
      for (const Ref& r : slot) replace(r);
      fire_ready(out);
    }
    return out;
  }

  int fd() const override { return -1; }
  std::size_t size() const override { return timers_.size(); }

 private:
  struct Timer {
    Nanos period;
    int iterations;
    int done;
    Nanos armed_at;
    Nanos due;
    std::uint64_t seq;
    std::uint64_t gen;  // a slot reference is live only while gens match
  };
  struct Ref {
    int id;
    std::uint64_t gen;
  };

  static std::int64_t floor_tick(Nanos t) {
    return t >= 0 ? t / kTick : -((-t + kTick - 1) / kTick);
  }
  static std::int64_t due_tick(const Timer& t) { return -floor_tick(-t.due); }  // ceil

  void place(int id) { place(id, timers_.at(id).gen); }
  void place(int id, std::uint64_t gen) {
    Timer& t = timers_.at(id);
    t.gen = gen;
    const std::int64_t dt = due_tick(t);
    if (dt <= cur_) {
      ready_.push_back({id, gen});
      return;
    }
    for (int level = 0; level < 4; ++level) {
      const int up = kBits * (level + 1);
      if ((dt >> up) == (cur_ >> up)) {
        slots_[static_cast<std::size_t>(level)]
              [static_cast<std::size_t>((dt >> (kBits * level)) & (kSlots - 1))]
                  .push_back({id, gen});
        return;
      }
    }
    overflow_.push_back({id, gen});
  }

  bool live(const Ref& r) const {
    auto it = timers_.find(r.id);
    return it != timers_.end() && it->second.gen == r.gen;
  }
  void replace(const Ref& r) {
    if (live(r)) place(r.id, r.gen);
  }

  // The current tick just entered a new block at level 1 (and maybe higher): pull that block's
  // timers down, highest level first.
  void cascade_from(std::int64_t tick) {
    int top = 1;
    while (top < 4 && ((tick >> (kBits * top)) & (kSlots - 1)) == 0) ++top;
    if (top == 4) {
      auto over = std::move(overflow_);
      overflow_.clear();
      for (const Ref& r : over) replace(r);
      top = 3;
    }
    for (int level = top; level >= 1; --level) {
      auto& s = slots_[static_cast<std::size_t>(level)]
                      [static_cast<std::size_t>((tick >> (kBits * level)) & (kSlots - 1))];
      auto moved = std::move(s);
      s.clear();
      for (const Ref& r : moved) replace(r);
    }
  }

  void fire_ready(std::vector<TimerFire>& out) {
    while (!ready_.empty()) {
      std::vector<Ref> batch;
      for (const Ref& r : ready_)
        if (live(r)) batch.push_back(r);
      ready_.clear();
      std::sort(batch.begin(), batch.end(), [&](const Ref& a, const Ref& b) {
        const Timer& x = timers_.at(a.id);
        const Timer& y = timers_.at(b.id);
        return x.due != y.due ? x.due < y.due : x.seq < y.seq;
      });
      for (const Ref& r : batch) {
        Timer& t = timers_.at(r.id);
        ++t.done;
        out.push_back({r.id, 1, t.done});
        if (t.iterations > 0 && t.done >= t.iterations) {
          timers_.erase(r.id);
          continue;
        }
        t.due = t.armed_at + static_cast<Nanos>(t.done + 1) * t.period;
        t.seq = seq_++;
        place(r.id, ++gen_);
      }
    }
  }

  std::array<std::array<std::vector<Ref>, kSlots>, 4> slots_;
  std::vector<Ref> overflow_, ready_;
  std::unordered_map<int, Timer> timers_;
  std::int64_t cur_ = 0;
  std::uint64_t seq_ = 0, gen_ = 0;
};

}  // namespace

std::unique_ptr<TimerBackend> make_wheel_backend() { return std::make_unique<WheelBackend>(); }

}  // namespace sigh::real::detail
