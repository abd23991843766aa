"""Matplotlib plots of results, with sessions marked on the time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from .result import Result

__all__ = ["plot_result", "plot_bands", "mark_sessions"]


def mark_sessions(ax: Axes, days: Sequence[float] | np.ndarray, **kwargs: Any) -> None:
    """Draw a thin vertical line at each session day."""
    style: dict[str, Any] = {"color": "0.6", "linewidth": 0.8, "linestyle": ":", "zorder": 0}
    style.update(kwargs)
    for d in np.asarray(days, dtype=float):
        ax.axvline(d, **style)


def plot_result(
    result: Result,
    variables: str | Sequence[str] = "total_collagen",
    ax: Axes | None = None,
    *,
    percent: bool = False,
    label: str | None = None,
    sessions: bool = True,
    **line_kwargs: Any,
) -> Axes:
    """Plot one or more variables of a result against day.

    Parameters
    ----------
    result : Result
    variables : str or sequence of str
        State or observable names.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    percent : bool
        Plot the percent change from baseline instead of the value.
    label : str, optional
        Legend label (default: the variable name).
    sessions : bool
        Mark the session days.
    """
    import matplotlib.pyplot as plt

    names = [variables] if isinstance(variables, str) else list(variables)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name in names:
        values = result.percent_change(name) if percent else result[name]
        text = label if (label is not None and len(names) == 1) else name
        ax.plot(result.t, values, label=text, **line_kwargs)
    if sessions:
        mark_sessions(ax, result.session_days)
    ax.set_xlabel("day")
    ax.set_ylabel("% change from baseline" if percent else ", ".join(names))
    ax.legend(frameon=False)
    return ax


def plot_bands(
    bands: pd.DataFrame,
    observable: str | None = None,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: Any = None,
    sessions: bool = True,
) -> Axes:
    """Plot population prediction bands (see :meth:`Population.simulate`): median and bands.

    Quantiles q and 1 - q that are both present are shaded, the outer bands lighter.

    Parameters
    ----------
    bands : PredictionBands
    observable : str, optional
        Which observable (default: the first of the bands).
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    label : str, optional
        Legend label (default: the plan name).
    color : optional
        Matplotlib colour of the median and the bands.
    sessions : bool
        Mark the plan's session days.
    """
    import matplotlib.pyplot as plt

    observables = list(dict.fromkeys(bands.index.get_level_values("observable")))
    name = observables[0] if observable is None else observable
    if name not in observables:
        raise KeyError(f"no bands for {name!r}; these bands have {', '.join(observables)}")
    frame = bands.xs(name, level="observable")
    qs = [float(q) for q in bands.attrs.get("quantiles", [])] or [
        float(c.rstrip("%")) / 100 for c in frame.columns]
    labels = dict(zip(qs, frame.columns, strict=True))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    text = label if label is not None else str(bands.attrs.get("plan", name))
    median = labels.get(0.5)
    if median is not None:
        (line,) = ax.plot(frame.index, frame[median], color=color, label=f"{text} (median)")
        color = line.get_color()
    pairs = sorted((q for q in qs if q < 0.5 and any(abs(1 - q - r) < 1e-12 for r in qs)),
                   reverse=True)
    for depth, q in enumerate(pairs):
        upper = next(labels[r] for r in qs if abs(1 - q - r) < 1e-12)
        ax.fill_between(frame.index, frame[labels[q]], frame[upper], color=color,
                        alpha=0.35 / (depth + 1), linewidth=0,
                        label=f"{text} {labels[q]}-{upper}")
    if sessions:
        mark_sessions(ax, bands.attrs.get("session_days", []))
    ax.set_xlabel("day")
    ax.set_ylabel(name)
    ax.legend(frameon=False)
    return ax
