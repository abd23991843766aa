"""Comparisons that carry their uncertainty: ``compare(..., uncertainty=fit_or_posterior)``.

Every parameter draw of a :class:`PopulationFit` (a new patient from the fitted population) or
a :class:`Posterior` is simulated on every plan (the same draw for every plan, so that plans are
compared on the same virtual patient), giving per plan and table column a 95% interval, the
probability that the plan is the best by the ranking objective (and the pairwise probabilities
``Comparison.p_beats``), and the probability that the visible result at the last milestone is
noticeable (the visible improvement above its just-noticeable value ``G_jnd``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._core import SolverError
from .._validation import check_int
from ..engine.options import DEFAULT_OPTIONS, SolverOptions
from ..engine.simulate import simulate
from ..inference._common import progress_bar
from .outcomes import LOWER_IS_BETTER, metric_columns, plan_metrics

if TYPE_CHECKING:  # pragma: no cover
    from .compare import Comparison

__all__ = ["add_uncertainty"]


def add_uncertainty(
    cmp: Comparison,
    source: Any,
    *,
    n_draws: int = 200,
    seed: int | None = 0,
    options: SolverOptions = DEFAULT_OPTIONS,
    override: Any = None,
    progress: bool | None = None,
) -> None:
    """Add interval columns, ``P(best)`` and ``P(noticeable)`` to a comparison (in place)."""
    if not hasattr(source, "parameter_draws"):
        raise TypeError(
            "uncertainty must be a PopulationFit (sr.fit_population) or a Posterior "
            f"(sr.sample_posterior), got {type(source).__name__}"
        )
    n = check_int("n_draws", n_draws, 2, 1_000_000)
    draws = source.parameter_draws(n, seed, cmp.patient)
    columns = metric_columns(cmp.milestones, cmp.patient.acne_scars)
    plans = [p for p, r in cmp.results.items() if r is not None]
    values = np.full((len(plans), n, len(columns)), np.nan)
    noticeable = np.zeros((len(plans), n), dtype=bool)
    last_day = cmp.milestones[-1][0]
    for k in progress_bar(range(n), total=n, desc="compare uncertainty", progress=progress):
        for j, name in enumerate(plans):
            try:
                res = simulate(
                    cmp.plans[name],
                    cmp.patient,
                    days=cmp.days,
                    params=draws[k],
                    options=options,
                    override=override,
                )
            except SolverError:
                continue
            row = plan_metrics(res, cmp.milestones, cmp.patient.acne_scars)
            values[j, k] = [row[c] for c in columns]
            idx = int(np.searchsorted(res.t, last_day))
            noticeable[j, k] = bool(res["visible_improvement"][idx] > draws[k]["G_jnd"])
    table = cmp.table
    rows = []
    for j, name in enumerate(plans):
        for c_idx, c in enumerate(columns):
            v = values[j, :, c_idx]
            ok = np.isfinite(v)
            lo, med, hi = (
                (np.quantile(v[ok], 0.025), np.quantile(v[ok], 0.5), np.quantile(v[ok], 0.975))
                if ok.sum() >= 2
                else (math.nan,) * 3
            )
            rows.append(
                {
                    "plan name": name,
                    "column": c,
                    "lower": lo,
                    "median": med,
                    "upper": hi,
                    "n": int(ok.sum()),
                }
            )
    intervals = pd.DataFrame(rows)
    for c in reversed(columns):
        at = int(list(table.columns).index(c)) + 1
        sub = intervals[intervals["column"] == c].set_index("plan name")
        table.insert(at, f"{c} [97.5%]", sub["upper"].reindex(table.index))
        table.insert(at, f"{c} [2.5%]", sub["lower"].reindex(table.index))
    objective = cmp.objective[0]
    o = columns.index(objective)
    sign = 1.0 if objective in LOWER_IS_BETTER else -1.0  # smaller score is better
    score = np.where(np.isfinite(values[:, :, o]), sign * values[:, :, o], np.inf)
    best = np.argmin(score, axis=0)
    p_best = {name: float(np.mean(best == j)) for j, name in enumerate(plans)}
    beats = np.array(
        [
            [float(np.mean(score[a] < score[b])) if a != b else math.nan for b in range(len(plans))]
            for a in range(len(plans))
        ]
    )
    status = int(list(table.columns).index("status"))
    table.insert(
        status,
        "P(noticeable)",
        pd.Series(dict(zip(plans, noticeable.mean(axis=1), strict=True)), dtype=float).reindex(
            table.index
        ),
    )
    table.insert(status, "P(best)", pd.Series(p_best, dtype=float).reindex(table.index))
    cmp.intervals = intervals
    cmp.p_beats = pd.DataFrame(
        beats, index=pd.Index(plans, name="plan"), columns=pd.Index(plans, name="beats")
    )
    what = (
        "new patients from the fitted population"
        if type(source).__name__ == "PopulationFit"
        else "posterior draws"
    )
    cmp.uncertainty_source = f"{type(source).__name__}: {n} parameter draws ({what}), seed {seed}"
