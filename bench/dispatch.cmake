# Dispatch throughput and latency: our real framework, and the raw two-hop relay reference.
add_executable(bench_real_dispatch real_dispatch_bench.cpp)
target_link_libraries(bench_real_dispatch PRIVATE sigharness::real sigharness::bench_common
                                                  benchmark::benchmark)
sigharness_target_defaults(bench_real_dispatch)
set_target_properties(bench_real_dispatch PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

add_executable(bench_raw_relay raw_relay_bench.cpp)
target_link_libraries(bench_raw_relay PRIVATE sigharness::bench_common benchmark::benchmark)
sigharness_target_defaults(bench_raw_relay)
set_target_properties(bench_raw_relay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
