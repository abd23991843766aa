"""Matplotlib plots of results, with sessions marked on the time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .result import Result

__all__ = ["plot_result", "mark_sessions"]


def mark_sessions(ax: Axes, days: Sequence[float] | np.ndarray, **kwargs: Any) -> None:
    """Draw a thin vertical line at each session day."""
    style = {"color": "0.6", "linewidth": 0.8, "linestyle": ":", "zorder": 0}
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
