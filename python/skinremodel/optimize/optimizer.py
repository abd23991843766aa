"""The plan optimiser: the best schedule for one patient under clinic constraints.

:func:`optimize_plan` chooses the number of sessions, their days, their depths and the device
that maximise an objective (by default the visible improvement at the horizon), under the
constraints of :class:`PlanConstraints`: horizon, earliest start, minimum and maximum interval,
clinic weekdays, blackout dates, a cap on total downtime, the screening rules of
:mod:`skinremodel.patients.screening` and the maximum depth for the treated area
(``constraints.py``). A robust mode optimises the mean or a quantile over a virtual population
(:class:`~skinremodel.Population`) or a list of parameter draws.

Method (``docs/optimisation.md``): integer choices (session count, device) by enumeration; for
each, the session days and depths by SLSQP (:func:`scipy.optimize.minimize`) with the exact
gradients of the engine's forward sensitivities (columns ``day[k]`` and ``depth_mm[k]``), from
seeded multi-starts that include every library plan satisfying the constraints; then the days
are rounded to allowed calendar days and polished by a bounded coordinate search, and every
constraint is checked on the final plan with a full simulation.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._validation import check_int, check_real
from ..engine.batch import simulate_many
from ..engine.options import DEFAULT_OPTIONS, SolverOptions, resolve_options
from ..engine.simulate import simulate
from ..engine.solver import resolve_params
from ..limits import MIN_SESSION_SPACING_DAYS
from ..model.parameters import Parameters
from ..patients.history import MedicalHistory
from ..patients.patient import Patient
from ..plans.devices import Device
from ..plans.library import LIBRARY
from ..plans.schedule import Schedule, ScheduleWarning
from ..plans.session import CLINICAL_DEPTH_MM, Session
from ..populations.population import Population
from .constraints import (
    MAX_ROBUST_SAMPLE,
    MAX_STARTS,
    Objective,
    PlanConstraints,
    allowed_days,
    max_feasible_count,
)
from .optimum import PlanOptimum, days_text

__all__ = ["optimize_plan", "violations", "draws_values"]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- evaluation
@dataclass
class _Setup:
    patient: Patient
    c: PlanConstraints
    objective: Objective
    params: Parameters
    times: Array
    ok: NDArray[np.bool_]
    draws: list[tuple[Patient, Parameters]]
    statistic: str | float
    threads: int
    #: Options of every plan that is scored, rounded or reported; gradient steps loosen rtol to
    #: 1e-5 at most (half the cost).
    options: SolverOptions = DEFAULT_OPTIONS
    evaluations: int = 0
    downtime_table: dict[int, tuple[Array, Array]] = field(default_factory=dict)


def _schedule(
    days: Sequence[float] | Array,
    depths: Sequence[float] | Array,
    device: Device | None,
    start_date: dt.date | None,
    name: str | None = None,
) -> Schedule:
    # SLSQP may evaluate intervals a hair under the 7-day minimum of the ScheduleWarning; the
    # plans it returns are rounded and checked (violations()), so the warning is noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScheduleWarning)
        return _make_schedule(days, depths, device, start_date, name)


def _make_schedule(
    days: Sequence[float] | Array,
    depths: Sequence[float] | Array,
    device: Device | None,
    start_date: dt.date | None,
    name: str | None,
) -> Schedule:
    # SLSQP lands a day bound at 0 only to rounding (1e-17 days); Session refuses days in
    # (0, MIN_SESSION_SPACING_DAYS) (docs/limits.md), so those are the bound itself.
    snapped = [0.0 if float(d) < MIN_SESSION_SPACING_DAYS else float(d) for d in days]
    sessions = [Session(d, float(z), device=device) for d, z in zip(snapped, depths, strict=True)]
    return Schedule(sessions, start_date=start_date, name=name)


def _aggregate(
    values: Array, grads: Array | None, statistic: str | float
) -> tuple[float, Array | None]:
    """Return the mean or a quantile over draws (values (n,), grads (n, m)), and its gradient.

    The quantile's gradient is that of the order statistics it interpolates.
    """
    if statistic == "mean":
        return float(values.mean()), None if grads is None else grads.mean(axis=0)
    q = float(statistic)
    order = np.argsort(values, kind="stable")
    pos = q * (len(values) - 1)
    i0 = int(math.floor(pos))
    i1 = min(i0 + 1, len(values) - 1)
    w = pos - i0
    v = (1 - w) * values[order[i0]] + w * values[order[i1]]
    g = None if grads is None else (1 - w) * grads[order[i0]] + w * grads[order[i1]]
    return float(v), g


def _benefit(
    s: _Setup, days: Array, depths: Array, device: Device | None, gradient: bool
) -> tuple[float, Array | None]:
    """Objective variable (at the day or window mean) and its gradient in (days, depths)."""
    plan = _schedule(days, depths, device, s.c.start_date)
    n = len(days)
    names = [f"day[{k}]" for k in range(n)] + [f"depth_mm[{k}]" for k in range(n)]
    override = dict(s.c.override) or None

    def one(item: tuple[Patient, Parameters]) -> tuple[float, Array | None]:
        patient, params = item
        # Gradient steps run at rtol 1e-5 (half the cost) unless the options are looser; every
        # plan that is scored, rounded or reported is simulated with the options.
        res = simulate(
            plan,
            patient,
            days=s.c.horizon_days,
            t_eval=s.times,
            params=params,
            override=override,
            sensitivities=names if gradient else None,
            options=_gradient_options(s.options) if gradient else s.options,
        )
        value = float(np.mean(res[s.objective.variable]))
        if not gradient:
            return value, None
        assert res.sensitivities is not None
        return value, np.asarray(res.sensitivities[s.objective.variable].mean(axis=0))

    s.evaluations += 1
    if len(s.draws) == 1:
        return one(s.draws[0])
    if s.threads > 1:
        with ThreadPoolExecutor(s.threads) as pool:
            out = list(pool.map(one, s.draws))
    else:
        out = [one(d) for d in s.draws]
    values = np.array([v for v, _ in out])
    grads = np.array([g for _, g in out]) if gradient else None
    return _aggregate(values, grads, s.statistic)


def _gradient_options(options: SolverOptions) -> SolverOptions:
    """Return the options of a gradient step: rtol 1e-5 unless the options are looser."""
    return options if options.rtol >= 1e-5 else replace(options, rtol=1e-5)


def _downtime_curve(s: _Setup, device: Device | None) -> tuple[Array, Array]:
    """Downtime of one session against depth for this patient (the median draw's patient)."""
    key = id(device)
    if key not in s.downtime_table:
        depths = np.linspace(CLINICAL_DEPTH_MM[0], CLINICAL_DEPTH_MM[1], 10)
        values = []
        # Screening is done by allowed_days(); a history would ask for session dates here.
        patient = replace(s.patient, history=MedicalHistory())
        for z in depths:
            res = simulate(
                _schedule([0.0], [z], device, None),
                patient,
                days=60,
                t_eval=[0.0, 60.0],
                params=s.params,
                override=dict(s.c.override) or None,
                options=s.options,
            )
            values.append(res.downtime_days(0))
        s.downtime_table[key] = (depths, np.nan_to_num(np.array(values), nan=60.0))
    return s.downtime_table[key]


def _downtime(s: _Setup, depths: Array, device: Device | None) -> tuple[float, Array]:
    z, v = _downtime_curve(s, device)
    vals = np.interp(depths, z, v)
    idx = np.clip(np.searchsorted(z, depths) - 1, 0, len(z) - 2)
    slope = (v[idx + 1] - v[idx]) / (z[idx + 1] - z[idx])
    return float(vals.sum()), slope


def _simulated_downtime(s: _Setup, plan: Schedule) -> float:
    res = simulate(
        plan,
        s.patient,
        days=s.c.horizon_days,
        t_eval=[0.0, s.c.horizon_days],
        params=s.params,
        override=dict(s.c.override) or None,
        options=s.options,
    )
    total = 0.0
    for k in range(len(plan)):
        v = res.downtime_days(k)
        total += s.c.horizon_days - plan[k].day if math.isnan(v) else v
    return total


@dataclass
class Candidate:
    """One evaluated plan."""

    days: tuple[float, ...]
    depths: tuple[float, ...]
    device: Device | None
    benefit: float
    downtime_days: float
    objective: float
    source: str


def _score(
    s: _Setup,
    days: Array,
    depths: Array,
    device: Device | None,
    source: str,
    downtime: float | None = None,
) -> Candidate:
    benefit, _ = _benefit(s, days, depths, device, gradient=False)
    if downtime is None:
        downtime, _ = _downtime(s, depths, device)
    obj = benefit - s.objective.downtime_penalty * downtime - s.objective.per_session() * len(days)
    return Candidate(
        tuple(float(d) for d in days),
        tuple(float(z) for z in depths),
        device,
        benefit,
        downtime,
        obj,
        source,
    )


# ---------------------------------------------------------------------------- feasibility
def violations(
    plan: Schedule, c: PlanConstraints, ok: NDArray[np.bool_], downtime: float | None = None
) -> list[str]:
    """Return the constraints a plan breaks (empty if it satisfies all of them)."""
    out = []
    n = len(plan)
    if not c.min_sessions <= n <= c.max_sessions:
        out.append(f"sessions: {n} not in [{c.min_sessions}, {c.max_sessions}]")
    for k, sess in enumerate(plan):
        d = sess.day
        if d != math.floor(d) or d < 0 or d >= len(ok) or not ok[int(d)]:
            out.append(f"sessions[{k}] day {d:g} is not an allowed day")
        if sess.depth_mm < c.depth_mm[0] - 1e-12 or sess.depth_mm > c.depth_cap + 1e-12:
            out.append(
                f"sessions[{k}] depth {sess.depth_mm:g} outside [{c.depth_mm[0]:g}, "
                f"{c.depth_cap:g}] mm"
            )
        if sess.device not in c.devices and not (sess.device is None and None in c.devices):
            out.append(f"sessions[{k}] device not among the allowed devices")
    gaps = np.diff(plan.days)
    if np.any(gaps < c.min_interval_days - 1e-9):
        out.append(f"min_interval_days: an interval of {gaps.min():g} days")
    if c.max_interval_days is not None and np.any(gaps > c.max_interval_days + 1e-9):
        out.append(f"max_interval_days: an interval of {gaps.max():g} days")
    if c.fixed_days is not None and tuple(plan.days) != c.fixed_days:
        out.append("fixed_days: the days differ")
    if (
        c.max_total_downtime_days is not None
        and downtime is not None
        and downtime > c.max_total_downtime_days + 1e-9
    ):
        out.append(f"max_total_downtime_days: {downtime:.2f} days")
    return out


def _round_days(x: Array, ok: NDArray[np.bool_], c: PlanConstraints) -> Array | None:
    """Nearest allowed whole days, in order, keeping the intervals; None if it cannot."""
    allowed = np.flatnonzero(ok).astype(float)
    out: list[float] = []
    for k, target in enumerate(x):
        cand = allowed
        if out:
            cand = cand[cand >= out[-1] + c.min_interval_days - 1e-9]
            if c.max_interval_days is not None:
                cand = cand[cand <= out[-1] + c.max_interval_days + 1e-9]
        # leave room for the sessions after this one
        rest = len(x) - k - 1
        cand = cand[cand <= allowed[-1] - rest * c.min_interval_days + 1e-9]
        if cand.size == 0:
            return None
        out.append(float(cand[np.argmin(np.abs(cand - target))]))
    return np.array(out)


def _spread(n: int, ok: NDArray[np.bool_], c: PlanConstraints, fraction: float) -> Array | None:
    """Spread ``n`` sessions from the first allowed day over ``fraction`` of the allowed window.

    The interval is chosen so that the course spans that fraction.
    """
    allowed = np.flatnonzero(ok)
    first, last = float(allowed[0]), float(allowed[-1])
    if n == 1:
        return _round_days(np.array([first + fraction * (last - first)]), ok, c)
    gap = max(c.min_interval_days, fraction * (last - first) / (n - 1))
    if c.max_interval_days is not None:
        gap = min(gap, c.max_interval_days)
    return _round_days(np.asarray(first + gap * np.arange(n), dtype=np.float64), ok, c)


# ---------------------------------------------------------------------------- local search
def _slsqp(s: _Setup, days0: Array, depths0: Array, device: Device | None) -> tuple[Array, Array]:
    """Continuous optimum of days and depths from a start (SLSQP with exact gradients)."""
    from scipy.optimize import minimize

    c = s.c
    n = len(days0)
    allowed = np.flatnonzero(s.ok)
    lo_day, hi_day = float(allowed[0]), float(allowed[-1])
    free_days = c.fixed_days is None
    free_depth = c.depth_cap > c.depth_mm[0]
    scale = 30.0  # days in months: both kinds of variable of order 1

    def unpack(x: Array) -> tuple[Array, Array]:
        i = 0
        days = days0
        if free_days:
            days = x[:n] * scale
            i = n
        depths = x[i : i + n] if free_depth else depths0
        return days, depths

    x0 = np.concatenate(([days0 / scale] if free_days else []) + ([depths0] if free_depth else []))
    if x0.size == 0:
        return days0, depths0
    bounds = ([(lo_day / scale, hi_day / scale)] * n if free_days else []) + (
        [(c.depth_mm[0], c.depth_cap)] * n if free_depth else []
    )

    cache: dict[bytes, tuple[float, Array]] = {}

    def fun(x: Array) -> tuple[float, Array]:
        key = x.tobytes()
        if key not in cache:
            days, depths = unpack(x)
            order_ok = np.all(np.diff(days) > 0.5)
            if not order_ok:  # SLSQP may step outside the linear constraints briefly
                cache[key] = (1e3, np.zeros_like(x))
                return cache[key]
            b, g = _benefit(s, days, depths, device, gradient=True)
            assert g is not None
            dt_total, slope = _downtime(s, depths, device)
            val = b - s.objective.downtime_penalty * dt_total
            grad_days, grad_depth = g[:n], g[n:] - s.objective.downtime_penalty * slope
            parts = ([grad_days * scale] if free_days else []) + (
                [grad_depth] if free_depth else []
            )
            cache[key] = (-val, -np.concatenate(parts))
        return cache[key]

    cons: list[dict[str, Any]] = []
    if free_days and n > 1:
        diff = np.zeros((n - 1, x0.size))
        for k in range(n - 1):
            diff[k, k], diff[k, k + 1] = -1.0, 1.0
        cons.append(
            {
                "type": "ineq",
                "fun": lambda x: diff @ x - c.min_interval_days / scale,
                "jac": lambda x: diff,
            }
        )
        if c.max_interval_days is not None:
            cons.append(
                {
                    "type": "ineq",
                    "fun": lambda x: c.max_interval_days / scale - diff @ x,
                    "jac": lambda x: -diff,
                }
            )
    if c.max_total_downtime_days is not None and free_depth:
        off = n if free_days else 0

        def dt_fun(x: Array) -> float:
            return c.max_total_downtime_days - _downtime(s, unpack(x)[1], device)[0]  # type: ignore[operator]

        def dt_jac(x: Array) -> Array:
            j = np.zeros(x.size)
            j[off : off + n] = -_downtime(s, unpack(x)[1], device)[1]
            return j

        cons.append({"type": "ineq", "fun": dt_fun, "jac": dt_jac})
    res = minimize(
        lambda x: fun(x)[0],
        x0,
        jac=lambda x: fun(x)[1],
        method="SLSQP",
        bounds=bounds,
        constraints=cons,
        options={"maxiter": 25, "ftol": 1e-6},
    )
    x = np.asarray(res.x)
    days, depths = unpack(np.clip(x, [b[0] for b in bounds], [b[1] for b in bounds]))
    return np.asarray(days, dtype=float), np.asarray(depths, dtype=float)


def _polish(s: _Setup, cand: Candidate, sweeps: int = 2) -> Candidate:
    """Coordinate search over allowed whole days (bounded: sweeps x sessions x 8 moves)."""
    if s.c.fixed_days is not None:
        return cand
    allowed = np.flatnonzero(s.ok).astype(float)
    best = cand
    for _ in range(sweeps):
        improved = False
        for k in range(len(best.days)):
            pos = int(np.searchsorted(allowed, best.days[k]))
            for step in (-7, -3, -1, 1, 3, 7):
                j = pos + step
                if not 0 <= j < len(allowed):
                    continue
                days = np.array(best.days)
                days[k] = allowed[j]
                if np.any(np.diff(days) <= 0):
                    continue
                trial_plan = _schedule(days, best.depths, best.device, s.c.start_date)
                if violations(trial_plan, s.c, s.ok):
                    continue
                trial = _score(
                    s, days, np.array(best.depths), best.device, best.source, best.downtime_days
                )
                if trial.objective > best.objective + 1e-12:
                    best, improved = trial, True
        if not improved:
            break
    return best


def _finalise(
    s: _Setup, days: Array, depths: Array, device: Device | None, source: str, polish: bool = True
) -> Candidate | None:
    """Round to allowed days and 0.05 mm, check the downtime, polish.

    The downtime is checked by simulation, and depths are lowered if it is over the cap.
    """
    c = s.c
    rounded = np.array(c.fixed_days) if c.fixed_days is not None else _round_days(days, s.ok, c)
    if rounded is None:
        return None
    z = np.clip(np.round(depths / 0.05) * 0.05, c.depth_mm[0], c.depth_cap)
    for _ in range(12):
        plan = _schedule(rounded, z, device, c.start_date)
        downtime = _simulated_downtime(s, plan)
        if c.max_total_downtime_days is None or downtime <= c.max_total_downtime_days:
            break
        if np.all(z <= c.depth_mm[0] + 1e-12):
            return None
        z = np.maximum(c.depth_mm[0], np.round((z - 0.1) / 0.05) * 0.05)
    else:
        return None
    cand = _score(s, rounded, z, device, source, downtime)
    return _polish(s, cand) if polish else cand


# ---------------------------------------------------------------------------- library
def library_candidates(c: PlanConstraints, ok: NDArray[np.bool_]) -> list[tuple[str, Schedule]]:
    """Return the library plans (and their documented variants) placed for the constraints.

    Each starts on the first allowed day at the depth nearest 1.5 mm and is truncated to the
    horizon; none is yet checked against the constraints.
    """
    first = float(np.flatnonzero(ok)[0])
    depth = min(max(1.5, c.depth_mm[0]), c.depth_cap)
    out = []
    for plan in LIBRARY.values():
        lo, hi = plan.sessions
        intervals = sorted(
            {plan.interval_days[0], plan.default_interval_days, plan.interval_days[1]}
        )
        for count in range(lo, hi + 1):
            for every in intervals:
                built = plan.build(sessions=count, every_days=every, depth_mm=depth)
                days = [first + d for d in built.days if first + d <= c.last_day]
                if not days:
                    continue
                label = f"{plan.name} ({count} x {every:g} d)"
                for device in c.devices:
                    name = label if device is None else f"{label}, {device.describe()}"
                    out.append(
                        (name, _schedule(days, [depth] * len(days), device, c.start_date, name))
                    )
    return out


def _starts(
    s: _Setup,
    n: int,
    device: Device | None,
    library: list[Any],
    rng: np.random.Generator,
    n_starts: int,
) -> list[tuple[Array, Array, str]]:
    """Return the starting plans for ``n`` sessions.

    They are evenly spread courses (the first over half the allowed window, the others over
    seeded random fractions) and the best library plan of ``n`` sessions.
    """
    c = s.c
    mid = 0.5 * (c.depth_mm[0] + c.depth_cap)
    if c.max_total_downtime_days is not None:
        mid = c.depth_mm[0]
    if c.fixed_days is not None:
        return [(np.array(c.fixed_days), np.full(n, mid), "fixed days")]
    out = []
    fracs = [0.5] + list(rng.uniform(0.1, 0.9, size=n_starts - 1))
    for f in fracs:
        d0 = _spread(n, s.ok, c, float(f))
        if d0 is not None:
            out.append((d0, np.full(n, mid), "multi-start"))
    lib = sorted(
        (
            cand
            for _, _, cand, _ in library
            if cand is not None and len(cand.days) == n and cand.device is device
        ),
        key=lambda x: -x.objective,
    )[:1]
    out += [(np.array(x.days), np.array(x.depths), "from " + x.source) for x in lib]
    return out


# ---------------------------------------------------------------------------- entry point
def _draws(
    patient: Patient,
    params: Parameters,
    population: Any,
    param_draws: Any,
    robust_sample: int,
    seed: int,
) -> tuple[list[tuple[Patient, Parameters]], list[tuple[Patient, Parameters]]]:
    """(draws used while optimising, all draws for evaluation)."""
    if population is None and param_draws is None:
        return [(patient, params)], [(patient, params)]
    if population is not None and param_draws is not None:
        raise TypeError("give population or param_draws, not both")
    if population is not None:
        if not isinstance(population, Population):
            raise TypeError(
                f"population must be a skinremodel.Population, got {type(population).__name__}"
            )
        names = population.nominal.names
        full = [
            (p, Parameters(dict(zip(names, map(float, row), strict=True))))
            for p, row in zip(population.patients, population.params_matrix, strict=True)
        ]
    else:
        rows = list(param_draws)
        if not rows:
            raise ValueError("param_draws is empty")
        full = [(patient, resolve_params(r)) for r in rows]
    rng = np.random.default_rng(seed)
    k = min(robust_sample, len(full))
    pick = np.sort(rng.choice(len(full), size=k, replace=False))
    return [full[i] for i in pick], full


def optimize_plan(
    patient: Patient | None = None,
    days: float = 365,
    *,
    constraints: PlanConstraints | None = None,
    objective: Objective | str | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    population: Any = None,
    param_draws: Sequence[Any] | None = None,
    statistic: str | float = "mean",
    robust_sample: int = 32,
    threads: int = 2,
    starts: int = 1,
    seed: int = 0,
    pareto: bool = False,
    compare_library: bool = True,
    options: SolverOptions | None = None,
    **constraint_options: Any,
) -> Any:
    """Find the best plan for a patient under constraints.

    Parameters
    ----------
    patient : Patient, optional
        ``Patient()`` if omitted.
    days : float
        Horizon (days); the default objective reads the visible improvement there.
    constraints : PlanConstraints, optional
        All constraints at once; or give them as keywords (``max_sessions=6``,
        ``min_interval_days=14``, ``depth_mm=(0.5, 2.0)``, ``clinic_weekdays=...``, ...), which
        override the fields of ``constraints``.
    objective : Objective or str, optional
        What to maximise; a string names the variable (at the horizon).
    params : Parameters or mapping, optional
        Nominal parameters (as :func:`~skinremodel.simulate`).
    population : Population, optional
        Robust mode: optimise ``statistic`` of the objective over these virtual patients.
    param_draws : sequence of Parameters or mappings, optional
        Robust mode over parameter draws (e.g. a fit's uncertainty) for this patient.
    statistic : "mean" or float
        In robust mode, the mean or a quantile in (0, 1) (0.1: the 10th percentile).
    robust_sample : int
        Draws used while optimising (seeded subsample, 1-256); the final plan and the
        library plans are then evaluated on every draw with the batch engine.
    threads : int
        Threads for robust evaluations (1-64).
    starts : int
        Seeded starting plans per session count besides the library plans (1-32).
    seed : int
        Seed of the starts and of the robust subsample: same inputs, same result.
    pareto : bool
        Also compute the Pareto front of benefit against sessions and downtime.
    compare_library : bool
        Evaluate every library plan satisfying the constraints (also used as starts).
    options : SolverOptions, optional
        The integrator's settings of every plan that is scored, rounded or reported (default
        ``SolverOptions()``); gradient steps run at ``rtol`` 1e-5 unless the options are looser.

    Returns
    -------
    PlanOptimum
        ``.schedule`` (the optimised :class:`~skinremodel.Schedule`), ``.comparison`` (library
        plans next to it), ``.active_constraints``, ``.pareto``; ``_repr_html_``, ``save``.

    Raises
    ------
    ValueError
        Constraints that no plan satisfies, contradictory constraints or out-of-range sizes;
        the message names the constraint.

    Examples
    --------
    >>> import skinremodel as sr
    >>> opt = sr.optimize_plan(sr.Patient(age=45), days=180, max_sessions=2,
    ...                        depth_mm=1.5, compare_library=False)
    >>> len(opt.schedule) <= 2
    True
    """
    t_start = time.perf_counter()
    opts = resolve_options(options)
    patient = Patient() if patient is None else patient
    if not isinstance(patient, Patient):
        raise TypeError(f"patient must be a skinremodel.Patient, got {type(patient).__name__}")
    base = constraints if constraints is not None else PlanConstraints()
    if not isinstance(base, PlanConstraints):
        raise TypeError("constraints must be a PlanConstraints")
    unknown = set(constraint_options) - {f.name for f in fields(PlanConstraints)}
    if unknown:
        raise TypeError(f"optimize_plan: unknown option(s) {', '.join(sorted(unknown))}")
    if "override" in constraint_options and isinstance(constraint_options["override"], Mapping):
        constraint_options["override"] = tuple(sorted(constraint_options["override"].items()))
    c = replace(base, horizon_days=days, **constraint_options)
    if objective is None:
        obj = Objective()
    elif isinstance(objective, str):
        obj = Objective(objective)
    elif isinstance(objective, Objective):
        obj = objective
    else:
        raise TypeError("objective must be an Objective or a variable name")
    if statistic != "mean":
        statistic = check_real(
            "statistic (a quantile)", statistic, 0, 1, lo_closed=False, hi_closed=False
        )
    robust_n = check_int("robust_sample", robust_sample, 1, MAX_ROBUST_SAMPLE)
    n_threads = check_int("threads", threads, 1, 64)
    n_starts = check_int("starts", starts, 1, MAX_STARTS)
    seed_i = check_int("seed", seed, 0, 2**63 - 1)
    nominal = resolve_params(params)
    times = obj.times(c.horizon_days)
    ok = allowed_days(c, patient)
    fit = max_feasible_count(ok, c)
    if fit < c.min_sessions:
        raise ValueError(
            f"min_interval_days/max_interval_days: at most {fit} session(s) fit on the allowed "
            f"days with intervals of {c.min_interval_days:g}"
            + (f"-{c.max_interval_days:g}" if c.max_interval_days is not None else "+")
            + f" days, but min_sessions is {c.min_sessions}"
        )
    opt_draws, all_draws = _draws(patient, nominal, population, param_draws, robust_n, seed_i)
    # The enumeration runs on the nominal patient; in robust mode the best session counts are
    # then refined on the subsample of draws (s_rob), and everything is evaluated on all draws.
    s = _Setup(patient, c, obj, nominal, times, ok, [(patient, nominal)], "mean", n_threads, opts)
    max_n = min(c.max_sessions, fit)
    if c.max_total_downtime_days is not None:
        per = min(float(np.interp(c.depth_mm[0], *_downtime_curve(s, d))) for d in c.devices)
        most = int(math.floor(c.max_total_downtime_days / per + 1e-9)) if per > 0 else max_n
        if most < c.min_sessions:
            raise ValueError(
                f"max_total_downtime_days: {c.max_total_downtime_days:g} days allow "
                f"at most {most} session(s) at the lowest depth "
                f"({c.depth_mm[0]:g} mm: {per:.2f} days each), but min_sessions "
                f"is {c.min_sessions}"
            )
        max_n = min(max_n, most)

    # Library plans (their documented variants, duplicates removed): compared, and used as
    # starts.
    library: list[tuple[str, Schedule, Candidate | None, list[str]]] = []
    if compare_library and c.fixed_days is None:
        seen: set[tuple[Any, ...]] = set()
        for name, plan in library_candidates(c, ok):
            key = (tuple(plan.days), tuple(plan.depths), plan[0].device)
            if key in seen:
                continue
            seen.add(key)
            broken = violations(plan, c, ok)
            cand = None
            if not broken:
                downtime = _simulated_downtime(s, plan)
                broken = violations(plan, c, ok, downtime)
                if not broken:
                    cand = _score(s, plan.days, plan.depths, plan[0].device, name, downtime)
            library.append((name, plan, cand, broken))

    rng = np.random.default_rng(seed_i)
    per_count: dict[int, Candidate] = {}
    for n in range(c.min_sessions, max_n + 1):
        for device in c.devices:
            for d0, z0, source in _starts(s, n, device, library, rng, n_starts):
                days_x, depths_x = _slsqp(s, d0, z0, device)
                cand = _finalise(s, days_x, depths_x, device, source, polish=False)
                if cand is not None and (
                    n not in per_count or cand.objective > per_count[n].objective
                ):
                    per_count[n] = cand
    if not per_count:
        raise ValueError(
            "constraints: no plan satisfying every constraint was found "
            "(check max_total_downtime_days, the intervals and the allowed days)"
        )
    # Polish (a bounded search over whole days) the two best session counts.
    top = sorted(per_count, key=lambda n: -per_count[n].objective)[:2]
    for n in top:
        per_count[n] = _polish(s, per_count[n])
    final = s
    if len(all_draws) > 1:
        s_rob = replace(s, draws=opt_draws, statistic=statistic)
        refined = []
        for n in top:
            x = per_count[n]
            days_x, depths_x = _slsqp(s_rob, np.array(x.days), np.array(x.depths), x.device)
            for cand in (
                _finalise(
                    s_rob, days_x, depths_x, x.device, "robust from " + x.source, polish=False
                ),
                _score(
                    s_rob, np.array(x.days), np.array(x.depths), x.device, x.source, x.downtime_days
                ),
            ):
                if cand is not None:
                    refined.append(cand)
        best = max(refined, key=lambda x: x.objective)
        final = s_rob
    else:
        best = max(per_count.values(), key=lambda x: x.objective)
        # A library plan is never better than the optimum, as the best of each session count
        # is a start; kept as a guard against a loss in rounding.
        for _, _, lib_cand, _ in library:
            if lib_cand is not None and lib_cand.objective > best.objective:
                best = lib_cand
    return _optimum(
        final, best, library, per_count, all_draws, pareto, time.perf_counter() - t_start, seed_i
    )


def draws_values(
    s: Any, plans: Sequence[Schedule], draws: Sequence[tuple[Patient, Parameters]], threads: int
) -> Array:
    """Objective variable of each plan on every draw, with the batch engine: (plan, draw)."""
    patients = [p for p, _ in draws]
    rows = np.array([q.values_array for _, q in draws])
    out = np.empty((len(plans), len(draws)))
    times = s.times
    for i, plan in enumerate(plans):
        res = simulate_many(
            plan,
            patients,
            rows,
            t_eval=times,
            days=s.c.horizon_days,
            metrics=[s.objective.variable],
            threads=threads,
            override=dict(s.c.override) or None,
            options=s.options,
        )
        vals = np.asarray(res.values(s.objective.variable)).reshape(len(draws), -1)
        out[i] = vals.mean(axis=1)
    return out


# ---------------------------------------------------------------------------- the result
def _optimum(
    s: _Setup,
    best: Candidate,
    library: list[Any],
    per_count: dict[int, Candidate],
    all_draws: list[tuple[Patient, Parameters]],
    pareto: bool,
    seconds: float,
    seed: int,
) -> PlanOptimum:
    """Build the PlanOptimum of a search.

    With the Pareto front if asked for, the library plans next to the optimised one (on every
    draw in robust mode) and the active constraints.
    """
    c = s.c
    pen = s.objective
    front, points = _pareto(s, per_count) if pareto else (None, [])
    if len(all_draws) == 1:
        # The front re-optimises every session count at three depths: keep a better plan.
        for p in points:
            o = p.benefit - pen.downtime_penalty * p.downtime_days - pen.per_session() * len(p.days)
            if o > best.objective:
                best = replace(p, objective=o, source="Pareto front: " + p.source)
    plan = _schedule(best.days, best.depths, best.device, c.start_date, "optimised plan")
    feasible = [(name, p, cand) for name, p, cand, _ in library if cand is not None]
    robust = len(all_draws) > 1
    info: dict[str, Any] = {
        "seed": seed,
        "evaluations": s.evaluations,
        "robust": robust,
        "draws": len(all_draws),
        "draws_while_optimising": len(s.draws),
        "statistic": s.statistic,
    }
    rows = []
    if robust:
        plans = [plan] + [p for _, p, _ in feasible]
        values = draws_values(s, plans, all_draws, s.threads)
        stats = [_aggregate(v, None, s.statistic)[0] for v in values]
        downtimes = [best.downtime_days] + [cand.downtime_days for _, _, cand in feasible]
        objs = [
            b - pen.downtime_penalty * d - pen.per_session() * len(p)
            for b, d, p in zip(stats, downtimes, plans, strict=True)
        ]
        best_obj, best_benefit = objs[0], stats[0]
        # Optimised on a subsample: say so if a library plan does better on all draws.
        better = [name for (name, _, _), o in zip(feasible, objs[1:], strict=True) if o > best_obj]
        info["library_plans_better_on_all_draws"] = better
        lib_rows = [
            (name, p, stats[i + 1], downtimes[i + 1], objs[i + 1])
            for i, (name, p, _) in enumerate(feasible)
        ]
    else:
        best_obj, best_benefit = best.objective, best.benefit
        lib_rows = [
            (name, p, cand.benefit, cand.downtime_days, cand.objective)
            for name, p, cand in feasible
        ]
    rows.append(_row("optimised plan", plan, best_benefit, best.downtime_days, best_obj, best_obj))
    for name, p, b, d, o in lib_rows:
        rows.append(_row(name, p, b, d, o, best_obj))
    comparison = (
        pd.DataFrame(rows)
        .sort_values("objective", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    excluded = pd.DataFrame(
        [
            {"plan": name, "sessions": len(p), "days": days_text(p), "breaks": "; ".join(broken)}
            for name, p, cand, broken in library
            if cand is None
        ],
        columns=["plan", "sessions", "days", "breaks"],
    )
    active = _active(plan, best, s)
    info["seconds"] = seconds
    info["evaluations"] = s.evaluations
    return PlanOptimum(
        plan,
        best_obj,
        best_benefit,
        best.downtime_days,
        pen.describe(c.horizon_days)
        + (f"; {_stat_text(s.statistic)} over {len(all_draws)} draws" if robust else ""),
        c,
        comparison,
        excluded,
        active,
        front,
        info,
    )


def _stat_text(statistic: str | float) -> str:
    return "mean" if statistic == "mean" else f"{100 * float(statistic):g}th percentile"


def _row(
    name: str, plan: Schedule, benefit: float, downtime: float, objective: float, best: float
) -> dict[str, Any]:
    dev = plan[0].device if len(plan) else None
    return {
        "plan": name,
        "sessions": len(plan),
        "days": days_text(plan),
        "depth_mm": float(np.mean(plan.depths)) if len(plan) else math.nan,
        "device": "default" if dev is None else dev.describe(),
        "benefit": benefit,
        "downtime_days": downtime,
        "objective": objective,
        "gain_of_optimised": best - objective,
    }


def _active(plan: Schedule, best: Candidate, s: _Setup) -> list[str]:
    """Constraints that bind: a tolerance of half a day or 0.01 mm."""
    c = s.c
    out = []
    n = len(plan)
    if n == c.max_sessions:
        out.append(f"max_sessions = {c.max_sessions}")
    if n == c.min_sessions and c.min_sessions > 1:
        out.append(f"min_sessions = {c.min_sessions}")
    allowed = np.flatnonzero(s.ok)
    if len(plan) and plan.days[0] <= allowed[0] + 0.5:
        out.append(f"first allowed day ({allowed[0]:g}: earliest day/date, screening)")
    if len(plan) and plan.days[-1] >= allowed[-1] - 0.5:
        out.append(f"last allowed day ({allowed[-1]:g})")
    gaps = np.diff(plan.days)
    k = int(np.sum(gaps <= c.min_interval_days + 0.5))
    if k:
        out.append(f"min_interval_days = {c.min_interval_days:g} ({k} interval(s))")
    if c.max_interval_days is not None:
        k = int(np.sum(gaps >= c.max_interval_days - 0.5))
        if k:
            out.append(f"max_interval_days = {c.max_interval_days:g} ({k} interval(s))")
    z = plan.depths
    if c.depth_mm[1] > c.depth_mm[0]:
        k = int(np.sum(z >= c.depth_cap - 0.01))
        if k:
            out.append(f"depth cap {c.depth_cap:g} mm ({k} session(s))")
        k = int(np.sum(z <= c.depth_mm[0] + 0.01))
        if k:
            out.append(f"lowest depth {c.depth_mm[0]:g} mm ({k} session(s))")
    if (
        c.max_total_downtime_days is not None
        and best.downtime_days >= c.max_total_downtime_days - 0.05 * max(1.0, best.downtime_days)
    ):
        out.append(f"max_total_downtime_days = {c.max_total_downtime_days:g}")
    blocked = [d for d in range(int(allowed[0]), int(allowed[-1]) + 1) if not s.ok[d]]
    if blocked and any(abs(d - b) <= 1 for d in plan.days for b in blocked):
        out.append("calendar (clinic days, blackout dates or screening) next to a session")
    return out


def _pareto(s: _Setup, per_count: dict[int, Candidate]) -> tuple[pd.DataFrame, list[Candidate]]:
    """Find the best benefit for each session count and depth level, and the Pareto front.

    The front is the non-dominated candidates: maximise benefit, minimise sessions and downtime.
    """
    c = s.c
    levels = sorted({c.depth_mm[0], 0.5 * (c.depth_mm[0] + c.depth_cap), c.depth_cap})
    points: list[Candidate] = []
    no_pen = replace(
        s,
        objective=replace(s.objective, downtime_penalty=0.0, session_penalty=0.0, cost_penalty=0.0),
    )
    for n in sorted(per_count):
        for z in levels:
            sub = replace(
                no_pen,
                c=replace(
                    c, depth_mm=(z, z), area=None, max_depth_mm=None, max_total_downtime_days=None
                ),
            )
            sub.downtime_table = s.downtime_table
            sub.evaluations = 0
            start = np.array(per_count[n].days)
            days, depths = _slsqp(sub, start, np.full(n, z), per_count[n].device)
            cand = _finalise(sub, days, depths, per_count[n].device, f"{n} sessions at {z:g} mm")
            if cand is None:
                continue
            plan = _schedule(cand.days, cand.depths, cand.device, c.start_date)
            if violations(plan, c, s.ok, cand.downtime_days):
                continue
            points.append(cand)
            s.evaluations += sub.evaluations
    keep = []
    for a in points:
        dominated = any(
            b.benefit >= a.benefit
            and len(b.days) <= len(a.days)
            and b.downtime_days <= a.downtime_days
            and (
                b.benefit > a.benefit
                or len(b.days) < len(a.days)
                or b.downtime_days < a.downtime_days
            )
            for b in points
        )
        if not dominated:
            keep.append(a)
    frame = pd.DataFrame(
        [
            {
                "sessions": len(p.days),
                "benefit": p.benefit,
                "downtime_days": p.downtime_days,
                "depth_mm": float(np.mean(p.depths)),
                "days": ", ".join(f"{d:g}" for d in p.days),
            }
            for p in keep
        ],
        columns=["sessions", "benefit", "downtime_days", "depth_mm", "days"],
    )
    return frame.sort_values(["sessions", "benefit"]).reset_index(drop=True), points
