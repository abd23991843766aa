"""Treatment plans: the sessions of a microneedling course and their needle settings.

A :class:`Schedule` is a sorted tuple of :class:`Session` objects, an optional calendar start
date (the date of day 0) and a name. Phases are joined with :meth:`Schedule.then` and
:meth:`Schedule.then_every`; the text form (:meth:`Schedule.parse`, ``str(plan)``) lives in
``schedule_text.py`` and the JSON/TOML document format in ``schedule_io.py``.

``schedule_io.py`` knows the document format and ``schedule_text.py`` the text form; both sit
below this module and deal in :class:`Session` objects (``session.py``): they check and read
documents or text, and the plan is built here.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from .._validation import check_bool, check_date, check_real
from ..limits import MAX_SESSIONS, MIN_SESSION_SPACING_DAYS, add_days, check_count
from . import schedule_io, schedule_text
from .devices import Device
from .session import (
    CLINICAL_DEPTH_MM,
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    DAYS_PER_YEAR,
    MAX_DEPTH_MM,
    Session,
)

__all__ = ["Schedule", "ScheduleWarning", "MIN_INTERVAL_DAYS", "as_schedule", "schedule_from_dict"]

#: Sessions closer than this (days) raise a :class:`ScheduleWarning`: the shortest interval of
#: clinic practice is one week ("2-3 sessions 1-2 weeks apart"), and the epidermis of a needled
#: skin model is restored only after about 5 days (Schmitt et al. 2018).
MIN_INTERVAL_DAYS = 7.0


class ScheduleWarning(UserWarning):
    """A plan that is valid but unusual for clinic practice (e.g. sessions under 7 days apart)."""


def _session_error(index: int, session: Session, message: str) -> ValueError:
    return ValueError(f"sessions[{index}] (day {session.day:g}): {message}")


class Schedule(Sequence[Session]):
    """A treatment plan: sessions on distinct days, sorted by day.

    Parameters
    ----------
    sessions : iterable of float or Session
        Session days (numbers) or :class:`Session` objects. Numbers take the keyword settings
        below; the order does not matter, the plan is kept sorted by day.
    depth_mm : float
        Needle length of sessions given as days (default 1.5 mm).
    density_per_cm2 : float, optional
        Puncture density of sessions given as days (default: the device's, else 250 per cm^2).
    needle_diameter_mm : float, optional
        Needle diameter of sessions given as days (default: the device's, else parameter ``w``).
    device : Device, optional
        Device of sessions given as days (sets their density and needle diameter).
    allow_any_depth : bool
        Accept depths outside the clinical range 0.25-2.5 mm (up to 5 mm).
    name : str, optional
        A label used in tables and plots.
    start_date : datetime.date or str, optional
        Calendar date of day 0 (``"2025-03-03"`` is accepted); gives every session a date.

    Raises
    ------
    ValueError
        Two sessions on the same day, a negative or non-finite day, a depth outside the
        clinical range; the message names the session by its index after sorting.

    Warns
    -----
    ScheduleWarning
        Sessions closer than 7 days (:data:`MIN_INTERVAL_DAYS`); the message names them.

    Examples
    --------
    >>> import skinremodel as sr
    >>> plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
    >>> plan.days
    array([ 0., 28., 56., 84.])
    >>> sr.Schedule([0, 14, 28], depth_mm=1.0).depths
    array([1., 1., 1.])
    >>> str(plan.then_every(years=1, sessions=2))
    '4 sessions every 4 weeks at 1.5 mm, then 2 sessions every year'
    """

    def __init__(
        self,
        sessions: Iterable[float | Session] = (),
        *,
        depth_mm: float = 1.5,
        density_per_cm2: float | None = None,
        needle_diameter_mm: float | None = None,
        device: Device | None = None,
        allow_any_depth: bool = False,
        name: str | None = None,
        start_date: dt.date | str | None = None,
    ) -> None:
        if isinstance(sessions, (str, bytes)) or not isinstance(sessions, Iterable):
            raise TypeError(
                "sessions must be an iterable of session days or Session objects, "
                f"got {type(sessions).__name__}"
            )
        items: list[Session] = []
        for k, s in enumerate(sessions):
            check_count("sessions", k + 1, MAX_SESSIONS, "sessions in one plan")
            if isinstance(s, Session):
                items.append(s)
            else:
                try:
                    items.append(
                        Session(
                            s,
                            depth_mm,
                            density_per_cm2,  # type: ignore[arg-type]
                            needle_diameter_mm,
                            device=device,
                        )
                    )
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"sessions[{k}]: {exc}") from None
        items.sort(key=lambda s: s.day)
        for k in range(1, len(items)):
            if items[k].day == items[k - 1].day:
                raise _session_error(
                    k,
                    items[k],
                    f"sessions[{k - 1}] and sessions[{k}] are both on day {items[k].day:g}; "
                    "sessions must be on distinct days",
                )
            if items[k].day - items[k - 1].day < MIN_SESSION_SPACING_DAYS:
                raise _session_error(
                    k,
                    items[k],
                    f"sessions[{k - 1}] and sessions[{k}] are less than "
                    f"{MIN_SESSION_SPACING_DAYS:g} days apart (below the solver's resolution)",
                )
        lo, hi = CLINICAL_DEPTH_MM
        if not allow_any_depth:
            for k, s in enumerate(items):
                if not lo <= s.depth_mm <= hi:
                    raise _session_error(
                        k,
                        s,
                        f"depth_mm must be in [{lo:g}, {hi:g}] mm (clinical needle lengths), "
                        f"got {s.depth_mm:g}; pass allow_any_depth=True for up to "
                        f"{MAX_DEPTH_MM:g} mm",
                    )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, got {type(name).__name__}")
        self._sessions: tuple[Session, ...] = tuple(items)
        self.allow_any_depth = bool(allow_any_depth)
        self.name = name
        self._array: NDArray[np.float64] | None = None
        self.start_date: dt.date | None = (
            None if start_date is None else _check_start(start_date, self._sessions)
        )
        _warn_short_intervals(self._sessions)

    @classmethod
    def regular(
        cls,
        sessions: int,
        every_days: float | None = None,
        *,
        every_weeks: float | None = None,
        depth_mm: float = 1.5,
        start_day: float = 0.0,
        density_per_cm2: float | None = None,
        needle_diameter_mm: float | None = None,
        device: Device | None = None,
        allow_any_depth: bool = False,
        name: str | None = None,
        start_date: dt.date | str | None = None,
    ) -> Schedule:
        """Return ``sessions`` sessions evenly spaced from ``start_day``.

        Give the interval as ``every_days`` or ``every_weeks`` (exactly one).
        """
        count = _check_count(sessions)
        if (every_days is None) == (every_weeks is None):
            raise TypeError("give exactly one of every_days and every_weeks")
        if every_weeks is not None:
            interval = DAYS_PER_WEEK * check_real(
                "every_weeks", every_weeks, 0, math.inf, lo_closed=False
            )
        else:
            interval = check_real("every_days", every_days, 0, math.inf, lo_closed=False)
        start = check_real("start_day", start_day, 0, math.inf, unit="days")
        days = [start + k * interval for k in range(count)]
        return cls(
            days,
            depth_mm=depth_mm,
            density_per_cm2=density_per_cm2,
            needle_diameter_mm=needle_diameter_mm,
            device=device,
            allow_any_depth=allow_any_depth,
            name=name,
            start_date=start_date,
        )

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        name: str | None = None,
        allow_any_depth: bool = False,
        start_date: dt.date | str | None = None,
    ) -> Schedule:
        """Read a plan from its text form, e.g. ``"4 sessions every 4 weeks at 1.5 mm"``.

        The language is stated by the grammar ``plans/schedule_text.lark`` (explained with
        examples in ``docs/clinician.md``); ``str(plan)`` writes it, and
        ``Schedule.parse(str(plan)) == plan`` for every plan the text form can express.

        Raises
        ------
        ValueError
            Text that cannot be read (the message quotes the place and what was expected),
            or an invalid plan (the message names the session).
        """
        sessions, when = schedule_text.parse_schedule(text, start_date=start_date)
        return cls(sessions, allow_any_depth=allow_any_depth, name=name, start_date=when)

    # Sequence protocol
    @overload
    def __getitem__(self, index: int) -> Session: ...
    @overload
    def __getitem__(self, index: slice) -> Schedule: ...
    def __getitem__(self, index: int | slice) -> Session | Schedule:
        if isinstance(index, slice):
            return self._replace(sessions=self._sessions[index])
        return self._sessions[index]

    def __len__(self) -> int:
        return len(self._sessions)

    def __iter__(self) -> Iterator[Session]:
        return iter(self._sessions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self._sessions == other._sessions and self.start_date == other.start_date

    def __hash__(self) -> int:
        return hash((self._sessions, self.start_date))

    def __repr__(self) -> str:
        # A summary, not every Session: the text form reads back with Schedule.parse, and
        # .sessions lists the sessions.
        name = f" {self.name!r}" if self.name else ""
        n = len(self._sessions)
        days = [f"{d:g}" for d in self.days]
        shown = ", ".join(days if n <= 6 else days[:3] + ["..."] + days[-2:])
        when = f", from {self.start_date.isoformat()}" if self.start_date else ""
        try:
            text = f": {str(self)!r}"
        except Exception:  # pragma: no cover - every plan has a text form; defensive
            text = ""
        return (
            f"<Schedule{name}{text}; {n} session{'s' if n != 1 else ''} on day"
            f"{'s' if n != 1 else ''} {shown or '-'}{when}>"
        )

    def __str__(self) -> str:
        return schedule_text.format_schedule(self, strict=False)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._sessions, self.allow_any_depth, self.name, self.start_date))

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The sessions, sorted by day."""
        return self._sessions

    @property
    def days(self) -> NDArray[np.float64]:
        """Session days as a float array."""
        return np.array([s.day for s in self._sessions], dtype=np.float64)

    @property
    def depths(self) -> NDArray[np.float64]:
        """Needle lengths (mm) as a float array."""
        return np.array([s.depth_mm for s in self._sessions], dtype=np.float64)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """Calendar date of each session (``start_date`` + whole days).

        Raises
        ------
        ValueError
            If the plan has no start date.
        """
        start = self._require_start_date("session dates")
        return tuple(add_days("session dates", start, s.day) for s in self._sessions)

    def _require_start_date(self, what: str) -> dt.date:
        if self.start_date is None:
            raise ValueError(
                f"{what} need a start date, and this plan has none; give one with "
                "plan.starting(date) or Schedule(..., start_date=date)"
            )
        return self.start_date

    def day_of(self, date: dt.date | str) -> float:
        """Day number (days since ``start_date``) of a calendar date."""
        when = check_date("date", date)
        return float((when - self._require_start_date("calendar dates")).days)

    def label(self) -> str:
        """Return the name, or the text form when the plan has no name."""
        return self.name if self.name else str(self)

    # Building -------------------------------------------------------------------------
    def starting(self, start_date: dt.date | str | None) -> Schedule:
        """Return a copy whose day 0 is ``start_date`` (None removes the date)."""
        return self._replace(
            start_date=None if start_date is None else _check_start(start_date, self._sessions)
        )

    def named(self, name: str | None) -> Schedule:
        """Return a copy with another name."""
        return self._replace(name=name)

    def with_settings(self, **changes: Any) -> Schedule:
        """Return a copy with the same change applied to every session (e.g. ``depth_mm``).

        Changing ``device`` also resets the density and needle diameter to the new device's
        (unless given too); changing the density of sessions that use a device needs
        ``device=None`` as well.
        """
        if "device" in changes:
            changes.setdefault("density_per_cm2", None)
            changes.setdefault("needle_diameter_mm", None)
        sessions = []
        for k, s in enumerate(self._sessions):
            try:
                sessions.append(replace(s, **changes))
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"sessions[{k}] (day {s.day:g}): {exc}") from None
        # Same days as this plan: its interval warnings were already given.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScheduleWarning)
            return Schedule(
                sessions,
                allow_any_depth=self.allow_any_depth,
                name=self.name,
                start_date=self.start_date,
            )

    def then(
        self, other: Schedule, *, after_days: float | None = None, after_weeks: float | None = None
    ) -> Schedule:
        """Append another plan as a later phase.

        ``other`` is shifted so that its day 0 falls ``after_days`` (or ``after_weeks``) after
        the last session of this plan; without a gap, the gap is ``other``'s first interval
        (so ``course.then(Schedule.regular(2, every_days=365))`` means yearly touch-ups).

        Raises
        ------
        TypeError
            No gap given and ``other`` has fewer than two sessions.
        """
        if not isinstance(other, Schedule):
            raise TypeError(f"then() takes a Schedule, got {type(other).__name__}")
        if after_days is not None and after_weeks is not None:
            raise TypeError("give at most one of after_days and after_weeks")
        if after_weeks is not None:
            gap = DAYS_PER_WEEK * check_real(
                "after_weeks", after_weeks, 0, math.inf, lo_closed=False
            )
        elif after_days is not None:
            gap = check_real("after_days", after_days, 0, math.inf, lo_closed=False)
        elif len(other) >= 2:
            gap = other[1].day - other[0].day
        else:
            raise TypeError("then(): give after_days or after_weeks for a one-session phase")
        last = self._sessions[-1].day if self._sessions else 0.0
        offset = last + gap - (other[0].day if len(other) else 0.0)
        shifted = [replace(s, day=s.day + offset) for s in other]
        return Schedule(
            self._sessions + tuple(shifted),
            allow_any_depth=self.allow_any_depth or other.allow_any_depth,
            name=self.name,
            start_date=self.start_date,
        )

    def then_every(
        self,
        days: float | None = None,
        *,
        weeks: float | None = None,
        months: float | None = None,
        years: float | None = None,
        sessions: int = 1,
        **settings: Any,
    ) -> Schedule:
        """Append ``sessions`` sessions at a regular interval after the last one.

        The first new session comes one interval after the last session of the plan, so
        ``course.then_every(years=1, sessions=2)`` adds two yearly touch-ups. Give the interval
        in exactly one unit (1 month = 30 days, 1 year = 365 days). The new sessions keep the
        settings of the last session unless ``settings`` (``depth_mm``, ``device``,
        ``density_per_cm2``, ``needle_diameter_mm``, ``dose_scale``) say otherwise.
        """
        given = [
            (n, v, u)
            for n, v, u in (
                ("days", days, 1.0),
                ("weeks", weeks, DAYS_PER_WEEK),
                ("months", months, DAYS_PER_MONTH),
                ("years", years, DAYS_PER_YEAR),
            )
            if v is not None
        ]
        if len(given) != 1:
            raise TypeError(
                "then_every(): give the interval in exactly one of days, weeks, months, years"
            )
        unit_name, value, unit = given[0]
        interval = unit * check_real(unit_name, value, 0, math.inf, lo_closed=False)
        count = _check_count(sessions)
        template = self._sessions[-1] if self._sessions else Session(0.0)
        if "device" in settings:
            settings.setdefault("density_per_cm2", None)
            settings.setdefault("needle_diameter_mm", None)
        last = template.day if self._sessions else -interval
        new = [replace(template, day=last + (k + 1) * interval, **settings) for k in range(count)]
        return Schedule(
            self._sessions + tuple(new),
            allow_any_depth=self.allow_any_depth,
            name=self.name,
            start_date=self.start_date,
        )

    def _replace(self, **attrs: Any) -> Schedule:
        """Return a copy with other attributes; the sessions are already valid, so no re-checks."""
        new = object.__new__(Schedule)
        new._sessions = attrs.get("sessions", self._sessions)
        new.allow_any_depth = attrs.get("allow_any_depth", self.allow_any_depth)
        new.name = attrs.get("name", self.name)
        new.start_date = attrs.get("start_date", self.start_date)
        new._array = None if "sessions" in attrs else self._array
        return new

    # Text and files ---------------------------------------------------------------------
    def to_text(self) -> str:
        """Return the text form; raise ValueError if a setting needs JSON/TOML (``str(plan)``)."""
        return schedule_text.format_schedule(self, strict=True)

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as plain data (the JSON/TOML document; see ``schedule_io.py``)."""
        return schedule_io.schedule_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Schedule:
        """Rebuild a plan from :meth:`to_dict` output; unknown keys are an error."""
        return schedule_from_dict(data)

    def to_json(self) -> str:
        """JSON text that :meth:`from_json` reads back exactly."""
        return schedule_io.to_json(self)

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        """Read a plan from JSON text."""
        return schedule_from_dict(schedule_io.decode(text, "json", ""))

    def to_toml(self) -> str:
        """TOML text that :meth:`from_toml` reads back exactly."""
        return schedule_io.to_toml(self)

    @classmethod
    def from_toml(cls, text: str) -> Schedule:
        """Read a plan from TOML text."""
        return schedule_from_dict(schedule_io.decode(text, "toml", ""))

    def save(self, path: str | Path) -> None:
        """Write the plan to a ``.json`` or ``.toml`` file."""
        schedule_io.save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Schedule:
        """Read a plan from a ``.json`` or ``.toml`` file."""
        return schedule_from_dict(schedule_io.read_document(path), where=f"{path}: ")

    def _to_array(self) -> NDArray[np.float64]:
        # A schedule never changes: the engine's (n, 5) array is built once, read-only.
        if self._array is None:
            rows = [s._row() for s in self._sessions]
            array = np.array(rows, dtype=np.float64).reshape(len(rows), 5)
            array.setflags(write=False)
            self._array = array
        return self._array


def _check_count(sessions: Any) -> int:
    if isinstance(sessions, bool) or not isinstance(sessions, (int, np.integer)):
        raise TypeError(f"sessions must be a positive integer, got {sessions!r}")
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be in [1, {MAX_SESSIONS}], got {sessions}")
    return int(sessions)


def _check_start(start_date: Any, sessions: Sequence[Session]) -> dt.date:
    """Check the start date so that every session's date exists (up to 9999-12-31)."""
    start = check_date("start_date", start_date)
    if sessions:
        add_days("start_date", start, sessions[-1].day)
    return start


def _warn_short_intervals(sessions: Sequence[Session]) -> None:
    for k in range(1, len(sessions)):
        gap = sessions[k].day - sessions[k - 1].day
        if gap < MIN_INTERVAL_DAYS:
            warnings.warn(
                f"sessions[{k - 1}] (day {sessions[k - 1].day:g}) and sessions[{k}] "
                f"(day {sessions[k].day:g}) are {gap:g} days apart; clinics leave at least "
                f"{MIN_INTERVAL_DAYS:g} days between sessions",
                ScheduleWarning,
                stacklevel=3,
            )


def _rebuild(
    sessions: tuple[Session, ...],
    allow_any_depth: bool,
    name: str | None,
    start_date: dt.date | None = None,
) -> Schedule:
    with warnings.catch_warnings():  # unpickling: warned when the plan was built
        warnings.simplefilter("ignore", ScheduleWarning)
        return Schedule(sessions, allow_any_depth=allow_any_depth, name=name, start_date=start_date)


def as_schedule(plan: Any) -> Schedule:
    """Accept a Schedule or an iterable of session days."""
    if isinstance(plan, Schedule):
        return plan
    if isinstance(plan, (str, bytes)) or not isinstance(plan, Iterable):
        raise TypeError(
            f"plan must be a skinremodel.Schedule or a list of session days, "
            f"got {type(plan).__name__}"
        )
    return Schedule(plan)


def schedule_from_dict(data: Any, *, where: str = "") -> Schedule:
    """Rebuild a plan from its document (:meth:`Schedule.to_dict` output, JSON or TOML data).

    ``where`` prefixes error messages (e.g. the file name); ``schedule_io.py`` checks the
    document.
    """
    sessions = [
        _session_from_dict(s, f"{where}sessions[{k}]: ")
        for k, s in enumerate(schedule_io.document_sessions(data, where=where))
    ]
    start = data.get("start_date")
    allow = data.get("allow_any_depth", False)
    try:
        return Schedule(
            sessions,
            allow_any_depth=check_bool("allow_any_depth", allow),
            name=data.get("name"),
            start_date=None if start is None else check_date("start_date", start),
        )
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}{exc}") from None


def _session_from_dict(data: Any, where: str) -> Session:
    args = schedule_io.session_arguments(data, where)
    try:
        if "device" in args:
            args["device"] = Device.from_dict(args["device"])
        return Session(**args)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}{exc}") from None
