#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, then runs
# Catch2 (through CTest), pytest and the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
# Headless Chromium renders the HTML report in tests/python/test_report_browser.py; chromedriver
# (the same Debian build) lets Selenium drive it through the web app in test_app_browser.py.
# Nothing downloads a browser: both come from Debian's packages.
export SKINREMODEL_EXTRA_DEBIAN="${SKINREMODEL_EXTRA_DEBIAN:-} chromium chromium-driver"
# Debian's clang-format formats the C++ ("Style" below): version 14 on Debian 12, the version
# .clang-format and .pre-commit-config.yaml are written for.
SKINREMODEL_EXTRA_DEBIAN+=" clang-format"
export SKINREMODEL_REQUIRE_CHROMIUM=1
# tests/python/test_style.py fails instead of skipping when a style tool is missing.
export SKINREMODEL_REQUIRE_STYLE_TOOLS=1
. scripts/setup.sh test

# The same checks as tests/python/test_style.py and .pre-commit-config.yaml. The C++ files are
# those of cpp/, tests/cpp and benchmarks/cpp, less the vendored Catch2 header.
echo "== Style: ruff check, ruff format --check, clang-format --dry-run --Werror"
style_failed() { printf '\nStyle check failed: %s\n' "$*" >&2; exit 1; }
ruff check . || style_failed "fix the findings above (\`ruff check --fix .\` fixes some)"
ruff format --check . || style_failed "run \`ruff format .\` and commit the result"
clang_major="$(clang-format --version | sed -n 's/.*clang-format version \([0-9]*\).*/\1/p')"
[ "$clang_major" = 14 ] || style_failed "clang-format ${clang_major:-?} found, 14 needed (Debian 12)"
mapfile -t cxx_files < <(find cpp tests/cpp benchmarks/cpp -type f \
  \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.inc' \) \
  ! -path tests/cpp/catch.hpp | sort)
clang-format --dry-run --Werror "${cxx_files[@]}" ||
  style_failed "run \`clang-format -i FILE...\` on the files above and commit the result"
echo "ruff and clang-format: clean (${#cxx_files[@]} C++ files)"

echo "== C++ core: Catch2 through CTest"
cmake -S . -B build/ctest -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSKINREMODEL_BUILD_TESTS=ON -DSKINREMODEL_BUILD_PYTHON=OFF -DSKINREMODEL_WERROR=ON >/dev/null
cmake --build build/ctest
ctest --test-dir build/ctest --output-on-failure

echo "== C++ core under AddressSanitizer + UndefinedBehaviorSanitizer (Debug -O1, tests only)"
sanitize="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSKINREMODEL_BUILD_TESTS=ON \
  -DSKINREMODEL_BUILD_PYTHON=OFF "-DCMAKE_CXX_FLAGS=$sanitize" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
cmake --build build/asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure

echo "== Python on the extension built with ASan+UBSan (LD_PRELOAD of libasan)"
cmake -S . -B build/asan-py -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSKINREMODEL_BUILD_TESTS=OFF \
  -DSKINREMODEL_BUILD_PYTHON=ON "-Dpybind11_DIR=$(python -m pybind11 --cmakedir)" \
  "-DPython_EXECUTABLE=$(command -v python)" "-DCMAKE_CXX_FLAGS=$sanitize" \
  "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
cmake --build build/asan-py
# Python itself is not sanitized: leak checking would report the interpreter's own allocations.
LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  python tools/sanitized_smoke.py build/asan-py/cpp/_core*.so

echo "== Python: pytest (property suite profile: ${SKINREMODEL_HYPOTHESIS_PROFILE:-quick})"
python -m pytest tests/python

echo "== Notebooks"
python -m pytest --nbmake notebooks
