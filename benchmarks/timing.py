"""Timing helper shared by the benchmark scripts: the median of repeats after a warm-up call.

Medians, because the development machines are small and shared, and a busy moment shows up as a
few slow samples rather than as a shift of all of them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)
