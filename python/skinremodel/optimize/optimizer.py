"""The plan optimiser: the best schedule for one patient under clinic constraints.

:func:`optimize_plan` chooses the number of sessions, their days, their depths and the device
that maximise an objective (by default the visible improvement at the horizon), under the
constraints of :class:`PlanConstraints`: horizon, earliest start, minimum and maximum interval,
clinic weekdays, blackout dates, a cap on total downtime, the screening rules of
:mod:`skinremodel.screening` and the maximum depth for the treated area. A robust mode optimises
the mean or a quantile over a virtual population (:class:`~skinremodel.Population`) or a list
of parameter draws.

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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int, check_real
from ..plans.devices import Device
from ..patients.history import MedicalHistory
from ..limits import MIN_SESSION_SPACING_DAYS
from ..model.observables import OBSERVABLES, STATE_NAMES
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import CLINICAL_DEPTH_MM, Schedule, ScheduleWarning, Session
from ..patients.screening import RULES, check_overrides, screen
from ..engine.simulate import simulate
from ..engine.solver import resolve_params

__all__ = ["PlanConstraints", "Objective", "optimize_plan", "AREA_MAX_DEPTH_MM",
           "MAX_SESSIONS_LIMIT", "MAX_HORIZON_DAYS"]

Array = NDArray[np.float64]

#: Upper bound of ``max_sessions`` (enumeration and gradient columns stay small).
MAX_SESSIONS_LIMIT = 12
#: Upper bound of the horizon, days (10 years).
MAX_HORIZON_DAYS = 3650.0
#: Upper bounds of other user-controlled sizes.
MAX_DEVICES = 8
MAX_BLACKOUTS = 1000
MAX_ROBUST_SAMPLE = 256
MAX_STARTS = 32

#: Maximum needle depth by treated area (mm), from commonly published microneedling depth
#: charts [S] (periorbital 0.25-0.5, forehead 0.5-1.0, neck 0.5-1.0, cheeks 1.0-2.0, acne
#: scars up to 2.0-2.5, body up to 2.5). A chosen summary [C], not a clinical rule.
AREA_MAX_DEPTH_MM: dict[str, float] = {
    "periorbital": 0.5,
    "forehead": 1.0,
    "neck": 1.0,
    "upper_lip": 1.0,
    "cheeks": 2.0,
    "acne_scars": 2.5,
    "body": 2.5,
}

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DATE_RULES = frozenset({"radiotherapy", "isotretinoin", "retinoid", "sun_exposure"})


# ---------------------------------------------------------------------------- constraints
def _as_date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None
    raise TypeError(f"{name}: expected a date or 'YYYY-MM-DD', got {type(value).__name__}")


def _weekday(name: str, value: Any) -> int:
    if isinstance(value, str) and value[:3].lower() in _WEEKDAYS:
        return _WEEKDAYS.index(value[:3].lower())
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value <= 6:
        return int(value)
    raise ValueError(f"{name}: a weekday is 0-6 (Monday = 0) or a name like 'Mon', got {value!r}")


@dataclass(frozen=True)
class PlanConstraints:
    """What a plan must satisfy. Every field can be left at its default.

    Parameters
    ----------
    horizon_days : float
        The plan and the objective end here (1 to 3650 days).
    min_sessions, max_sessions : int
        Range of the number of sessions (enumerated; at most 12).
    sessions : int, optional
        Fix the number of sessions.
    min_interval_days : float
        Shortest interval between sessions (>= 7 days, the clinic minimum).
    max_interval_days : float, optional
        Longest interval between consecutive sessions.
    earliest_day : float
        First session not before this day.
    start_date : date or str, optional
        Calendar date of day 0; needed by ``earliest_date``, ``clinic_weekdays``,
        ``blackout_dates`` and by screening rules with dates.
    earliest_date : date or str, optional
        First session not before this date.
    latest_day : float, optional
        Last session not after this day (default: the horizon).
    clinic_weekdays : sequence of int or str, optional
        Days the clinic treats (0 = Monday, or names: ``("Mon", "Tue", "Wed", "Thu", "Fri")``).
    blackout_dates : sequence of date or (date, date), optional
        Dates (or inclusive ranges) without sessions, e.g. holidays.
    max_total_downtime_days : float, optional
        Cap on the summed social downtime of all sessions (``Result.downtime_days``).
    depth_mm : float or (float, float)
        A fixed depth or the range of per-session depths.
    area : str, optional
        Treated area; caps the depth by :data:`AREA_MAX_DEPTH_MM`.
    max_depth_mm : float, optional
        Explicit cap of the depth.
    fixed_days : sequence of float, optional
        Fix the session days (and so their number); depth and device stay free.
    devices : sequence of Device or None, optional
        Devices to choose from (``None`` stands for the default 250 punctures/cm^2).
    override : mapping, optional
        ``{screening rule code: reason}``, as in :func:`~skinremodel.simulate`.
    """

    horizon_days: float = 365.0
    min_sessions: int = 1
    max_sessions: int = 6
    sessions: int | None = None
    min_interval_days: float = 14.0
    max_interval_days: float | None = None
    earliest_day: float = 0.0
    start_date: dt.date | None = None
    earliest_date: dt.date | None = None
    latest_day: float | None = None
    clinic_weekdays: tuple[int, ...] | None = None
    blackout_dates: tuple[tuple[dt.date, dt.date], ...] = ()
    max_total_downtime_days: float | None = None
    depth_mm: tuple[float, float] = (0.5, 2.0)
    area: str | None = None
    max_depth_mm: float | None = None
    fixed_days: tuple[float, ...] | None = None
    devices: tuple[Device | None, ...] = (None,)
    override: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        s = object.__setattr__
        horizon = check_real("horizon_days", self.horizon_days, 1, MAX_HORIZON_DAYS, unit="days")
        s(self, "horizon_days", horizon)
        if self.sessions is not None:
            n = check_int("sessions", self.sessions, 1, MAX_SESSIONS_LIMIT)
            s(self, "sessions", n)
            s(self, "min_sessions", n)
            s(self, "max_sessions", n)
        s(self, "max_sessions", check_int("max_sessions", self.max_sessions, 1, MAX_SESSIONS_LIMIT))
        s(self, "min_sessions", check_int("min_sessions", self.min_sessions, 1, MAX_SESSIONS_LIMIT))
        if self.min_sessions > self.max_sessions:
            raise ValueError(f"min_sessions ({self.min_sessions}) > max_sessions "
                             f"({self.max_sessions})")
        s(self, "min_interval_days", check_real("min_interval_days", self.min_interval_days, 7,
                                                MAX_HORIZON_DAYS, unit="days"))
        if self.max_interval_days is not None:
            hi = check_real("max_interval_days", self.max_interval_days, 7, MAX_HORIZON_DAYS,
                            unit="days")
            if hi < self.min_interval_days:
                raise ValueError(f"min_interval_days ({self.min_interval_days:g}) > "
                                 f"max_interval_days ({hi:g}): no interval satisfies both")
            s(self, "max_interval_days", hi)
        s(self, "earliest_day", check_real("earliest_day", self.earliest_day, 0, horizon,
                                           unit="days"))
        if self.latest_day is not None:
            s(self, "latest_day", check_real("latest_day", self.latest_day, 0, horizon,
                                             unit="days"))
            if self.latest_day < self.earliest_day:
                raise ValueError(f"latest_day ({self.latest_day:g}) < earliest_day "
                                 f"({self.earliest_day:g})")
        if self.start_date is not None:
            s(self, "start_date", _as_date("start_date", self.start_date))
        needs_date = [n for n in ("earliest_date", "clinic_weekdays", "blackout_dates")
                      if getattr(self, n)]
        if needs_date and self.start_date is None:
            raise ValueError(f"{', '.join(needs_date)} need start_date (the calendar date of "
                             "day 0)")
        if self.earliest_date is not None:
            s(self, "earliest_date", _as_date("earliest_date", self.earliest_date))
        if self.clinic_weekdays is not None:
            days = tuple(sorted({_weekday("clinic_weekdays", d) for d in self.clinic_weekdays}))
            if not days:
                raise ValueError("clinic_weekdays is empty: the clinic never treats")
            s(self, "clinic_weekdays", days)
        if len(self.blackout_dates) > MAX_BLACKOUTS:
            raise ValueError(f"blackout_dates: at most {MAX_BLACKOUTS} entries, got "
                             f"{len(self.blackout_dates)}")
        ranges = []
        for i, item in enumerate(self.blackout_dates):
            if isinstance(item, (tuple, list)):
                if len(item) != 2:
                    raise ValueError(f"blackout_dates[{i}]: a date or a (first, last) pair")
                a = _as_date(f"blackout_dates[{i}]", item[0])
                b = _as_date(f"blackout_dates[{i}]", item[1])
                if b < a:
                    raise ValueError(f"blackout_dates[{i}]: {b} is before {a}")
            else:
                a = b = _as_date(f"blackout_dates[{i}]", item)
            ranges.append((a, b))
        s(self, "blackout_dates", tuple(ranges))
        if self.max_total_downtime_days is not None:
            s(self, "max_total_downtime_days",
              check_real("max_total_downtime_days", self.max_total_downtime_days, 0,
                         MAX_HORIZON_DAYS, unit="days"))
        depth = self.depth_mm
        if isinstance(depth, (tuple, list)):
            if len(depth) != 2:
                raise ValueError("depth_mm: a depth or a (low, high) range")
            lo = check_real("depth_mm (low)", depth[0], *CLINICAL_DEPTH_MM, unit="mm")
            hi = check_real("depth_mm (high)", depth[1], *CLINICAL_DEPTH_MM, unit="mm")
            if hi < lo:
                raise ValueError(f"depth_mm: the range ({lo:g}, {hi:g}) is empty")
        else:
            lo = hi = check_real("depth_mm", depth, *CLINICAL_DEPTH_MM, unit="mm")
        s(self, "depth_mm", (lo, hi))
        if self.area is not None and self.area not in AREA_MAX_DEPTH_MM:
            raise ValueError(f"area: unknown area {self.area!r}; areas: "
                             f"{', '.join(AREA_MAX_DEPTH_MM)}")
        if self.max_depth_mm is not None:
            s(self, "max_depth_mm", check_real("max_depth_mm", self.max_depth_mm,
                                               *CLINICAL_DEPTH_MM, unit="mm"))
        cap = self.depth_cap
        if cap < lo:
            who = "max_depth_mm" if self.max_depth_mm == cap else f"area {self.area!r}"
            raise ValueError(f"{who}: the depth cap {cap:g} mm is below the lowest allowed "
                             f"depth_mm {lo:g} mm")
        if self.fixed_days is not None:
            fixed = tuple(check_real(f"fixed_days[{i}]", d, 0, horizon, unit="days")
                          for i, d in enumerate(self.fixed_days))
            if not fixed or len(fixed) > MAX_SESSIONS_LIMIT:
                raise ValueError(f"fixed_days: 1 to {MAX_SESSIONS_LIMIT} days")
            if any(b <= a for a, b in zip(fixed, fixed[1:])):
                raise ValueError("fixed_days must be increasing")
            s(self, "fixed_days", fixed)
            s(self, "min_sessions", len(fixed))
            s(self, "max_sessions", len(fixed))
        devices = tuple(self.devices)
        if not devices or len(devices) > MAX_DEVICES:
            raise ValueError(f"devices: 1 to {MAX_DEVICES} choices (None = default density)")
        for d in devices:
            if d is not None and not isinstance(d, Device):
                raise TypeError(f"devices: Device or None, got {type(d).__name__}")
        s(self, "devices", devices)
        ov = dict(self.override) if not isinstance(self.override, Mapping) else self.override
        s(self, "override", tuple(sorted(check_overrides(ov).items())))

    @property
    def depth_cap(self) -> float:
        """The highest allowed depth (range, area and explicit cap)."""
        cap = self.depth_mm[1]
        if self.area is not None:
            cap = min(cap, AREA_MAX_DEPTH_MM[self.area])
        if self.max_depth_mm is not None:
            cap = min(cap, self.max_depth_mm)
        return cap

    @property
    def last_day(self) -> float:
        """The last allowed session day."""
        return self.horizon_days if self.latest_day is None else self.latest_day

    def date_of(self, day: float) -> dt.date:
        """Calendar date of a day (requires ``start_date``)."""
        assert self.start_date is not None
        return self.start_date + dt.timedelta(days=math.floor(day))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings, devices by their dict)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "devices":
                v = [None if d is None else d.to_dict() for d in v]
            elif f.name == "blackout_dates":
                v = [[a.isoformat(), b.isoformat()] for a, b in v]
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = [list(x) if isinstance(x, tuple) else x for x in v]
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanConstraints:
        """Inverse of :meth:`to_dict`; also reads a constraints TOML table (unknown keys are
        refused with the list of known ones)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown constraint(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(known))}")
        kw: dict[str, Any] = dict(data)
        if kw.get("devices") is not None:
            kw["devices"] = tuple(None if d is None or d == "default" else
                                  Device.from_dict(d) for d in kw["devices"])
        for key in ("clinic_weekdays", "fixed_days"):
            if kw.get(key) is not None:
                kw[key] = tuple(kw[key])
        if "blackout_dates" in kw:
            kw["blackout_dates"] = tuple(tuple(x) if isinstance(x, list) else x
                                         for x in kw["blackout_dates"])
        if isinstance(kw.get("depth_mm"), list):
            kw["depth_mm"] = tuple(kw["depth_mm"])
        if isinstance(kw.get("override"), Mapping):
            kw["override"] = tuple(sorted(kw["override"].items()))
        elif kw.get("override") is not None:
            kw["override"] = tuple(tuple(x) for x in kw["override"])
        return cls(**kw)


# ---------------------------------------------------------------------------- objective
@dataclass(frozen=True)
class Objective:
    """What to maximise: an observable or state at a day, or its mean over a window of days,
    less penalties.

    Parameters
    ----------
    variable : str
        A state or observable (default ``"visible_improvement"``).
    day : float, optional
        Day of the value (default: the horizon).
    window : (float, float), optional
        Average the daily values over this window instead (inclusive, whole days).
    downtime_penalty : float
        Subtracted per day of total downtime.
    session_penalty : float
        Subtracted per session.
    cost_per_session, cost_penalty : float
        A session's cost and the objective units per cost unit (``cost_penalty *
        cost_per_session`` per session).
    """

    variable: str = "visible_improvement"
    day: float | None = None
    window: tuple[float, float] | None = None
    downtime_penalty: float = 0.0
    session_penalty: float = 0.0
    cost_per_session: float = 0.0
    cost_penalty: float = 0.0

    def __post_init__(self) -> None:
        if self.variable not in STATE_NAMES and self.variable not in OBSERVABLES:
            raise ValueError(f"objective: unknown variable {self.variable!r}; choose a state or "
                             f"an observable ({', '.join(list(OBSERVABLES)[:8])}, ...)")
        if self.day is not None and self.window is not None:
            raise ValueError("objective: give a day or a window, not both")
        if self.window is not None:
            a, b = (check_real("objective window start", self.window[0], 0, MAX_HORIZON_DAYS),
                    check_real("objective window end", self.window[1], 0, MAX_HORIZON_DAYS))
            if b < a:
                raise ValueError(f"objective window ({a:g}, {b:g}) is empty")
            object.__setattr__(self, "window", (a, b))
        if self.day is not None:
            object.__setattr__(self, "day", check_real("objective day", self.day, 0,
                                                       MAX_HORIZON_DAYS))
        for name in ("downtime_penalty", "session_penalty", "cost_per_session", "cost_penalty"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), 0, 1e6))

    def times(self, horizon: float) -> Array:
        """The output days the objective reads."""
        if self.window is not None:
            a, b = self.window
            if b > horizon:
                raise ValueError(f"objective window ends on day {b:g}, after the horizon "
                                 f"{horizon:g}")
            return np.arange(math.ceil(a), math.floor(b) + 1.0)
        day = horizon if self.day is None else self.day
        if day > horizon:
            raise ValueError(f"objective day {day:g} is after the horizon {horizon:g}")
        return np.array([day])

    def per_session(self) -> float:
        """Penalty per session."""
        return self.session_penalty + self.cost_penalty * self.cost_per_session

    def describe(self, horizon: float) -> str:
        """Plain words, e.g. ``visible_improvement at day 365``."""
        if self.window is not None:
            what = f"mean {self.variable} over days {self.window[0]:g}-{self.window[1]:g}"
        else:
            what = f"{self.variable} at day {horizon if self.day is None else self.day:g}"
        pens = []
        if self.downtime_penalty:
            pens.append(f"{self.downtime_penalty:g} per downtime day")
        if self.per_session():
            pens.append(f"{self.per_session():g} per session")
        return what + (f", less {' and '.join(pens)}" if pens else "")


# ---------------------------------------------------------------------------- allowed days
def allowed_days(c: PlanConstraints, patient: Patient) -> NDArray[np.bool_]:
    """Whole days 0..horizon on which a session is allowed (index = day).

    Raises ValueError naming the constraint that leaves no day.
    """
    n = int(math.floor(c.horizon_days)) + 1
    day = np.arange(n, dtype=float)
    ok = (day >= c.earliest_day) & (day <= c.last_day)
    if not ok.any():
        raise ValueError(f"earliest_day/latest_day: no whole day in [{c.earliest_day:g}, "
                         f"{c.last_day:g}]")

    def require(name: str) -> None:
        if not ok.any():
            raise ValueError(f"{name}: no day of the horizon (days {c.earliest_day:g}-"
                             f"{c.last_day:g}) is left for a session")

    if c.start_date is not None:
        dates = [c.start_date + dt.timedelta(days=int(d)) for d in range(n)]
        if c.earliest_date is not None:
            ok &= np.array([d >= c.earliest_date for d in dates])
            require("earliest_date")
        if c.clinic_weekdays is not None:
            ok &= np.array([d.weekday() in c.clinic_weekdays for d in dates])
            require("clinic_weekdays")
        if c.blackout_dates:
            off = np.zeros(n, dtype=bool)
            for a, b in c.blackout_dates:
                off |= np.array([a <= d <= b for d in dates])
            ok &= ~off
            require("blackout_dates")
    # Screening: contraindications that hold whatever the day block every plan; date rules
    # block the days they concern.
    override = dict(c.override)
    probe = Schedule([float(np.argmax(ok))], start_date=c.start_date)
    found = screen(patient, probe, override=override)
    for f in found.contraindications:
        if f.override is None and f.code not in _DATE_RULES:
            raise ValueError(f"screening: {f.message}; no plan is allowed (override with "
                             f"override={{'{f.code}': 'reason'}})")
    if patient.history.dated_fields:
        if c.start_date is None:
            raise ValueError("screening: the patient's history has dates; give start_date so "
                             "that the session dates can be checked")
        for d in np.flatnonzero(ok):
            res = screen(patient, Schedule([float(d)], start_date=c.start_date),
                         override=override)
            if any(f.override is None for f in res.contraindications):
                ok[d] = False
        require("screening (" + ", ".join(r.code for r in RULES if r.code in _DATE_RULES) + ")")
    return ok


def max_feasible_count(ok: NDArray[np.bool_], c: PlanConstraints) -> int:
    """Most sessions that fit on allowed days with the interval constraints (dynamic
    programming over whole days)."""
    n = len(ok)
    lo = int(math.ceil(c.min_interval_days))
    hi = n if c.max_interval_days is None else int(math.floor(c.max_interval_days))
    reach = ok.copy()
    count = 1 if reach.any() else 0
    for _ in range(1, c.max_sessions):
        cum = np.concatenate([[0], np.cumsum(reach)])
        idx = np.arange(n)
        a = np.clip(idx - hi, 0, n)
        b = np.clip(idx - lo + 1, 0, n)
        nxt = ok & (cum[np.maximum(b, a)] - cum[a] > 0)
        if not nxt.any():
            break
        reach = nxt
        count += 1
    return count


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
    evaluations: int = 0
    downtime_table: dict[int, tuple[Array, Array]] = field(default_factory=dict)


def _schedule(days: Sequence[float] | Array, depths: Sequence[float] | Array,
              device: Device | None, start_date: dt.date | None,
              name: str | None = None) -> Schedule:
    # SLSQP may evaluate intervals a hair under the 7-day minimum of the ScheduleWarning; the
    # plans it returns are rounded and checked (violations()), so the warning is noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScheduleWarning)
        return _make_schedule(days, depths, device, start_date, name)


def _make_schedule(days: Sequence[float] | Array, depths: Sequence[float] | Array,
                   device: Device | None, start_date: dt.date | None,
                   name: str | None) -> Schedule:
    # SLSQP lands a day bound at 0 only to rounding (1e-17 days); Session refuses days in
    # (0, MIN_SESSION_SPACING_DAYS) (docs/limits.md), so those are the bound itself.
    snapped = [0.0 if float(d) < MIN_SESSION_SPACING_DAYS else float(d) for d in days]
    return Schedule([Session(d, float(z), device=device) for d, z in zip(snapped, depths)],
                    start_date=start_date, name=name)


def _aggregate(values: Array, grads: Array | None, statistic: str | float
               ) -> tuple[float, Array | None]:
    """Mean or quantile over draws (values (n,), grads (n, m)); the quantile's gradient is that
    of the order statistics it interpolates."""
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


def _benefit(s: _Setup, days: Array, depths: Array, device: Device | None,
             gradient: bool) -> tuple[float, Array | None]:
    """Objective variable (at the day or window mean) and its gradient in (days, depths)."""
    plan = _schedule(days, depths, device, s.c.start_date)
    n = len(days)
    names = [f"day[{k}]" for k in range(n)] + [f"depth_mm[{k}]" for k in range(n)]
    override = dict(s.c.override) or None

    def one(item: tuple[Patient, Parameters]) -> tuple[float, Array | None]:
        patient, params = item
        # Gradient steps run at rtol 1e-5 (half the cost); every plan that is scored, rounded
        # or reported is simulated at the default rtol 1e-6.
        res = simulate(plan, patient, days=s.c.horizon_days, t_eval=s.times, params=params,
                       override=override, sensitivities=names if gradient else None,
                       rtol=1e-5 if gradient else 1e-6)
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


def _downtime_curve(s: _Setup, device: Device | None) -> tuple[Array, Array]:
    """Downtime of one session against depth for this patient (the median draw's patient)."""
    key = id(device)
    if key not in s.downtime_table:
        depths = np.linspace(CLINICAL_DEPTH_MM[0], CLINICAL_DEPTH_MM[1], 10)
        values = []
        # Screening is done by allowed_days(); a history would ask for session dates here.
        patient = replace(s.patient, history=MedicalHistory())
        for z in depths:
            res = simulate(_schedule([0.0], [z], device, None), patient, days=60,
                           t_eval=[0.0, 60.0], params=s.params,
                           override=dict(s.c.override) or None)
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
    res = simulate(plan, s.patient, days=s.c.horizon_days, t_eval=[0.0, s.c.horizon_days],
                   params=s.params, override=dict(s.c.override) or None)
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


def _score(s: _Setup, days: Array, depths: Array, device: Device | None, source: str,
           downtime: float | None = None) -> Candidate:
    benefit, _ = _benefit(s, days, depths, device, gradient=False)
    if downtime is None:
        downtime, _ = _downtime(s, depths, device)
    obj = (benefit - s.objective.downtime_penalty * downtime
           - s.objective.per_session() * len(days))
    return Candidate(tuple(float(d) for d in days), tuple(float(z) for z in depths), device,
                     benefit, downtime, obj, source)


# ---------------------------------------------------------------------------- feasibility
def violations(plan: Schedule, c: PlanConstraints, ok: NDArray[np.bool_],
               downtime: float | None = None) -> list[str]:
    """The constraints a plan breaks (empty if it satisfies all of them)."""
    out = []
    n = len(plan)
    if not c.min_sessions <= n <= c.max_sessions:
        out.append(f"sessions: {n} not in [{c.min_sessions}, {c.max_sessions}]")
    for k, sess in enumerate(plan):
        d = sess.day
        if d != math.floor(d) or d < 0 or d >= len(ok) or not ok[int(d)]:
            out.append(f"sessions[{k}] day {d:g} is not an allowed day")
        if sess.depth_mm < c.depth_mm[0] - 1e-12 or sess.depth_mm > c.depth_cap + 1e-12:
            out.append(f"sessions[{k}] depth {sess.depth_mm:g} outside [{c.depth_mm[0]:g}, "
                       f"{c.depth_cap:g}] mm")
        if sess.device not in c.devices and not (sess.device is None and None in c.devices):
            out.append(f"sessions[{k}] device not among the allowed devices")
    gaps = np.diff(plan.days)
    if np.any(gaps < c.min_interval_days - 1e-9):
        out.append(f"min_interval_days: an interval of {gaps.min():g} days")
    if c.max_interval_days is not None and np.any(gaps > c.max_interval_days + 1e-9):
        out.append(f"max_interval_days: an interval of {gaps.max():g} days")
    if c.fixed_days is not None and tuple(plan.days) != c.fixed_days:
        out.append("fixed_days: the days differ")
    if (c.max_total_downtime_days is not None and downtime is not None
            and downtime > c.max_total_downtime_days + 1e-9):
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
    """n sessions from the first allowed day with an interval chosen so that the course
    spans ``fraction`` of the allowed window."""
    allowed = np.flatnonzero(ok)
    first, last = float(allowed[0]), float(allowed[-1])
    if n == 1:
        return _round_days(np.array([first + fraction * (last - first)]), ok, c)
    gap = max(c.min_interval_days, fraction * (last - first) / (n - 1))
    if c.max_interval_days is not None:
        gap = min(gap, c.max_interval_days)
    return _round_days(np.asarray(first + gap * np.arange(n), dtype=np.float64), ok, c)


# ---------------------------------------------------------------------------- local search
def _slsqp(s: _Setup, days0: Array, depths0: Array, device: Device | None
           ) -> tuple[Array, Array]:
    """Continuous optimum of days and depths from a start (SLSQP with exact gradients)."""
    from scipy.optimize import minimize

    c = s.c
    n = len(days0)
    allowed = np.flatnonzero(s.ok)
    lo_day, hi_day = float(allowed[0]), float(allowed[-1])
    free_days = c.fixed_days is None
    free_depth = c.depth_cap > c.depth_mm[0]
    scale = 30.0   # days in months: both kinds of variable of order 1

    def unpack(x: Array) -> tuple[Array, Array]:
        i = 0
        days = days0
        if free_days:
            days = x[:n] * scale
            i = n
        depths = x[i:i + n] if free_depth else depths0
        return days, depths

    x0 = np.concatenate(([days0 / scale] if free_days else []) +
                        ([depths0] if free_depth else []))
    if x0.size == 0:
        return days0, depths0
    bounds = ([(lo_day / scale, hi_day / scale)] * n if free_days else []) + \
             ([(c.depth_mm[0], c.depth_cap)] * n if free_depth else [])

    cache: dict[bytes, tuple[float, Array]] = {}

    def fun(x: Array) -> tuple[float, Array]:
        key = x.tobytes()
        if key not in cache:
            days, depths = unpack(x)
            order_ok = np.all(np.diff(days) > 0.5)
            if not order_ok:   # SLSQP may step outside the linear constraints briefly
                cache[key] = (1e3, np.zeros_like(x))
                return cache[key]
            b, g = _benefit(s, days, depths, device, gradient=True)
            assert g is not None
            dt_total, slope = _downtime(s, depths, device)
            val = b - s.objective.downtime_penalty * dt_total
            grad_days, grad_depth = g[:n], g[n:] - s.objective.downtime_penalty * slope
            parts = ([grad_days * scale] if free_days else []) + \
                    ([grad_depth] if free_depth else [])
            cache[key] = (-val, -np.concatenate(parts))
        return cache[key]

    cons: list[dict[str, Any]] = []
    if free_days and n > 1:
        diff = np.zeros((n - 1, x0.size))
        for k in range(n - 1):
            diff[k, k], diff[k, k + 1] = -1.0, 1.0
        cons.append({"type": "ineq", "fun": lambda x: diff @ x - c.min_interval_days / scale,
                     "jac": lambda x: diff})
        if c.max_interval_days is not None:
            cons.append({"type": "ineq", "fun": lambda x: c.max_interval_days / scale - diff @ x,
                         "jac": lambda x: -diff})
    if c.max_total_downtime_days is not None and free_depth:
        off = n if free_days else 0

        def dt_fun(x: Array) -> float:
            return c.max_total_downtime_days - _downtime(s, unpack(x)[1], device)[0]  # type: ignore[operator]

        def dt_jac(x: Array) -> Array:
            j = np.zeros(x.size)
            j[off:off + n] = -_downtime(s, unpack(x)[1], device)[1]
            return j

        cons.append({"type": "ineq", "fun": dt_fun, "jac": dt_jac})
    res = minimize(lambda x: fun(x)[0], x0, jac=lambda x: fun(x)[1], method="SLSQP",
                   bounds=bounds, constraints=cons, options={"maxiter": 25, "ftol": 1e-6})
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
                trial = _score(s, days, np.array(best.depths), best.device, best.source,
                               best.downtime_days)
                if trial.objective > best.objective + 1e-12:
                    best, improved = trial, True
        if not improved:
            break
    return best


def _finalise(s: _Setup, days: Array, depths: Array, device: Device | None,
              source: str, polish: bool = True) -> Candidate | None:
    """Round to allowed days and 0.05 mm, check the downtime by simulation (lowering depths
    if it is over the cap), polish."""
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
def library_candidates(c: PlanConstraints, ok: NDArray[np.bool_]
                       ) -> list[tuple[str, Schedule]]:
    """Library plans (and their documented variants) started on the first allowed day at the
    depth nearest 1.5 mm, truncated to the horizon; not yet checked against the constraints."""
    from ..plans.library import LIBRARY

    first = float(np.flatnonzero(ok)[0])
    depth = min(max(1.5, c.depth_mm[0]), c.depth_cap)
    out = []
    for plan in LIBRARY.values():
        lo, hi = plan.sessions
        intervals = sorted({plan.interval_days[0], plan.default_interval_days,
                            plan.interval_days[1]})
        for count in range(lo, hi + 1):
            for every in intervals:
                built = plan.build(sessions=count, every_days=every, depth_mm=depth)
                days = [first + d for d in built.days if first + d <= c.last_day]
                if not days:
                    continue
                label = f"{plan.name} ({count} x {every:g} d)"
                for device in c.devices:
                    name = label if device is None else f"{label}, {device.describe()}"
                    out.append((name, _schedule(days, [depth] * len(days), device,
                                                c.start_date, name)))
    return out


def _starts(s: _Setup, n: int, device: Device | None, library: list[Any],
            rng: np.random.Generator, n_starts: int) -> list[tuple[Array, Array, str]]:
    """Starting plans for n sessions: evenly spread courses (the first over half the allowed
    window, the others over seeded random fractions) and the best library plan of n sessions."""
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
    lib = sorted((cand for _, _, cand, _ in library
                  if cand is not None and len(cand.days) == n and cand.device is device),
                 key=lambda x: -x.objective)[:1]
    out += [(np.array(x.days), np.array(x.depths), "from " + x.source) for x in lib]
    return out


# ---------------------------------------------------------------------------- entry point
def _draws(patient: Patient, params: Parameters, population: Any, param_draws: Any,
           robust_sample: int, seed: int) -> tuple[list[tuple[Patient, Parameters]],
                                                   list[tuple[Patient, Parameters]]]:
    """(draws used while optimising, all draws for evaluation)."""
    if population is None and param_draws is None:
        return [(patient, params)], [(patient, params)]
    if population is not None and param_draws is not None:
        raise TypeError("give population or param_draws, not both")
    if population is not None:
        from ..populations.population import Population

        if not isinstance(population, Population):
            raise TypeError(f"population must be a skinremodel.Population, got "
                            f"{type(population).__name__}")
        names = population.nominal.names
        full = [(p, Parameters(dict(zip(names, map(float, row)))))
                for p, row in zip(population.patients, population.params_matrix)]
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
    from .optimum import PlanOptimum

    t_start = time.perf_counter()
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
        statistic = check_real("statistic (a quantile)", statistic, 0, 1, lo_closed=False,
                               hi_closed=False)
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
            + f" days, but min_sessions is {c.min_sessions}")
    opt_draws, all_draws = _draws(patient, nominal, population, param_draws, robust_n, seed_i)
    # The enumeration runs on the nominal patient; in robust mode the best session counts are
    # then refined on the subsample of draws (s_rob), and everything is evaluated on all draws.
    s = _Setup(patient, c, obj, nominal, times, ok, [(patient, nominal)], "mean", n_threads)
    max_n = min(c.max_sessions, fit)
    if c.max_total_downtime_days is not None:
        per = min(float(np.interp(c.depth_mm[0], *_downtime_curve(s, d))) for d in c.devices)
        most = int(math.floor(c.max_total_downtime_days / per + 1e-9)) if per > 0 else max_n
        if most < c.min_sessions:
            raise ValueError(f"max_total_downtime_days: {c.max_total_downtime_days:g} days allow "
                             f"at most {most} session(s) at the lowest depth "
                             f"({c.depth_mm[0]:g} mm: {per:.2f} days each), but min_sessions "
                             f"is {c.min_sessions}")
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
                if cand is not None and (n not in per_count
                                         or cand.objective > per_count[n].objective):
                    per_count[n] = cand
    if not per_count:
        raise ValueError("constraints: no plan satisfying every constraint was found "
                         "(check max_total_downtime_days, the intervals and the allowed days)")
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
            for cand in (_finalise(s_rob, days_x, depths_x, x.device, "robust from " + x.source,
                                   polish=False),
                         _score(s_rob, np.array(x.days), np.array(x.depths), x.device, x.source,
                                x.downtime_days)):
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
    return PlanOptimum._build(final, best, library, per_count, all_draws, pareto,
                              time.perf_counter() - t_start, seed_i)


def draws_values(s: Any, plans: Sequence[Schedule], draws: Sequence[tuple[Patient, Parameters]],
                 threads: int) -> Array:
    """Objective variable of each plan on every draw, with the batch engine: (plan, draw)."""
    from ..engine.batch import simulate_many

    patients = [p for p, _ in draws]
    rows = np.array([q.values_array for _, q in draws])
    out = np.empty((len(plans), len(draws)))
    times = s.times
    for i, plan in enumerate(plans):
        res = simulate_many(plan, patients, rows, t_eval=times, days=s.c.horizon_days,
                            metrics=[s.objective.variable], threads=threads,
                            override=dict(s.c.override) or None)
        vals = np.asarray(res.values(s.objective.variable)).reshape(len(draws), -1)
        out[i] = vals.mean(axis=1)
    return out


