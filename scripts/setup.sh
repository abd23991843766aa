#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: installs what is missing and builds the
# package into the project's virtual environment (.venv). Safe to run again: it only does what is
# needed. Source it (". scripts/setup.sh [extra]") so the venv stays active for the caller.
#   extra: "test" also installs the test dependencies; "bench" those of benchmarks/peers.py
#   (scripts/bench_setup.sh, which also installs gfortran for numbalsoda).
set -euo pipefail

SKINREMODEL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$SKINREMODEL_ROOT"
extra="${1:-}"

say() { printf '[skinremodel setup] %s\n' "$*"; }

# 1. Debian packages: the header-only libraries of the engine and Catch2, plus a C++ compiler
#    and Python's venv module when the machine does not already have them. (Eigen and Boost
#    are also build requirements on PyPI, used when the system has none; CMake prefers these.)
debian_packages=(libboost-dev libeigen3-dev catch2)
command -v g++ >/dev/null 2>&1 || debian_packages+=(g++ make)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || debian_packages+=(python3-venv)
if [ -n "${SKINREMODEL_EXTRA_DEBIAN:-}" ]; then
  read -r -a more <<< "$SKINREMODEL_EXTRA_DEBIAN"
  debian_packages+=("${more[@]}")
fi
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. A virtual environment with the build tools (no build isolation: fast, stable rebuilds).
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
# The build requirements of pyproject.toml (one list), plus CMake and Ninja.
mapfile -t build_requires < <(python - <<'PY'
import re
text = open("pyproject.toml", encoding="utf-8").read()
block = re.search(r"^requires = \[(.*?)\]", text, re.M | re.S).group(1)
print("\n".join(re.findall(r'"([^"]+)"', block)))
PY
)
python -m pip install -q "${build_requires[@]}" "cmake>=3.18" ninja

# 3. Build and install skinremodel (incremental: CMake keeps build/<wheel tag>).
target="."
[ -n "$extra" ] && target=".[$extra]"
[ "$extra" = "test" ] && target=".[test,docs]"
say "building and installing skinremodel${extra:+ [$extra]}"
python -m pip install -q --no-build-isolation "$target"
