#!/usr/bin/env bash
# The engine against the floor of its method by CPU time (bench_floor), as docs/performance.md
# reports it: a simulation's time moves by up to 8% with the position of the stack, which the
# program's name changes, so bench_floor runs under names of 1 to 12 characters and the medians
# over those runs are printed, with their range.
#   benchmarks/cpp/floor_by_time.sh [build dir, default build/bench] [rounds per run, default 60]
set -euo pipefail
build="${1:-build/bench}"
rounds="${2:-60}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for n in $(seq 1 12); do
  name="$(printf 'b%.0s' $(seq 1 "$n"))"
  cp "$build/benchmarks/cpp/bench_floor" "$dir/$name"
  "$dir/$name" "$rounds"
done | python3 -c '
import re, statistics, sys
text = sys.stdin.read()
rows = [
    ("whole engine call, us", r"engine simulate\(\): median ([0-9.]+)"),
    ("one try_step, us", r"try_step\): ([0-9.]+) us"),
    ("floor = steps x step, us", r"floor = steps x step = ([0-9.]+)"),
    ("engine / floor", r"engine / floor = ([0-9.]+)"),
]
for label, pattern in rows:
    v = [float(x) for x in re.findall(pattern, text)]
    print(f"{label}: median {statistics.median(v):.3f} over {len(v)} runs (range {min(v):.3f}-{max(v):.3f})")
'
