"""Time one 365-day, 6-session simulation from Python for each integration method.

Run:  python benchmarks/bench_simulate.py [--repeats 200]

Prints the median wall time of ``skinremodel.simulate`` (validation, engine, result object) and
of the raw engine call, the number of steps and right-hand-side evaluations, and ratios between
the methods measured in the same run. Medians, because these machines are small and noisy.
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import skinremodel as sr
from skinremodel import _core
from skinremodel.engine.options import SolverOptions
from skinremodel.engine.solver import request
from timing import median_seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args()

    plan = sr.Schedule.regular(sessions=6, every_days=28, depth_mm=1.5)
    patient = sr.Patient(age=45)
    print(
        f"skinremodel {sr.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; 6 sessions every 28 days, 365 days, daily output"
    )
    print(f"median of {args.repeats} runs after one warm-up\n")
    print(
        f"{'method':8s} {'simulate() ms':>14s} {'engine ms':>10s} {'steps':>6s} "
        f"{'rejected':>8s} {'RHS evals':>9s} {'Jacobians':>9s}"
    )

    # The raw engine call, without the Python-side validation and result object.
    t = np.arange(366.0)

    rows = {}
    for method in sr.METHODS:
        full = median_seconds(
            lambda m=method: sr.simulate(plan, patient, days=365, method=m), args.repeats
        )
        engine_request = request(
            plan, patient, sr.Parameters.default(), t, 365.0, SolverOptions(method=method)
        )
        engine = median_seconds(lambda r=engine_request: _core.simulate(r), args.repeats)
        stats = sr.simulate(plan, patient, days=365, method=method).stats
        rows[method] = (full, engine)
        print(
            f"{method:8s} {full * 1e3:14.3f} {engine * 1e3:10.3f} {stats['steps']:6d} "
            f"{stats['rejected_steps']:8d} {stats['rhs_evaluations']:9d} "
            f"{stats['jacobian_evaluations']:9d}"
        )
    print()
    for other in ("rodas4", "dopri5"):
        ratio = rows[other][0] / rows["rodas5p"][0]
        print(f"{other} / rodas5p time ratio (simulate()): {ratio:.2f}")


if __name__ == "__main__":
    main()
