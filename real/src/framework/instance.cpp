#include "framework/instance.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "sigharness/target.h"

namespace sigh::real::detail {

int Instance::proc_index(const ProcessId& id) const {
  for (std::size_t i = 0; i < procs.size(); ++i)
    if (procs[i].id == id) return static_cast<int>(i);
  return -1;
}

bool write_byte(Instance& in, int q, int sig, std::int64_t* depth) {
  QueueCounter& c = in.shm.queue(q);
  const QueueDef& d = in.queues[static_cast<std::size_t>(q)];
  // Reserve a slot first: the counter is the capacity authority, shared by every writer.
  std::int64_t before = c.written.fetch_add(1) - c.consumed.load();
  if (before >= d.capacity) {
    c.written.fetch_sub(1);
    return false;
  }
  auto b = static_cast<unsigned char>(sig);
  ssize_t n;
  do {
    n = ::write(d.wfd, &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) {  // the kernel buffer is smaller than the configured capacity: still a rejection
    c.written.fetch_sub(1);
    return false;
  }
  if (depth) *depth = before + 1;
  return true;
}

int read_byte(Instance& in, int q) {
  unsigned char b = 0;
  ssize_t n;
  do {
    n = ::read(in.queues[static_cast<std::size_t>(q)].rfd, &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return -1;
  in.shm.queue(q).consumed.fetch_add(1);
  return b;
}

bool send_ctl(int fd, const CtlMsg& m) {
  ssize_t n;
  do {
    n = ::send(fd, &m, sizeof m, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof m);
}

std::optional<CtlMsg> recv_ctl(int fd) {
  CtlMsg m;
  ssize_t n;
  do {
    n = ::recv(fd, &m, sizeof m, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof m)) return std::nullopt;
  return m;
}

bool register_entry(Instance& in, const ProcessId& by, int sig, const std::string& receiver,
                    int handler) {
  const std::string who = by.str();
  if (by.kind == ProcessKind::mule || by.kind == ProcessKind::spooler) {
    in.sink.emit(EventKind::register_error, sig, who, {}, receiver,
                 "only the master and the workers can register signal handlers");
    return false;
  }
  // S2: the target is validated now, not at routing time.
  auto parsed = parse_target_strict(receiver);
  std::optional<TargetError> err;
  if (auto* e = std::get_if<TargetError>(&parsed))
    err = *e;
  else
    err = validate_target(std::get<Target>(parsed), in.topo);
  if (err) {
    in.sink.emit(EventKind::register_error, sig, who, {}, receiver, err->message());
    return false;
  }
  {
    TableLock lock(in.shm);
    TableEntry e;
    std::memcpy(e.receiver, receiver.data(), receiver.size());  // <= 63 bytes (validated)
    e.owner = by.kind == ProcessKind::worker ? by.index : 0;
    e.handler = handler;
    e.seq = ++in.shm.header().seq;
    e.registered = 1;
    if (by.kind == ProcessKind::master) {
      for (int r = 0; r < in.shm.rows(); ++r) in.shm.entry(r, sig) = e;  // S2: every row
    } else {
      in.shm.entry(by.index, sig) = e;  // C5: only the registering worker's row
    }
  }
  in.sink.emit(EventKind::register_ok, sig, who, {}, receiver);
  return true;
}

bool unregister_entry(Instance& in, const ProcessId& by, int sig) {
  const std::string who = by.str();
  if (by.kind != ProcessKind::master && by.kind != ProcessKind::worker) {
    in.sink.emit(EventKind::register_error, sig, who, {}, {},
                 "only the master and the workers own table entries");
    return false;
  }
  {
    TableLock lock(in.shm);
    if (by.kind == ProcessKind::master) {
      for (int r = 0; r < in.shm.rows(); ++r) in.shm.entry(r, sig) = TableEntry{};
    } else {
      in.shm.entry(by.index, sig) = TableEntry{};
    }
  }
  in.sink.emit(EventKind::unregister, sig, who);
  return true;
}

TableEntry visible_entry(Instance& in, int row, int sig) {
  TableLock lock(in.shm);
  return in.shm.entry(row, sig);
}

std::optional<std::string> routing_receiver(Instance& in, int sig) {
  TableLock lock(in.shm);
  const TableEntry* best = nullptr;
  for (int r = 0; r < in.shm.rows(); ++r) {
    const TableEntry& e = in.shm.entry(r, sig);
    if (e.registered && (!best || e.seq > best->seq)) best = &e;
  }
  if (!best) return std::nullopt;
  return std::string(best->receiver, strnlen(best->receiver, kReceiverLen));
}

bool registered_anywhere(Instance& in, int sig) { return routing_receiver(in, sig).has_value(); }

}  // namespace sigh::real::detail
