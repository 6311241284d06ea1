#!/usr/bin/env python3
"""End-to-end checks of `sigharness` on the simulator backend:
  - every scenario in specs/scenarios passes under the profiles it names (3 seeds);
  - bad input exits 2 with file:line:col; a wrong expectation exits 1 with a reproduce line,
    and running that line reproduces the failure;
  - the same seed gives a byte-identical trace; different seeds vary pool choices;
  - explain exits 0/2 as documented."""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

BIN, ROOT = sys.argv[1], sys.argv[2]
failures = []


def run(args, **kw):
    return subprocess.run([BIN] + args, capture_output=True, text=True, cwd=ROOT, timeout=120, **kw)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


scenarios = sorted(glob.glob(os.path.join(ROOT, "specs/scenarios/*.yaml")))
check(len(scenarios) >= 25, f"at least 25 scenarios (found {len(scenarios)})")
for spec in scenarios:
    for seed in ("1", "2", "0xdeadbeef"):
        r = run(["run", spec, "--seed", seed])
        check(r.returncode == 0, f"{os.path.basename(spec)} seed {seed}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        check(r.stdout.startswith("seed="), f"{spec}: the seed is printed first")

for bad in sorted(glob.glob(os.path.join(ROOT, "specs/examples/bad/*.yaml"))):
    r = run(["run", bad, "--seed", "1"])
    check(r.returncode == 2, f"{bad}: exit 2 expected, got {r.returncode}")
    check(re.search(re.escape(os.path.relpath(bad, ROOT)) + r":\d+:\d+: error: ", r.stderr) or
          re.search(r"\.yaml:\d+:\d+: error: ", r.stderr), f"{bad}: error names file:line:col\n{r.stderr}")

for args in (["run", "specs/scenarios/target-worker-pool.yaml", "--seed", "zz"],
             ["run", "specs/scenarios/target-worker-pool.yaml", "--profile", "lax"],
             ["run", "specs/scenarios/target-worker-pool.yaml", "--time-scale", "4"],  # sim: no real time
             ["run", "specs/scenarios/cron-every-n.yaml", "--backend", "real", "--time-scale", "0"],
             ["run", "specs/scenarios/cron-every-n.yaml", "--backend", "real", "--time-scale", "fast"],
             ["conform", "specs/scenarios/target-worker-pool.yaml", "--backends", "uwsgi",
              "--uwsgi-max-duration", "soon"],
             ["conform", "specs/scenarios/target-worker-pool.yaml", "--backends", "uwsgi",
              "--uwsgi-max-duration", "0s"],
             ["run", "no/such/file.yaml"], ["explain", "worker", "--topology", "workers=0"], ["frobnicate"]):
    r = run(args)
    check(r.returncode == 2, f"{args}: exit 2 expected, got {r.returncode}")

failing = "specs/examples/failing/wrong-count.yaml"
r = run(["run", failing, "--seed", "5"])
check(r.returncode == 1, f"{failing}: exit 1 expected, got {r.returncode}")
m = re.search(r"^reproduce: (.*)$", r.stdout, re.M)
check(m is not None, "a failing run prints a reproduce line")
if m:
    again = subprocess.run(shlex.split(m.group(1)), capture_output=True, text=True, cwd=ROOT, timeout=60)
    check(again.returncode == 1 and again.stdout == r.stdout, "the reproduce line reproduces the failure exactly")

with tempfile.TemporaryDirectory() as tmp:
    spec = "specs/scenarios/target-worker-pool.yaml"
    a, b = os.path.join(tmp, "a.jsonl"), os.path.join(tmp, "b.jsonl")
    run(["run", spec, "--profile", "strict", "--seed", "42", "--trace", a])
    run(["run", spec, "--profile", "strict", "--seed", "42", "--trace", b])
    check(open(a, "rb").read() == open(b, "rb").read(), "same seed, byte-identical trace")
    spreads = set()
    for seed in range(1, 9):
        t = os.path.join(tmp, f"s{seed}.jsonl")
        run(["run", spec, "--profile", "strict", "--seed", str(seed), "--trace", t])
        lines = [json.loads(x) for x in open(t).read().splitlines()[1:]]
        spreads.add(tuple(e["proc"] for e in lines if e["ev"] == "handler-start"))
    check(len(spreads) >= 4, f"different seeds visibly vary pool choices ({len(spreads)} distinct of 8)")

r = run(["explain", "mule-1", "--profile", "uwsgi-2.0", "--topology", "workers=2"])
check(r.returncode == 0 and "undefined behaviour" in r.stdout, "explain reports UB for mule-1")
r = run(["explain", "farm_a", "--topology", "workers=1,mules=2,farms=a:1,2"])
check(r.returncode == 0 and "mule1, mule2" in r.stdout, "explain names farm members")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
