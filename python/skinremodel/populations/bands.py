"""Prediction bands of a virtual population: quantiles of observables on every output day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..engine.xarray_io import bands_to_xarray
from ..plotting import plot_bands

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr
    from matplotlib.axes import Axes

    from ..plans.schedule import Schedule

__all__ = ["PredictionBands", "quantile_label"]


def quantile_label(q: float) -> str:
    """Column label of a quantile, as pandas' ``describe`` writes them: 0.05 -> "5%"."""
    return f"{100 * q:.10g}%"


class PredictionBands(pd.DataFrame):
    """Quantiles over a population, indexed by (observable, day), one column per quantile.

    A pandas DataFrame in every respect but one: :meth:`plot` draws the bands and the median
    (pandas' own plotting stays available as ``pd.DataFrame(bands).plot``). ``attrs`` holds the
    plan name, its session days, the number of patients and of failed simulations, and the
    quantiles.
    """

    @property
    def _constructor(self) -> type[PredictionBands]:
        return PredictionBands

    @classmethod
    def from_quantiles(
        cls,
        quantiles: Mapping[str, NDArray[np.float64]],
        days: NDArray[np.float64],
        levels: Sequence[float] | NDArray[np.float64],
        *,
        plan: Schedule,
        horizon: float,
        n_patients: int,
        n_failed: int,
        **attrs: Any,
    ) -> PredictionBands:
        """Bands from each observable's quantiles, an array (len(levels), len(days)).

        ``attrs`` adds to the plan name, its session days up to ``horizon``, the counts and the
        quantile levels.
        """
        columns = [quantile_label(x) for x in levels]
        blocks = []
        for name, q in quantiles.items():
            index = pd.MultiIndex.from_product([[name], days], names=["observable", "day"])
            blocks.append(pd.DataFrame(q.T, index=index, columns=columns))
        bands = cls(pd.concat(blocks))
        bands.attrs.update(
            {
                "plan": plan.name or "plan",
                "session_days": [float(d) for d in plan.days if d <= horizon],
                "n_patients": n_patients,
                "n_failed": n_failed,
                "quantiles": [float(x) for x in levels],
                **attrs,
            }
        )
        return bands

    def to_xarray(self) -> xr.Dataset:  # type: ignore[misc]
        """Return the bands as an :class:`xarray.Dataset`: observables over (day, quantile).

        (Replaces pandas' own ``DataFrame.to_xarray``, which would give one variable per
        quantile column; ``pd.DataFrame(bands).to_xarray()`` still does.)

        Units and descriptions are attributes of each variable; the plan, its session days and
        the population size are attributes of the Dataset.
        """
        return bands_to_xarray(self)

    def plot(  # type: ignore[override]
        self, observable: str | None = None, ax: Axes | None = None, **kwargs: Any
    ) -> Axes:
        """Draw the median and the bands between symmetric quantiles (e.g. 5-95%, 25-75%).

        ``observable`` defaults to the first; ``ax`` to a new figure. Keywords ``label``,
        ``color`` and ``sessions`` as in :func:`skinremodel.plotting.plot_bands`.
        """
        return plot_bands(self, observable, ax=ax, **kwargs)
