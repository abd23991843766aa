"""What a plan must satisfy and what the optimiser maximises.

:class:`PlanConstraints`, :class:`Objective`, and the days a session is allowed on for a patient.

The bounds of every size a user sets here are below (``docs/optimisation.md``); the screening
rules (:mod:`skinremodel.patients.screening`) block the days they concern.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int, check_real
from ..model.observables import OBSERVABLES, STATE_NAMES
from ..patients.patient import Patient
from ..patients.screening import RULES, check_overrides, screen
from ..plans.devices import Device
from ..plans.schedule import Schedule
from ..plans.session import CLINICAL_DEPTH_MM

__all__ = [
    "PlanConstraints",
    "Objective",
    "allowed_days",
    "max_feasible_count",
    "AREA_MAX_DEPTH_MM",
    "MAX_SESSIONS_LIMIT",
    "MAX_HORIZON_DAYS",
]

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
            raise ValueError(
                f"min_sessions ({self.min_sessions}) > max_sessions ({self.max_sessions})"
            )
        s(
            self,
            "min_interval_days",
            check_real(
                "min_interval_days", self.min_interval_days, 7, MAX_HORIZON_DAYS, unit="days"
            ),
        )
        if self.max_interval_days is not None:
            hi = check_real(
                "max_interval_days", self.max_interval_days, 7, MAX_HORIZON_DAYS, unit="days"
            )
            if hi < self.min_interval_days:
                raise ValueError(
                    f"min_interval_days ({self.min_interval_days:g}) > "
                    f"max_interval_days ({hi:g}): no interval satisfies both"
                )
            s(self, "max_interval_days", hi)
        s(
            self,
            "earliest_day",
            check_real("earliest_day", self.earliest_day, 0, horizon, unit="days"),
        )
        if self.latest_day is not None:
            s(
                self,
                "latest_day",
                check_real("latest_day", self.latest_day, 0, horizon, unit="days"),
            )
            if self.latest_day < self.earliest_day:
                raise ValueError(
                    f"latest_day ({self.latest_day:g}) < earliest_day ({self.earliest_day:g})"
                )
        if self.start_date is not None:
            s(self, "start_date", _as_date("start_date", self.start_date))
        needs_date = [
            n for n in ("earliest_date", "clinic_weekdays", "blackout_dates") if getattr(self, n)
        ]
        if needs_date and self.start_date is None:
            raise ValueError(
                f"{', '.join(needs_date)} need start_date (the calendar date of day 0)"
            )
        if self.earliest_date is not None:
            s(self, "earliest_date", _as_date("earliest_date", self.earliest_date))
        if self.clinic_weekdays is not None:
            days = tuple(sorted({_weekday("clinic_weekdays", d) for d in self.clinic_weekdays}))
            if not days:
                raise ValueError("clinic_weekdays is empty: the clinic never treats")
            s(self, "clinic_weekdays", days)
        if len(self.blackout_dates) > MAX_BLACKOUTS:
            raise ValueError(
                f"blackout_dates: at most {MAX_BLACKOUTS} entries, got {len(self.blackout_dates)}"
            )
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
            s(
                self,
                "max_total_downtime_days",
                check_real(
                    "max_total_downtime_days",
                    self.max_total_downtime_days,
                    0,
                    MAX_HORIZON_DAYS,
                    unit="days",
                ),
            )
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
            raise ValueError(
                f"area: unknown area {self.area!r}; areas: {', '.join(AREA_MAX_DEPTH_MM)}"
            )
        if self.max_depth_mm is not None:
            s(
                self,
                "max_depth_mm",
                check_real("max_depth_mm", self.max_depth_mm, *CLINICAL_DEPTH_MM, unit="mm"),
            )
        cap = self.depth_cap
        if cap < lo:
            who = "max_depth_mm" if self.max_depth_mm == cap else f"area {self.area!r}"
            raise ValueError(
                f"{who}: the depth cap {cap:g} mm is below the lowest allowed depth_mm {lo:g} mm"
            )
        if self.fixed_days is not None:
            fixed = tuple(
                check_real(f"fixed_days[{i}]", d, 0, horizon, unit="days")
                for i, d in enumerate(self.fixed_days)
            )
            if not fixed or len(fixed) > MAX_SESSIONS_LIMIT:
                raise ValueError(f"fixed_days: 1 to {MAX_SESSIONS_LIMIT} days")
            if any(b <= a for a, b in itertools.pairwise(fixed)):
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
        """Build constraints from :meth:`to_dict`'s output or a constraints TOML table.

        Unknown keys are refused with the list of known ones.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown constraint(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        kw: dict[str, Any] = dict(data)
        if kw.get("devices") is not None:
            kw["devices"] = tuple(
                None if d is None or d == "default" else Device.from_dict(d) for d in kw["devices"]
            )
        for key in ("clinic_weekdays", "fixed_days"):
            if kw.get(key) is not None:
                kw[key] = tuple(kw[key])
        if "blackout_dates" in kw:
            kw["blackout_dates"] = tuple(
                tuple(x) if isinstance(x, list) else x for x in kw["blackout_dates"]
            )
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
    """What to maximise: an observable or state at a day or over a window, less penalties.

    The value read is the observable or state at one day, or its mean over a window of days.

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
            raise ValueError(
                f"objective: unknown variable {self.variable!r}; choose a state or "
                f"an observable ({', '.join(list(OBSERVABLES)[:8])}, ...)"
            )
        if self.day is not None and self.window is not None:
            raise ValueError("objective: give a day or a window, not both")
        if self.window is not None:
            a, b = (
                check_real("objective window start", self.window[0], 0, MAX_HORIZON_DAYS),
                check_real("objective window end", self.window[1], 0, MAX_HORIZON_DAYS),
            )
            if b < a:
                raise ValueError(f"objective window ({a:g}, {b:g}) is empty")
            object.__setattr__(self, "window", (a, b))
        if self.day is not None:
            object.__setattr__(
                self, "day", check_real("objective day", self.day, 0, MAX_HORIZON_DAYS)
            )
        for name in ("downtime_penalty", "session_penalty", "cost_per_session", "cost_penalty"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), 0, 1e6))

    def times(self, horizon: float) -> Array:
        """Return the output days the objective reads."""
        if self.window is not None:
            a, b = self.window
            if b > horizon:
                raise ValueError(
                    f"objective window ends on day {b:g}, after the horizon {horizon:g}"
                )
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
        raise ValueError(
            f"earliest_day/latest_day: no whole day in [{c.earliest_day:g}, {c.last_day:g}]"
        )

    def require(name: str) -> None:
        if not ok.any():
            raise ValueError(
                f"{name}: no day of the horizon (days {c.earliest_day:g}-"
                f"{c.last_day:g}) is left for a session"
            )

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
            raise ValueError(
                f"screening: {f.message}; no plan is allowed (override with "
                f"override={{'{f.code}': 'reason'}})"
            )
    if patient.history.dated_fields:
        if c.start_date is None:
            raise ValueError(
                "screening: the patient's history has dates; give start_date so "
                "that the session dates can be checked"
            )
        for d in np.flatnonzero(ok):
            res = screen(patient, Schedule([float(d)], start_date=c.start_date), override=override)
            if any(f.override is None for f in res.contraindications):
                ok[d] = False
        require("screening (" + ", ".join(r.code for r in RULES if r.code in _DATE_RULES) + ")")
    return ok


def max_feasible_count(ok: NDArray[np.bool_], c: PlanConstraints) -> int:
    """Count the most sessions that fit on allowed days with the interval constraints.

    Dynamic programming over whole days.
    """
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
