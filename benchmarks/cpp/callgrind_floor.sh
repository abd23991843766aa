#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind, deterministic) of one engine call and of the replay of
# its steps through try_step alone (the floor), per call, and their ratio. The baseline (SSE2)
# path: valgrind 3.19 cannot run the AVX2 variants (numerics/dispatch.hpp).
#   benchmarks/cpp/callgrind_floor.sh [build dir, default build/bench] [rounds, default 5]
set -euo pipefail
build="${1:-build/bench}"
rounds="${2:-5}"
out="$(mktemp -d)"
SKINREMODEL_SIMD=baseline valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" \
  "$build/benchmarks/cpp/bench_floor" "$rounds" >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$out/cg.out" 2>/dev/null |
  awk -v r="$rounds" '
    /engine_call\(/ && !e { gsub(",", "", $1); e = $1 / r }
    /replay_steps\(/ && !f { gsub(",", "", $1); f = $1 / r }
    END { printf "engine call %.0f instructions, floor (replay) %.0f, engine / floor %.3f\n", e, f, e / f }'
rm -rf "$out"
