#include "sigharness/real/runtime_signal.h"

#include <fmt/format.h>

#include "sigharness/real/remote_client.h"

namespace sigh::real {

// ---- registry ----

void SignalRegistry::record(SignalDescription d) {
  const SignalNumber n = d.num;
  entries_.insert_or_assign(n, std::move(d));
}

const SignalDescription* SignalRegistry::find(SignalNumber n) const noexcept {
  auto it = entries_.find(n);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<SignalDescription> SignalRegistry::all() const {
  std::vector<SignalDescription> out;
  out.reserve(entries_.size());
  for (const auto& [n, d] : entries_) out.push_back(d);
  return out;
}

// ---- Signal ----

SignalNumber first_free_signal(const SignalBackend& backend) {
  for (int n = 0; n < kSignalCount; ++n) {
    if (!backend.is_registered(static_cast<SignalNumber>(n))) return static_cast<SignalNumber>(n);
  }
  throw NoFreeSignal();
}

Signal::Signal(Runtime& rt, std::optional<SignalNumber> num)
    : rt_(&rt), num_(num ? *num : first_free_signal(rt.backend())) {}

bool Signal::registered() const { return rt_->backend().is_registered(num_); }

Signal& Signal::register_impl(std::string_view target, Handler h,
                              std::function<void(Signal&)> after_registered) {
  auto parsed = parse_target_strict(target);
  if (auto* e = std::get_if<TargetError>(&parsed)) {
    throw RegistrationError(RegistrationError::Reason::invalid_target,
                            fmt::format("signal {}: {}", num_, e->message()));
  }
  const Target& t = std::get<Target>(parsed);
  rt_->backend().register_signal(num_, t, h);
  rt_->registry().record(SignalDescription{num_, t.str(), std::move(h)});
  if (after_registered) after_registered(*this);
  return *this;
}

SendStatus Signal::send() const { return rt_->backend().send_local(num_); }

std::error_code Signal::send(const RemoteAddress& remote) const {
  return rt_->backend().send_remote(num_, remote);
}

std::error_code Signal::send(std::string_view remote) const {
  auto parsed = parse_remote_address(remote);
  if (std::holds_alternative<AddressError>(parsed)) return make_error_code(RemoteErrc::bad_address);
  return send(std::get<RemoteAddress>(parsed));
}

void Signal::wait() const { (void)rt_->backend().wait(num_); }

LastReceived last_received(const Runtime& rt) {
  LastReceived r;
  r.raw = rt.backend().last_received_raw();
  if (auto n = checked_signal_number(r.raw)) r.description = rt.registry().find(*n);
  return r;
}

// ---- LoopbackBackend ----

bool LoopbackBackend::is_registered(SignalNumber n) const { return table_.count(n) != 0; }

const std::string* LoopbackBackend::receiver(SignalNumber n) const {
  auto it = table_.find(n);
  return it == table_.end() ? nullptr : &it->second.receiver;
}

void LoopbackBackend::register_signal(SignalNumber n, const Target& t, Handler h) {
  std::string receiver = t.str();
  if (receiver.size() > 63) {
    throw RegistrationError(RegistrationError::Reason::target_too_long,
                            fmt::format("signal {}: receiver \"{}\" is {} bytes, the limit is 63",
                                        n, receiver, receiver.size()));
  }
  if (opts_.role == Role::master && table_.count(n) != 0) {
    throw RegistrationError(
        RegistrationError::Reason::master_reregister,
        fmt::format("signal {}: you cannot re-register a signal as the master", n));
  }
  table_.insert_or_assign(n, Entry{std::move(receiver), std::move(h)});
}

SendStatus LoopbackBackend::send_local(SignalNumber n) {
  if (queue_.size() >= opts_.queue_capacity) {
    ++dropped_;
    return SendStatus::queue_full;
  }
  queue_.push_back(n);
  return SendStatus::queued;
}

std::error_code LoopbackBackend::send_remote(SignalNumber n, const RemoteAddress& a) {
  return real::send_remote(n, a, opts_.remote_timeout).error;
}

void LoopbackBackend::deliver(SignalNumber n) {
  auto it = table_.find(n);
  if (it == table_.end() || !it->second.handler) {
    ++unhandled_;  // uWSGI: "error managing signal N on worker K"
    return;
  }
  Handler h = it->second.handler;  // a handler may re-register its own number
  h(n);
}

std::size_t LoopbackBackend::pump() {
  std::size_t n = 0;
  while (!queue_.empty()) {
    const SignalNumber s = queue_.front();
    queue_.pop_front();
    ++n;
    deliver(s);
  }
  return n;
}

SignalNumber LoopbackBackend::wait(std::optional<SignalNumber> only) {
  last_received_ = -1;  // as uwsgi_signal_wait does at its start
  while (!queue_.empty()) {
    const SignalNumber s = queue_.front();
    queue_.pop_front();
    deliver(s);
    if (!only || *only == s) {
      last_received_ = s;
      return s;
    }
  }
  throw WaitError(
      WaitError::Reason::nothing_pending,
      only ? fmt::format("error waiting for signal {}: nothing pending in loopback", *only)
           : std::string("error waiting for signal: nothing pending in loopback"));
}

}  // namespace sigh::real
