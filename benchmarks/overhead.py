"""What one ``sr.simulate`` costs beyond the engine: against one item of ``sr.simulate_many``.

Run:  python benchmarks/overhead.py [--rounds 15] [--items 200]

Issue 17 asks that ``sr.simulate`` cost at most 1.1 times a batch item of ``sr.simulate_many``
(the wrapper's overhead amortised away). Measured interleaved, round by round, in process CPU
time, on the reference problem (45-year-old, 6 sessions every 28 days at 1.5 mm, 365 days):

* ``sr.simulate`` (daily output, every state, observables and threshold events);
* the raw engine call ``_core.simulate`` on the request ``sr.simulate`` builds (what the binding
  and the engine cost without the Python wrapper; the engine applies the covariates, computes the
  baseline and locates and summarises the threshold events itself);
* one item of ``sr.simulate_many`` on 1 thread (the same patient and plan, ``--items`` items per
  call), keeping every state daily, and keeping only total collagen on day 365.

Medians over rounds, and the ratios. Nothing is asserted: this reports, it does not optimise.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import skinremodel as sr
from skinremodel import _core
from skinremodel.engine.options import DEFAULT_OPTIONS
from skinremodel.engine.solver import request
from timing import cpu_per_call  # same folder: run as python benchmarks/overhead.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--min-ms", type=float, default=50.0)
    a = ap.parse_args()

    plan = sr.Schedule.regular(sessions=6, every_days=28, depth_mm=1.5)
    patient = sr.Patient(age=45)
    engine_request = request(
        plan, patient, sr.Parameters.default(), np.arange(366.0), 365.0, DEFAULT_OPTIONS
    )
    states = list(_core.state_names())
    n = a.items

    cases = {
        "sr.simulate": lambda: sr.simulate(plan, patient, days=365),
        "_core.simulate (no wrapper)": lambda: _core.simulate(engine_request),
        "simulate_many item, all states daily": lambda: sr.simulate_many(
            [plan] * n, patient, days=365, metrics=states, threads=1
        ),
        "simulate_many item, total collagen day 365": lambda: sr.simulate_many(
            [plan] * n, patient, days=[365], metrics=["total_collagen"], threads=1
        ),
    }
    per_item = {
        "simulate_many item, all states daily": n,
        "simulate_many item, total collagen day 365": n,
    }
    for fn in cases.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(a.rounds):
        for name, fn in cases.items():
            times[name].append(cpu_per_call(fn, a.min_ms / 1e3) / per_item.get(name, 1))
    med = {k: statistics.median(v) for k, v in times.items()}
    steps = sr.simulate(plan, patient, days=365).stats["steps"]
    print(
        f"skinremodel {sr.__version__}: 6 sessions every 28 days, 365 days ({steps} steps); "
        f"CPU time per simulation, median of {a.rounds} interleaved rounds (range)"
    )
    for name, v in times.items():
        print(f"  {name:44s} {med[name] * 1e6:8.1f} us  ({min(v) * 1e6:.1f}-{max(v) * 1e6:.1f})")
    base = "simulate_many item, all states daily"
    print(
        f"sr.simulate / batch item (all states daily): {med['sr.simulate'] / med[base]:.2f} "
        f"(goal <= 1.1)"
    )
    print(
        f"sr.simulate / batch item (total collagen day 365): "
        f"{med['sr.simulate'] / med['simulate_many item, total collagen day 365']:.2f}"
    )
    print(
        f"sr.simulate - _core.simulate (Python wrapper): "
        f"{(med['sr.simulate'] - med['_core.simulate (no wrapper)']) * 1e6:.1f} us"
    )


if __name__ == "__main__":
    main()
