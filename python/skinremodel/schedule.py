"""Treatment plans: the sessions of a microneedling course and their needle settings."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ._validation import check_real

__all__ = ["Session", "Schedule", "CLINICAL_DEPTH_MM"]

#: Needle lengths used in clinics (mm). Depths outside need ``allow_any_depth=True``.
CLINICAL_DEPTH_MM: tuple[float, float] = (0.25, 2.5)
#: Hard physical limit of the dose model (mm).
MAX_DEPTH_MM = 5.0


@dataclass(frozen=True)
class Session:
    """One microneedling session.

    Parameters
    ----------
    day : float
        Day of the session, counted from day 0 of the simulation (>= 0).
    depth_mm : float
        Nominal needle length in mm (clinical range 0.25-2.5).
    density_per_cm2 : float
        Punctures per cm^2 (about 250 after 15 passes of a 192-needle roller).
    needle_diameter_mm : float or None
        Needle diameter; None uses the parameter ``w`` (0.25 mm).
    dose_scale : float
        Multiplier of the dose for technique or skin factors (1 = as computed).
    """

    day: float
    depth_mm: float = 1.5
    density_per_cm2: float = 250.0
    needle_diameter_mm: float | None = None
    dose_scale: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "day", check_real("day", self.day, 0, math.inf, unit="days"))
        object.__setattr__(
            self, "depth_mm", check_real("depth_mm", self.depth_mm, 0, MAX_DEPTH_MM,
                                         lo_closed=False, unit="mm")
        )
        object.__setattr__(
            self,
            "density_per_cm2",
            check_real("density_per_cm2", self.density_per_cm2, 0, 1e4, lo_closed=False,
                       unit="punctures/cm2"),
        )
        if self.needle_diameter_mm is not None:
            object.__setattr__(
                self,
                "needle_diameter_mm",
                check_real("needle_diameter_mm", self.needle_diameter_mm, 0, 1, lo_closed=False,
                           unit="mm"),
            )
        object.__setattr__(
            self, "dose_scale", check_real("dose_scale", self.dose_scale, 0, 10)
        )

    def _row(self) -> tuple[float, float, float, float, float]:
        diameter = math.nan if self.needle_diameter_mm is None else self.needle_diameter_mm
        return (self.day, self.depth_mm, self.density_per_cm2, diameter, self.dose_scale)


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
    density_per_cm2 : float
        Puncture density of sessions given as days (default 250 per cm^2).
    needle_diameter_mm : float, optional
        Needle diameter of sessions given as days (default: parameter ``w``).
    allow_any_depth : bool
        Accept depths outside the clinical range 0.25-2.5 mm (up to 5 mm).
    name : str, optional
        A label used in tables and plots.

    Raises
    ------
    ValueError
        Two sessions on the same day, a negative or non-finite day, a depth outside the
        clinical range; the message names the session by its index after sorting.

    Examples
    --------
    >>> import skinremodel as sr
    >>> plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
    >>> plan.days
    array([ 0., 28., 56., 84.])
    >>> sr.Schedule([0, 14, 28], depth_mm=1.0).depths
    array([1., 1., 1.])
    """

    def __init__(
        self,
        sessions: Iterable[float | Session] = (),
        *,
        depth_mm: float = 1.5,
        density_per_cm2: float = 250.0,
        needle_diameter_mm: float | None = None,
        allow_any_depth: bool = False,
        name: str | None = None,
    ) -> None:
        if isinstance(sessions, (str, bytes)) or not isinstance(sessions, Iterable):
            raise TypeError(
                "sessions must be an iterable of session days or Session objects, "
                f"got {type(sessions).__name__}"
            )
        items: list[Session] = []
        for k, s in enumerate(sessions):
            if isinstance(s, Session):
                items.append(s)
            else:
                try:
                    items.append(
                        Session(s, depth_mm, density_per_cm2, needle_diameter_mm)  # type: ignore[arg-type]
                    )
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"sessions[{k}]: {exc}") from None
        items.sort(key=lambda s: s.day)
        for k in range(1, len(items)):
            if items[k].day == items[k - 1].day:
                raise _session_error(
                    k, items[k],
                    f"sessions[{k - 1}] and sessions[{k}] are both on day {items[k].day:g}; "
                    "sessions must be on distinct days",
                )
        lo, hi = CLINICAL_DEPTH_MM
        if not allow_any_depth:
            for k, s in enumerate(items):
                if not lo <= s.depth_mm <= hi:
                    raise _session_error(
                        k, s,
                        f"depth_mm must be in [{lo:g}, {hi:g}] mm (clinical needle lengths), "
                        f"got {s.depth_mm:g}; pass allow_any_depth=True for up to "
                        f"{MAX_DEPTH_MM:g} mm",
                    )
        self._sessions: tuple[Session, ...] = tuple(items)
        self.allow_any_depth = bool(allow_any_depth)
        self.name = name
        self._array: NDArray[np.float64] | None = None

    @classmethod
    def regular(
        cls,
        sessions: int,
        every_days: float | None = None,
        *,
        every_weeks: float | None = None,
        depth_mm: float = 1.5,
        start_day: float = 0.0,
        density_per_cm2: float = 250.0,
        needle_diameter_mm: float | None = None,
        allow_any_depth: bool = False,
        name: str | None = None,
    ) -> Schedule:
        """Return ``sessions`` sessions evenly spaced from ``start_day``.

        Give the interval as ``every_days`` or ``every_weeks`` (exactly one).
        """
        if isinstance(sessions, bool) or not isinstance(sessions, (int, np.integer)):
            raise TypeError(f"sessions must be a positive integer, got {sessions!r}")
        if not 1 <= sessions <= 1000:
            raise ValueError(f"sessions must be in [1, 1000], got {sessions}")
        if (every_days is None) == (every_weeks is None):
            raise TypeError("give exactly one of every_days and every_weeks")
        if every_weeks is not None:
            interval = 7.0 * check_real("every_weeks", every_weeks, 0, math.inf, lo_closed=False)
        else:
            interval = check_real("every_days", every_days, 0, math.inf, lo_closed=False)
        start = check_real("start_day", start_day, 0, math.inf, unit="days")
        days = [start + k * interval for k in range(int(sessions))]
        return cls(
            days,
            depth_mm=depth_mm,
            density_per_cm2=density_per_cm2,
            needle_diameter_mm=needle_diameter_mm,
            allow_any_depth=allow_any_depth,
            name=name,
        )

    # Sequence protocol
    @overload
    def __getitem__(self, index: int) -> Session: ...
    @overload
    def __getitem__(self, index: slice) -> Schedule: ...
    def __getitem__(self, index: int | slice) -> Session | Schedule:
        if isinstance(index, slice):
            return Schedule(self._sessions[index], allow_any_depth=self.allow_any_depth,
                            name=self.name)
        return self._sessions[index]

    def __len__(self) -> int:
        return len(self._sessions)

    def __iter__(self) -> Iterator[Session]:
        return iter(self._sessions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self._sessions == other._sessions

    def __hash__(self) -> int:
        return hash(self._sessions)

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        return f"Schedule([{', '.join(repr(s) for s in self._sessions)}]{label})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._sessions, self.allow_any_depth, self.name))

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

    def with_settings(self, **changes: Any) -> Schedule:
        """Return a copy with the same change applied to every session (e.g. ``depth_mm``)."""
        return Schedule(
            [replace(s, **changes) for s in self._sessions],
            allow_any_depth=self.allow_any_depth,
            name=self.name,
        )

    def _to_array(self) -> NDArray[np.float64]:
        # A schedule never changes: the engine's (n, 5) array is built once, read-only.
        if self._array is None:
            rows = [s._row() for s in self._sessions]
            array = np.array(rows, dtype=np.float64).reshape(len(rows), 5)
            array.setflags(write=False)
            self._array = array
        return self._array


def _rebuild(sessions: tuple[Session, ...], allow_any_depth: bool, name: str | None) -> Schedule:
    return Schedule(sessions, allow_any_depth=allow_any_depth, name=name)


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
