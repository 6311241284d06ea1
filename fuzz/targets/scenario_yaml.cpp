// Fuzz target: the scenario YAML loader and validator. Any input must give a
// Scenario or a SpecError (never a crash or an escaped exception); an accepted
// scenario must survive a write/load round trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "sigharness/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = sigh::load_scenario_string(text, "fuzz.yaml");
  if (auto* err = std::get_if<sigh::SpecError>(&loaded)) {
    if (err->what.empty() || err->loc.line < 0 || err->loc.column < 0) {
      std::fprintf(stderr, "scenario-yaml finding: error without a message or a place\n");
      std::abort();
    }
    return 0;
  }
  std::string again = sigh::scenario_to_yaml(std::get<sigh::Scenario>(loaded));
  auto reloaded = sigh::load_scenario_string(again, "roundtrip.yaml");
  if (auto* err = std::get_if<sigh::SpecError>(&reloaded)) {
    std::fprintf(stderr,
                 "scenario-yaml finding: accepted scenario does not round-trip: %s\n---\n%s\n",
                 err->message().c_str(), again.c_str());
    std::abort();
  }
  return 0;
}
