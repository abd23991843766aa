#!/usr/bin/env bash
# The main job on the built-in defaults: installs what is missing, then compares the built-in
# plan library for a 45-year-old at 1.5 mm with `skinremodel compare`: prints the table (total
# collagen change at 3, 6 and 12 months, hours of visible redness after the first session),
# writes demo.png (visible improvement and total collagen against day, sessions marked) and the
# standalone HTML report demo.html.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
skinremodel compare --patient examples/patient_45.toml --png demo.png --out demo.html "$@"
