#pragma once
// The runtime signal API modelled on uwsgiconf.runtime.signals (seed-apis.md §1,
// §4.2, §4.3): a backend seam with uWSGI's five primitives, the Signal facade,
// a per-process registry, and an in-memory LoopbackBackend.
//
// Error policy: programming/configuration errors throw (NoFreeSignal,
// RegistrationError incl. invalid targets, WaitError); expected delivery failures
// are values: local send -> [[nodiscard]] SendStatus, remote send ->
// [[nodiscard]] std::error_code (RemoteCondition::rejected / not_delivered).
//
// Decisions (§4.6): allocation is faithful (first number not registered, scanning
// 0..255, nothing reserved: two unregistered Signal(rt) get the same number);
// the registry is written BEFORE the after_registered callback (deviation: uWSGI
// cannot unregister, so a throwing callback must not leave an invisible handler);
// re-registering a number replaces its registry entry (uwsgiconf v2 semantics).
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "sigharness/real/remote_protocol.h"
#include "sigharness/signal_number.h"
#include "sigharness/target.h"

namespace sigh::real {

using Handler = std::function<void(SignalNumber)>;

// Accepts void(SignalNumber) and nullary callables (≙ uwsgiconf dropping the
// argument for functions without parameters).
template <class F>
Handler make_handler(F&& f) {
  if constexpr (std::is_invocable_v<F&, SignalNumber>) {
    return Handler(std::forward<F>(f));
  } else {
    static_assert(std::is_invocable_v<F&>, "handler must take (SignalNumber) or nothing");
    return [g = std::forward<F>(f)](SignalNumber) mutable { g(); };
  }
}

enum class SendStatus { queued, queue_full };

struct SignalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct NoFreeSignal : SignalError {
  NoFreeSignal() : SignalError("No uWSGI signals available.") {}
};
struct RegistrationError : SignalError {
  enum class Reason {
    invalid_target,  // strict grammar refused the target (message from TargetError)
    target_too_long,
    no_master,
    not_master_or_worker,
    master_reregister,
  };
  RegistrationError(Reason r, const std::string& what) : SignalError(what), reason(r) {}
  Reason reason;
};
struct WaitError : SignalError {
  enum class Reason { poll_failed, interrupted, not_in_request, nothing_pending };
  WaitError(Reason r, const std::string& what) : SignalError(what), reason(r) {}
  Reason reason;
};

class SignalBackend {
 public:
  virtual ~SignalBackend() = default;
  virtual bool is_registered(SignalNumber) const = 0;                      // caller's slice
  virtual void register_signal(SignalNumber, const Target&, Handler) = 0;  // RegistrationError
  virtual SendStatus send_local(SignalNumber) = 0;                         // never throws
  virtual std::error_code send_remote(SignalNumber, const RemoteAddress&) = 0;
  virtual SignalNumber wait(std::optional<SignalNumber> only) = 0;  // WaitError
  virtual int last_received_raw()
      const = 0;  // 0 at start (= "signal 0 or none"), -1 after a failed wait
};

struct SignalDescription {
  SignalNumber num = 0;
  std::string target;  // canonical receiver string
  Handler handler;
};

class SignalRegistry {
 public:
  void record(SignalDescription d);  // last write wins
  const SignalDescription* find(SignalNumber n) const noexcept;
  std::vector<SignalDescription> all() const;  // ascending by number (stable for reports)
  std::size_t size() const noexcept { return entries_.size(); }
  void clear() noexcept { entries_.clear(); }

 private:
  std::map<SignalNumber, SignalDescription> entries_;
};

// One per (virtual) process: a backend plus that process's registry.
class Runtime {
 public:
  explicit Runtime(SignalBackend& backend) : backend_(&backend) {}
  SignalBackend& backend() const noexcept { return *backend_; }
  SignalRegistry& registry() noexcept { return registry_; }
  const SignalRegistry& registry() const noexcept { return registry_; }

 private:
  SignalBackend* backend_;
  SignalRegistry registry_;
};

// ≙ get_available_num(): first number in 0..255 not registered; NoFreeSignal.
SignalNumber first_free_signal(const SignalBackend& backend);

class Signal {
 public:
  // nullopt: allocate with first_free_signal() (no reservation). 0 is an ordinary
  // explicit number (post-2b7abf5 uwsgiconf).
  explicit Signal(Runtime& rt, std::optional<SignalNumber> num = std::nullopt);

  SignalNumber num() const noexcept { return num_; }
  explicit operator SignalNumber() const noexcept { return num_; }
  bool registered() const;

  // Validates `target` with parse_target_strict ("" -> worker); RegistrationError
  // {invalid_target} names the offending character. Then backend.register_signal,
  // registry.record, then after_registered(*this) (exceptions propagate after the
  // registry is written).
  template <class F>
  Signal& register_handler(std::string_view target, F&& f,
                           std::function<void(Signal&)> after_registered = {}) {
    return register_impl(target, make_handler(std::forward<F>(f)), std::move(after_registered));
  }
  template <class F>
  Signal& operator()(F&& f) {  // ≙ using a Signal as a decorator: default target
    return register_handler("", std::forward<F>(f));
  }

  [[nodiscard]] SendStatus send() const;
  [[nodiscard]] std::error_code send(const RemoteAddress& remote) const;
  [[nodiscard]] std::error_code send(std::string_view remote) const;  // bad_address on parse error
  void wait() const;  // waits for this number only (uwsgiconf has no "any")

 private:
  Signal& register_impl(std::string_view target, Handler h,
                        std::function<void(Signal&)> after_registered);
  Runtime* rt_;
  SignalNumber num_;
};

struct LastReceived {
  int raw = 0;  // faithful: 0 = "signal 0 or none", -1 = failed wait
  const SignalDescription* description = nullptr;  // when raw is in this registry
  // nullopt only for -1; 0 stays ambiguous because uWSGI makes it so.
  std::optional<SignalNumber> num() const {
    return raw < 0 ? std::nullopt : checked_signal_number(raw);
  }
};
LastReceived last_received(const Runtime& rt);

// Single-process reference backend. send_local() appends to a bounded FIFO;
// pump() runs handlers of queued signals; wait() consumes the queue like
// uwsgi_signal_wait (handlers of every consumed signal run, including the one it
// returns for) and, having no other process to wait for, throws
// WaitError{nothing_pending} when the queue runs dry. Remote sends go through
// the real client (send_remote in remote_client.h).
class LoopbackBackend final : public SignalBackend {
 public:
  enum class Role { master, worker };  // master: re-registration refused (uWSGI 2.0)
  struct Options {
    Role role = Role::worker;
    std::size_t queue_capacity = 278;  // uWSGI's default socketpair capacity (reference)
    std::chrono::milliseconds remote_timeout{4000};  // ≙ --socket-timeout
  };
  LoopbackBackend() : LoopbackBackend(Options{}) {}
  explicit LoopbackBackend(Options o) : opts_(o) {}

  bool is_registered(SignalNumber n) const override;
  void register_signal(SignalNumber n, const Target& t, Handler h) override;
  SendStatus send_local(SignalNumber n) override;
  std::error_code send_remote(SignalNumber n, const RemoteAddress& a) override;
  SignalNumber wait(std::optional<SignalNumber> only) override;
  int last_received_raw() const override { return last_received_; }

  std::size_t pump();  // runs handlers for everything queued; returns how many were consumed
  std::size_t pending() const noexcept { return queue_.size(); }
  std::size_t dropped() const noexcept { return dropped_; }      // queue_full count
  std::size_t unhandled() const noexcept { return unhandled_; }  // consumed without a handler
  const std::string* receiver(SignalNumber n) const;             // the stored target string

 private:
  struct Entry {
    std::string receiver;
    Handler handler;
  };
  void deliver(SignalNumber n);
  Options opts_;
  std::map<SignalNumber, Entry> table_;
  std::deque<SignalNumber> queue_;
  std::size_t dropped_ = 0;
  std::size_t unhandled_ = 0;
  int last_received_ = 0;
};

}  // namespace sigh::real
