// `sigharness serve SPEC`: a real master from the spec's topology, in the foreground.
#include <fmt/format.h>

#include <ostream>
#include <variant>

#include "commands.h"
#include "sigharness/real/serve.h"
#include "sigharness/scenario.h"

namespace sigh::cli {

int cmd_serve(const ServeArgs& args, std::ostream& out, std::ostream& err) {
  (void)out;  // everything is logged to stderr
  auto loaded = load_scenario_file(args.spec);
  if (auto* e = std::get_if<SpecError>(&loaded)) {
    err << e->message() << "\n";
    return kExitBadInput;
  }
  real::ServeOptions o;
  o.pid_file = args.pid_file;
  o.listen = args.listen;
  o.allow = args.allow;
  o.json_log = args.log_format == "json";
  if (args.log_format != "json" && args.log_format != "text") {
    err << fmt::format("error: --log-format {}: expected text or json\n", args.log_format);
    return kExitBadInput;
  }
  auto backend = real::parse_timer_backend(args.timer_backend);
  if (!backend) {
    err << fmt::format("error: --timer-backend {}: expected timerfd, rbtree or wheel\n",
                       args.timer_backend);
    return kExitBadInput;
  }
  o.rb_backend = *backend;
  return real::serve(std::get<Scenario>(loaded), o, err);
}

}  // namespace sigh::cli
