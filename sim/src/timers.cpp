// Kernel timers (U8, S8) and rb_timers (U9, S8). Timers run on monotonic time;
// uwsgi-2.0 rb_timers read whole wall-clock seconds at master checks.
#include <string>

#include "sim_core.h"

namespace sigh::sim {

void SimCore::add_timer(const TimerSource& t) {
  const std::string where = t.loc.file.empty() ? std::string() : " (" + t.loc.str() + ")";
  if (t.kind == TimerKind::rb_timer) {
    if (strict_ && (t.period <= 0 || t.iterations < 0)) {  // S8: a load error; kept as a guard
      emit(EventKind::note, t.sig, "master", {}, {},
           "strict: rb_timer needs period > 0 and iterations >= 0" + where);
      return;
    }
    rbs_.emplace_back(t);
    if (strict_)  // S8: exact multiples of the period from arming
      schedule(t.at + t.period, kPrioSource, Ev::strict_rb_timer,
               static_cast<int>(rbs_.size()) - 1);
    return;  // uwsgi-2.0: armed at the next master check (uwsgi_rb_timers)
  }
  KernelTimer k{t};
  if (strict_) {
    if (t.period <= 0 || t.iterations < 0) {
      emit(EventKind::note, t.sig, "master", {}, {},
           "strict: timer needs period > 0 and iterations >= 0" + where);
      return;
    }
    k.period = t.period;  // S8: sub-second periods allowed
    k.next_due = t.at + t.period;
  } else {
    // U8: whole seconds (rounded down); 0 disarms; negative fails; no iterations.
    k.period = (t.period / kNsPerSec) * kNsPerSec;
    if (t.iterations != 0)
      emit(EventKind::note, t.sig, "master", {}, {},
           "uwsgi-2.0: kernel timers have no iterations (ignored)" + where);
    if (k.period <= 0) {
      emit(EventKind::note, t.sig, "master", {}, {},
           t.period < 0 ? "timerfd_settime(): Invalid argument: never fires"
                        : "period 0 disarms the timer: never fires");
      return;
    }
    // U8: armed at the next master check (<= 1 s); the period starts there.
    const Nanos arm = t.at == 0 ? 0 : ((t.at + kTick - 1) / kTick) * kTick;
    k.next_due = arm + k.period;
  }
  k.active = true;
  kernel_.push_back(k);
  schedule(k.next_due, kPrioSource, Ev::kernel_timer, static_cast<int>(kernel_.size()) - 1);
}

void SimCore::on_kernel_timer(int i) {
  KernelTimer& k = kernel_[static_cast<std::size_t>(i)];
  if (!k.active) return;
  if (master_stalled()) {  // expirations pile up in the timerfd meanwhile
    schedule(master_busy_until_, kPrioSource, Ev::kernel_timer, i);
    return;
  }
  // timerfd counts expirations; the master reads the count and routes once
  // (U8: coalesced silently by uWSGI; S8: the trace says how many).
  const std::int64_t expirations = 1 + (now() - k.next_due) / k.period;
  k.next_due += expirations * k.period;
  if (expirations > 1) probe(Probe::timer_overrun);
  ++k.fired;
  emit(EventKind::timer_fire, k.src.sig, "master", {}, {}, {}, expirations);
  route(k.src.sig);
  if (strict_ && k.src.iterations > 0 && k.fired >= k.src.iterations) {
    k.active = false;  // S8: iterations for every source
    return;
  }
  schedule(k.next_due, kPrioSource, Ev::kernel_timer, i);
}

void SimCore::on_strict_rb_timer(int i) {
  RbTimer& r = rbs_[static_cast<std::size_t>(i)];
  if (master_stalled()) {
    schedule(master_busy_until_, kPrioSource, Ev::strict_rb_timer, i);
    return;
  }
  ++r.done;
  emit(EventKind::rbtimer_fire, r.src.sig, "master", {}, {}, {}, r.done);
  route(r.src.sig);
  // S8: 0 = forever, N = N firings; exact multiples of the period from arming, no drift.
  if (r.src.iterations == 0 || r.done < r.src.iterations)
    schedule(r.src.at + static_cast<Nanos>(r.done + 1) * r.src.period, kPrioSource,
             Ev::strict_rb_timer, i);
}

// U9 (reference §7.2): expire_rb_timeouts at a master check. `current` is taken
// once; nodes fire while due <= current and are re-inserted at now + secs when
// iterations == 0 || done < iterations (so 1 and negative are one-shot, secs 0
// with N iterations bursts N times). secs <= 0 with iterations 0 never ends.
void SimCore::uwsgi_rb_timers() {
  const std::int64_t current = clock_.wall_s();
  for (RbTimer& r : rbs_) {
    if (!r.active || now() < r.src.at) continue;
    const std::int64_t secs = r.src.period / kNsPerSec;
    if (!r.armed) {
      if (secs <= 0 && r.src.iterations == 0) {
        emit(EventKind::undefined_behaviour, r.src.sig, "master", {}, {},
             "rb_timer with secs <= 0 and infinite iterations: the master spins (or hangs)");
        r.active = false;
        continue;
      }
      r.armed = true;
      r.due_s = current + secs;  // due = floor(now_s) + secs
    }
    while (r.active && r.due_s <= current) {
      ++r.done;
      emit(EventKind::rbtimer_fire, r.src.sig, "master", {}, {}, {}, r.done);
      route(r.src.sig);
      if (r.src.iterations == 0 || r.done < r.src.iterations)
        r.due_s = clock_.wall_s() + secs;  // drift: from the fire time
      else
        r.active = false;
    }
  }
}

}  // namespace sigh::sim
