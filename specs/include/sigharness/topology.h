#pragma once
// The shape of an instance: how many of each process, farms, and the knobs that
// change routing. Shared by scenarios, `sigharness explain` and every backend.
#include <string>
#include <vector>

namespace sigh {

struct Farm {
  std::string name;        // farm_<name> target; numbered farms are 1-based in list order
  std::vector<int> mules;  // member mule ids (1-based)
};

struct Topology {
  int workers = 1;
  int cheaper_initial = -1;  // -1: no cheaper; else workers beyond this start cheaped
  int mules = 0;
  std::vector<int>
      programmed_mules;  // mule ids that run a script (signals only inside signal_wait)
  std::vector<Farm> farms;
  int spoolers = 0;
  bool lazy_apps = false;    // uwsgi-2.0: worker-side registrations, routing from row 0
  int queue_capacity = 278;  // bytes per signal socket (uWSGI default SO_SNDBUF => 278)

  bool is_programmed_mule(int id) const;
  // Empty when valid; otherwise a message naming the field and why.
  std::string validate() const;
};

}  // namespace sigh
