"""BatchResult: the metrics of many simulations, as numpy arrays and tidy or wide tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..model.metrics import METRICS
from ..model.variables import did_you_mean
from . import xarray_io
from .options import SolverOptions

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from .batch import ChunkOutput

__all__ = ["BatchResult"]

#: Failure kinds reported by the engine, by status code.
_ERROR_TYPES: dict[int, str] = {1: "ValueError", 2: "SolverError", 3: "RuntimeError"}


class BatchResult:
    """Metrics of the items of :func:`simulate_many`.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per item (index ``item``): ``plan`` (name), ``patient`` and ``params`` (index
        into the inputs), the patient's covariates, ``failed`` (bool), ``error_type`` and
        ``error`` (the message; empty when the item succeeded).
    days : numpy.ndarray
        Output days of the time metrics.
    horizon : float
        Day the simulations end.
    metrics : tuple of str
        The metrics kept.
    session_days : numpy.ndarray
        Days of the simulated sessions, shape (items, most sessions), NaN-padded.
    stats : pandas.DataFrame
        Integrator counters per item (steps, rejected_steps, rhs_evaluations, ...).
    options : SolverOptions
        The integrator's settings.
    """

    def __init__(
        self,
        items: pd.DataFrame,
        days: NDArray[np.float64],
        horizon: float,
        values: dict[str, NDArray[np.float64]],
        session_days: NDArray[np.float64],
        stats: pd.DataFrame,
        options: SolverOptions,
    ) -> None:
        self.items = items
        self.days = days
        self.horizon = horizon
        self.metrics = tuple(values)
        self.session_days = session_days
        self.stats = stats
        self.options = options
        self._values = values
        for array in (days, session_days, *values.values()):
            array.setflags(write=False)

    @classmethod
    def from_chunks(
        cls,
        chunks: Sequence[ChunkOutput],
        items: pd.DataFrame,
        days: NDArray[np.float64],
        horizon: float,
        metrics: tuple[str, ...],
        options: SolverOptions,
        failures: Mapping[int, tuple[str, str]] | None = None,
    ) -> BatchResult:
        """Assemble the outputs of the engine calls, in item order.

        ``failures`` marks items that failed before the engine ({item: (error type,
        message)}, e.g. a contraindication): their values are NaN.
        """
        width = max((c.session_days.shape[1] for c in chunks), default=0)

        def pad(a: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=np.nan)

        values: dict[str, NDArray[np.float64]] = {}
        for name in metrics:
            metric = METRICS[name]
            parts = [c.values[name] for c in chunks]
            if metric.kind == "session":
                parts = [pad(p) for p in parts]
            values[name] = (
                np.concatenate(parts) if parts else np.empty((0, *metric.shape(len(days), width)))
            )
        session_days = (
            np.concatenate([pad(c.session_days) for c in chunks]) if chunks else np.empty((0, 0))
        )
        status = np.concatenate([c.status for c in chunks]) if chunks else np.empty(0, np.int8)
        errors = [e for c in chunks for e in c.error]
        error_types = [_ERROR_TYPES.get(int(s), "") for s in status]
        for item, (error_type, message) in (failures or {}).items():
            error_types[item], errors[item] = error_type, message
            for name in metrics:
                values[name][item] = np.nan
            session_days[item] = np.nan
        items = items.copy()
        items["failed"] = [bool(t) for t in error_types]
        items["error_type"] = error_types
        items["error"] = errors
        stat_names = list(chunks[0].stats) if chunks else []
        stats = pd.DataFrame(
            {k: np.concatenate([c.stats[k] for c in chunks]) for k in stat_names}, index=items.index
        )
        return cls(items, days, horizon, values, session_days, stats, options)

    # ----------------------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.items)

    @property
    def failed(self) -> NDArray[np.bool_]:
        """True for the items whose simulation failed (their values are NaN)."""
        return self.items["failed"].to_numpy()

    @property
    def n_failed(self) -> int:
        """Number of failed items."""
        return int(self.failed.sum())

    def values(self, metric: str) -> NDArray[np.float64]:
        """Read-only array of one metric.

        Shape (items, days) for states and observables, (items, sessions) for the per-session
        metrics (NaN beyond an item's sessions), (items,) for ``first_visible_day``.
        """
        if metric not in self._values:
            known = tuple(METRICS)
            hint = did_you_mean(metric, self.metrics if metric in known else self.metrics + known)
            raise KeyError(
                f"{metric!r} was not kept{hint}; this result has "
                f"{', '.join(self.metrics)} (ask simulate_many for it with metrics=)"
            )
        return self._values[metric]

    def __getitem__(self, metric: str) -> NDArray[np.float64]:
        return self.values(metric)

    # ----------------------------------------------------------------------------- tables
    def to_pandas(self, long: bool = True) -> pd.DataFrame:
        """Return the metrics as a table.

        Parameters
        ----------
        long : bool
            True (default): tidy, one row per value, columns ``item``, ``metric``, ``day``,
            ``session`` and ``value``. ``day`` is the output day of a state or observable and
            the session's day for a per-session metric (whose ``session`` is the session index;
            it is ``<NA>`` otherwise); ``first_visible_day`` has no day (NaN).
            False: wide, one row per item; columns are (metric, output day) for states and
            observables, (metric, "session k") for per-session metrics and
            ("first_visible_day", "").
        """
        return self._long() if long else self._wide()

    def _long(self) -> pd.DataFrame:
        n = len(self)
        parts = []
        for name, v in self._values.items():
            kind = METRICS[name].kind
            if kind == "day":
                item = np.repeat(np.arange(n), len(self.days))
                day = np.tile(self.days, n)
                session = pd.array(np.full(item.size, pd.NA), dtype="Int64")
                value = v.ravel()
            elif kind == "session":
                item, k = np.nonzero(~np.isnan(self.session_days))
                day = self.session_days[item, k]
                session = pd.array(k, dtype="Int64")
                value = v[item, k]
            else:
                item, day = np.arange(n), np.full(n, np.nan)
                session = pd.array(np.full(n, pd.NA), dtype="Int64")
                value = v
            parts.append(
                pd.DataFrame(
                    {"item": item, "metric": name, "day": day, "session": session, "value": value}
                )
            )
        if not parts:
            return pd.DataFrame(columns=["item", "metric", "day", "session", "value"])
        return pd.concat(parts, ignore_index=True)

    def _wide(self) -> pd.DataFrame:
        columns: dict[tuple[str, Any], NDArray[np.float64]] = {}
        for name, v in self._values.items():
            kind = METRICS[name].kind
            if kind == "day":
                for j, d in enumerate(self.days):
                    columns[(name, float(d))] = v[:, j]
            elif kind == "session":
                for k in range(v.shape[1]):
                    columns[(name, f"session {k}")] = v[:, k]
            else:
                columns[(name, "")] = v
        frame = pd.DataFrame(columns, index=self.items.index)
        frame.columns = pd.MultiIndex.from_tuples(list(columns), names=["metric", "at"])
        return frame

    def to_xarray(self) -> xr.Dataset:
        """Return the metrics as an :class:`xarray.Dataset` (item x metric x day).

        States and observables over (``item``, ``day``), per-session metrics over (``item``,
        ``session``), ``first_visible_day`` over ``item``, each with ``units``, ``long_name``
        and ``description``; the item table (plan, covariates, ``failed``, ``error``) as
        coordinates on ``item``. ``ds[metrics].to_array("metric")`` stacks time metrics into
        an (metric, item, day) array.
        """
        return xarray_io.batch_to_xarray(self)

    def __repr__(self) -> str:
        return (
            f"<BatchResult: {len(self)} items ({self.n_failed} failed), "
            f"{len(self.days)} output days up to day {self.horizon:g}, "
            f"metrics {', '.join(self.metrics)}>"
        )
