"""The built-in plan library: schedules of clinic practice.

``sr.plans.list()`` names them, ``sr.plans.get(name, **choices)`` builds one as a
:class:`~skinremodel.Schedule` (choices within the plan's documented range, e.g.
``sessions=5``), ``sr.plans.table()`` describes them and ``sr.plans.all()`` builds every plan
with its defaults (what ``skinremodel compare`` uses without a plans file).

Sources (tags as in ``docs/model.md``; [S] = clinic pages or secondary sources):

- short-course, "2-3 sessions 1-2 weeks apart": clinic practice given in the project brief;
  El-Domyati et al. 2015 treated every 2 weeks [R].
- standard-course, "4 sessions 4-6 weeks apart (up to 6)": diaminy.com and
  adultandpediatricdermatology.com (3-6 sessions, about 4-6 weeks apart) [S]; Ablon 2018 J Clin
  Aesthet Dermatol (4 sessions 30 days apart) [R].
- every-6-weeks, "every 6 weeks": Chelsea and Westminster Hospital NHS patient information
  (4-6 sessions at least 6 weeks apart) [S].
- monthly-then-yearly, "monthly for 4-6 months then yearly touch-ups": Kenkel et al. 2021
  (4 monthly sessions) and Lotfi et al. 2013 (5 monthly sessions) [R]; 1-2 maintenance sessions
  a year (diaminy.com) [S].
"""

from __future__ import annotations

import builtins
import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._validation import check_int, check_real
from .devices import Device
from .schedule import Schedule
from .session import DAYS_PER_MONTH, DAYS_PER_WEEK, DAYS_PER_YEAR

__all__ = ["LibraryPlan", "LIBRARY", "list", "get", "table", "all"]


@dataclass(frozen=True)
class LibraryPlan:
    """A plan of clinic practice with its allowed range of choices.

    Attributes
    ----------
    name : str
        Short key (``"standard-course"``).
    title : str
        How clinics say it (``"4 sessions 4-6 weeks apart (up to 6)"``); the built plan's name.
    sessions : tuple of int
        Allowed number of course sessions (inclusive range) and :attr:`default_sessions`.
    interval_days : tuple of float
        Allowed interval between course sessions (inclusive range, days).
    touch_ups : tuple of int
        Allowed number of yearly touch-ups after the course (``(0, 0)``: none).
    source : str
        Where the plan comes from.
    """

    name: str
    title: str
    description: str
    sessions: tuple[int, int]
    default_sessions: int
    interval_days: tuple[float, float]
    default_interval_days: float
    source: str
    touch_ups: tuple[int, int] = (0, 0)
    default_touch_ups: int = 0

    def build(
        self,
        *,
        sessions: int | None = None,
        every_days: float | None = None,
        every_weeks: float | None = None,
        touch_ups: int | None = None,
        depth_mm: float = 1.5,
        device: Device | None = None,
        start_date: dt.date | str | None = None,
    ) -> Schedule:
        """Build the plan; choices outside the documented ranges are refused.

        Parameters
        ----------
        sessions : int, optional
            Course sessions, within :attr:`sessions`.
        every_days, every_weeks : float, optional
            Interval of the course, within :attr:`interval_days` (give at most one).
        touch_ups : int, optional
            Yearly touch-ups after the course, within :attr:`touch_ups`.
        depth_mm, device, start_date
            As for :class:`~skinremodel.Schedule`.
        """
        where = f"plan {self.name!r} ({self.title})"
        lo, hi = self.sessions
        count = (
            self.default_sessions
            if sessions is None
            else check_int(f"{where}: sessions", sessions, lo, hi)
        )
        if every_days is not None and every_weeks is not None:
            raise TypeError(f"{where}: give at most one of every_days and every_weeks")
        interval = self.default_interval_days
        if every_weeks is not None:
            interval = DAYS_PER_WEEK * check_real(
                f"{where}: every_weeks",
                every_weeks,
                self.interval_days[0] / DAYS_PER_WEEK,
                self.interval_days[1] / DAYS_PER_WEEK,
            )
        elif every_days is not None:
            interval = check_real(f"{where}: every_days", every_days, *self.interval_days)
        extra = (
            self.default_touch_ups
            if touch_ups is None
            else check_int(f"{where}: touch_ups", touch_ups, *self.touch_ups)
        )
        plan = Schedule.regular(
            count, every_days=interval, depth_mm=depth_mm, device=device, start_date=start_date
        )
        if extra:
            plan = plan.then_every(DAYS_PER_YEAR, sessions=extra)
        changed = []
        if count != self.default_sessions:
            changed.append(f"{count} sessions")
        if interval != self.default_interval_days:
            changed.append(f"every {interval:g} days")
        if extra != self.default_touch_ups:
            changed.append(f"{extra} touch-ups")
        return plan.named(self.title + (f" ({', '.join(changed)})" if changed else ""))

    def describe(self) -> dict[str, Any]:
        """Return a table row: ranges, defaults, the default plan's text and the source."""

        def span(lo: float, hi: float, unit: str = "") -> str:
            return f"{lo:g}{unit}" if lo == hi else f"{lo:g}-{hi:g}{unit}"

        return {
            "name": self.name,
            "title": self.title,
            "sessions": span(*self.sessions),
            "interval (days)": span(*self.interval_days),
            "yearly touch-ups": span(*self.touch_ups),
            "default plan": str(self.build()),
            "description": self.description,
            "source": self.source,
        }


LIBRARY: dict[str, LibraryPlan] = {
    p.name: p
    for p in (
        LibraryPlan(
            "short-course",
            "2-3 sessions 1-2 weeks apart",
            "a short, intensive course",
            (2, 3),
            3,
            (DAYS_PER_WEEK, 2 * DAYS_PER_WEEK),
            2 * DAYS_PER_WEEK,
            "clinic practice (project brief); El-Domyati 2015 (2-week intervals) [R]",
        ),
        LibraryPlan(
            "standard-course",
            "4 sessions 4-6 weeks apart (up to 6)",
            "the usual course for texture, fine lines and scars",
            (4, 6),
            4,
            (4 * DAYS_PER_WEEK, 6 * DAYS_PER_WEEK),
            4 * DAYS_PER_WEEK,
            "diaminy.com, adultandpediatricdermatology.com (3-6 sessions 4-6 weeks apart) [S]; "
            "Ablon 2018 (4 sessions 30 days apart) [R]",
        ),
        LibraryPlan(
            "every-6-weeks",
            "every 6 weeks",
            "sessions at least 6 weeks apart (hospital scar service)",
            (4, 6),
            4,
            (6 * DAYS_PER_WEEK, 6 * DAYS_PER_WEEK),
            6 * DAYS_PER_WEEK,
            "Chelsea and Westminster Hospital NHS, microneedling patient information (4-6 "
            "sessions at least 6 weeks apart) [S]",
        ),
        LibraryPlan(
            "monthly-then-yearly",
            "monthly for 4-6 months then yearly touch-ups",
            "a monthly course, then one touch-up a year to keep the result",
            (4, 6),
            6,
            (DAYS_PER_MONTH, DAYS_PER_MONTH),
            DAYS_PER_MONTH,
            "Kenkel 2021 (4 monthly), Lotfi 2013 (5 monthly) [R]; 1-2 maintenance sessions a "
            "year (diaminy.com) [S]",
            touch_ups=(1, 3),
            default_touch_ups=2,
        ),
    )
}


def _lookup(name: str) -> LibraryPlan:
    if not isinstance(name, str):
        raise TypeError(f"plan name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    for plan in LIBRARY.values():
        if key in (plan.name, plan.title.lower()):
            return plan
    options = builtins.list(LIBRARY) + [p.title for p in LIBRARY.values()]
    close = difflib.get_close_matches(name, options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown library plan {name!r}{hint} Plans: {', '.join(LIBRARY)}")


def is_library_plan(name: str) -> bool:
    """Return True if ``name`` is a library plan's key or title."""
    try:
        _lookup(name)
    except (TypeError, ValueError):
        return False
    return True


def list() -> builtins.list[str]:  # noqa: A001 - the API the issue names: sr.plans.list()
    """Names of the library plans."""
    return builtins.list(LIBRARY)


def get(name: str, **choices: Any) -> Schedule:
    """Build a library plan by name or title, with optional choices (see :meth:`LibraryPlan.build`).

    Examples
    --------
    >>> import skinremodel as sr
    >>> str(sr.plans.get("standard-course"))
    '4 sessions every 4 weeks at 1.5 mm'
    >>> str(sr.plans.get("monthly-then-yearly", sessions=4, touch_ups=1))
    '4 sessions every month at 1.5 mm, then 1 session after 1 year'
    """
    return _lookup(name).build(**choices)


def table() -> pd.DataFrame:
    """Return the library as a DataFrame indexed by name."""
    return pd.DataFrame([p.describe() for p in LIBRARY.values()]).set_index("name")


def all(**common: Any) -> dict[str, Schedule]:  # noqa: A001
    """Build every library plan with its defaults, by title.

    ``common`` settings (depth_mm, device, start_date) apply to all.
    """
    return {p.title: p.build(**common) for p in LIBRARY.values()}
