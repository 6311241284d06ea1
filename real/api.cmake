# sigharness::real_api — POSIX signal handler, pid files, uWSGI remote signals and
# the runtime Signal API (seed-apis.md §4). Included from real/CMakeLists.txt.
add_library(sigharness_real_api
  src/api/posix_signals.cpp
  src/api/pid_file.cpp
  src/api/remote_protocol.cpp
  src/api/socket_util.cpp
  src/api/remote_client.cpp
  src/api/remote_listener.cpp
  src/api/runtime_signal.cpp
)
add_library(sigharness::real_api ALIAS sigharness_real_api)
target_include_directories(sigharness_real_api PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(sigharness_real_api PUBLIC sigharness::specs fmt::fmt Threads::Threads)
sigharness_target_defaults(sigharness_real_api)

if(BUILD_TESTING)
  include(GoogleTest)
  # Like sigharness_test(), plus TEST_PREFIX "api." so `ctest -R api` selects them.
  function(sigharness_real_api_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LABELS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    sigharness_target_defaults(${name})
    target_link_libraries(${name} PRIVATE sigharness::real_api GTest::gtest GTest::gtest_main)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    if(NOT T_TIMEOUT)
      set(T_TIMEOUT 60)
    endif()
    gtest_discover_tests(${name} TEST_PREFIX "api." PROPERTIES TIMEOUT ${T_TIMEOUT}
      DISCOVERY_TIMEOUT 60)
    # gtest_discover_tests flattens a LABELS list ("unit;real" -> LABELS unit real,
    # i.e. only "unit"); set the labels from a ctest include file that runs after
    # the discovered tests, using the <target>_TESTS list they define.
    set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake)
    file(WRITE ${labels_file}
      "if(${name}_TESTS)\n  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${T_LABELS}\")\nendif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_file})
  endfunction()

  foreach(t IN ITEMS posix_signals pid_file remote_protocol remote_net runtime_signal)
    sigharness_real_api_test(real_api_${t}_tests
      SOURCES tests/api_${t}_test.cpp LABELS "unit;real" TIMEOUT 30)
  endforeach()
  # Talks to /usr/bin/uwsgi (skips when it is missing).
  sigharness_real_api_test(real_api_uwsgi_interop_tests
    SOURCES tests/api_uwsgi_interop_test.cpp LABELS "real;uwsgi" TIMEOUT 60)
endif()
