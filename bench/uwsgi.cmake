# Real uWSGI 2.0.21 beside our figures (needs /usr/bin/uwsgi at run time, not at build time).
add_executable(bench_uwsgi uwsgi_bench.cpp)
target_link_libraries(bench_uwsgi PRIVATE sigharness::uwsgi_backend sigharness::bench_common
                                          benchmark::benchmark)
# Reuses the conformance backend's process control (start in a session, SIGINT, reap by pid).
target_include_directories(bench_uwsgi PRIVATE ${PROJECT_SOURCE_DIR}/conform/src)
target_compile_definitions(bench_uwsgi PRIVATE
  SIGH_BENCH_UWSGI_PY_DIR="${CMAKE_CURRENT_SOURCE_DIR}/uwsgi")
sigharness_target_defaults(bench_uwsgi)
set_target_properties(bench_uwsgi PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# Runs one fast case of bench_uwsgi on the real uWSGI and checks its JSON (skips without uWSGI).
sigharness_test(NAME uwsgi_bench_test SOURCES tests/uwsgi_bench_test.cpp
  LIBS nlohmann_json::nlohmann_json LABELS "uwsgi;bench" TIMEOUT 150)
target_compile_definitions(uwsgi_bench_test PRIVATE
  SIGH_BENCH_UWSGI_BIN="$<TARGET_FILE:bench_uwsgi>")
add_dependencies(uwsgi_bench_test bench_uwsgi)
