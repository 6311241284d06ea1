#include "framework/child.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace sigh::real::detail {
namespace {

class Child final : public ProcessApi {
 public:
  Child(Instance& in, int proc)
      : in_(in), pi_(proc), me_(in.procs[static_cast<std::size_t>(proc)]), name_(me_.id.str()) {
    if (me_.private_q >= 0) queues_.push_back(me_.private_q);
    for (int q : me_.pools) queues_.push_back(q);
    // Two wait sets, chosen by reads_signals(): "reading" holds the control channel and every
    // queue, "busy" only the control channel. A pool queue is added EPOLLEXCLUSIVE, so a byte
    // written to it wakes one waiting reader, not all of them (with poll() every idle worker woke
    // for every byte and all but one found the queue empty: the pool slowed as workers grew).
    // A process that is not waiting on "reading" (busy, or in its handler) takes no wake-up.
    ep_reading_ = epoll_create1(EPOLL_CLOEXEC);
    ep_busy_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_reading_ < 0 || ep_busy_ < 0) _exit(3);
    watch(ep_reading_, me_.ctl_child, 0, false);
    watch(ep_busy_, me_.ctl_child, 0, false);
    for (std::size_t i = 0; i < queues_.size(); ++i)
      watch(ep_reading_, in_.queues[static_cast<std::size_t>(queues_[i])].rfd,
            static_cast<std::uint32_t>(i + 1), queues_[i] != me_.private_q);
    ready_.resize(queues_.size() + 1);
  }
  ~Child() override {
    close(ep_reading_);
    close(ep_busy_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[noreturn]] void loop() {
    for (;;) step(100);
  }

  // ProcessApi
  ProcessId self() const override { return me_.id; }
  int signal_received() const override { return received_; }
  RaiseResult raise(int sig) override {
    return do_raise(sig) ? RaiseResult::ok : RaiseResult::queue_full;
  }
  int signal_wait(std::optional<int> sig, Nanos timeout) override {
    enter_wait(sig ? *sig : -1);
    const Nanos deadline = timeout >= 0 ? in_.sink.now() + timeout : -1;
    while (waiting_) {
      Nanos left = deadline >= 0 ? deadline - in_.sink.now() : 100 * kNsPerMs;
      if (deadline >= 0 && left <= 0) {
        waiting_ = false;
        send_ctl(me_.ctl_child, CtlMsg{CtlType::wait_exit, -1, 0, {}});
        in_.sink.emit(EventKind::note, -1, name_, {}, {}, "signal_wait timed out");
        if (implicit_) end_request();
        return -1;
      }
      step(static_cast<int>(std::min<Nanos>(100, in_.real_from_virtual(left) / kNsPerMs + 1)));
    }
    return wait_result_;
  }

 private:
  bool reads_signals() const {
    switch (me_.id.kind) {
      case ProcessKind::worker:
        return !in_request_ || waiting_;  // C4: sync workers read only when idle
      case ProcessKind::mule:
        return !me_.programmed || waiting_;  // programmed mules: only inside signal_wait
      default:
        return true;
    }
  }

  void step(int timeout_ms) {
    if (in_request_ && req_end_ >= 0) {
      Nanos left = in_.real_from_virtual(req_end_ - in_.sink.now());
      timeout_ms = static_cast<int>(std::clamp<Nanos>(left / kNsPerMs + 1, 0, timeout_ms));
    }
    const bool sig_ok = reads_signals();
    epoll_event evs[16];
    int n = epoll_wait(sig_ok ? ep_reading_ : ep_busy_, evs, 16, timeout_ms);
    if (n < 0 && errno != EINTR) _exit(3);
    std::fill(ready_.begin(), ready_.end(), 0u);
    for (int e = 0; e < n; ++e) ready_[evs[e].data.u32] = evs[e].events;
    if (n > 0 && (ready_[0] & EPOLLIN)) {
      while (auto m = recv_ctl(me_.ctl_child)) on_ctl(*m);
    } else if (n > 0 && (ready_[0] & (EPOLLHUP | EPOLLERR))) {
      _exit(0);
    }
    // One byte per wakeup, rotating over the readable queues (no order between channels, §4.6).
    if (n > 0 && sig_ok && reads_signals()) {
      const std::size_t k = queues_.size();
      for (std::size_t j = 0; j < k; ++j) {
        std::size_t i = (rr_ + j) % k;
        if (!(ready_[i + 1] & EPOLLIN)) continue;
        int sig = read_byte(in_, queues_[i]);
        if (sig < 0) continue;  // another reader of the pool won the byte
        rr_ = i + 1;
        on_byte(queues_[i], sig);
        break;
      }
    }
    if (in_request_ && req_end_ >= 0 && in_.sink.now() >= req_end_) end_request();
  }

  void on_ctl(const CtlMsg& m) {
    switch (m.type) {
      case CtlType::raise:
        for (std::int64_t i = 0; i < std::max<std::int64_t>(1, m.a); ++i) do_raise(m.sig);
        return;
      case CtlType::req_start:
        if (in_request_) {
          in_.sink.emit(EventKind::note, -1, name_, {}, {}, "already in a request");
          return;
        }
        in_request_ = true;
        implicit_ = false;
        req_end_ = m.a >= 0 ? in_.sink.now() + m.a : -1;
        in_.sink.emit(EventKind::request_start, -1, name_);
        return;
      case CtlType::req_finish:
        if (in_request_) end_request();
        return;
      case CtlType::wait:
        if (me_.id.kind == ProcessKind::spooler ||
            (me_.id.kind == ProcessKind::mule && !me_.programmed)) {
          in_.sink.emit(EventKind::note, -1, name_, {}, {},
                        "signal_wait needs a running worker or programmed mule");
          return;
        }
        enter_wait(m.sig);
        return;
      case CtlType::received:
        in_.sink.emit(EventKind::received, -1, name_, {}, {}, {}, received_);
        return;
      case CtlType::reg:
        register_entry(in_, me_.id, m.sig, std::string(m.text, strnlen(m.text, sizeof m.text)),
                       static_cast<int>(m.a));
        return;
      case CtlType::unreg:
        unregister_entry(in_, me_.id, m.sig);
        return;
      case CtlType::give:
        // S5: an unregistered signal the master held for a waiter.
        if (waiting_ && (want_ < 0 || want_ == m.sig)) {
          in_.sink.emit(EventKind::deliver, m.sig, name_, "waiters");
          finish_wait(m.sig);
        } else {
          send_ctl(me_.ctl_child, CtlMsg{CtlType::give_back, m.sig, 0, {}});
        }
        return;
      default:
        return;
    }
  }

  bool do_raise(int sig) {
    const QueueDef& q = in_.queues[static_cast<std::size_t>(me_.upstream)];
    in_.sink.emit(EventKind::raise, sig, name_);
    std::int64_t depth = 0;
    if (!write_byte(in_, me_.upstream, sig, &depth)) {
      in_.sink.emit(EventKind::reject, sig, name_, q.name, {}, "queue-full");  // S4
      return false;
    }
    in_.sink.emit(EventKind::enqueue, sig, name_, q.name, {}, {}, depth);
    return true;
  }

  void enter_wait(int want) {
    if (me_.id.kind == ProcessKind::worker && !in_request_) {
      in_request_ = implicit_ = true;
      req_end_ = -1;
      in_.sink.emit(EventKind::request_start, -1, name_, {}, {}, "implicit (signal_wait)");
    }
    waiting_ = true;
    want_ = want;
    if (want >= 0)
      in_.sink.emit(EventKind::wait_enter, -1, name_, {}, {}, {}, want);
    else
      in_.sink.emit(EventKind::wait_enter, -1, name_);
    send_ctl(me_.ctl_child, CtlMsg{CtlType::wait_enter, want, 0, {}});
  }

  void finish_wait(int sig) {
    waiting_ = false;
    received_ = sig;
    wait_result_ = sig;
    in_.sink.emit(EventKind::wait_return, sig, name_);
    send_ctl(me_.ctl_child, CtlMsg{CtlType::wait_exit, sig, 0, {}});
    if (implicit_) end_request();
  }

  void end_request() {
    in_request_ = implicit_ = false;
    req_end_ = -1;
    in_.sink.emit(EventKind::request_end, -1, name_);
  }

  void on_byte(int q, int sig) {
    in_.sink.emit(EventKind::deliver, sig, name_, in_.queues[static_cast<std::size_t>(q)].name);
    const TableEntry e = visible_entry(in_, me_.row, sig);
    const bool visible =
        e.registered && e.handler >= 0 && static_cast<std::size_t>(e.handler) < in_.handlers.size();
    if (waiting_) {
      const bool match = want_ < 0 || want_ == sig;
      if (visible) {
        run_handler(sig, e.handler);  // S6: handlers of other signals run inside the wait
        if (match) finish_wait(sig);
      } else if (!match) {
        in_.sink.emit(EventKind::unhandled, sig, name_, {}, {},
                      "no handler in this process (signal_wait continues)");
      } else {
        finish_wait(sig);
      }
      return;
    }
    if (visible) {
      run_handler(sig, e.handler);
    } else {
      in_.sink.emit(
          EventKind::unhandled, sig, name_, {}, {},
          registered_anywhere(in_, sig) ? "registered in another process only" : "unregistered");
    }
  }

  void run_handler(int sig, int handler) {
    ProcSlot& slot = in_.shm.proc(pi_);
    in_.sink.emit(EventKind::handler_start, sig, name_);
    slot.in_handler.store(sig);  // the master reports handler-end "crash" if we die now
    in_.handlers[static_cast<std::size_t>(handler)](sig);
    slot.in_handler.store(-1);
    in_.sink.emit(EventKind::handler_end, sig, name_);
  }

  Instance& in_;
  int pi_;
  const ProcDef& me_;
  std::string name_;
  std::vector<int> queues_;
  static void watch(int ep, int fd, std::uint32_t index, bool exclusive) {
    epoll_event ev{};
    ev.events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0u);
    ev.data.u32 = index;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) _exit(3);
  }

  int ep_reading_ = -1, ep_busy_ = -1;
  std::vector<std::uint32_t> ready_;  // epoll events per index: 0 control, i+1 queues_[i]
  std::size_t rr_ = 0;
  bool in_request_ = false, implicit_ = false, waiting_ = false;
  Nanos req_end_ = -1;
  int want_ = -1, wait_result_ = -1, received_ = -1;
};

}  // namespace

void child_main(Instance& in, int proc, pid_t master, const ProgramFn& program) {
  // Die with the master (no orphans even if the test process crashes), default dispositions.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != master) _exit(0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);  // a serving master's SIGHUP (reload) handler is not the child's
  signal(SIGABRT, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
  try {
    Child c(in, proc);
    if (program) program(c);
    c.loop();
  } catch (...) {
    _exit(4);
  }
}

}  // namespace sigh::real::detail
