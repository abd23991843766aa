"""Work-precision of the methods on the 6-session, 365-day plan.

Run:  python benchmarks/work_precision.py [--repeats 30]

For each method and rtol, prints the median time of skinremodel.simulate, the steps and RHS
evaluations, and the largest error of total collagen and of every state (relative, with an
absolute floor of 1e-3 of each state's peak) against a rodas4 solution at rtol 1e-12 (itself
checked against scipy Radau in tests/python/test_reference.py).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import skinremodel as sr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    plan = sr.Schedule.regular(6, every_days=28)
    patient = sr.Patient(age=45)
    ref = sr.simulate(plan, patient, days=365, method="rodas4", rtol=1e-12, atol=1e-15)
    peak = np.abs(ref.y).max(axis=0)
    print(
        f"{'method':7s} {'rtol':>6s} {'atol':>8s} {'ms':>7s} {'steps':>6s} {'RHS':>6s} "
        f"{'err collagen':>12s} {'err states':>10s}"
    )
    for method in sr.METHODS:
        for rtol in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8):
            for atol_label, atol in (("default", None), ("1e-9", 1e-9)):

                def run(
                    method: str = method, rtol: float = rtol, atol: float | None = atol
                ) -> sr.Result:
                    return sr.simulate(plan, patient, days=365, method=method, rtol=rtol, atol=atol)

                res = run()
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - t0)
                err_c = np.abs(res["total_collagen"] - ref["total_collagen"]).max()
                err_y = (np.abs(res.y - ref.y) / np.maximum(np.abs(ref.y), 1e-3 * peak)).max()
                print(
                    f"{method:7s} {rtol:6.0e} {atol_label:>8s} "
                    f"{statistics.median(times) * 1e3:7.3f} "
                    f"{res.stats['steps']:6d} {res.stats['rhs_evaluations']:6d} "
                    f"{err_c:12.1e} {err_y:10.1e}"
                )


if __name__ == "__main__":
    main()
