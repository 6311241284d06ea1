// rb-tree timers: std::multimap is libstdc++'s red-black tree (_Rb_tree), so this is the same
// structure uWSGI uses (core/rb_timers.c), keyed by an absolute due time in ns instead of whole
// seconds. Equal due times keep insertion order (multimap inserts at the upper bound).
#include <map>
#include <unordered_map>

#include "timers/backends.h"

namespace sigh::real::detail {
namespace {

class RbTreeBackend final : public TimerBackend {
 public:
  TimerBackendKind kind() const override { return TimerBackendKind::rbtree; }

  bool add(int id, Nanos period, int iterations, Nanos now) override {
    if (period <= 0 || iterations < 0 || timers_.count(id)) return false;
    Timer t{period, iterations, 0, now, {}};
    t.node = tree_.emplace(now + period, id);
    timers_.emplace(id, t);
    return true;
  }

  bool remove(int id) override {
    auto it = timers_.find(id);
    if (it == timers_.end()) return false;
    tree_.erase(it->second.node);
    timers_.erase(it);
    return true;
  }

  std::optional<Nanos> next_timeout(Nanos now) const override {
    if (tree_.empty()) return std::nullopt;
    Nanos d = tree_.begin()->first - now;
    return d < 0 ? 0 : d;
  }

  std::vector<TimerFire> expire(Nanos now) override {
    std::vector<TimerFire> out;
    while (!tree_.empty() && tree_.begin()->first <= now) {
      int id = tree_.begin()->second;
      tree_.erase(tree_.begin());
      Timer& t = timers_.at(id);
      ++t.done;
      out.push_back({id, 1, t.done});
      if (t.iterations == 0 || t.done < t.iterations) {
        // S8: exact multiples of the period from arming: no drift from late checks.
        t.node = tree_.emplace(t.armed_at + static_cast<Nanos>(t.done + 1) * t.period, id);
      } else {
        timers_.erase(id);
      }
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
    std::multimap<Nanos, int>::iterator node;
  };
  std::multimap<Nanos, int> tree_;
  std::unordered_map<int, Timer> timers_;
};

}  // namespace

std::unique_ptr<TimerBackend> make_rbtree_backend() { return std::make_unique<RbTreeBackend>(); }

}  // namespace sigh::real::detail
