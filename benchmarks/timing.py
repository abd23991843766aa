"""Timing helpers shared by the benchmark scripts: the median of repeats after a warm-up call,
and the mean CPU time per call over a minimum span.

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


def cpu_per_call(fn: Callable[[], object], min_s: float) -> float:
    """Mean process CPU time of fn() over as many calls as fit in min_s (at least one)."""
    n, t0 = 0, time.process_time()
    while True:
        fn()
        n += 1
        spent = time.process_time() - t0
        if spent >= min_s:
            return spent / n
