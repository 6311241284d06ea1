#pragma once
// The signal table (reference §2.1, §14.1): 256 numbers x (W+1) rows. Row 0 is
// the master's (inherited by every child at fork); row k is worker k's. Mules
// and spoolers read handlers from row 0 (C5). The table also remembers who
// registered each entry, so routing can apply U1 (row 0 only) or S1 (the most
// recent registration anywhere).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sigharness/duration.h"
#include "sigharness/process_id.h"

namespace sigh::sim {

struct Entry {
  bool registered = false;
  std::string receiver;
  int owner = 0;  // 0: the master (inherited), k: worker k registered it after fork
  Nanos duration = 0;
  bool crash = false;
  int incarnation = 0;    // the owner's incarnation when it registered (stale pointers, §2.9)
  std::uint64_t seq = 0;  // registration order, for S1
};

class SignalTable {
 public:
  using Row = std::array<Entry, 256>;

  explicit SignalTable(int workers) : rows_(static_cast<std::size_t>(workers) + 1) {}

  int rows() const { return static_cast<int>(rows_.size()); }
  const Entry& at(int row, int sig) const {
    return rows_[static_cast<std::size_t>(row)][static_cast<std::size_t>(sig)];
  }
  // C5: worker k runs handlers from row k; the master, mules and spoolers from row 0.
  static int handler_row(const ProcessId& p) { return p.kind == ProcessKind::worker ? p.index : 0; }
  const Entry& handler_for(const ProcessId& p, int sig) const { return at(handler_row(p), sig); }

  void set(int row, int sig, Entry e);         // one cell
  void set_all_rows(int sig, const Entry& e);  // the master writes every row (strict)
  void copy_row0_to_all();                     // uwsgi-2.0 §2.2 step 8 (whole rows)
  void clear(int row, int sig);                // one cell
  void clear_all_rows(int sig);                // every cell of that number
  // S11: the row of a new incarnation of worker k starts as the master's row.
  // Returns true when the row held entries worker k registered itself.
  bool reset_row_to_master(int row);

  bool registered_anywhere(int sig) const { return any_[static_cast<std::size_t>(sig)]; }
  // S1: the receiver of the most recent registration of sig in any row
  // (nullptr when none).
  const Entry* newest(int sig) const {
    const int r = newest_row_[static_cast<std::size_t>(sig)];
    return r < 0 ? nullptr : &at(r, sig);
  }
  // Bumped whenever anything about sig changes: routing caches compare it.
  std::uint64_t version(int sig) const { return version_[static_cast<std::size_t>(sig)]; }
  std::uint64_t next_seq() { return ++seq_; }

 private:
  void changed(int sig);
  std::vector<Row> rows_;
  std::array<bool, 256> any_{};
  std::array<int, 256> newest_row_ = filled(-1);
  std::array<std::uint64_t, 256> version_ = filled<std::uint64_t>(1);
  std::uint64_t seq_ = 0;

  template <typename T>
  static std::array<T, 256> filled(T v) {
    std::array<T, 256> a{};
    a.fill(v);
    return a;
  }
};

}  // namespace sigh::sim
