#include "topology_arg.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace sigh::cli {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool to_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::variant<Topology, std::string> parse_topology_arg(std::string_view s) {
  Topology topo;
  // A token without '=' continues the previous value (farm member lists use commas).
  std::vector<std::pair<std::string, std::string>> kv;
  for (auto tok : split(s, ',')) {
    auto eq = tok.find('=');
    if (eq == std::string_view::npos) {
      if (kv.empty()) return fmt::format("--topology: \"{}\" is not key=value", tok);
      kv.back().second += ',';
      kv.back().second += tok;
    } else {
      kv.emplace_back(std::string(tok.substr(0, eq)), std::string(tok.substr(eq + 1)));
    }
  }
  for (const auto& [key, value] : kv) {
    int n = 0;
    if (key == "workers" || key == "mules" || key == "spoolers" || key == "cheaper" ||
        key == "queue_capacity") {
      if (!to_int(value, n))
        return fmt::format("--topology: {}=\"{}\" is not an integer", key, value);
      if (key == "workers") topo.workers = n;
      if (key == "mules") topo.mules = n;
      if (key == "spoolers") topo.spoolers = n;
      if (key == "cheaper") topo.cheaper_initial = n;
      if (key == "queue_capacity") topo.queue_capacity = n;
    } else if (key == "farms") {
      for (auto farm : split(value, ';')) {
        auto colon = farm.find(':');
        if (colon == std::string_view::npos)
          return fmt::format("--topology: farm \"{}\" must be NAME:MULE[,MULE...]", farm);
        Farm f{std::string(farm.substr(0, colon)), {}};
        for (auto m : split(farm.substr(colon + 1), ',')) {
          if (!to_int(m, n))
            return fmt::format("--topology: farm \"{}\": mule \"{}\" is not an integer", f.name, m);
          f.mules.push_back(n);
        }
        topo.farms.push_back(std::move(f));
      }
    } else if (key == "lazy_apps") {
      if (value != "true" && value != "false")
        return fmt::format("--topology: lazy_apps must be true or false, not \"{}\"", value);
      topo.lazy_apps = value == "true";
    } else {
      return fmt::format(
          "--topology: unknown key \"{}\" (known: workers, mules, spoolers, cheaper, farms, "
          "lazy_apps, queue_capacity)",
          key);
    }
  }
  if (auto err = topo.validate(); !err.empty()) return "--topology: " + err;
  return topo;
}

}  // namespace sigh::cli
