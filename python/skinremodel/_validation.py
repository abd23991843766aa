"""Input checks that raise errors naming the field and the allowed range."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray


def _is_real(value: Any) -> bool:
    if type(value) is float or type(value) is int:  # the common case, without the ABC check
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def interval(lo: float, hi: float, lo_closed: bool, hi_closed: bool) -> str:
    """``[lo, hi]``, ``(lo, hi]``, ... as messages write a range (an infinite end is open)."""
    left = "[" if lo_closed and math.isfinite(lo) else "("
    right = "]" if hi_closed and math.isfinite(hi) else ")"
    return f"{left}{lo:g}, {hi:g}{right}"


def check_real(
    name: str,
    value: Any,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_closed: bool = True,
    hi_closed: bool = True,
    unit: str = "",
) -> float:
    """Return ``value`` as float after checking type, finiteness and range.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (booleans are refused).
    ValueError
        If ``value`` is NaN, infinite or outside the interval; the message names ``name`` and
        the allowed interval.
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        x = float(value)
    except OverflowError:  # an int such as 10**400: beyond every float, so out of range
        x = math.inf if value > 0 else -math.inf
    below = x < lo or (x == lo and not lo_closed)
    above = x > hi or (x == hi and not hi_closed)
    if math.isfinite(x) and not (below or above):
        return x
    # The message is only formatted on failure: checks run on every simulate() call.
    suffix = f" {unit}" if unit else ""
    allowed = interval(lo, hi, lo_closed, hi_closed)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number in {allowed}{suffix}, got {x}")
    raise ValueError(f"{name} must be in {allowed}{suffix}, got {x:g}")


def safe_exp(x: float) -> float:
    """Return ``math.exp(x)``, or inf where it would raise OverflowError.

    The interval of a poorly determined log-parameter, for example, can span more than the floats.
    """
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def check_int(name: str, value: Any, lo: int, hi: int) -> int:
    """Return ``value`` as int after checking it is an integer in ``[lo, hi]``."""
    if type(value) is not int and (
        isinstance(value, bool) or not isinstance(value, numbers.Integral)
    ):
        raise TypeError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value}")
    return int(value)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` after checking it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_float_array(name: str, value: Any) -> NDArray[np.float64]:
    """Convert to a 1-d float64 array, refusing non-numeric input with a TypeError."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-d array of numbers") from exc
    except OverflowError:  # Python ints beyond every float
        raise ValueError(f"{name} must contain finite numbers (an integer is too large)") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def check_date(name: str, value: Any) -> dt.date:
    """Return ``value`` as a ``datetime.date``.

    Accepts a ``date``, a ``datetime`` (or pandas Timestamp) at midnight, or an ISO string
    ``"YYYY-MM-DD"``; a time of day is refused rather than silently dropped.
    """
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{name} must be a date 'YYYY-MM-DD', got {value!r}") from None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError(f"{name} must be a calendar date without a time of day, got {value}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(
        f"{name} must be a datetime.date or 'YYYY-MM-DD', got {type(value).__name__} {value!r}"
    )


def check_keys(where: str, keys: Iterable[str], allowed: tuple[str, ...]) -> None:
    """Refuse a key not in ``allowed``, naming it and the closest allowed key.

    ``where`` prefixes the message (e.g. ``"plans.toml: plan[2]: "``), so a typo in a file
    never passes silently.
    """
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; keys are {', '.join(allowed)}"
            raise ValueError(f"{where}unknown key {key!r}{hint}")
