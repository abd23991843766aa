#!/usr/bin/env bash
# The main job on the built-in defaults: installs what is missing, then compares the clinic
# regimens for a 45-year-old at 1.5 mm, prints the table and writes demo.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
skinremodel demo --out demo.png "$@"
