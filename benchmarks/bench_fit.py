"""Time a fit and the cost of forward sensitivities.

Run:  python benchmarks/bench_fit.py [--repeats 30]

1. One fit of 4 parameters (s_w, k_mat, kap_US, kap_el) to one subject with 5 time points of
   three observables (synthetic, 5% noise, seeded): median wall time of ``sr.fit`` and the
   number of model evaluations.
2. A 365-day, 6-session simulation with 1, 4 and 10 sensitivities against the plain
   simulation, measured interleaved in the same run: medians of the raw engine call and of
   ``sr.simulate`` (validation, result objects), and their ratios.

Medians, because these machines are small and noisy.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import pandas as pd
import skinremodel as sr
from skinremodel import _core
from skinremodel.engine.options import DEFAULT_OPTIONS
from skinremodel.engine.solver import request
from timing import median_seconds  # same folder: run as python benchmarks/bench_fit.py

#: Ten sensitivity columns of different kinds (rates, a covariate slope, a session depth), also
#: those of sensitivity_precision.py.
TEN = [
    "s_w",
    "k_mat",
    "k_x",
    "tau_Er",
    "k_D",
    "d_T",
    "r_F",
    "k_m",
    "cov_age_aC_slope",
    "depth_mm[2]",
]


def fit_case() -> tuple[pd.DataFrame, sr.Schedule, sr.Patient]:
    plan = sr.Schedule.regular(4, every_days=30)
    patient = sr.Patient(age=50)
    truth = sr.simulate(
        plan,
        patient,
        days=None,
        t_eval=[14, 45, 100, 150, 240],
        params={"s_w": 0.045, "k_mat": 0.02},
    )
    rng = np.random.default_rng(0)
    rows = [
        ("A", d, o, v * (1 + 0.05 * rng.standard_normal()))
        for o in ("ultrasound_density", "elasticity", "total_collagen")
        for d, v in zip(truth.t, truth[o], strict=True)
    ]
    return pd.DataFrame(rows, columns=["subject", "day", "observable", "value"]), plan, patient


def interleaved(fns: dict[str, object], repeats: int) -> dict[str, float]:
    """Median of each function, alternating them so that machine noise hits all alike."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(repeats):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[key].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    print(
        f"skinremodel {sr.__version__}, Python {platform.python_version()}, {platform.machine()}\n"
    )

    obs, plan, patient = fit_case()
    model = sr.ObservationModel("proportional", cv=0.05)
    kwargs = dict(parameters=["s_w", "k_mat", "kap_US", "kap_el"], observation_model=model)
    result = sr.fit(obs, plan, patient, **kwargs)
    seconds = median_seconds(lambda: sr.fit(obs, plan, patient, **kwargs), args.repeats)
    print("1. fit of 4 parameters to one subject, 5 days x 3 observables (15 observations)")
    print(
        f"   median {seconds * 1e3:.1f} ms over {args.repeats} fits; "
        f"{result.runs[0]['nfev']} model evaluations, nll {result.nll:.3f}"
    )
    print("   estimates: " + ", ".join(f"{k} {v:.4g}" for k, v in result.estimates.items()))

    plan6 = sr.Schedule.regular(6, every_days=28)
    patient45 = sr.Patient(age=45)
    engine_request = request(
        plan6, patient45, sr.Parameters.default(), np.arange(366.0), 365.0, DEFAULT_OPTIONS
    )
    fns: dict[str, object] = {"plain": lambda: _core.simulate(engine_request)}
    py_fns: dict[str, object] = {"plain": lambda: sr.simulate(plan6, patient45, days=365)}
    for m in (1, 4, 10):
        fns[f"{m} sens"] = lambda m=m: _core.simulate_sensitivities(engine_request, TEN[:m])
        py_fns[f"{m} sens"] = lambda m=m: sr.simulate(
            plan6, patient45, days=365, sensitivities=TEN[:m]
        )
    engine = interleaved(fns, 5 * args.repeats)
    python = interleaved(py_fns, 5 * args.repeats)
    steps = sr.simulate(plan6, patient45, days=365).stats["steps"]
    print(
        f"\n2. 365 days, 6 sessions every 28 days, daily output, rtol 1e-6 ({steps} steps); "
        f"medians of {5 * args.repeats} interleaved runs"
    )
    print(f"   {'':10s} {'engine ms':>10s} {'ratio':>6s} {'simulate() ms':>14s} {'ratio':>6s}")
    for key in fns:
        print(
            f"   {key:10s} {engine[key] * 1e3:10.3f} {engine[key] / engine['plain']:6.2f} "
            f"{python[key] * 1e3:14.3f} {python[key] / python['plain']:6.2f}"
        )
    print(f"   10 sensitivities: {', '.join(TEN)}")


if __name__ == "__main__":
    main()
