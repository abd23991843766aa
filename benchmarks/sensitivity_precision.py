"""Accuracy and cost of the forward sensitivities against the tolerance, on the 6-session plan.

Run:  python benchmarks/sensitivity_precision.py [--repeats 20]

The sensitivities ride on the steps of the state integration without error control of their
own (docs/fitting.md). For each method and rtol (default atol) this prints the median time of
a simulation with 10 sensitivities and its ratio to the plain simulation (same run), the
steps, and the largest error of the sensitivities against the same computation at rtol 1e-12
(which agrees with extrapolated central differences to 1e-4, tests/cpp and tests/python):
``err/peak``, relative to the peak of the same variable's sensitivity to the same column, for
the states and for the observables; and ``err strict``, relative to each value with a floor of
only 1e-4 of the column's peak over all states (dominated by near-zero tails of inflammation).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import skinremodel as sr
from bench_fit import TEN  # the same ten columns; same folder: run as python benchmarks/...


def strict_error(s: np.ndarray, ref: np.ndarray) -> float:
    """Largest |s - ref| / max(|ref|, 1e-4 peak of the column), over time and variables."""
    peak = np.abs(ref).max(axis=(0, 1))
    return float((np.abs(s - ref) / np.maximum(np.abs(ref), 1e-4 * peak)).max())


def peak_error(s: np.ndarray, ref: np.ndarray) -> float:
    """Largest |s - ref| / peak of |ref| of the same variable and column."""
    peak = np.abs(ref).max(axis=0)
    err = np.abs(s - ref).max(axis=0)
    return float(np.max(np.where(peak > 0, err / np.where(peak > 0, peak, 1.0), err)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    plan = sr.Schedule.regular(6, every_days=28)
    patient = sr.Patient(age=45)
    ref = sr.simulate(
        plan, patient, days=365, rtol=1e-12, atol=1e-15, sensitivities=TEN
    ).sensitivities
    print(
        f"{'method':7s} {'rtol':>6s} {'steps':>6s} {'ms':>7s} {'ratio':>6s} "
        f"{'err/peak states':>15s} {'err/peak observables':>20s} {'err strict':>10s}"
    )
    for method in sr.METHODS:
        for rtol in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9):

            def run(sens: list[str] | None, rtol: float = rtol, method: str = method) -> sr.Result:
                return sr.simulate(
                    plan,
                    patient,
                    days=365,
                    method=method,  # type: ignore[arg-type]
                    rtol=rtol,
                    sensitivities=sens,
                )

            res = run(TEN)
            plain, sens = [], []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                run(None)
                t1 = time.perf_counter()
                run(TEN)
                plain.append(t1 - t0)
                sens.append(time.perf_counter() - t1)
            s = res.sensitivities
            ms = statistics.median(sens)
            print(
                f"{method:7s} {rtol:6.0e} {res.stats['steps']:6d} {ms * 1e3:7.3f} "
                f"{ms / statistics.median(plain):6.2f} "
                f"{peak_error(s.states, ref.states):15.1e} "
                f"{peak_error(s.observables, ref.observables):20.1e} "
                f"{strict_error(s.states, ref.states):10.1e}"
            )


if __name__ == "__main__":
    main()
