#pragma once
// The counter names every benchmark uses, so `sigharness report` can read any of them:
//   lat_p10_ns lat_p25_ns lat_p50_ns lat_p75_ns lat_p90_ns lat_p99_ns lat_p999_ns lat_p9999_ns
//   lat_max_ns lat_min_ns samples
// plus, where they apply, signals_per_second (a rate) and cpu_ns_per_fire.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>

#include "latency_histogram.h"

namespace sigh::bench {

inline void set_latency_counters(benchmark::State& state, const LatencyHistogram& h) {
  static const std::pair<const char*, double> kPoints[] = {
      {"lat_p10_ns", 10}, {"lat_p25_ns", 25}, {"lat_p50_ns", 50},    {"lat_p75_ns", 75},
      {"lat_p90_ns", 90}, {"lat_p99_ns", 99}, {"lat_p999_ns", 99.9}, {"lat_p9999_ns", 99.99}};
  for (const auto& [name, p] : kPoints) state.counters[name] = static_cast<double>(h.percentile(p));
  state.counters["lat_max_ns"] = static_cast<double>(h.max_seen);
  state.counters["lat_min_ns"] = static_cast<double>(h.total ? h.min_seen : 0);
  state.counters["samples"] = static_cast<double>(h.total);
}

}  // namespace sigh::bench
