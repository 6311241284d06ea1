# Per-target build settings: no global flags. Every sigharness target calls
# sigharness_target_defaults(<target>).
add_library(sigharness_warnings INTERFACE)
target_compile_options(sigharness_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(SIGHARNESS_WERROR)
  target_compile_options(sigharness_warnings INTERFACE -Werror)
endif()

add_library(sigharness_sanitizers INTERFACE)
# Fuzzing builds (clang): instrument every library for coverage so libFuzzer
# sees inside the parsers, not only the fuzz target's own file.
option(SIGHARNESS_FUZZING "Instrument all targets for libFuzzer (clang only)" OFF)
if(SIGHARNESS_FUZZING)
  target_compile_options(sigharness_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(sigharness_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(SIGHARNESS_SANITIZE)
  target_compile_options(sigharness_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(sigharness_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

function(sigharness_target_defaults target)
  target_link_libraries(${target} PRIVATE sigharness_warnings sigharness_sanitizers)
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()

# sigharness_test(NAME <name> SOURCES ... LIBS ... LABELS ... [ENVIRONMENT VAR=value...] [TIMEOUT s])
function(sigharness_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  sigharness_target_defaults(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  include(GoogleTest)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
  # gtest_discover_tests flattens list-valued PROPERTIES ("unit;sim" would become
  # LABELS unit + a bogus property), so labels and environment are set from a
  # ctest include file that runs after discovery, using <target>_TESTS.
  set(props_file ${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_props.cmake)
  set(props "LABELS \"${T_LABELS}\"")
  if(T_ENVIRONMENT)
    string(APPEND props " ENVIRONMENT \"${T_ENVIRONMENT}\"")
  endif()
  file(WRITE ${props_file}
    "if(${T_NAME}_TESTS)\n  set_tests_properties(\${${T_NAME}_TESTS} PROPERTIES ${props})\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${props_file})
endfunction()
