"""Scenario comparison: one patient, several plans, one table.

:func:`compare` screens the patient for every plan, simulates the plans that are not blocked and
returns a :class:`Comparison` with a DataFrame of headline metrics (:attr:`Comparison.table`),
a ranking (:meth:`Comparison.rank`), plots and a standalone HTML report.

Definitions of the table's columns (``M`` = 3, 6 and 12 months, i.e. days 90, 180 and 365,
those within the horizon, plus the horizon itself if it is not one of them):

- ``sessions``: sessions simulated within the horizon; ``first``/``last session (day)``.
- ``redness after 1st session (h)``, ``redness per session, mean/max (h)``: hours of visible
  redness (R above R_vis) after each session (:meth:`Result.redness_hours`).
- ``downtime total (d)``: the sum over sessions of :meth:`Result.downtime_days`.
- ``first visible (day)``: first day the visible improvement passes its just-noticeable value.
- ``visible improvement M (model units)``: the visible improvement G (0 = baseline) on that day.
- ``visible improvement M (x just noticeable)``: G divided by its
  just-noticeable value G_jnd: 1 = a change an observer just notices (the ranking column).
- ``noticeable by H``: whether the visible improvement passed G_jnd within the horizon.
- ``<scale> change H (grades)``: expected clinical grade at H minus the grade before treatment,
  for the Lemperle wrinkle grade, the Alexiades-Armenakas texture and laxity grades and, for a
  patient with atrophic acne scars, the Goodman-Baron acne-scar grade (negative = better);
  ``GAIS H`` (1 exceptional ... 4 no change, 5 worse); ``patient-rated improvement H (%)``.
- ``collagen change M (%)``: total collagen, percent change from the patient's baseline.
- ``elastin change H (%)``: total elastin at the last milestone H, percent change.
- ``gain per session (pp)``: collagen change at the last milestone (percentage points)
  divided by the number of sessions simulated up to it: what each session bought.
- ``screening``: findings (``severity: code``); ``status``: ok, overridden or blocked.

Default ranking objective (:data:`~skinremodel.clinic.outcomes.DEFAULT_OBJECTIVE`): the visible
improvement at the last milestone (in multiples of the just-noticeable change), highest first,
ties broken by less total downtime. It ranks by what the patient sees at the end of the horizon,
not by collagen alone, because the visible improvement weighs mature collagen and elastin
(docs/model.md, "Observables"); dividing by the just-noticeable value does not change the order.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .. import plans as library
from .._files import write_atomic
from .._validation import check_real
from ..engine.options import DEFAULT_OPTIONS, SolverOptions, deprecated_options
from ..engine.result import Result
from ..engine.simulate import simulate
from ..engine.solver import resolve_params
from ..limits import MAX_HORIZON_DAYS, add_days
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..patients.screening import ContraindicationError, Screening, check_overrides
from ..plans.schedule import Schedule, ScheduleWarning
from .comparison_plot import plot_comparison
from .outcomes import DEFAULT_OBJECTIVE, LOWER_IS_BETTER, metric_columns, milestones, plan_metrics
from .report import comparison_fragment, comparison_report
from .uncertainty import add_uncertainty

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..optimize.optimum import PlanOptimum

__all__ = ["compare", "Comparison", "HorizonWarning", "optimum_report"]


class HorizonWarning(ScheduleWarning):
    """Sessions of a plan fall after the horizon and are not simulated."""


def _deprecated_alias(old: str, new: str) -> None:
    warnings.warn(
        f"{old}= is deprecated; use {new}= (the same value)", DeprecationWarning, stacklevel=3
    )


PlanLike = Schedule | str


@dataclass(eq=False)  # holds DataFrames and results: compare by identity
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per plan (index: plan name); columns as in the module docstring.
    plans : dict of str to Schedule
    results : dict of str to Result or None
        None for a plan blocked by screening.
    screenings : dict of str to Screening
    patient : Patient
    days : float
        The horizon: days simulated (``horizon_days`` is a deprecated alias).
    params : Parameters
        Nominal parameters used (patient covariates are applied on top).
    """

    table: pd.DataFrame
    plans: dict[str, Schedule]
    results: dict[str, Result | None]
    screenings: dict[str, Screening]
    patient: Patient
    days: float
    params: Parameters
    milestones: list[tuple[float, str]] = field(default_factory=list)
    #: With ``uncertainty=``: per plan and column the 2.5/50/97.5% quantiles over the draws.
    intervals: pd.DataFrame | None = None
    #: With ``uncertainty=``: P(row plan beats column plan) by the ranking objective.
    p_beats: pd.DataFrame | None = None
    #: With ``uncertainty=``: where the draws came from (shown in the report).
    uncertainty_source: str | None = None

    @property
    def horizon_days(self) -> float:
        """Deprecated alias of :attr:`days`."""
        _deprecated_alias("horizon_days", "days")
        return self.days

    @property
    def blocked(self) -> list[str]:
        """Names of the plans blocked by screening (not simulated)."""
        return [name for name, res in self.results.items() if res is None]

    @property
    def last_milestone(self) -> str:
        """Label of the last milestone (the horizon), e.g. ``"12 mo"``."""
        return self.milestones[-1][1]

    @property
    def objective(self) -> list[str]:
        """The columns of the default ranking objective for this horizon."""
        return [c.format(milestone=self.last_milestone) for c in DEFAULT_OBJECTIVE]

    @property
    def overrides(self) -> dict[str, dict[str, str]]:
        """Overridden contraindications and their reasons, by plan."""
        return {name: s.overrides for name, s in self.screenings.items() if s.overrides}

    def rank(
        self, by: str | Sequence[str] | None = None, ascending: bool | Sequence[bool] | None = None
    ) -> pd.DataFrame:
        """Return the table sorted best first, with a ``rank`` column (1 = best).

        Parameters
        ----------
        by : str or sequence of str, optional
            Columns to rank by, most important first. Default: :attr:`objective` (visible
            improvement at the last milestone, then total downtime).
        ascending : bool or sequence of bool, optional
            Sort direction per column. Default: ascending for columns in
            :data:`~skinremodel.clinic.outcomes.LOWER_IS_BETTER`, descending otherwise.

        Blocked plans (no simulation) come last with no rank.
        """
        columns = self.objective if by is None else ([by] if isinstance(by, str) else list(by))
        numeric = [c for c in self.table.columns if pd.api.types.is_numeric_dtype(self.table[c])]
        for c in columns:
            if c not in numeric:
                raise ValueError(
                    f"cannot rank by {c!r}; numeric columns are {', '.join(map(repr, numeric))}"
                )
        if ascending is None:
            ascending = [c in LOWER_IS_BETTER for c in columns]
        elif isinstance(ascending, bool):
            ascending = [ascending] * len(columns)
        ordered = self.table.sort_values(
            list(columns), ascending=list(ascending), na_position="last", kind="stable"
        )
        ok = ordered["status"] != "blocked"
        ranks = pd.array(np.where(ok, np.cumsum(ok), 0), dtype="Int64")
        ranks[~ok.to_numpy()] = pd.NA
        return ordered.assign(rank=ranks)[["rank", *ordered.columns]]

    def trajectories(
        self,
        variable: str = "total_collagen",
        *,
        percent: bool = False,
        index: Literal["day", "date"] = "day",
    ) -> pd.DataFrame:
        """One column per simulated plan: a state or observable over the horizon."""
        columns = {}
        for name, res in self.results.items():
            if res is None:
                continue
            values = res.percent_change(variable) if percent else res[variable]
            rows = res.dates if index == "date" else pd.Index(res.t, name="day")
            columns[name] = pd.Series(values, index=rows)
        return pd.DataFrame(columns)

    def plot(self, figsize: tuple[float, float] = (12.0, 8.0)) -> Figure:
        """Plot trajectories of the visible improvement and total collagen, and headline bars.

        Sessions are marked on the trajectories. Returns the matplotlib Figure.
        """
        return plot_comparison(self, figsize=figsize)

    def to_html(self, path: str | Path | None = None) -> str:
        """Return the standalone HTML report, and write it to ``path`` if given.

        The report holds the screening verdict, tables in clinical terms, embedded PNG plots,
        the patient, the screening and the assumptions. The file is written atomically (a
        temporary file in the same folder, then renamed).
        """
        text = comparison_report(self)
        if path is not None:
            write_atomic(path, text)
        return text

    def headline(self) -> pd.DataFrame:
        """Return the columns a clinician reads first.

        Those are the collagen change at the milestones and the redness after the first session.
        """
        cols = [f"collagen change {label} (%)" for _, label in self.milestones]
        return self.table[["sessions", *cols, "redness after 1st session (h)", "status"]]

    def __repr__(self) -> str:
        return f"<Comparison: {len(self.plans)} plans over {self.days:g} days, {self.patient!r}>"

    def _repr_html_(self) -> str:
        return comparison_fragment(self)


def _as_plan(item: Any) -> Schedule:
    if isinstance(item, Schedule):
        return item
    if isinstance(item, str):
        if library.is_library_plan(item):
            return library.get(item)
        return Schedule.parse(item, name=item.strip())
    raise TypeError(
        f"a plan must be a Schedule, a library plan name or plan text, got {type(item).__name__}"
    )


def _named_plans(plans: Any, start_date: dt.date | str | None) -> dict[str, Schedule]:
    if isinstance(plans, (Schedule, str)):
        plans = [plans]
    if isinstance(plans, Mapping):
        items: Iterable[tuple[str | None, Any]] = plans.items()
    elif isinstance(plans, Iterable):
        items = [(None, p) for p in plans]
    else:
        raise TypeError(f"plans must be a list or dict of plans, got {type(plans).__name__}")
    named: dict[str, Schedule] = {}
    for k, (key, item) in enumerate(items):
        try:
            plan = _as_plan(item)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"plans[{key if key is not None else k}]: {exc}") from None
        if key is not None and not isinstance(key, str):
            raise TypeError(f"plan names must be strings, got {key!r}")
        name = key if key is not None else plan.label()
        if name in named:
            raise ValueError(
                f"two plans are named {name!r}; give them distinct names "
                "(pass a dict {name: plan})"
            )
        if start_date is not None and plan.start_date is None:
            plan = plan.starting(start_date)
        named[name] = plan.named(name)
    if not named:
        raise ValueError("plans is empty; give at least one plan")
    return named


def _date_of(plan: Schedule, day: float) -> str:
    """ISO date of a day of a plan ("" without a start date or a day)."""
    if plan.start_date is None or math.isnan(day):
        return ""
    return add_days("session dates", plan.start_date, day).isoformat()


def compare(
    plans: PlanLike | Iterable[PlanLike] | Mapping[str, PlanLike],
    patient: Patient | None = None,
    days: float | None = None,
    *,
    horizon_days: float | None = None,
    override: Mapping[str, str] | None = None,
    start_date: dt.date | str | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    options: SolverOptions | None = None,
    uncertainty: Any = None,
    n_draws: int = 200,
    seed: int | None = 0,
    method: str | None = None,
) -> Comparison:
    """Compare plans for one patient: screening, simulation and a table of headline metrics.

    Parameters
    ----------
    plans : Schedule, str, list or dict
        Plans as :class:`Schedule` objects, library plan names (``"standard-course"``, see
        :mod:`skinremodel.plans`) or plan text (``"4 sessions every 4 weeks at 1.5 mm"``); a
        dict gives each its name.
    patient : Patient, optional
        Covariates and history; ``Patient()`` if omitted.
    days : float
        The horizon: days to simulate (default 365), as in :func:`simulate`. Sessions after it
        are not simulated, with a :class:`HorizonWarning`.
    horizon_days : float
        Deprecated alias of ``days`` (a DeprecationWarning).
    override : mapping, optional
        ``{screening rule code: reason}``: go ahead despite these contraindications; the
        reasons are recorded and shown in the report.
    start_date : date or str, optional
        Date of day 0 for plans without one (needed when the history has dates).
    params : Parameters or mapping, optional
        Parameter values or overrides, as in :func:`simulate`.
    options : SolverOptions, optional
        The integrator's settings, as in :func:`simulate` (default ``SolverOptions()``).
    uncertainty : PopulationFit or Posterior, optional
        Carry parameter uncertainty (:func:`skinremodel.fit_population`,
        :func:`skinremodel.sample_posterior`): ``n_draws`` parameter sets (seeded by ``seed``)
        are simulated on every plan; the table gains ``"<column> [2.5%]"``/``"[97.5%]"``
        columns after each metric, ``P(best)`` (the plan is best by the ranking objective) and
        ``P(noticeable)`` (visible improvement above its just-noticeable value at the last
        milestone); ``intervals`` and ``p_beats`` hold the details (docs/inference.md).
    n_draws, seed : int
        Draws for ``uncertainty`` and their seed.
    method : str, optional
        Deprecated (a DeprecationWarning): give ``options=SolverOptions(method=...)``.

    Returns
    -------
    Comparison
        Plans blocked by a contraindication have a row with status ``"blocked"`` and no
        numbers, whether some or all plans are blocked (:attr:`Comparison.blocked`); the
        report says why and what would unblock them.

    Raises
    ------
    ValueError, TypeError
        Invalid plans, patient, horizon or overrides; messages name the plan and the field.

    Examples
    --------
    >>> import skinremodel as sr
    >>> cmp = sr.compare(["standard-course", "every-6-weeks"], sr.Patient(age=35))
    >>> list(cmp.table.index)
    ['4 sessions 4-6 weeks apart (up to 6)', 'every 6 weeks']
    """
    opts = deprecated_options("compare", options, DEFAULT_OPTIONS, method=method)
    patient = Patient() if patient is None else patient
    if not isinstance(patient, Patient):
        raise TypeError(f"patient must be a skinremodel.Patient, got {type(patient).__name__}")
    if horizon_days is not None:
        _deprecated_alias("horizon_days", "days")
        if days is not None:
            raise TypeError(
                "give the horizon as days= only (horizon_days= is its deprecated alias)"
            )
        days = horizon_days
    horizon = check_real("days", 365.0 if days is None else days, 1, MAX_HORIZON_DAYS, unit="days")
    check_overrides(override)
    nominal = resolve_params(params)
    named = _named_plans(plans, start_date)
    for plan in named.values():  # every date up to the horizon must exist (up to 9999-12-31)
        if plan.start_date is not None:
            add_days(f"plan {plan.label()!r}: start_date + horizon_days", plan.start_date, horizon)
    marks = milestones(horizon)
    rows: list[dict[str, Any]] = []
    results: dict[str, Result | None] = {}
    screenings: dict[str, Screening] = {}
    for name, plan in named.items():
        row: dict[str, Any] = {"plan name": name, "plan": str(plan)}
        within = plan.days[plan.days <= horizon]
        if within.size < len(plan):
            later = len(plan) - within.size
            warnings.warn(
                f"plan {name!r}: {later} of {len(plan)} sessions fall after the "
                f"horizon (day {horizon:g}) and are not simulated; lengthen the "
                "horizon to include them",
                HorizonWarning,
                stacklevel=2,
            )
        row["sessions"] = int(within.size)
        row["first session (day)"] = float(within[0]) if within.size else math.nan
        row["last session (day)"] = float(within[-1]) if within.size else math.nan
        try:
            res = simulate(
                plan, patient, days=horizon, params=nominal, options=opts, override=override
            )
        except ContraindicationError as exc:
            results[name], screenings[name] = None, exc.screening
        else:
            results[name], screenings[name] = res, res.screening
            row.update(plan_metrics(res, marks, patient.acne_scars))
        row["screening"] = screenings[name].summary()
        row["status"] = screenings[name].status
        rows.append(row)
    columns = [
        "plan name",
        "plan",
        "sessions",
        "first session (day)",
        "last session (day)",
        *metric_columns(marks, patient.acne_scars),
        "screening",
        "status",
    ]
    table = pd.DataFrame(rows).reindex(columns=columns).set_index("plan name")
    if any(p.start_date is not None for p in named.values()):
        for col in ("first session", "last session"):
            dates = [_date_of(named[str(n)], float(d)) for n, d in table[f"{col} (day)"].items()]
            table.insert(table.columns.get_loc(f"{col} (day)") + 1, f"{col} (date)", dates)
    cmp = Comparison(
        table=table,
        plans=named,
        results=results,
        screenings=screenings,
        patient=patient,
        days=horizon,
        params=nominal,
        milestones=marks,
    )
    if uncertainty is not None:
        add_uncertainty(
            cmp, uncertainty, n_draws=n_draws, seed=seed, options=opts, override=override
        )
    return cmp


def optimum_report(optimum: PlanOptimum, patient: Patient) -> str:
    """Return the standalone HTML report of an optimised plan.

    It is the comparison report of the optimised plan and the three best library plans satisfying
    the constraints, with the "Optimised plan" section.
    """
    plans = {"optimised plan": optimum.schedule}
    lib = optimum.comparison[optimum.comparison["plan"] != "optimised plan"].head(3)
    for _, row in lib.iterrows():
        days = [float(d) for d in str(row["days"]).split(", ")]
        plans[str(row["plan"])] = Schedule(
            days, depth_mm=float(row["depth_mm"]), start_date=optimum.schedule.start_date
        )
    cmp = compare(
        plans,
        patient,
        days=optimum.constraints.horizon_days,
        override=dict(optimum.constraints.override) or None,
    )
    return comparison_report(cmp, optimum)
