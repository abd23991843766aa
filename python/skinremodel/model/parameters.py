"""Named MN-14 parameters with units, allowed domains and sources."""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import _core
from .._files import read_csv
from .._html import render
from .._validation import check_real

__all__ = ["ParameterInfo", "Parameters", "check_parameter_rows", "parameter_table"]


@dataclass(frozen=True)
class ParameterInfo:
    """Metadata of one parameter, as listed in ``data/parameters.csv``.

    Attributes
    ----------
    name, unit, group, description : str
        Identifier, unit, model part and meaning.
    default : float
        Value in the shipped default set.
    lower, upper : float
        Bounds of the allowed domain; ``lower_closed``/``upper_closed`` say if they are included.
    tag : str
        Provenance: ``R`` retrieved literature, ``M`` recalled literature, ``S`` secondary source,
        ``C`` chosen against clinic-level facts, ``N`` normalisation or definition,
        ``CAL`` calibrated to the published data.
    source : str
        Where the number comes from.
    """

    name: str
    default: float
    unit: str
    lower: float
    upper: float
    lower_closed: bool
    upper_closed: bool
    group: str
    tag: str
    source: str
    description: str

    @property
    def domain(self) -> str:
        """The allowed interval in mathematical notation, e.g. ``(0, inf)``."""
        lo = "[" if self.lower_closed else "("
        hi = "]" if self.upper_closed else ")"
        return f"{lo}{self.lower:g}, {self.upper:g}{hi}"

    def check(self, value: Any) -> float:
        """Return ``value`` as float if it lies in the domain, else raise ValueError/TypeError."""
        return check_real(
            f"parameter {self.name!r}",
            value,
            self.lower,
            self.upper,
            lo_closed=self.lower_closed,
            hi_closed=self.upper_closed,
            unit=self.unit if self.unit not in ("1", "") else "",
        )


def _parse_domain(text: str) -> tuple[float, float, bool, bool]:
    text = text.strip()
    lo_closed = text[0] == "["
    hi_closed = text[-1] == "]"
    lo_s, hi_s = (part.strip() for part in text[1:-1].split(","))
    return float(lo_s), float(hi_s), lo_closed, hi_closed


def _read_table(path: Path | None = None) -> dict[str, ParameterInfo]:
    if path is None:
        source = resources.files("skinremodel").joinpath("data/parameters.csv")
        text = source.read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    table: dict[str, ParameterInfo] = {}
    for row in csv.DictReader(text.splitlines()):
        lo, hi, lo_c, hi_c = _parse_domain(row["domain"])
        table[row["name"]] = ParameterInfo(
            name=row["name"],
            default=float(row["value"]),
            unit=row["unit"],
            lower=lo,
            upper=hi,
            lower_closed=lo_c,
            upper_closed=hi_c,
            group=row["group"],
            tag=row["tag"],
            source=row["source"],
            description=row["description"],
        )
    return table


_NAMES: tuple[str, ...] = tuple(_core.parameter_names())
_INDEX: dict[str, int] = {n: i for i, n in enumerate(_NAMES)}
_TABLE: dict[str, ParameterInfo] = _read_table()
if set(_TABLE) != set(_NAMES):  # pragma: no cover - guarded by tests; a broken install
    raise ImportError(
        "parameters.csv and the compiled engine disagree on parameter names: "
        f"{sorted(set(_TABLE) ^ set(_NAMES))}"
    )
_DEFAULTS = np.array([_TABLE[n].default for n in _NAMES], dtype=np.float64)


_LOWER = np.array([_TABLE[n].lower for n in _NAMES])
_UPPER = np.array([_TABLE[n].upper for n in _NAMES])
_LOWER_CLOSED = np.array([_TABLE[n].lower_closed for n in _NAMES])
_UPPER_CLOSED = np.array([_TABLE[n].upper_closed for n in _NAMES])


def check_parameter_rows(values: Any) -> NDArray[np.float64]:
    """Validate a matrix of parameter sets, one per row in engine order (shape (n, P)).

    The vectorised counterpart of :class:`Parameters` for thousands of sets: raises ValueError
    naming the first offending row, the parameter and its allowed interval.
    """
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("parameter values must be numbers") from None
    if arr.ndim != 2 or arr.shape[1] != len(_NAMES):
        raise ValueError(
            f"a parameter matrix must have shape (n, {len(_NAMES)}) "
            f"(columns in Parameters.names order), got {arr.shape}"
        )
    with np.errstate(invalid="ignore"):
        below = np.where(_LOWER_CLOSED, arr < _LOWER, arr <= _LOWER)
        above = np.where(_UPPER_CLOSED, arr > _UPPER, arr >= _UPPER)
    bad = below | above | ~np.isfinite(arr)
    if np.any(bad):
        row, col = map(int, np.argwhere(bad)[0])
        info = _TABLE[_NAMES[col]]
        raise ValueError(
            f"params row {row}: parameter {info.name!r} must be in {info.domain}, "
            f"got {arr[row, col]:g}"
        )
    return arr


def parameter_table() -> pd.DataFrame:
    """Return every parameter with its default, unit, domain, group, tag and source.

    Returns
    -------
    pandas.DataFrame
        One row per parameter, indexed by name, in engine order.
    """
    return Parameters.default().to_pandas()


#: Parameters a short repr shows: injury-driven synthesis, maturation, cross-linking, mature
#: turnover and the visibility thresholds.
_HEADLINE: tuple[str, ...] = tuple(
    n for n in ("s_w", "k_mat", "k_x", "k_m", "R_vis", "G_jnd") if n in _TABLE
)
_REPR_MAX = 6


def _unit_suffix(name: str) -> str:
    unit = _TABLE[name].unit
    return "" if unit in ("", "1", "-") else f" {unit}"


def _unknown(name: str) -> ValueError:
    close = difflib.get_close_matches(name, _NAMES, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return ValueError(
        f"unknown parameter {name!r}{hint} (see skinremodel.Parameters.default().names)"
    )


class Parameters(Mapping[str, float]):
    """An immutable, validated set of MN-14 parameter values.

    Parameters
    ----------
    values : mapping of str to float, optional
        Values that replace the shipped defaults. Unknown names raise ``ValueError``
        (with suggestions), values outside a parameter's domain raise ``ValueError`` naming
        the parameter and the allowed interval.

    Examples
    --------
    >>> import skinremodel as sr
    >>> p = sr.Parameters.default()
    >>> p["k_mat"]
    0.015
    >>> faster = p.replace(k_mat=0.02)
    >>> faster["k_mat"]
    0.02
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        arr = _DEFAULTS.copy()
        if values is not None:
            if not isinstance(values, Mapping):
                raise TypeError(
                    f"parameter values must be a mapping of name to number, "
                    f"got {type(values).__name__}"
                )
            for name, value in values.items():
                if name not in _INDEX:
                    raise _unknown(str(name))
                arr[_INDEX[name]] = _TABLE[name].check(value)
        arr.setflags(write=False)
        self._values = arr

    @classmethod
    def default(cls) -> Parameters:
        """Return the shipped default parameter set (one shared object: it never changes)."""
        if cls is not Parameters:
            return cls()
        global _DEFAULT_SET
        if _DEFAULT_SET is None:
            _DEFAULT_SET = cls()
        return _DEFAULT_SET

    @classmethod
    def from_csv(cls, path: str | Path) -> Parameters:
        """Read values from a CSV file with at least the columns ``name`` and ``value``."""
        frame = read_csv(path)  # text cells; errors name the file
        if not {"name", "value"} <= set(frame.columns):
            raise ValueError(f"{path}: a parameter file needs the columns 'name' and 'value'")
        values: dict[str, float] = {}
        for index, (name, text) in enumerate(zip(frame["name"], frame["value"], strict=True)):
            if name in values:
                raise ValueError(f"{path}: row {index}: parameter {name!r} is given twice")
            try:
                values[name] = float(text)
            except ValueError:
                raise ValueError(
                    f"{path}: row {index}: value of {name!r} must be a number, got {text!r}"
                ) from None
        try:
            return cls(values)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{path}: {exc}") from None

    def replace(self, **values: Any) -> Parameters:
        """Return a copy with some values replaced (validated like the constructor)."""
        merged = dict(self.items())
        for name in values:
            if name not in _TABLE:
                raise _unknown(name)
        merged.update(values)
        return Parameters(merged)

    def update(self, values: Mapping[str, Any]) -> Parameters:
        """Return a copy with the values of a mapping replaced."""
        return self.replace(**dict(values))

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in engine order."""
        return _NAMES

    @property
    def values_array(self) -> NDArray[np.float64]:
        """Read-only float64 array of the values in engine order."""
        return self._values

    @staticmethod
    def info(name: str) -> ParameterInfo:
        """Return the metadata (unit, domain, source, ...) of one parameter."""
        if name not in _TABLE:
            raise _unknown(name)
        return _TABLE[name]

    def differences(self, other: Parameters | None = None) -> dict[str, tuple[float, float]]:
        """Return ``{name: (self value, other value)}`` where the two sets differ."""
        ref = Parameters.default() if other is None else other
        return {
            n: (float(a), float(b))
            for n, a, b in zip(_NAMES, self._values, ref._values, strict=True)
            if not (a == b or (math.isnan(a) and math.isnan(b)))
        }

    def to_pandas(self) -> pd.DataFrame:
        """Return values with units, domains, groups, tags and sources as a DataFrame."""
        rows = []
        for name, value in zip(_NAMES, self._values, strict=True):
            info = _TABLE[name]
            rows.append(
                {
                    "name": name,
                    "value": float(value),
                    "default": info.default,
                    "unit": info.unit,
                    "domain": info.domain,
                    "group": info.group,
                    "tag": info.tag,
                    "source": info.source,
                    "description": info.description,
                }
            )
        return pd.DataFrame(rows).set_index("name")

    def to_csv(self, path: str | Path) -> None:
        """Write the values with their metadata to a CSV file readable by :meth:`from_csv`."""
        self.to_pandas().to_csv(path)

    # Mapping protocol
    def __getitem__(self, name: str) -> float:
        try:
            return float(self._values[_INDEX[name]])
        except KeyError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Parameters):
            return NotImplemented
        return bool(np.array_equal(self._values, other._values))

    def __hash__(self) -> int:
        return hash(self._values.tobytes())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Parameters, (dict(self.items()),))

    def __repr__(self) -> str:
        changed = self.differences()
        if not changed:
            shown = ", ".join(f"{k}={self[k]:.4g}{_unit_suffix(k)}" for k in _HEADLINE)
            return (
                f"<Parameters: the {len(self)} shipped defaults, e.g. {shown}; "
                ".to_pandas() lists all>"
            )
        items = list(changed.items())
        inner = ", ".join(
            f"{k}={a!r}{_unit_suffix(k)} (default {b:.4g})" for k, (a, b) in items[:_REPR_MAX]
        )
        more = f", ... and {len(items) - _REPR_MAX} more" if len(items) > _REPR_MAX else ""
        return (
            f"<Parameters: {len(self)} values, {len(items)} changed from the defaults: "
            f"{inner}{more}>"
        )

    def _repr_html_(self) -> str:
        changed = [
            (k, f"{a:g}", f"{b:g}", _TABLE[k].unit) for k, (a, b) in self.differences().items()
        ]
        return render("repr/parameters.html.j2", n=len(self), changed=changed)


#: The default set, built on first use by :meth:`Parameters.default`.
_DEFAULT_SET: Parameters | None = None
