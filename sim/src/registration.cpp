// Writes to the signal table: register (U3, S2), unregister (S3), lazy-apps
// (C9, in simulator.cpp/lifecycle.cpp) and who may register at all.
#include <variant>

#include "sim_core.h"

namespace sigh::sim {

void SimCore::do_register(const Registration& r) {
  const std::string who = r.by.str();
  if (r.by.kind == ProcessKind::mule || r.by.kind == ProcessKind::spooler) {
    // U3/S2: only the master and the workers own table rows.
    emit(EventKind::register_error, r.sig, who, {}, r.target,
         "only the master and the workers can register signal handlers");
    return;
  }
  if (strict_) {
    // S2: validated at registration; an invalid target leaves the table unchanged.
    auto parsed = parse_target_strict(r.target);
    std::optional<TargetError> err;
    if (auto* e = std::get_if<TargetError>(&parsed))
      err = *e;
    else
      err = validate_target(std::get<Target>(parsed), topo_);
    if (err) {
      emit(EventKind::register_error, r.sig, who, {}, r.target, err->message());
      return;
    }
  } else if (r.target.size() > 63) {
    // U3: never validated, but the receiver must fit uWSGI's receiver[64].
    emit(EventKind::register_error, r.sig, who, {}, r.target,
         "receiver longer than 63 bytes (no log in uWSGI)");
    return;
  }
  Entry e{true,
          r.target,
          r.by.kind == ProcessKind::worker ? r.by.index : 0,
          r.handler_duration,
          r.crash_in_handler,
          0,
          table_.next_seq()};
  if (r.by.kind == ProcessKind::master) {
    if (!strict_ && table_.at(0, r.sig).registered) {
      // U3: the master cannot re-register.
      emit(EventKind::register_error, r.sig, who, {}, r.target,
           "[uwsgi-signal] you cannot re-register a signal as the master !!!");
      return;
    }
    if (strict_) {
      table_.set_all_rows(r.sig, e);  // S2: the master's entry replaces every row's
    } else {
      table_.set(0, r.sig, e);
      table_.copy_row0_to_all();  // U3 / §2.2 step 8: whole row 0 copied into every worker row
    }
  } else {
    e.incarnation = worker(r.by.index).incarnation;
    table_.set(r.by.index, r.sig, std::move(e));
  }
  emit(EventKind::register_ok, r.sig, who, {}, r.target);
}

void SimCore::do_unregister(const UnregisterAction& u) {
  const std::string who = u.by.str();
  if (!strict_) {
    // U3: entries cannot be removed in uWSGI 2.0.
    emit(EventKind::register_error, u.sig, who, {}, {},
         "entries cannot be removed in uwsgi-2.0 (no unregister)");
    return;
  }
  // S3: the master removes the number everywhere; a worker its own row's entry.
  if (u.by.kind == ProcessKind::master) {
    table_.clear_all_rows(u.sig);
  } else if (u.by.kind == ProcessKind::worker) {
    table_.clear(u.by.index, u.sig);
  } else {
    emit(EventKind::register_error, u.sig, who, {}, {},
         "only the master and the workers own table entries");
    return;
  }
  emit(EventKind::unregister, u.sig, who);
}

}  // namespace sigh::sim
