#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, then runs
# Catch2 (through CTest), pytest and the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
# Headless Chromium renders the HTML report in tests/python/test_report_browser.py; chromedriver
# (the same Debian build) lets Selenium drive it through the web app in test_app_browser.py.
# Nothing downloads a browser: both come from Debian's packages.
export SKINREMODEL_EXTRA_DEBIAN="${SKINREMODEL_EXTRA_DEBIAN:-} chromium chromium-driver"
export SKINREMODEL_REQUIRE_CHROMIUM=1
. scripts/setup.sh test

echo "== C++ core: Catch2 through CTest"
cmake -S . -B build/ctest -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSKINREMODEL_BUILD_TESTS=ON -DSKINREMODEL_BUILD_PYTHON=OFF -DSKINREMODEL_WERROR=ON >/dev/null
cmake --build build/ctest
ctest --test-dir build/ctest --output-on-failure

echo "== Python: pytest"
python -m pytest tests/python

echo "== Notebooks"
python -m pytest --nbmake notebooks
