#include <ostream>
#include <variant>

#include "commands.h"
#include "explain.h"
#include "topology_arg.h"

namespace sigh::cli {

int cmd_explain(const ExplainArgs& args, std::ostream& out, std::ostream& err) {
  auto profile = parse_profile(args.profile);
  if (!profile) {
    err << "error: --profile \"" << args.profile << "\" is not a profile (strict, uwsgi-2.0)\n";
    return kExitBadInput;
  }
  auto topo = parse_topology_arg(args.topology);
  if (auto* msg = std::get_if<std::string>(&topo)) {
    err << "error: " << *msg << "\n";
    return kExitBadInput;
  }
  Explanation e = explain_target(args.target, *profile, std::get<Topology>(topo));
  out << e.text;
  // A target that strict rejects is bad input for the user; uwsgi-2.0 always "means" something.
  return (*profile == Profile::strict && !e.ok) ? kExitBadInput : kExitOk;
}

}  // namespace sigh::cli
