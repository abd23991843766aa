"""The benchmark scripts keep working (they are run with one repeat; no timing is asserted).

benchmarks/peers.py --quick needs none of the bench extra: peers that are not installed are
skipped with the reason printed, and skinremodel is always measured against the reference.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("bench_simulate.py", ["--repeats", "2"], "rodas5p"),
        ("bench_fit.py", ["--repeats", "1"], "10 sens"),
        ("work_precision.py", ["--repeats", "1"], "dopri5"),
        ("sensitivity_precision.py", ["--repeats", "1"], "rodas4"),
        ("peers.py", ["--quick"], "Peer time / skinremodel time at equal accuracy"),
        (
            "overhead.py",
            ["--rounds", "1", "--items", "10", "--min-ms", "2"],
            "sr.simulate / batch item",
        ),
        (
            "bench_optimise.py",
            ["--repeats", "1", "--population", "20", "--robust-sample", "4"],
            "robust (10th percentile",
        ),
    ],
)
def test_benchmark_script_runs(script, args, expect):
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert expect in out.stdout
