#!/usr/bin/env bash
# Runs every benchmark of sigharness in ONE run (so ratios compare figures measured minutes
# apart on the same machine) and renders reports/bench/index.html + latest.json.
#   bench/run_all.sh            3 repetitions of everything (~15 min)
#   bench/run_all.sh --quick    1 repetition (a smoke run; figures are noisier)
# The raw Google Benchmark JSON lands in reports/bench/raw/ (replaced as a whole at the end,
# so a failed run never leaves a mix of two runs behind).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3
[[ "${1:-}" == "--quick" ]] && reps=1

benches=(bench_sim_speed bench_raw_relay bench_real_dispatch bench_uwsgi bench_timer_backends)
cmake --preset default >/dev/null
cmake --build --preset default --target "${benches[@]}" sigharness

raw=reports/bench/raw
tmp="$raw.partial"
rm -rf "$tmp"
mkdir -p "$tmp"

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
uwsgi_version=$( (uwsgi --version 2>/dev/null || echo "not installed") | head -1)
dirty=$(git diff --quiet HEAD -- . ':!reports' 2>/dev/null && echo "" || echo "+uncommitted")
python3 - "$tmp/run.json" <<PY
import json, sys
json.dump({
  "commit": "$(git rev-parse --short HEAD)$dirty",
  "machine": {
    "cpu_model": "$cpu",
    "os": "$os",
    "kernel": "$(uname -r)",
    "cpus_online": "$(nproc)",
    "memory": "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)",
    "load_avg_before_run": "$(cut -d' ' -f1-3 /proc/loadavg)",
    "uwsgi": "$uwsgi_version",
    "compiler": "$(c++ --version | head -1)",
  },
}, open(sys.argv[1], "w"), indent=2)
PY

for b in "${benches[@]}"; do
  echo "== $b (repetitions: $reps)"
  "build/bench/$b" --benchmark_repetitions="$reps" \
    --benchmark_out="$tmp/$b.json" --benchmark_out_format=json
done

rm -rf "$raw"
mv "$tmp" "$raw"
build/sigharness report --input "$raw" --out reports/bench
