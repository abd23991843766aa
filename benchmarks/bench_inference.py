"""Benchmarks and recovery study of skinremodel.inference (issue 14).

    python benchmarks/bench_inference.py                 # cohort fit (1 seed) + 4-chain posterior
    python benchmarks/bench_inference.py --seeds 10      # recovery/coverage over 10 cohorts
    python benchmarks/bench_inference.py --no-posterior --dask   # cohort fit + chains on Dask

Synthetic cohort: 30 subjects, random effects s_w, kap_US, kap_el (omega 0.3, 0.3, 0.25),
5% proportional error on ultrasound density, elasticity and total collagen at 6 visits.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import skinremodel as sr
from skinremodel.inference.synthetic import synthetic_cohort

OMEGA = {"s_w": 0.3, "kap_US": 0.3, "kap_el": 0.25}
OBSERVABLES = ("ultrasound_density", "elasticity", "total_collagen")


def cohort(seed: int):
    return synthetic_cohort(30, omega=OMEGA, observables=OBSERVABLES, seed=seed)


def fit_cohort(seed: int) -> dict:
    data, truth = cohort(seed)
    t0 = time.perf_counter()
    pf = sr.fit_population(
        data, random={p: "lognormal" for p in OMEGA}, observation_model="proportional"
    )
    elapsed = time.perf_counter() - t0
    tab = pf.population
    out = {
        "seed": seed,
        "seconds": elapsed,
        "iterations": pf.iterations,
        "converged": pf.converged,
        "rel_error": {},
        "covered": {},
    }
    for p in OMEGA:
        for name, true in ((p, truth["typical"][p]), (f"omega[{p}]", truth["omega"][p])):
            row = tab.loc[name]
            out["rel_error"][name] = row["estimate"] / true - 1
            out["covered"][name] = bool(row["ci_lower"] <= true <= row["ci_upper"])
    for o in OBSERVABLES:
        name = f"noise_cv[{o}]"
        row = tab.loc[name]
        out["rel_error"][name] = row["estimate"] / truth["cv"] - 1
        out["covered"][name] = bool(row["ci_lower"] <= truth["cv"] <= row["ci_upper"])
    return out


def posterior_benchmark(seed: int = 0, client=None) -> dict:
    one, _ = synthetic_cohort(
        1, omega={"s_w": 0.3, "kap_US": 0.3}, observables=OBSERVABLES, seed=11
    )
    t0 = time.perf_counter()
    post = sr.sample_posterior(
        one,
        parameters=["s_w", "kap_US"],
        observation_model=sr.ObservationModel("proportional", cv=0.05),
        chains=4,
        draws=1000,
        tune=300,
        seed=seed,
        client=client,
    )
    return {
        "seconds": time.perf_counter() - t0,
        "rhat": post.rhat,
        "ess": post.ess,
        "converged": post.converged,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--no-posterior", action="store_true")
    ap.add_argument(
        "--dask",
        action="store_true",
        help="also run the chains on a local Dask cluster (2 worker processes)",
    )
    args = ap.parse_args()
    warnings.simplefilter("always")
    runs = [fit_cohort(s) for s in range(args.seeds)]
    for r in runs:
        print(
            json.dumps(
                {
                    k: (round(v, 3) if isinstance(v, float) else v)
                    for k, v in r.items()
                    if k in ("seed", "seconds", "iterations", "converged")
                }
            )
        )
    names = list(runs[0]["rel_error"])
    print(f"{'quantity':32s} mean rel. error   mean |rel. error|   covered")
    for n in names:
        e = np.array([r["rel_error"][n] for r in runs])
        c = sum(r["covered"][n] for r in runs)
        print(f"{n:32s} {e.mean():+10.3f} {np.abs(e).mean():16.3f} {c:10d}/{len(runs)}")
    total = sum(sum(r["covered"].values()) for r in runs)
    count = sum(len(r["covered"]) for r in runs)
    typ = np.mean([abs(np.mean([r["rel_error"][p] for r in runs])) for p in OMEGA])
    om = np.mean([abs(np.mean([r["rel_error"][f"omega[{p}]"] for r in runs])) for p in OMEGA])
    print(f"coverage of 95% intervals: {total}/{count} ({100 * total / count:.0f}%)")
    print(f"|mean relative error| averaged: typical values {typ:.3f}, omegas {om:.3f}")
    print(f"cohort fit: median {np.median([r['seconds'] for r in runs]):.1f} s")
    if not args.no_posterior:
        p = posterior_benchmark()
        print(
            f"4-chain posterior (1 subject, 2 parameters, 4 x 8 walkers x 1300 steps): "
            f"{p['seconds']:.1f} s, max R-hat {p['rhat']:.4f}, min ESS {p['ess']:.0f}, "
            f"converged {p['converged']}"
        )
    if args.dask:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            p = posterior_benchmark(client=client)
        print(
            f"the same, chains as Dask tasks on 2 worker processes: {p['seconds']:.1f} s "
            f"(same draws, bit for bit)"
        )


if __name__ == "__main__":
    main()
