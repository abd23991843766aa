"""Time the plan optimiser: one patient (deterministic) and the robust mode over a population.

Run:  python benchmarks/bench_optimise.py [--repeats 3] [--population 1000] [--threads 2]

Deterministic: the default 45-year-old, 365 days, at most 6 sessions at least 14 days apart,
depths 0.5-2.0 mm, compared with every library plan satisfying the constraints (the call of
the issue). Robust: the 10th percentile of the visible improvement at day 365 over a seeded virtual
population (ages 30-70, two varied parameters), optimised on a seeded subsample of 16 draws
with the engine's gradients, then the optimised plan and every feasible library plan evaluated
on all patients with the batch engine on ``--threads`` threads. Medians of wall time; these
machines are small and shared, so read the numbers with the load average printed alongside.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import skinremodel as sr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--population", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--robust-sample", type=int, default=16)
    args = ap.parse_args()
    print(
        f"skinremodel {sr.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )

    times = []
    opt = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        opt = sr.optimize_plan(
            sr.Patient(age=45), days=365, max_sessions=6, min_interval_days=14, depth_mm=(0.5, 2.0)
        )
        times.append(time.perf_counter() - t0)
    assert opt is not None
    times.sort()
    print(
        f"deterministic: median {times[len(times) // 2]:.2f} s over {args.repeats} runs "
        f"({opt.info['evaluations']} objective evaluations); {opt!r}; gain over the best "
        f"library plan {opt.gain_over_library:+.4f}"
    )

    pop = sr.Population(
        args.population, age=("uniform", 30, 70), variability={"s_w": 0.3, "k_mat": 0.2}, seed=7
    )
    t0 = time.perf_counter()
    rob = sr.optimize_plan(
        sr.Patient(age=50),
        days=365,
        max_sessions=6,
        min_interval_days=14,
        depth_mm=(0.5, 2.0),
        population=pop,
        statistic=0.1,
        robust_sample=args.robust_sample,
        threads=args.threads,
    )
    seconds = time.perf_counter() - t0
    print(
        f"robust (10th percentile, {args.population} virtual patients, {args.threads} "
        f"threads): {seconds:.1f} s ({rob.info['evaluations']} evaluations, "
        f"{len(rob.comparison)} plans evaluated on every patient); {rob!r}; gain over the "
        f"best library plan {rob.gain_over_library:+.4f}"
    )


if __name__ == "__main__":
    main()
