"""The package type-checks under mypy --strict and its _core stubs match the compiled module."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("mypy")


def test_package_passes_mypy_strict():
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", "build/mypy_cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_core_stubs_match_the_compiled_module():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "skinremodel._core",
            "--allowlist",
            str(ROOT / "tests" / "python" / "stubtest_allowlist.txt"),
        ],
        cwd=ROOT / "tests",
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
