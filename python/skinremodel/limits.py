"""The bounds of every size a user controls, defined once and documented in ``docs/limits.md``.

Each bound is checked before any work starts, with a ``ValueError`` that names the field and
the allowed range. Two kinds:

- The bounds the C++ core checks (patient age and phototype, session day, depth, density,
  needle diameter and dose scale, the integrator's tolerances, step budget and step sizes, the
  horizon) live in one C++ table, exported as ``skinremodel._core.limits()``: :data:`CORE_LIMITS`
  holds it, and :func:`check_limit` checks a value against it with the core's range, so Python
  and C++ refuse the same values.
- The bounds only the Python layer has (sizes of plans, outputs, batches, populations, files,
  texts) are the constants below.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._validation import check_int, check_real, interval

__all__ = [
    "CORE_LIMITS",
    "check_limit",
    "within",
    "limit_range",
    "MAX_SESSIONS",
    "MAX_SESSION_DAY",
    "MIN_SESSION_SPACING_DAYS",
    "MAX_HORIZON_DAYS",
    "MAX_OUTPUT_POINTS",
    "MAX_BATCH_ITEMS",
    "MAX_BATCH_VALUES",
    "MAX_POPULATION",
    "MAX_OUTCOME_PATIENTS",
    "MAX_NESTING",
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_TABLE_ROWS",
    "check_count",
    "check_nesting",
    "add_days",
    "check_text_length",
]

#: Every bound the C++ core checks, by name (``docs/limits.md``, "Bounds of the core"): each has
#: ``low``, ``high``, ``low_closed``, ``high_closed``, ``integer``, ``unit`` and ``description``.
CORE_LIMITS: dict[str, _core.Limit] = {limit.name: limit for limit in _core.limits()}
# The same bounds as plain Python values (low, high, low_closed, high_closed, integer, unit): the
# checks below run on every call that builds options, where reading the attributes of the
# core's objects cost more than the comparisons themselves.
_BOUNDS: dict[str, tuple[float, float, bool, bool, bool, str]] = {
    name: (lim.low, lim.high, lim.low_closed, lim.high_closed, lim.integer, lim.unit)
    for name, lim in CORE_LIMITS.items()
}


def check_limit(name: str, value: Any, field: str | None = None) -> Any:
    """Check ``value`` against the core's bound ``name``; return it as float (int if integer).

    ``field`` names the value in the message (default: the bound's name), e.g. ``"days (the
    horizon)"`` for the bound ``"horizon"``.

    Raises
    ------
    TypeError
        Not a real number (an integer for an integer bound).
    ValueError
        Outside the bound; the message names the field and the range.
    """
    low, high, low_closed, high_closed, integer, unit = _BOUNDS[name]
    if integer:
        return check_int(field or name, value, int(low), int(high))
    return check_real(
        field or name, value, low, high, lo_closed=low_closed, hi_closed=high_closed, unit=unit
    )


def within(name: str, values: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Return which of ``values`` lie within the core's bound ``name`` (vectorised; NaN is out)."""
    low, high, low_closed, high_closed, integer, _ = _BOUNDS[name]
    # numpy's comparisons and floor are quiet on NaN and inf: no errstate needed (it cost more
    # than the check on a 15-value atol).
    ok = (values >= low) if low_closed else (values > low)
    ok &= (values <= high) if high_closed else (values < high)
    if integer:
        ok &= values == np.floor(values)
    return np.asarray(ok & np.isfinite(values))


def limit_range(name: str) -> str:
    """Return the range of a core bound as messages write it: ``"[18, 100] years"``."""
    limit = CORE_LIMITS[name]
    if limit.integer:  # as check_int writes it
        text = f"[{int(limit.low)}, {int(limit.high)}]"
    else:
        text = interval(limit.low, limit.high, limit.low_closed, limit.high_closed)
    return f"{text} {limit.unit}" if limit.unit else text


#: Sessions in one plan (``Schedule``, ``Schedule.parse``, plan files).
MAX_SESSIONS = 1_000
#: Latest session day (days after day 0; about 2,700 years): the core's bound ``"day"``.
MAX_SESSION_DAY = CORE_LIMITS["day"].high
#: Session days other than 0 must be at least this far from 0 and from each other (about 0.09
#: s): closer sessions are below the resolution of the integrator's step size in days.
MIN_SESSION_SPACING_DAYS = 1e-6
#: Horizon of one simulation in days (100 years), for ``simulate``, ``simulate_many``,
#: ``compare``, ``Population`` and fits: the core's bound ``"horizon"``.
MAX_HORIZON_DAYS = CORE_LIMITS["horizon"].high
#: Output days of one simulation (``t_eval``, ``days=[...]``).
MAX_OUTPUT_POINTS = 100_000
#: Items of one ``simulate_many`` call (plans x patients x parameter sets).
MAX_BATCH_ITEMS = 10_000_000
#: Numbers kept by one ``simulate_many`` call (items x output days x metrics): 800 MB of float64.
MAX_BATCH_VALUES = 100_000_000
#: Virtual patients of one ``Population``.
MAX_POPULATION = 10_000_000
#: Patients of ``Population.outcomes`` (per-patient results and parameter rows stay in memory;
#: ``Population.simulate`` streams any population size).
MAX_OUTCOME_PATIENTS = 1_000_000
#: Nesting depth of a JSON or TOML document (plans, patients, saved fits).
MAX_NESTING = 32
#: Size of one input file read by a loader (plans, patients, saved fits, CSV tables).
MAX_FILE_BYTES = 64 * 2**20
#: Length of a plan's text form (``Schedule.parse``).
MAX_TEXT_CHARS = 10_000
#: Rows of one CSV table read by ``Dataset.from_csv``.
MAX_TABLE_ROWS = 1_000_000


def check_count(name: str, value: int, limit: int, what: str = "") -> int:
    """Refuse a size above ``limit``; the message names the field and the allowed range."""
    if value > limit:
        tail = f" ({what})" if what else ""
        raise ValueError(
            f"{name} must be at most {limit:,}{tail}, got {value:,}; see docs/limits.md"
        )
    return value


def check_text_length(name: str, text: str) -> str:
    """Refuse plan text longer than :data:`MAX_TEXT_CHARS`."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"{name} must be at most {MAX_TEXT_CHARS:,} characters, got "
            f"{len(text):,}; see docs/limits.md"
        )
    return text


def check_nesting(where: str, text: str) -> None:
    """Refuse JSON/TOML text nested deeper than :data:`MAX_NESTING` before it is parsed.

    Counts brackets and braces outside quoted strings (both formats quote with ``"`` and
    ``'``), so a hostile document never reaches the recursive parsers.
    """
    depth = deepest = 0
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote or ch == "\n":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise ValueError(
                        f"{where}nested deeper than {MAX_NESTING} levels of arrays "
                        "or tables; see docs/limits.md"
                    )
        elif ch in "]}":
            depth = max(0, depth - 1)


def add_days(name: str, start: dt.date, days: Any) -> dt.date:
    """Return ``start`` plus ``days`` (floored); a date past 9999-12-31 is a ValueError."""
    try:
        return start + dt.timedelta(days=math.floor(days))
    except (OverflowError, ValueError):
        raise ValueError(
            f"{name}: {start.isoformat()} plus {days:g} days is past the last "
            f"date {dt.date.max.isoformat()}"
        ) from None
