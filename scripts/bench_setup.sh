#!/usr/bin/env bash
# Set-up for the peer benchmark (benchmarks/peers.py): everything scripts/setup.sh installs, plus
# gfortran (numbalsoda has no wheel for every Python, CPython 3.11 included, and its sdist
# compiles Fortran) and the "bench" extra (sympy, numba, numbalsoda, libroadrunner, antimony,
# jax, diffrax) into .venv. Not part of scripts/demo.sh or scripts/test.sh, which stay as fast.
#   ./scripts/bench_setup.sh && . .venv/bin/activate && python benchmarks/peers.py
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v gfortran >/dev/null 2>&1; then
  printf '[skinremodel bench setup] installing Debian package: gfortran\n'
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq gfortran >/dev/null
fi
# numbalsoda's sdist builds with scikit-build (the old one, `skbuild`) and does not declare it, so
# a build without isolation (as setup.sh installs) needs it in the venv first.
. scripts/setup.sh
python -m pip install -q "scikit-build>=0.17"
. scripts/setup.sh bench
