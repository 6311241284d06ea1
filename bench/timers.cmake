# Timer backends: firing lateness and CPU per firing with 1..10,000 armed timers.
add_executable(bench_timer_backends timer_backend_bench.cpp)
target_link_libraries(bench_timer_backends PRIVATE sigharness::real sigharness::bench_common
                                                   benchmark::benchmark)
sigharness_target_defaults(bench_timer_backends)
set_target_properties(bench_timer_backends PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
