"""Result of a simulation: trajectories, session states, threshold crossings, metrics."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .. import _core
from .._html import render
from ..model.metrics import EVENT_NAMES, METRICS
from ..model.observables import OBSERVABLES, STATE_NAMES, ObservableContext
from ..model.parameters import Parameters
from ..model.variables import unknown_name
from ..patients.patient import Patient
from ..patients.screening import Screening, screen
from ..plans.schedule import Schedule
from ..plotting import plot_overview, plot_result
from ..progress import logger
from . import xarray_io
from .options import SolverOptions
from .sensitivities import Sensitivities
from .solver import Run, request, run

if TYPE_CHECKING:  # pragma: no cover
    import os
    from pathlib import Path

    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Result"]


class Result:
    """Trajectories of one simulation.

    Index it by any state (``"Cm"``, ``"R"``, ...) or observable (``"total_collagen"``,
    ``"visible_improvement"``, ...) to get a numpy array over :attr:`t`. On a session day the
    reported value is the state right after the session; :attr:`pre_session` holds the state
    right before each session (the left limit). The arrays are read-only views of what the
    engine returned; observables are computed on first access.

    The engine's arrays are properties: :attr:`t`, :attr:`y` (states, shape ``(len(t), 15)``,
    columns in :data:`STATE_NAMES` order), :attr:`session_days`, :attr:`pre_session`,
    :attr:`post_session`, :attr:`doses`, :attr:`stats` (integrator counters: steps,
    rejected_steps, rhs_evaluations, jacobian_evaluations, lu_decompositions, clipped_steps) and
    :attr:`sensitivities` (derivatives with respect to parameters, session depths and days, when
    ``simulate(..., sensitivities=[...])`` asked for them; else None).

    Attributes
    ----------
    schedule : Schedule
        The plan that was simulated (sessions after the horizon are listed but not simulated).
    patient : Patient
    params : Parameters
        Nominal parameters (covariates are applied inside the engine).
    options : SolverOptions
        The integrator's settings.
    screening : Screening
        The patient screening for this plan, with any overrides and their reasons.
    """

    def __init__(
        self,
        trajectory: _core.Trajectory,
        schedule: Schedule,
        patient: Patient,
        params: Parameters,
        horizon: float,
        options: SolverOptions,
        screening: Screening | None = None,
    ) -> None:
        self._tr = trajectory
        self.schedule = schedule
        self.patient = patient
        self.params = params
        self.horizon = horizon
        self.options = options
        self.screening = Screening() if screening is None else screening
        self._cache: dict[str, NDArray[np.float64]] = {}

    @classmethod
    def _from_run(cls, out: Run) -> Result:
        """Return the result of one engine run (:func:`skinremodel.engine.solver.run`)."""
        return cls(
            out.trajectory,
            out.schedule,
            out.patient,
            out.params,
            out.horizon,
            out.options,
            out.screening,
        )

    # The engine's arrays, taken from the trajectory on first access.
    @cached_property
    def t(self) -> NDArray[np.float64]:
        """Output days."""
        return self._tr.t

    @cached_property
    def y(self) -> NDArray[np.float64]:
        """States, shape ``(len(t), 15)``."""
        return self._tr.y

    @cached_property
    def session_days(self) -> NDArray[np.float64]:
        """Days of the sessions simulated (those within the horizon)."""
        return self._tr.session_days

    @cached_property
    def pre_session(self) -> NDArray[np.float64]:
        """States right before each simulated session (left limits), (session, 15)."""
        return self._tr.pre_session

    @cached_property
    def post_session(self) -> NDArray[np.float64]:
        """States right after each simulated session, (session, 15)."""
        return self._tr.post_session

    @cached_property
    def doses(self) -> NDArray[np.float64]:
        """The dose u of each simulated session."""
        return self._tr.doses

    @cached_property
    def stats(self) -> dict[str, int]:
        """Integrator counters."""
        return self._tr.stats

    @cached_property
    def _ctx(self) -> ObservableContext:
        return ObservableContext(baseline=self._tr.baseline, effective=self._tr.effective)

    @cached_property
    def _crossings(self) -> NDArray[Any]:
        return self._tr.crossings

    @cached_property
    def sensitivities(self) -> Sensitivities | None:
        """Derivatives with respect to the requested columns (None if none were asked for)."""
        sens = self._tr.sensitivities
        if sens is None:
            return None
        return Sensitivities(
            sens,
            self.t,
            self._ctx,
            self.params,
            self.schedule,
            self.y,
            self.pre_session,
            self.post_session,
        )

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _LAZY and k != "_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}

    # ----------------------------------------------------------------------------------- access
    @property
    def state_names(self) -> tuple[str, ...]:
        """Names of the 15 states."""
        return STATE_NAMES

    @property
    def observable_names(self) -> tuple[str, ...]:
        """Names of the derived observables."""
        return tuple(OBSERVABLES)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name accepted by ``res[name]``."""
        return self.state_names + self.observable_names

    @property
    def baseline(self) -> dict[str, float]:
        """The patient's pre-treatment steady state."""
        return dict(zip(STATE_NAMES, map(float, self._ctx.baseline), strict=True))

    @property
    def effective_params(self) -> dict[str, float]:
        """Parameter values after the patient's covariates."""
        return dict(zip(self.params.names, map(float, self._ctx.effective), strict=True))

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Calendar time of each output (``schedule.start_date`` + :attr:`t` days).

        Raises
        ------
        ValueError
            If the plan has no start date.
        """
        start = self.schedule._require_start_date("calendar dates of a result")
        return pd.DatetimeIndex(
            pd.Timestamp(start) + pd.to_timedelta(self.t, unit="D"), name="date"
        )

    @property
    def crossings(self) -> pd.DataFrame:
        """Threshold crossings located by root finding on the dense output.

        Columns: ``event`` (one of :data:`skinremodel.model.metrics.EVENT_NAMES`: the core's
        threshold events), ``day``, ``direction`` (+1 up, -1 down), ``at_session`` (caused by a
        session jump).
        """
        event, day, direction, at_session = self._crossing_arrays()
        return pd.DataFrame(
            {
                "event": [EVENT_NAMES[e] for e in event],
                "day": day,
                "direction": direction,
                "at_session": at_session,
            }
        )

    def _crossing_arrays(
        self,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]:
        """Return the crossings as four arrays: event index, day, direction, at a session."""
        c = self._crossings
        return (
            c["event"].astype(np.int64),
            np.array(c["time"], dtype=np.float64),
            c["direction"].astype(np.int64),
            np.array(c["at_session"], dtype=bool),
        )

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        if not isinstance(name, str):
            raise TypeError(f"index a Result by a state or observable name, got {name!r}")
        if name in STATE_NAMES:
            return self.y[:, STATE_NAMES.index(name)]
        if name in OBSERVABLES:
            if name not in self._cache:
                self._cache[name] = OBSERVABLES[name](self.y, self._ctx)
            return self._cache[name]
        raise unknown_name(
            name, self.names, message=f"{name!r} is neither a state nor an observable"
        )

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def observable(self, name: str, states: NDArray[np.float64]) -> NDArray[np.float64]:
        """Evaluate an observable on other states of this patient (e.g. :attr:`pre_session`)."""
        if name not in OBSERVABLES:
            raise unknown_name(name, OBSERVABLES, "observable")
        return OBSERVABLES[name](states, self._ctx)

    def percent_change(self, name: str) -> NDArray[np.float64]:
        """Percent change of a state or observable from the patient's baseline value."""
        values = self[name]
        base = (
            float(self.observable(name, self._ctx.baseline)[0])
            if name in OBSERVABLES
            else (float(self._ctx.baseline[STATE_NAMES.index(name)]))
        )
        if base == 0.0:
            raise ValueError(f"{name} is 0 at baseline; a percent change is undefined")
        return 100.0 * (values - base) / base

    def at(self, day: float | dt.date | str) -> pd.Series:
        """All states and observables on an output day (which must be in :attr:`t`).

        ``day`` may also be a calendar date (``datetime.date`` or ``"YYYY-MM-DD"``) when the
        plan has a start date.
        """
        if isinstance(day, (dt.date, str)):
            day = self.schedule.day_of(day)
        hits = np.flatnonzero(self.t == day)
        if hits.size == 0:
            raise ValueError(f"day {day:g} is not an output day; pass it in t_eval")
        row = int(hits[0])
        return pd.Series({name: float(self[name][row]) for name in self.names}, name=day)

    # ------------------------------------------------------------------------------ metrics
    def metric(self, name: str) -> NDArray[np.float64] | float:
        """Return a metric of :data:`skinremodel.model.metrics.METRICS`, as simulate_many keeps it.

        An array over :attr:`t` for a state or observable, an array over the simulated sessions
        for ``"redness_hours"`` and ``"downtime_days"``, a number for ``"first_visible_day"``.
        """
        if name not in METRICS:
            raise unknown_name(name, METRICS, "metric")
        metric = METRICS[name]
        if metric.kind == "day":
            return self[name]
        value = metric.read(self.y, self._ctx, self._tr.time_above, self._tr.first_upward)
        return float(value) if metric.kind == "item" else value

    def _session_metric(self, name: str, session: int) -> float:
        n = len(self.session_days)
        if isinstance(session, bool) or not isinstance(session, (int, np.integer)):
            raise TypeError(f"session must be an integer index, got {session!r}")
        if not -n <= session < n:
            raise ValueError(
                f"session must be in [0, {n - 1}] (sessions simulated within the horizon), "
                f"got {session}"
            )
        values = self.metric(name)
        assert isinstance(values, np.ndarray)
        return float(values[int(session) % n])

    def redness_hours(self, session: int = 0) -> float:
        """Hours of visible redness (R above R_vis) after a session.

        The end is the last downward crossing of R_vis, located by bisection on the
        integrator's dense output (to about 1e-10 days). Skin still red when the next session
        comes stays red through it, so the episode is counted on: after daily sessions the
        first session's redness lasts until the skin clears after the last one. If it is still
        red at the horizon, the time until then is returned.

        The engine summarises the crossings per session (``Trajectory.time_above``).

        Parameters
        ----------
        session : int
            Index of the session (0 = first), among those within the horizon.
        """
        return self._session_metric("redness_hours", session)

    def downtime_days(self, session: int = 0) -> float:
        """Days until redness falls below ``R_down_frac * R_vis`` (social downtime)."""
        return self._session_metric("downtime_days", session)

    def first_visible_day(self) -> float:
        """First day the visible improvement G passes its just-noticeable value ``G_jnd``.

        Returns NaN if it never does within the horizon.
        """
        value = self.metric("first_visible_day")
        assert isinstance(value, float)
        return value

    # ------------------------------------------------------------------------------ tables
    def to_pandas(
        self, long: bool = False, variables: Iterable[str] | None = None, index: str = "day"
    ) -> pd.DataFrame:
        """Return the trajectories as a DataFrame.

        Parameters
        ----------
        long : bool
            False (default): wide table indexed by ``day`` with one column per variable.
            True: tidy table with columns ``day``, ``variable``, ``value``.
        variables : iterable of str, optional
            Names to include (default: every state and observable).
        index : {"day", "date"}
            Index by day number (default) or by calendar date (:attr:`dates`; the plan needs a
            start date).
        """
        names = list(self.names if variables is None else variables)
        for name in names:
            if name not in self.names:
                raise unknown_name(name, self.names, "variable")
        if index not in ("day", "date"):
            raise ValueError(f"index must be 'day' or 'date', got {index!r}")
        rows = self.dates if index == "date" else pd.Index(self.t, name="day")
        wide = pd.DataFrame({name: self[name] for name in names}, index=rows)
        if not long:
            return wide
        return wide.reset_index().melt(id_vars=index, var_name="variable", value_name="value")

    def session_table(self) -> pd.DataFrame:
        """One row per simulated session: day, depth, dose u, and states before and after."""
        rows = []
        for k, day in enumerate(self.session_days):
            s = self.schedule[k]
            row: dict[str, Any] = {
                "session": k,
                "day": float(day),
                "depth_mm": s.depth_mm,
                "dose_u": float(self.doses[k]),
            }
            for i, name in enumerate(STATE_NAMES):
                row[f"{name}_pre"] = float(self.pre_session[k, i])
                row[f"{name}_post"] = float(self.post_session[k, i])
            rows.append(row)
        return pd.DataFrame(rows).set_index("session") if rows else pd.DataFrame()

    # ------------------------------------------------------------------------------ display
    def plot(
        self,
        variables: str | Sequence[str] = "total_collagen",
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Axes:
        """Plot variables against day, with the sessions marked. Returns the Axes."""
        return plot_result(self, variables, ax=ax, **kwargs)

    def summary(self) -> pd.Series:
        """Headline numbers: collagen change at 3, 6, 12 months, redness, first visible day."""
        out: dict[str, float] = {}
        change = self.percent_change("total_collagen")
        for label, day in (("3 months", 90.0), ("6 months", 180.0), ("12 months", 365.0)):
            hits = np.flatnonzero(self.t == day)
            value = float(change[hits[0]]) if hits.size else math.nan
            out[f"collagen change at {label} (%)"] = value
        if len(self.session_days):
            out["redness after session 1 (h)"] = self.redness_hours(0)
            out["downtime after session 1 (d)"] = self.downtime_days(0)
        out["first visible day"] = self.first_visible_day()
        return pd.Series(out)

    def plot_overview(
        self, variables: Sequence[str] | None = None, *, percent: bool = False, ncols: int = 3
    ) -> Figure:
        """Plot a grid of panels, one per variable, each with its unit and the sessions marked.

        In the spirit of PyBaMM's QuickPlot: a first look at everything that matters.

        Parameters
        ----------
        variables : sequence of str, optional
            States and observables, one panel each. Default: total and mature collagen,
            elastin, the visible improvement, redness (on an hours axis after the first session,
            where it lasts hours) and the patient-rated improvement.
        percent : bool
            Plot the percent change from baseline where it is defined.
        ncols : int
            Panels per row.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return plot_overview(self, variables, percent=percent, ncols=ncols)

    # ------------------------------------------------------------------------------ xarray, files
    def to_xarray(self, variables: Iterable[str] | None = None) -> xr.Dataset:
        """Return the trajectories as an :class:`xarray.Dataset`.

        One data variable per state and observable over the dimension ``day``, with ``units``,
        ``long_name`` and ``description`` attributes; the sessions' days, depths, doses and the
        states right before and after each session over ``session``.
        ``ds.to_array("variable")`` stacks them into a (variable, day) array.

        Parameters
        ----------
        variables : iterable of str, optional
            States and observables to include (default: all).
        """
        return xarray_io.result_to_xarray(self, variables)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the result and its inputs to a netCDF file; returns the path.

        The file holds every state at the output days, the session states, the threshold
        crossings and, as JSON attributes, the inputs - plan, patient, every parameter value,
        integrator options, screening overrides - and the skinremodel version, so that
        :meth:`load` gives back an equal result and :meth:`rerun` reproduces it. The write is
        atomic (a temporary file renamed into place). Sensitivities are not stored.
        """
        return xarray_io.save_result(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Result:
        """Read a result written by :meth:`save`; ``Result.load(res.save(p)).equals(res)``."""
        ds, inputs = xarray_io.read_result_file(path)
        schedule = Schedule.from_dict(inputs["plan"])
        patient = Patient(**inputs["patient"])
        params = Parameters(inputs["parameters"])
        options = SolverOptions(**inputs["options"])
        horizon = float(inputs["horizon"])
        raw = xarray_io.raw_output(ds)
        # The engine computes the effective parameters, baseline and event summary again from
        # the stored inputs, as simulate() does.
        req = request(schedule, patient, params, raw["t"], horizon, options)
        trajectory = _core.restore_trajectory(req, **raw)
        screening = screen(patient, schedule, override=inputs["override"] or None)
        logger.info("loaded result from %s (written by %s)", path, ds.attrs.get("created_by"))
        return cls(trajectory, schedule, patient, params, horizon, options, screening)

    def rerun(self) -> Result:
        """Simulate the same inputs again (plan, patient, parameters, output days, options)."""
        return self._rerun()

    def _rerun(self, t_eval: ArrayLike | None = None) -> Result:
        """Simulate the same inputs again, at :attr:`t` or at other output days ``t_eval``."""
        return Result._from_run(
            run(
                self.schedule,
                self.patient,
                self.horizon,
                t_eval=self.t if t_eval is None else t_eval,
                params=self.params,
                options=self.options,
                override=self.screening.overrides or None,
            )
        )

    def equals(self, other: object) -> bool:
        """Tell whether ``other`` is a Result with the same inputs and exactly the same numbers."""
        if not isinstance(other, Result):
            return False
        arrays = ("t", "y", "session_days", "pre_session", "post_session", "doses")
        return (
            all(np.array_equal(getattr(self, a), getattr(other, a), equal_nan=True) for a in arrays)
            and all(
                np.array_equal(a, b)
                for a, b in zip(self._crossing_arrays(), other._crossing_arrays(), strict=True)
            )
            and self.schedule == other.schedule
            and self.patient == other.patient
            and self.params == other.params
            and self.horizon == other.horizon
            and self.options == other.options
            and self.stats == other.stats
            and self.screening.overrides == other.screening.overrides
        )

    # ------------------------------------------------------------------------------ repr
    def _describe(self) -> tuple[str, str]:
        plan = self.schedule.name or f"{len(self.schedule)} sessions"
        changed = len(self.params.differences())
        params = "default parameters" if not changed else f"{changed} parameters changed"
        p = self.patient
        who = (
            f"age {p.age:g}"
            + "".join(
                f", {k}"
                for k in ("smoker", "photoaged", "reactive_skin", "acne_scars")
                if getattr(p, k)
            )
            + (f", diabetes {p.diabetes}" if p.diabetes != "none" else "")
        )
        return plan, f"{who}; {params}"

    def __repr__(self) -> str:
        plan, who = self._describe()
        return (
            f"<Result: {plan}, {len(self.session_days)} simulated, days 0-{self.horizon:g} "
            f"({len(self.t)} outputs); {who}; {self.options.method}>"
        )

    def _repr_html_(self) -> str:
        plan, who = self._describe()
        return render(
            "repr/result.html.j2",
            plan=plan,
            n_sessions=len(self.session_days),
            horizon=f"{self.horizon:g}",
            who=who,
            summary=[(str(k), f"{v:.3g}") for k, v in self.summary().items()],
            findings=[str(f) for f in self.screening.findings],
        )


#: What a Result computes on first access from the engine's trajectory (its cached properties;
#: not pickled).
_LAZY = frozenset(n for n, v in vars(Result).items() if isinstance(v, cached_property))
