"""Refresh the screenshots of docs/clinician.md from the browser test of the web app.

Run:  python tools/clinician_screenshots.py

It runs tests/python/test_app_browser.py (Debian's chromium and chromedriver, as in the test
suite) with SKINREMODEL_SCREENSHOTS=docs/figures/clinician, so the pictures in the docs are the
ones the end-to-end test takes, of the same session. The suite itself writes its screenshots to
pytest's temporary directory and never into the repository; tests/python/test_docs_and_cli.py
only checks that every picture docs/clinician.md shows exists. Run this after changing the app
or the report, and commit the pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "figures" / "clinician"


def main() -> int:
    """Run the browser test with its screenshots going to docs/figures/clinician/."""
    TARGET.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SKINREMODEL_SCREENSHOTS": str(TARGET),
        "SKINREMODEL_REQUIRE_CHROMIUM": "1",
    }
    status = subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "python" / "test_app_browser.py"),
        ],
        cwd=ROOT,
        env=env,
    )
    if status == 0:
        print(
            f"screenshots written to {TARGET.relative_to(ROOT)}/: "
            + ", ".join(sorted(p.name for p in TARGET.glob("*.png")))
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
