// Coverage probes ("sometimes" assertions): each rare path must fire at least
// once across the generated cases of this run, or the suite fails.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <map>

#include "chaos_gen.h"

namespace sigh::prop {

TEST(CoverageProbes, EveryRarePathFires) {
  std::map<std::string, std::uint64_t> total;
  bool ok = rc::check("swarm runs accumulate probes", [&] {
    ChaosCase c = *gen_chaos_case();
    auto r = run_chaos(c);
    for (const auto& [name, n] : r.stats.probes) {
      total[name] += n;
      RC_TAG(name);
    }
  });
  EXPECT_TRUE(ok);
  for (const char* probe : {"queue-full", "timer-overrun", "cron-midnight", "clock-step-back",
                            "respawn-with-backlog", "pool-race"}) {
    EXPECT_GT(total[probe], 0u) << "coverage probe never fired: " << probe;
  }
}

}  // namespace sigh::prop
