#include "sigharness/topology.h"

#include <algorithm>
#include <set>
#include <string>

namespace sigh {

bool Topology::is_programmed_mule(int id) const {
  return std::find(programmed_mules.begin(), programmed_mules.end(), id) != programmed_mules.end();
}

namespace {
bool valid_farm_name(const std::string& n) {
  if (n.empty() || n.size() > 58) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}
}  // namespace

std::string Topology::validate() const {
  if (workers < 1 || workers > 1024)
    return "workers must be 1..1024, got " + std::to_string(workers);
  if (mules < 0 || mules > 256) return "mules must be 0..256, got " + std::to_string(mules);
  if (spoolers < 0 || spoolers > 64)
    return "spoolers must be 0..64, got " + std::to_string(spoolers);
  if (cheaper_initial != -1 && (cheaper_initial < 1 || cheaper_initial > workers))
    return "cheaper.initial must be 1..workers (" + std::to_string(workers) + "), got " +
           std::to_string(cheaper_initial);
  if (queue_capacity < 1 || queue_capacity > 1'000'000)
    return "queue_capacity must be 1..1000000, got " + std::to_string(queue_capacity);
  for (int id : programmed_mules)
    if (id < 1 || id > mules)
      return "programmed_mules: mule " + std::to_string(id) +
             " does not exist (mules: " + std::to_string(mules) + ")";
  std::set<std::string> names;
  for (const Farm& f : farms) {
    if (!valid_farm_name(f.name))
      return "farm name \"" + f.name + "\" must be 1..58 characters of [A-Za-z0-9_.-]";
    if (!names.insert(f.name).second) return "farm name \"" + f.name + "\" is used twice";
    if (f.mules.empty()) return "farm \"" + f.name + "\" has no mules";
    for (int m : f.mules)
      if (m < 1 || m > mules)
        return "farm \"" + f.name + "\": mule " + std::to_string(m) +
               " does not exist (mules: " + std::to_string(mules) + ")";
  }
  return {};
}

}  // namespace sigh
