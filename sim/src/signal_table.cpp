#include "signal_table.h"

namespace sigh::sim {

void SignalTable::set(int row, int sig, Entry e) {
  rows_[static_cast<std::size_t>(row)][static_cast<std::size_t>(sig)] = std::move(e);
  changed(sig);
}

void SignalTable::set_all_rows(int sig, const Entry& e) {
  for (auto& row : rows_) row[static_cast<std::size_t>(sig)] = e;
  changed(sig);
}

void SignalTable::copy_row0_to_all() {
  for (std::size_t k = 1; k < rows_.size(); ++k) rows_[k] = rows_[0];
  for (int s = 0; s < 256; ++s) changed(s);
}

void SignalTable::clear(int row, int sig) { set(row, sig, Entry{}); }

void SignalTable::clear_all_rows(int sig) { set_all_rows(sig, Entry{}); }

bool SignalTable::reset_row_to_master(int row) {
  auto& r = rows_[static_cast<std::size_t>(row)];
  bool had_own = false;
  for (const auto& e : r) had_own = had_own || (e.registered && e.owner == row);
  r = rows_[0];
  for (int s = 0; s < 256; ++s) changed(s);
  return had_own;
}

void SignalTable::changed(int sig) {
  const auto i = static_cast<std::size_t>(sig);
  any_[i] = false;
  int best = -1;
  std::uint64_t best_seq = 0;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Entry& e = rows_[r][i];
    if (!e.registered) continue;
    any_[i] = true;
    if (best < 0 || e.seq > best_seq) best = static_cast<int>(r), best_seq = e.seq;
  }
  newest_row_[i] = best;
  ++version_[i];
}

}  // namespace sigh::sim
