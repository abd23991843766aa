"""The engine's softplus table (cpp/include/skinremodel/numerics/softplus_table.inc) is what
tools/softplus_table.py writes, and within one unit in the last place of the exact values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_softplus_table_is_generated_and_accurate() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "softplus_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
