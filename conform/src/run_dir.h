#pragma once
// The files of one run: ini, generated app + mule scripts, config.json, the
// scenario's files mapped under the temp dir.
#include <map>
#include <string>

#include "sigharness/conform/uwsgi_backend.h"

namespace sigh::conform::detail {

struct RunDir {
  std::string root;  // /tmp/sigh-uwsgi-XXXXXX
  std::string ini, log, events, stats, fifo;
  std::map<std::string, std::string> files;  // scenario path -> real path
  std::string worker_socket(int w) const { return root + "/w" + std::to_string(w) + ".sock"; }
  std::string mapped(const std::string& scenario_path) const;  // unknown paths map too
};

// Creates the temp dir and writes everything. Returns "" or the error.
std::string prepare_run_dir(const Scenario& s, RunDir& d);
void remove_run_dir(const RunDir& d);

}  // namespace sigh::conform::detail
