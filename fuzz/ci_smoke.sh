#!/usr/bin/env bash
# CI: when clang is available, build the libFuzzer targets and run each for a
# bounded time; any crash, leak or sanitizer report fails the run.
#   fuzz/ci_smoke.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
if ! command -v clang++ >/dev/null; then
  echo "fuzz smoke: clang++ not installed; skipped (apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
BUILD=build-fuzz-ci
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIGHARNESS_BUILD_BENCH=OFF -DBUILD_TESTING=OFF -DSIGHARNESS_FUZZING=ON > /dev/null
TARGETS=(target_strings scenario_yaml trace_reader remote_packet remote_live pid_file)
cmake --build "$BUILD" --target "${TARGETS[@]/#/fuzz_}" -j2 > /dev/null
for t in "${TARGETS[@]}"; do
  dict=""
  [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
  mkdir -p "$BUILD/corpus-$t"
  "$BUILD/fuzz/fuzz_$t" $dict -max_total_time="$SECS" -print_final_stats=1 \
    -artifact_prefix="$BUILD/$t-" "$BUILD/corpus-$t" "fuzz/corpus/$t" > "$BUILD/$t.log" 2>&1 || {
    echo "fuzz smoke: $t FAILED"; tail -40 "$BUILD/$t.log"; exit 1; }
  echo "fuzz smoke: $t clean, $(grep -o 'number_of_executed_units: *[0-9]*' "$BUILD/$t.log" | grep -o '[0-9]*$') executions"
done
